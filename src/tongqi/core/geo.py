"""Distances on the ground and a flat map frame, WGS-84 longitude/latitude in, metres out.

Pure Python (no Django, no GIS server): the planning view (提前开展气源建设) asks "which
applications lie within 2 km of this pipeline?" over a few thousand candidate rows that a
bounding box on indexed latitude/longitude columns has already narrowed. Two tools suffice:

* great-circle distance between two points (haversine on the mean Earth radius) — exact to
  about 0.5 % against the ellipsoid, far better than any address geocoding;
* a local equirectangular projection centred on the query point, accurate to well under 0.1 %
  within a few tens of kilometres, for distances to lines (a pipeline's route) where segment
  geometry on a plane is simple and exact enough.

Coordinates of paths are ``(lng, lat)`` pairs, the order of WKT and shapely; single points are
passed as keyword arguments ``lat=``, ``lng=`` so the order cannot be confused.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "EARTH_RADIUS_M",
    "BBox",
    "LocalProjection",
    "MapFrame",
    "bbox_around",
    "bbox_of",
    "haversine_m",
    "path_distance_m",
]

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0

LngLat = tuple[float, float]


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BBox:
    """A latitude/longitude box (no antimeridian crossing: China is far from it)."""

    min_lat: float
    min_lng: float
    max_lat: float
    max_lng: float

    def contains(self, *, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng

    def intersects(self, other: BBox) -> bool:
        return not (
            other.max_lat < self.min_lat
            or other.min_lat > self.max_lat
            or other.max_lng < self.min_lng
            or other.min_lng > self.max_lng
        )

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.min_lat, other.min_lat),
            min(self.min_lng, other.min_lng),
            max(self.max_lat, other.max_lat),
            max(self.max_lng, other.max_lng),
        )

    def expand(self, radius_m: float) -> BBox:
        """The box grown so that it holds every point within ``radius_m`` of this box."""
        if radius_m <= 0:
            return self
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        widest = max(abs(self.min_lat), abs(self.max_lat))
        dlng = _lng_halfwidth(widest, radius_m)
        return BBox(
            max(-90.0, self.min_lat - dlat),
            max(-180.0, self.min_lng - dlng),
            min(90.0, self.max_lat + dlat),
            min(180.0, self.max_lng + dlng),
        )


def _lng_halfwidth(lat: float, radius_m: float) -> float:
    """Half the longitude span of a circle of ``radius_m`` centred at latitude ``lat``.

    The exact extreme of a spherical cap is asin(sin δ / cos φ); near a pole the cap wraps round
    and the whole longitude range is needed.
    """
    delta = radius_m / EARTH_RADIUS_M
    c = math.cos(math.radians(lat))
    s = math.sin(delta)
    if delta >= math.pi / 2 or s >= c:
        return 180.0
    return math.degrees(math.asin(s / c))


def bbox_around(*, lat: float, lng: float, radius_m: float) -> BBox:
    """The smallest latitude/longitude box that holds the circle of ``radius_m`` around a point.

    Used as the indexed prefilter (``latitude BETWEEN …``); the exact distance test follows.
    """
    if radius_m < 0:
        raise ValueError("radius must not be negative")
    return BBox(lat, lng, lat, lng).expand(radius_m)


def bbox_of(path: Iterable[LngLat]) -> BBox:
    pts = list(path)
    if not pts:
        raise ValueError("empty path")
    lngs = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return BBox(min(lats), min(lngs), max(lats), max(lngs))


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection around (lat0, lng0): x east, y north, in metres."""

    lat0: float
    lng0: float

    @property
    def kx(self) -> float:
        return METRES_PER_DEGREE * math.cos(math.radians(self.lat0))

    def to_xy(self, lng: float, lat: float) -> tuple[float, float]:
        return (lng - self.lng0) * self.kx, (lat - self.lat0) * METRES_PER_DEGREE

    def to_lnglat(self, x: float, y: float) -> LngLat:
        return self.lng0 + x / self.kx, self.lat0 + y / METRES_PER_DEGREE


def _point_segment(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _orient(ax, ay, bx, by, cx, cy) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _segments_cross(a, b, c, d) -> bool:
    """Whether closed segments ab and cd share a point (general position and collinear touch)."""
    o1 = _orient(*a, *b, *c)
    o2 = _orient(*a, *b, *d)
    o3 = _orient(*c, *d, *a)
    o4 = _orient(*c, *d, *b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return False


def _segment_segment(a, b, c, d) -> float:
    if _segments_cross(a, b, c, d):
        return 0.0
    return min(
        _point_segment(*a, *c, *d),
        _point_segment(*b, *c, *d),
        _point_segment(*c, *a, *b),
        _point_segment(*d, *a, *b),
    )


def path_distance_m(a: Sequence[LngLat], b: Sequence[LngLat]) -> float:
    """Shortest distance in metres between two paths (a point is a path of one vertex).

    Two single points: the great-circle distance. Otherwise the paths are projected on a local
    plane centred on the first vertex of ``a`` and the minimum segment-to-segment distance taken
    (0 when they cross).
    """
    if not a or not b:
        raise ValueError("empty path")
    if len(a) == 1 and len(b) == 1:
        return haversine_m(a[0][1], a[0][0], b[0][1], b[0][0])
    proj = LocalProjection(lat0=a[0][1], lng0=a[0][0])
    pa = [proj.to_xy(*p) for p in a]
    pb = [proj.to_xy(*p) for p in b]
    segs_a = list(zip(pa, pa[1:], strict=False)) or [(pa[0], pa[0])]
    segs_b = list(zip(pb, pb[1:], strict=False)) or [(pb[0], pb[0])]
    return min(_segment_segment(s, e, u, v) for s, e in segs_a for u, v in segs_b)


@dataclass(frozen=True)
class MapFrame:
    """Fits a latitude/longitude box into an SVG view box of ``width`` × ``height`` pixels.

    Equirectangular around the box's middle latitude, north up, the same scale on both axes
    (so a circle on the ground is a circle on the map). ``fit`` chooses the height from the
    box's shape within [min_height, max_height].
    """

    lat0: float
    lng0: float
    scale: float  # pixels per metre
    width: int
    height: int

    @classmethod
    def fit(
        cls,
        box: BBox,
        *,
        width: int = 800,
        min_height: int = 360,
        max_height: int = 720,
        padding: int = 24,
        min_span_m: float = 400.0,
    ) -> MapFrame:
        lat0 = (box.min_lat + box.max_lat) / 2
        lng0 = (box.min_lng + box.max_lng) / 2
        kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))
        span_x = max((box.max_lng - box.min_lng) * kx, min_span_m)
        span_y = max((box.max_lat - box.min_lat) * METRES_PER_DEGREE, min_span_m)
        inner_w = width - 2 * padding
        scale = inner_w / span_x
        height = int(round(span_y * scale)) + 2 * padding
        height = max(min_height, min(max_height, height))
        scale = min(scale, (height - 2 * padding) / span_y)
        return cls(lat0=lat0, lng0=lng0, scale=scale, width=width, height=height)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        """Pixel coordinates of a point (origin top-left, y down)."""
        proj = LocalProjection(self.lat0, self.lng0)
        x, y = proj.to_xy(lng, lat)
        return round(self.width / 2 + x * self.scale, 1), round(self.height / 2 - y * self.scale, 1)

    def pixels(self, metres: float) -> float:
        return round(metres * self.scale, 1)
