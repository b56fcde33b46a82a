"""Service windows: criteria weights sum to 100, weighted totals, ranking with shared ranks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongqi.service import services as svc
from tongqi.service.choices import WindowKind
from tongqi.service.models import WindowCriterion, WindowEvaluation
from tongqi.service.selectors import ranking

pytestmark = pytest.mark.django_db


def _criteria(people, weights=(40, 35, 25)):
    return svc.criteria_save(
        actor=people.service,
        rows=[svc.CriterionInput(None, f"标准{i}", "", w, i, True) for i, w in enumerate(weights)],
    )


def _window(org, people, name, unit=None):
    return svc.window_save(
        actor=people.service, name=name, kind=WindowKind.HALL, org_unit=unit or org.sub_a
    )


def test_weights_must_sum_to_100(people):
    with pytest.raises(svc.InvalidInput) as exc:
        _criteria(people, (40, 35, 20))
    assert "weights" in exc.value.fields and "95" in exc.value.fields["weights"][0]
    assert not WindowCriterion.objects.exists()
    # an unused criterion does not count
    svc.criteria_save(
        actor=people.service,
        rows=[
            svc.CriterionInput(None, "甲", "", 60, 0, True),
            svc.CriterionInput(None, "乙", "", 40, 1, True),
            svc.CriterionInput(None, "丙", "", 30, 2, False),
        ],
    )
    assert WindowCriterion.objects.count() == 3


def test_total_is_the_weighted_sum_rounded_half_up(org, people):
    c = _criteria(people)
    w = _window(org, people, "一号厅")
    ev = svc.evaluation_save(
        actor=people.service,
        window=w,
        period="2026-11",
        scores={c[0].pk: "90", c[1].pk: "85.5", c[2].pk: "77.3"},
    )
    # 90×0.40 + 85.5×0.35 + 77.3×0.25 = 36 + 29.925 + 19.325 = 85.25
    assert ev.total == Decimal("85.25") and ev.period_kind == "month"
    assert sorted(s.weight for s in ev.scores.all()) == [25, 35, 40]
    # scoring the same period again replaces it
    ev2 = svc.evaluation_save(
        actor=people.service, window=w, period="2026-11", scores={x.pk: 100 for x in c}
    )
    assert (
        ev2.pk == ev.pk and ev2.total == Decimal("100.00") and WindowEvaluation.objects.count() == 1
    )


def test_bad_scores_and_periods_are_refused(org, people):
    c = _criteria(people)
    w = _window(org, people, "一号厅")
    with pytest.raises(svc.InvalidInput) as exc:
        svc.evaluation_save(
            actor=people.service, window=w, period="2026-13", scores={c[0].pk: 101, c[1].pk: "x"}
        )
    assert {"period", f"score_{c[0].pk}", f"score_{c[1].pk}", f"score_{c[2].pk}"} <= set(
        exc.value.fields
    )
    ev = svc.evaluation_save(
        actor=people.service, window=w, period="2026-q4", scores={x.pk: 80 for x in c}
    )
    assert ev.period == "2026-Q4" and ev.period_kind == "quarter"


def test_ranking_shares_ranks_on_equal_totals(org, people):
    c = _criteria(people)
    totals = {"甲厅": 90, "乙厅": 95, "丙厅": 90, "丁厅": 70}
    for name, score in totals.items():
        w = _window(org, people, name)
        svc.evaluation_save(
            actor=people.service, window=w, period="2026-11", scores={x.pk: score for x in c}
        )
    rows = [(r.rank, r.evaluation.window.name) for r in ranking(people.service, "2026-11")]
    assert rows == [(1, "乙厅"), (2, "丙厅"), (2, "甲厅"), (4, "丁厅")]


def test_window_names_are_unique_per_unit(org, people):
    _window(org, people, "一号厅")
    with pytest.raises(svc.InvalidInput) as exc:
        _window(org, people, "一号厅")
    assert "name" in exc.value.fields
    _window(org, people, "一号厅", unit=org.sub_b)  # another unit may use the name


def test_ranking_is_scoped(org, people, make_user):
    from tongqi.accounts.choices import Role

    c = _criteria(people)
    for name, unit in (("甲厅", org.sub_a), ("乙厅", org.sub_b)):
        w = _window(org, people, name, unit)
        svc.evaluation_save(
            actor=people.service, window=w, period="2026-11", scores={x.pk: 80 for x in c}
        )
    leader_a = make_user(Role.LEADER, org.sub_a)
    assert [r.evaluation.window.name for r in ranking(leader_a, "2026-11")] == ["甲厅"]
