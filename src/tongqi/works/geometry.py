"""A project's location: a point (a station, a connection) or a line (a pipeline's route),
WGS-84 longitude/latitude, stored as WKT and checked with shapely."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from tongqi.core.geo import BBox

# Mainland China's extent, with a margin; a coordinate outside it is a typing error.
CHINA = BBox(min_lat=3.0, min_lng=73.0, max_lat=54.0, max_lng=136.0)
MAX_VERTICES = 500
SIX = Decimal("0.000001")

MSG_EMPTY = _("Enter the site as one “longitude, latitude” line, or the route as several.")
MSG_SYNTAX = _(
    "Line {line}: write “longitude, latitude” in decimal degrees, e.g. 114.4123, 30.5012."
)
MSG_SWAPPED = _(
    "Line {line}: this looks like latitude before longitude; write the longitude (about 114 in "
    "Wuhan) first."
)
MSG_OUTSIDE = _("Line {line}: the point lies outside China; check the numbers.")
MSG_WKT = _("The WKT text could not be read: {error}")
MSG_KIND = _("Only a POINT or a LINESTRING can be stored.")
MSG_TOO_MANY = _("A route may have at most {n} points.")
MSG_DEGENERATE = _("A route needs at least two different points.")


class LocationError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Location:
    wkt: str
    coords: tuple[tuple[float, float], ...]  # (lng, lat)
    latitude: Decimal
    longitude: Decimal
    envelope: BBox

    @property
    def is_line(self) -> bool:
        return len(self.coords) > 1


_NUM = r"[-+]?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^\s*({_NUM})\s*[,，\s]\s*({_NUM})\s*$")


def _d(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(SIX)


def _check_pair(lng: float, lat: float, line: int) -> None:
    if CHINA.contains(lat=lat, lng=lng):
        return
    if CHINA.contains(lat=lng, lng=lat):
        raise LocationError(MSG_SWAPPED.format(line=line))
    raise LocationError(MSG_OUTSIDE.format(line=line))


def parse_location(text: str) -> Location:
    """Read "lng, lat" lines (one = a point, several = a route) or WKT POINT / LINESTRING."""
    text = (text or "").strip()
    if not text:
        raise LocationError(MSG_EMPTY)
    if text[:1].isalpha():
        try:
            geom = shapely_wkt.loads(text)
        except (ShapelyError, ValueError, TypeError) as exc:
            raise LocationError(MSG_WKT.format(error=str(exc)[:120])) from None
        if geom.geom_type not in ("Point", "LineString") or geom.is_empty or geom.has_z:
            raise LocationError(MSG_KIND)
        pairs = [(float(x), float(y)) for x, y in geom.coords]
    else:
        pairs = []
        lines = [ln for ln in re.split(r"[\r\n;；]+", text) if ln.strip()]
        for i, line in enumerate(lines, start=1):
            m = _PAIR.match(line)
            if not m:
                raise LocationError(MSG_SYNTAX.format(line=i))
            pairs.append((float(m.group(1)), float(m.group(2))))
    if len(pairs) > MAX_VERTICES:
        raise LocationError(MSG_TOO_MANY.format(n=MAX_VERTICES))
    for i, (lng, lat) in enumerate(pairs, start=1):
        _check_pair(lng, lat, i)
    pairs = [(round(lng, 6), round(lat, 6)) for lng, lat in pairs]
    # drop consecutive duplicates (a double click on a map tool)
    clean = [pairs[0]] + [p for prev, p in zip(pairs, pairs[1:], strict=False) if p != prev]
    if len(pairs) > 1 and len(clean) < 2:
        raise LocationError(MSG_DEGENERATE)
    geom: BaseGeometry = Point(clean[0]) if len(clean) == 1 else LineString(clean)
    if not geom.is_valid:
        raise LocationError(MSG_DEGENERATE)
    rep = geom if isinstance(geom, Point) else geom.interpolate(0.5, normalized=True)
    minx, miny, maxx, maxy = geom.bounds
    return Location(
        wkt=shapely_wkt.dumps(geom, rounding_precision=6, trim=True),
        coords=tuple(clean),
        latitude=_d(rep.y),
        longitude=_d(rep.x),
        envelope=BBox(min_lat=miny, min_lng=minx, max_lat=maxy, max_lng=maxx),
    )


def coords_of(geometry_wkt: str) -> tuple[tuple[float, float], ...]:
    """The stored geometry's vertices as (lng, lat) pairs."""
    return _coords(geometry_wkt)


@lru_cache(maxsize=1024)
def _coords(geometry_wkt: str) -> tuple[tuple[float, float], ...]:
    geom = shapely_wkt.loads(geometry_wkt)
    return tuple((float(x), float(y)) for x, y in geom.coords)


def location_text(coords) -> str:
    """The editable form of a stored geometry: one "lng, lat" line per vertex."""
    return "\n".join(f"{lng:.6f}, {lat:.6f}" for lng, lat in coords)


# --- grid polygons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GridArea:
    rings: tuple[tuple[tuple[float, float], ...], ...]  # exterior rings, (lng, lat)
    envelope: BBox
    label_at: tuple[float, float]


@lru_cache(maxsize=256)
def grid_area(polygon_wkt: str) -> GridArea | None:
    """A grid's polygon (or multipolygon) read once; None when absent or unreadable."""
    if not polygon_wkt:
        return None
    try:
        geom = shapely_wkt.loads(polygon_wkt)
    except (ShapelyError, ValueError, TypeError):
        return None
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    if not polys or any(p.geom_type != "Polygon" for p in polys):
        return None
    rings = tuple(tuple((float(x), float(y)) for x, y in p.exterior.coords) for p in polys)
    minx, miny, maxx, maxy = geom.bounds
    rep = geom.representative_point()
    return GridArea(
        rings=rings,
        envelope=BBox(min_lat=miny, min_lng=minx, max_lat=maxy, max_lng=maxx),
        label_at=(rep.x, rep.y),
    )


@lru_cache(maxsize=256)
def _prepared(polygon_wkt: str):
    return prep(shapely_wkt.loads(polygon_wkt))


def polygon_contains(polygon_wkt: str, *, lat: float, lng: float) -> bool:
    return bool(polygon_wkt) and _prepared(polygon_wkt).contains(Point(lng, lat))


def polygon_intersects(polygon_wkt: str, geometry_wkt: str) -> bool:
    return bool(polygon_wkt) and _prepared(polygon_wkt).intersects(shapely_wkt.loads(geometry_wkt))
