"""Distances, bounding boxes and the map frame, against independent references."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongqi.core.geo import (
    EARTH_RADIUS_M,
    BBox,
    LocalProjection,
    MapFrame,
    bbox_around,
    bbox_of,
    haversine_m,
    path_distance_m,
)

WUHAN = (114.3055, 30.5928)  # (lng, lat)


def _destination(lat: float, lng: float, bearing_deg: float, d: float) -> tuple[float, float]:
    """The point at distance d along a great circle (spherical direct formula): (lat, lng)."""
    p1, l1, b = map(math.radians, (lat, lng, bearing_deg))
    delta = d / EARTH_RADIUS_M
    p2 = math.asin(math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(delta) * math.cos(p1), math.cos(delta) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def test_one_degree_of_longitude_on_the_equator():
    assert haversine_m(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_M / 360, rel=1e-12)


def test_wuhan_to_beijing_is_about_1050_km():
    # Beijing Tiananmen (39.9075, 116.3972); published great-circle figures are ≈1,050–1,060 km
    d = haversine_m(30.5928, 114.3055, 39.9075, 116.3972)
    assert 1_040_000 < d < 1_070_000


def test_haversine_is_symmetric_and_zero_on_itself():
    assert haversine_m(30.5, 114.3, 30.6, 114.4) == pytest.approx(
        haversine_m(30.6, 114.4, 30.5, 114.3)
    )
    assert haversine_m(30.5, 114.3, 30.5, 114.3) == 0.0


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-70, 70),
    lng=st.floats(-170, 170),
    radius=st.floats(1, 50_000),
    bearing=st.floats(0, 360),
)
def test_the_box_holds_every_point_of_the_circle(lat, lng, radius, bearing):
    box = bbox_around(lat=lat, lng=lng, radius_m=radius)
    plat, plng = _destination(lat, lng, bearing, radius * 0.999999)
    assert box.contains(lat=plat, lng=plng)


def test_the_box_is_tight_east_and_north():
    box = bbox_around(lat=30.0, lng=114.0, radius_m=10_000)
    north = _destination(30.0, 114.0, 0, 10_000)
    assert box.max_lat == pytest.approx(north[0], abs=1e-9)
    # the widest point of the circle lies a little north of due east; the box reaches it exactly
    east = max(_destination(30.0, 114.0, b / 10, 10_000)[1] for b in range(800, 1000))
    assert box.max_lng == pytest.approx(east, abs=1e-6)


def test_negative_radius_is_refused():
    with pytest.raises(ValueError, match="negative"):
        bbox_around(lat=30, lng=114, radius_m=-1)


def test_point_distance_uses_the_great_circle():
    a, b = [WUHAN], [(114.3155, 30.6028)]
    assert path_distance_m(a, b) == haversine_m(30.5928, 114.3055, 30.6028, 114.3155)


@pytest.mark.parametrize("d", [10.0, 500.0, 5_000.0, 30_000.0])
def test_local_projection_agrees_with_haversine_nearby(d):
    lat, lng = _destination(WUHAN[1], WUHAN[0], 37, d)
    # a "path" of two identical vertices forces the planar computation
    planar = path_distance_m([WUHAN, WUHAN], [(lng, lat)])
    assert planar == pytest.approx(d, rel=1e-3)


def test_distance_to_a_route_is_to_its_nearest_segment():
    # a north–south route; a point 300 m due east of its middle
    south, north = (114.40, 30.48), (114.40, 30.50)
    mid_lat = 30.49
    lat, lng = _destination(mid_lat, 114.40, 90, 300)
    assert path_distance_m([south, north], [(lng, lat)]) == pytest.approx(300, rel=2e-3)
    # beyond the north end, the distance is to the end point
    lat2, lng2 = _destination(30.50, 114.40, 0, 700)
    assert path_distance_m([south, north], [(lng2, lat2)]) == pytest.approx(700, rel=2e-3)


def test_crossing_routes_are_at_distance_zero():
    a = [(114.40, 30.48), (114.42, 30.50)]
    b = [(114.40, 30.50), (114.42, 30.48)]
    assert path_distance_m(a, b) == 0.0


def test_parallel_routes_distance():
    a = [(114.40, 30.48), (114.40, 30.50)]
    lat, lng = _destination(30.48, 114.40, 90, 1000)
    b = [(lng, 30.48), (lng, 30.50)]
    assert path_distance_m(a, b) == pytest.approx(1000, rel=2e-3)


def test_empty_paths_are_refused():
    with pytest.raises(ValueError, match="empty"):
        path_distance_m([], [WUHAN])
    with pytest.raises(ValueError, match="empty"):
        bbox_of([])


def test_projection_round_trip():
    proj = LocalProjection(lat0=30.5, lng0=114.3)
    x, y = proj.to_xy(114.35, 30.55)
    assert proj.to_lnglat(x, y) == pytest.approx((114.35, 30.55))


def test_box_expand_and_union_and_intersection():
    a = BBox(30.0, 114.0, 30.1, 114.1)
    b = BBox(30.2, 114.2, 30.3, 114.3)
    assert not a.intersects(b)
    assert a.expand(20_000).intersects(b)
    u = a.union(b)
    assert (u.min_lat, u.min_lng, u.max_lat, u.max_lng) == (30.0, 114.0, 30.3, 114.3)


def test_map_frame_keeps_the_box_inside_and_circles_round():
    box = bbox_around(lat=30.5, lng=114.4, radius_m=2000)
    frame = MapFrame.fit(box, width=800, padding=24)
    for lng, lat in [
        (box.min_lng, box.min_lat),
        (box.max_lng, box.max_lat),
        (box.min_lng, box.max_lat),
        (box.max_lng, box.min_lat),
    ]:
        x, y = frame.xy(lng, lat)
        assert 23 <= x <= 777 and 23 <= y <= frame.height - 23
    # 1 km east and 1 km north are the same number of pixels (same scale both ways)
    cx, cy = frame.xy(114.4, 30.5)
    lat_n, _ = _destination(30.5, 114.4, 0, 1000)
    _, lng_e = _destination(30.5, 114.4, 90, 1000)
    assert abs(frame.xy(114.4, lat_n)[1] - cy) == pytest.approx(frame.pixels(1000), rel=5e-3)
    assert abs(frame.xy(lng_e, 30.5)[0] - cx) == pytest.approx(frame.pixels(1000), rel=5e-3)
    # north is up
    assert frame.xy(114.4, lat_n)[1] < cy
