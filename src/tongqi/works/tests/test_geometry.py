"""Reading a project's location: points, routes, WKT, and the typing errors people make."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tongqi.works.geometry import (
    LocationError,
    grid_area,
    parse_location,
    polygon_contains,
    polygon_intersects,
)


def test_one_line_is_a_point():
    loc = parse_location("114.4105, 30.5050")
    assert loc.wkt == "POINT (114.4105 30.505)"
    assert not loc.is_line
    assert (loc.longitude, loc.latitude) == (Decimal("114.410500"), Decimal("30.505000"))


def test_several_lines_are_a_route_and_the_label_point_is_its_middle():
    loc = parse_location("114.40, 30.50\n114.40 30.48\r\n114.40，30.46")
    assert loc.wkt == "LINESTRING (114.4 30.5, 114.4 30.48, 114.4 30.46)"
    assert loc.is_line and len(loc.coords) == 3
    assert loc.latitude == Decimal("30.480000")
    assert (loc.envelope.min_lat, loc.envelope.max_lat) == (30.46, 30.5)


def test_wkt_is_accepted_and_normalised():
    loc = parse_location("LINESTRING(114.1 30.1, 114.2 30.2)")
    assert loc.wkt == "LINESTRING (114.1 30.1, 114.2 30.2)"


def test_coordinates_are_rounded_to_six_places_and_duplicates_dropped():
    loc = parse_location("114.12345678, 30.1\n114.12345678, 30.1\n114.2, 30.2")
    assert loc.coords == ((114.123457, 30.1), (114.2, 30.2))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "longitude, latitude"),
        ("114.4", "Line 1"),
        ("30.50, 114.41", "latitude before longitude"),
        ("114.4, 30.5\n-74.0, 40.7", "Line 2: the point lies outside China"),
        ("POLYGON((114 30, 115 30, 115 31, 114 30))", "POINT or a LINESTRING"),
        ("POINT(114", "could not be read"),
        ("114.1, 30.1\n114.1, 30.1", "two different points"),
    ],
)
def test_bad_input_gets_a_clear_message(text, fragment):
    with translation.override("en"), pytest.raises(LocationError) as exc:
        parse_location(text)
    with translation.override("en"):
        assert fragment in str(exc.value.message)


def test_grid_polygon_containment_and_intersection():
    poly = "POLYGON ((114.40 30.47, 114.62 30.47, 114.62 30.52, 114.40 30.52, 114.40 30.47))"
    assert polygon_contains(poly, lat=30.50, lng=114.45)
    assert not polygon_contains(poly, lat=30.40, lng=114.45)
    assert not polygon_contains("", lat=30.50, lng=114.45)
    assert polygon_intersects(poly, "LINESTRING (114.30 30.50, 114.45 30.50)")
    assert not polygon_intersects(poly, "POINT (114.30 30.50)")
    area = grid_area(poly)
    assert area is not None and area.envelope.max_lng == 114.62 and len(area.rings) == 1
    assert grid_area("not wkt") is None and grid_area("") is None
