"""The dashboard, its charts, the drill-down list and the evaluation export."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongqi.reports.selectors import FLAGS, Filters, dashboard, indicator_list
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

HOME = reverse("reports:home")
LIST = reverse("reports:applications")
EXPORT = reverse("reports:export")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_permission_matrix(people, board_data):
    for url in (HOME, LIST, reverse("reports:chart", args=["trend"])):
        assert_matrix(url, allowed=people.leader, wrong_role=people.am_a)
        assert_matrix(url, allowed=people.service, wrong_role=people.counter_a)
    assert_matrix(EXPORT, allowed=people.leader, wrong_role=people.engineer_a)
    assert_matrix(EXPORT, allowed=people.service, wrong_role=people.reader_a)


def test_unknown_chart_is_404(people):
    resp = client_for(people.leader).get(reverse("reports:chart", args=["pie-in-the-sky"]))
    assert resp.status_code == 404


def test_dashboard_shows_the_figures(people, board_data):
    resp = client_for(people.leader).get(HOME)
    assert resp.status_code == 200
    t = resp.context["t"]
    assert t.n == 5 and t.done == 3 and t.open == 2
    assert t.within == 2 and t.late == 1
    assert t.online == 4
    assert t.visited == 1
    # charts are images from our own origin; no inline script or style in the page
    html = resp.content.decode()
    assert html.count('src="/reports/charts/') == 4
    assert "<script>" not in html and 'style="' not in html


def test_charts_are_svg_without_script(people, board_data):
    for name in ("trend", "days", "sla", "channels"):
        resp = client_for(people.leader).get(reverse("reports:chart", args=[name]))
        assert resp.status_code == 200
        assert resp["Content-Type"] == "image/svg+xml"
        assert b"<svg" in resp.content and b"<script" not in resp.content
        assert "script-src 'none'" in resp["Content-Security-Policy"]


def test_scoped_to_the_viewer_units(people, board_data, org):
    resp = client_for(people.leader_a).get(HOME)
    assert resp.context["t"].n == 4  # the other subsidiary's application is not counted
    resp = client_for(people.leader_a).get(LIST)
    numbers = {i.application.number for i, _c in resp.context["rows"]}
    assert board_data.other.number not in numbers and len(numbers) == 4
    # asking for the other subsidiary is a field error, not a leak
    resp = client_for(people.leader_a).get(LIST, {"subsidiary": org.sub_b.pk})
    assert resp.context["form"].errors["subsidiary"]
    assert board_data.other.number not in resp.content.decode()


def _measure(f, flag):
    return {
        "open": f.open,
        "done": f.done,
        "within": f.within,
        "late": f.late,
        "on_time": f.on_time,
        "warned": f.warned,
        "overdue": f.overdue,
        "online": f.online,
        "offline": f.n - f.online,
        "extra_steps": f.extra_steps,
        "extra_materials": f.extra_materials,
        "visited": f.visited,
        "cost": f.cost,
        "rated": f.rated,
        "commitments": f.commitments,
        "receivable": f.receivable,
    }[flag]


def test_drill_down_shows_exactly_the_applications_behind_each_figure(people, board_data):
    f = Filters()
    board = dashboard(people.leader, f)
    for dim in ("month", "subsidiary", "grid", "channel", "category"):
        for key, _label, figures in board.by[dim]:
            if key is None:
                continue
            narrowed = Filters(**{dim if dim != "month" else "month": key})
            assert indicator_list(people.leader, narrowed).count() == figures.n, (dim, key)
            for flag in FLAGS:
                got = indicator_list(people.leader, Filters(**{dim: key}, flag=flag)).count()
                assert got == _measure(figures, flag), (dim, key, flag)


def test_drill_down_page_from_a_dashboard_link(people, board_data):
    c = client_for(people.leader)
    html = c.get(HOME).content.decode()
    links = re.findall(r'href="(/reports/applications/\?[^"]*flag=within[^"]*)"', html)
    assert links
    resp = c.get(links[0].replace("&amp;", "&"))
    numbers = {i.application.number for i, _c in resp.context["rows"]}
    assert numbers == {board_data.quick.number, board_data.other.number}


def test_dashboard_query_count_does_not_grow_with_rows(
    people, board_data, org, django_assert_max_num_queries
):
    from django.core.cache import cache

    c = client_for(people.leader)
    cache.clear()
    with django_assert_max_num_queries(20):  # session, user, units, 6 small GROUP BYs, names…
        assert c.get(HOME).status_code == 200


def test_list_query_count_is_bounded(people, board_data, django_assert_max_num_queries):
    c = client_for(people.leader)
    with django_assert_max_num_queries(12):
        resp = c.get(LIST)
    assert len(resp.context["rows"]) == 5


def test_evaluation_export_opens_masks_and_carries_the_evidence(people, board_data):
    resp = client_for(people.leader).get(EXPORT, {"flag": "done"})
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 1 + 3
    by_number = {r[0]: dict(zip(headers, r, strict=True)) for r in rows[1:]}
    late = by_number[board_data.late.number]
    mobile = board_data.late.enterprise.contact_mobile
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert mobile not in flat
    assert mobile[:3] + "****" + mobile[-4:] in flat
    evidence = [v for v in late.values() if isinstance(v, str) and "→" in v]
    assert evidence and "2025-09-29 12:00" in evidence[0] and "2025-10-10 12:00" in evidence[0]
    assert "3.00" in evidence[0]


def test_bad_filters_are_field_errors(people, board_data):
    resp = client_for(people.leader).get(HOME, {"month_from": "2026-13", "grid": "x"})
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert "month_from" in errors and "grid" in errors
    resp = client_for(people.leader).get(HOME, {"month_from": "2026-05", "month_to": "2026-01"})
    assert "month_to" in resp.context["form"].errors
