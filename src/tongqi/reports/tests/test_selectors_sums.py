"""Every dashboard figure is the sum of the per-application values behind it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongqi.applications.choices import Category, Channel
from tongqi.reports.choices import Sla
from tongqi.reports.models import ApplicationIndicator
from tongqi.reports.selectors import Filters, dashboard
from tongqi.reports.services import resummarise

from .helpers import application

pytestmark = pytest.mark.django_db

row = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(Channel.values),
        "category": st.sampled_from([*Category.values, ""]),
        "gas_on": st.booleans(),
        "elapsed_seconds": st.integers(0, 40 * 86400),
        "within_limit": st.sampled_from([None, True, False]),
        "sla": st.sampled_from(Sla.values),
        "customer_steps": st.integers(1, 4),
        "materials": st.integers(1, 3),
        "visits": st.integers(0, 3),
        "customer_cost": st.decimals(0, 5000, places=2),
        "satisfaction": st.sampled_from([None, 1, 2, 3, 4, 5]),
        "open_commitments": st.integers(0, 2),
        "receivable": st.decimals(0, 90000, places=2),
        "grid_b": st.booleans(),
    }
)


@pytest.fixture
def six(org):
    from tongqi.reports.services import rebuild_indicators

    apps = [application(org, n=i) for i in range(1, 7)]
    rebuild_indicators()
    return apps


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(row, min_size=6, max_size=6))
def test_totals_and_breakdowns_are_sums_of_rows(six, org, people, values):
    # given: six indicator rows with arbitrary values
    for app, v in zip(six, values, strict=True):
        v = dict(v)
        grid = org.grid_b if v.pop("grid_b") else org.grid_a
        ApplicationIndicator.objects.filter(application=app).update(
            **v,
            online=v["channel"] != Channel.COUNTER,
            grid=grid,
            subsidiary=grid.unit.parent,
            org_unit=grid.unit,
        )
    rows = list(ApplicationIndicator.objects.all())
    resummarise()  # the rows were edited behind the services' back
    # when
    board = dashboard(people.leader, Filters())
    t = board.total
    # then: each total is the plain sum / count over the rows
    done = [r for r in rows if r.gas_on]
    assert t.n == 6
    assert t.done == len(done)
    assert t.done_seconds == sum(r.elapsed_seconds for r in done)
    assert t.within == sum(1 for r in done if r.within_limit is True)
    assert t.overdue == sum(1 for r in rows if r.sla == Sla.OVERDUE)
    assert t.online == sum(1 for r in rows if r.online)
    assert t.visits == sum(r.visits for r in rows)
    assert t.cost_sum == sum((r.customer_cost for r in rows), Decimal("0"))
    assert t.sat_sum == sum(r.satisfaction or 0 for r in rows)
    assert t.rated == sum(1 for r in rows if r.satisfaction is not None)
    assert t.commitments_sum == sum(r.open_commitments for r in rows)
    assert t.receivable_sum == sum((r.receivable for r in rows), Decimal("0"))
    if done:
        expected = (Decimal(t.done_seconds) / 86400 / len(done)).quantize(Decimal("0.01"))
        assert t.avg_days == expected
    # and every breakdown adds up to the total
    for dim in ("month", "subsidiary", "grid", "channel", "category"):
        parts = [f for _k, _l, f in board.by[dim]]
        assert sum(f.n for f in parts) == t.n, dim
        assert sum(f.visits for f in parts) == t.visits, dim
        assert sum((f.receivable_sum for f in parts), Decimal("0")) == t.receivable_sum, dim
        assert sum(f.done_seconds for f in parts) == t.done_seconds, dim


def test_incremental_summary_equals_a_full_one(org, people, run_outbox):
    """Single-application refreshes keep the summary equal to a GROUP BY of all the rows."""
    from tongqi.applications import services as app_svc
    from tongqi.reports.models import IndicatorSummary

    def snapshot():
        fields = [f.name for f in IndicatorSummary._meta.concrete_fields if f.name != "id"]
        return sorted(
            tuple(str(v) for v in r) for r in IndicatorSummary.objects.values_list(*fields)
        )

    apps = [application(org, n=i) for i in range(1, 4)]
    run_outbox()
    app_svc.application_accept(application=apps[0], actor=people.am_a)
    app_svc.application_reject(application=apps[1], actor=people.am_a, reason="不在供气范围")
    run_outbox()
    incremental = snapshot()
    resummarise()
    assert snapshot() == incremental
    board = dashboard(people.leader, Filters())
    assert board.total.n == 3 and board.total.open == 2
