"""提前开展气源建设: demand within a radius of a point or a route and within a grid, the sums,
scoping, and the SVG map drawn from them."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tongqi.accounts.models import Grid
from tongqi.applications import services as app_svc
from tongqi.core.geo import LocalProjection, haversine_m
from tongqi.testing.app_factories import submitted_application
from tongqi.works import services as svc
from tongqi.works.planning import demand_around, demand_for_project, demand_in_grid
from tongqi.works.svgmap import render_map

from .helpers import make_project

pytestmark = pytest.mark.django_db

CENTRE = (114.40, 30.50)  # (lng, lat)
LOAD = Decimal("11.8")  # 2 × 4.5 + 2.8 m³/h from the test appliances
ANNUAL = Decimal("36000")


def offset(bearing_deg: float, metres: float, origin=CENTRE) -> tuple[Decimal, Decimal]:
    """(lat, lng) about ``metres`` from ``origin`` (local projection: exact enough here)."""
    proj = LocalProjection(lat0=origin[1], lng0=origin[0])
    b = math.radians(bearing_deg)
    lng, lat = proj.to_lnglat(metres * math.sin(b), metres * math.cos(b))
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


_n = [0]


def located(org, people, bearing, metres, *, district=None, origin=CENTRE):
    _n[0] += 1
    lat, lng = offset(bearing, metres, origin)
    return submitted_application(
        org,
        customer=people.customer,
        n=500 + _n[0],
        district=district,
        latitude=lat,
        longitude=lng,
        coord_system="wgs84",
    )


def test_radius_keeps_open_applications_within_it_and_sums_their_demand(org, people):
    near_n = located(org, people, 0, 300)
    near_e = located(org, people, 90, 900)
    located(org, people, 180, 1100)  # just outside
    located(org, people, 270, 5000)  # far
    cancelled = located(org, people, 45, 500)
    app_svc.application_cancel(application=cancelled, actor=people.customer, reason="不用了")
    submitted_application(org, customer=people.customer, n=599)  # no location

    d = demand_around(people.leader, path=[CENTRE], radius_m=1000)

    assert [r.application.pk for r in d.rows] == [near_n.pk, near_e.pk]  # nearest first
    assert [r.index for r in d.rows] == [1, 2]
    assert d.rows[0].distance_m == pytest.approx(300, rel=0.01)
    assert d.total_load == 2 * LOAD and d.total_annual == 2 * ANNUAL
    assert d.unlinked_count == 2


def test_distance_is_the_exact_great_circle_not_the_box(org, people):
    # the box corner is √2 × radius away: a point there is in the box but outside the circle
    corner = located(org, people, 45, 1000 * 1.3)
    d = demand_around(people.leader, path=[CENTRE], radius_m=1000)
    assert corner.pk not in {r.application.pk for r in d.rows}
    lat, lng = float(corner.latitude), float(corner.longitude)
    assert haversine_m(CENTRE[1], CENTRE[0], lat, lng) > 1000


def test_around_a_route_counts_what_lies_along_the_whole_pipeline(org, people):
    south, north = CENTRE, (114.40, 30.52)  # a route about 2.2 km north
    p = make_project(
        org, people.engineer_a, location=f"{south[0]}, {south[1]}\n{north[0]}, {north[1]}"
    )
    mid = (114.40, 30.51)
    beside = located(org, people, 90, 800, origin=mid)  # 800 m east of the middle
    d_point = demand_around(people.leader, path=[south], radius_m=1000)
    d_route = demand_for_project(people.leader, p, 1000)
    assert beside.pk not in {r.application.pk for r in d_point.rows}
    assert beside.pk in {r.application.pk for r in d_route.rows}
    assert d_route.subject == p and d_route.mode == "project"


def test_projects_nearby(org, people):
    eng = people.engineer_a
    lat, lng = offset(0, 600)
    near = make_project(org, eng, name="近", location=f"{lng}, {lat}")
    lat, lng = offset(0, 3000)
    make_project(org, eng, name="远", location=f"{lng}, {lat}")
    lat, lng = offset(180, 400)
    gone = make_project(org, eng, name="取消", location=f"{lng}, {lat}")
    svc.project_transition(project=gone, action="cancel", actor=eng, reason="x")
    d = demand_around(people.leader, path=[CENTRE], radius_m=1000)
    assert [n.project.pk for n in d.projects] == [near.pk]
    assert d.projects[0].distance_m == pytest.approx(600, rel=0.01)
    assert d.projects_forecast_load == Decimal("120")


def test_grid_demand_is_routed_plus_inside_the_polygon(org, people):
    grid_a, grid_b = org.grid_a, org.grid_b
    no_coords = submitted_application(org, customer=people.customer, n=601)  # grid A by district
    inside_b = located(org, people, 0, 100, district=org.district_b)  # grid B, inside A's polygon
    outside_b = located(org, people, 0, 9000, district=org.district_b)
    far_a = located(org, people, 180, 9000)  # grid A by district, outside the polygon
    assert inside_b.grid == grid_b and far_a.grid == grid_a
    Grid.objects.filter(pk=grid_a.pk).update(
        polygon_wkt="POLYGON ((114.39 30.49, 114.41 30.49, 114.41 30.51, 114.39 30.51, 114.39 30.49))"
    )
    grid_a.refresh_from_db()

    d = demand_in_grid(people.leader, grid_a)

    got = {r.application.pk for r in d.rows}
    assert got == {no_coords.pk, inside_b.pk, far_a.pk}
    assert outside_b.pk not in got
    assert d.total_load == 3 * LOAD and d.total_annual == 3 * ANNUAL
    assert {r.application.pk for r in d.rows if not r.located} == {no_coords.pk}
    assert d.area is not None and d.area.min_lat < 30.49  # the map frame takes in far_a


def test_demand_is_scoped_to_what_the_user_sees(org, people):
    mine = located(org, people, 0, 100)
    theirs = located(org, people, 90, 100, district=org.district_b)
    leader = {
        r.application.pk for r in demand_around(people.leader, path=[CENTRE], radius_m=500).rows
    }
    eng_a = {
        r.application.pk for r in demand_around(people.engineer_a, path=[CENTRE], radius_m=500).rows
    }
    assert leader == {mine.pk, theirs.pk}
    assert eng_a == {mine.pk}


def test_the_map_is_svg_with_shapes_a_circle_and_no_inline_style(org, people):
    Grid.objects.filter(pk=org.grid_a.pk).update(
        polygon_wkt="POLYGON ((114.39 30.49, 114.41 30.49, 114.41 30.51, 114.39 30.51, 114.39 30.49))"
    )
    located(org, people, 0, 300)
    acc = located(org, people, 90, 400)
    app_svc.application_accept(application=acc, actor=people.am_a)
    make_project(org, people.engineer_a, location=f"{CENTRE[0]}, {CENTRE[1] + 0.003}")
    d = demand_around(people.leader, path=[CENTRE], radius_m=1000)
    svg = str(render_map(d, Grid.objects.select_related("unit"), title="周边需求 <测试>"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "周边需求 &lt;测试&gt;" in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<circle") >= 2  # the radius and the submitted application
    assert "<rect" in svg  # the accepted one is a square (shape, not only colour)
    assert "<path" in svg and "甲一网格" in svg  # the grid polygon and its name
    assert re.search(r"<title>1\. ", svg) and re.search(r"<title>2\. ", svg)


def test_planning_page_renders_map_table_and_sums(org, people, django_assert_max_num_queries):
    for i in range(6):
        located(org, people, i * 60, 200 + i * 100)
    p = make_project(org, people.engineer_a)
    c = Client()
    c.force_login(people.engineer_a)
    url = reverse("works:planning")
    with django_assert_max_num_queries(25):
        resp = c.get(url, {"mode": "point", "lng": "114.40", "lat": "30.50", "radius_km": "1"})
    html = resp.content.decode()
    assert resp.status_code == 200 and "<svg" in html
    assert "70.8" in html  # 6 × 11.8 m³/h
    resp = c.get(url, {"mode": "project", "project": p.pk, "radius_km": "2"})
    assert resp.status_code == 200
    resp = c.get(url, {"mode": "grid", "grid": org.grid_a.pk})
    assert resp.status_code == 200
    # bad input: field errors, never a 500
    resp = c.get(url, {"mode": "point", "lng": "200", "lat": "", "radius_km": "99"})
    html = resp.content.decode()
    assert resp.status_code == 200 and html.count('class="errorlist"') >= 3
    resp = c.get(
        reverse("works:planning_export"),
        {"mode": "point", "lng": "114.40", "lat": "30.50", "radius_km": "1"},
    )
    assert resp.status_code == 200


def test_a_project_is_chosen_by_its_number_not_from_a_list_of_every_project(org, people):
    p = make_project(org, people.engineer_a)
    other = make_project(org, people.engineer_a, name="另一个项目")
    c = Client()
    c.force_login(people.engineer_a)
    url = reverse("works:planning")
    empty = c.get(url).content.decode()
    assert '<select name="project"' not in empty and other.number not in empty
    by_number = c.get(url, {"mode": "project", "project": p.number.lower(), "radius_km": "2"})
    html = by_number.content.decode()
    assert by_number.status_code == 200 and 'class="works-map"' in html and p.name in html
    assert p.number in html  # the subject of the map, as the project's own number
    # the project page's link carries the number
    detail = c.get(reverse("works:detail", args=[p.pk])).content.decode()
    assert f"project={p.number}" in detail
    for bad in ("QY1999-99999", "9" * 30, "１２", "x" * 21):
        resp = c.get(url, {"mode": "project", "project": bad, "radius_km": "2"})
        html = resp.content.decode()
        assert resp.status_code == 200 and "没有您可查看的该编号项目。" in html
        assert 'class="works-map"' not in html
