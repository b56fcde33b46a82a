"""Routing a new application to its grid (网格) and its account manager (管家).

A located address goes to the grid whose polygon contains it; otherwise the grid of the district
that lists the street, else the district's catch-all grid (no street list). Within the grid, the
account manager with the fewest open applications gets it; an absent manager's share goes to
the named cover.
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import lru_cache

from shapely import wkt
from shapely.geometry import Point
from shapely.prepared import prep

from tongqi.accounts.choices import Role
from tongqi.accounts.models import District, Grid, User

from .choices import OPEN_STATUSES
from .models import Application


@lru_cache(maxsize=256)
def _prepared(polygon_wkt: str):
    return prep(wkt.loads(polygon_wkt))


# Districts and grids change a few times a year but are read on every submission: keep them per
# process for a short while (a configuration change reaches every process within CONFIG_TTL).
CONFIG_TTL = 60.0
_cache: dict[str, tuple[float, object]] = {}


def _cached(key: str, load):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CONFIG_TTL:
        return hit[1]
    value = load()
    _cache[key] = (now, value)
    return value


def clear_cache() -> None:
    _cache.clear()


def district_by_code(code: str) -> District | None:
    return _cached("districts", lambda: {d.code: d for d in District.objects.all()}).get(code)


def all_grids() -> list[Grid]:
    return _cached(
        "grids", lambda: list(Grid.objects.select_related("unit").order_by("unit__code"))
    )


def find_grid(
    *,
    district: District,
    street: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Grid | None:
    grids = all_grids()
    if latitude is not None and longitude is not None:
        point = Point(float(longitude), float(latitude))
        for g in grids:
            if g.polygon_wkt and _prepared(g.polygon_wkt).contains(point):
                return g
    in_district = [g for g in grids if g.district_id == district.pk]
    street = (street or "").strip()
    if street:
        for g in in_district:
            if street in (g.streets or []):
                return g
    for g in in_district:
        if not g.streets:
            return g
    return in_district[0] if in_district else None


def _managers_by_open_work(unit_id: int) -> tuple[str, list]:
    """The unit's active account managers, least open work first.

    Every submission asks this: written as SQL so that it costs one cheap statement and no
    query building. Each manager's open work is counted in the (manager, status) index alone,
    without joining, sorting and grouping every open application of the grid."""
    users, apps = User._meta.db_table, Application._meta.db_table
    statuses = sorted(OPEN_STATUSES)
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"SELECT u.*, (SELECT COUNT(*) FROM {apps} a WHERE a.account_manager_id = u.id"
        f" AND a.status IN ({marks})) AS open_work"
        f" FROM {users} u WHERE u.org_unit_id = %s AND u.role = %s AND u.is_active"
        " ORDER BY open_work, u.id"
    )
    return sql, [*statuses, unit_id, Role.ACCOUNT_MANAGER]


def choose_manager(grid: Grid, *, today=None) -> User | None:
    """The grid's account manager with the least open work; absent ones hand over to cover."""
    managers = list(User.objects.raw(*_managers_by_open_work(grid.unit_id)))
    for m in managers:
        if not m.is_absent(today):
            return m
    for m in managers:  # everyone is away: the first manager's named cover, if present
        if m.cover_id and m.cover and m.cover.is_active and not m.cover.is_absent(today):
            return m.cover
    return managers[0] if managers else None
