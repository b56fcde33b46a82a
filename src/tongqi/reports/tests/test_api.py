"""The indicators API: the dashboard's figures as JSON, with the page's filters and scoping."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tongqi.integration import services as integration
from tongqi.reports.forms import IndicatorFilterForm
from tongqi.reports.selectors import dashboard

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def get(user, **params):
    _token, raw = integration.token_create(user=user, name="t", days=7)
    return Client().get(URL, params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_figures_are_the_dashboards(people, board_data):
    resp = get(people.leader)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    t = dashboard(people.leader, IndicatorFilterForm({}, user=people.leader).filters()).total
    total = body["total"]
    assert (
        (total["applications"], total["gas_on"], total["open"])
        == (5, 3, 2)
        == (
            t.n,
            t.done,
            t.open,
        )
    )
    assert total["within_limit_rate"] == pytest.approx(t.within_rate)
    assert total["online_rate"] == pytest.approx(80.0)
    assert body["by"] is None and body["groups"] == []
    assert set(body["complaints"]) == {
        "received",
        "due",
        "closed_same_day",
        "same_day_rate",
        "open",
    }


@pytest.mark.parametrize("by", ["month", "subsidiary", "grid", "channel", "category"])
def test_a_breakdown_adds_up_to_the_total(people, board_data, by):
    body = get(people.leader, by=by).json()
    assert body["by"] == by and body["groups"]
    for measure in ("applications", "gas_on", "open", "on_time", "overdue", "rated"):
        assert sum(g[measure] for g in body["groups"]) == body["total"][measure]
    assert all(g["label"] for g in body["groups"])


def test_scoped_to_the_callers_units_and_filters_are_checked(people, board_data, org):
    assert get(people.leader_a).json()["total"]["applications"] == 4
    resp = get(people.leader_a, subsidiary=org.sub_b.pk)  # another subsidiary: not a leak
    assert resp.status_code == 422 and "subsidiary" in resp.json()["fields"]
    resp = get(people.leader, month_from="2026-13", by="weather")
    body = resp.json()
    assert resp.status_code == 422 and body["code"] == "invalid"
    assert {"month_from", "by"} <= set(body["fields"])
    resp = get(people.leader, month_from="2026-05", month_to="2026-01")
    assert resp.status_code == 422 and "month_to" in resp.json()["fields"]


def test_only_roles_that_see_the_dashboard(people, board_data):
    assert get(people.am_a).json()["code"] == "permission_denied"
    assert get(people.customer).status_code == 403
    assert Client().get(URL).status_code == 401
