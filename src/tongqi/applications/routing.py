"""Routing a new application to its grid (网格) and its account manager (管家).

A located address goes to the grid whose polygon contains it; otherwise the grid of the district
that lists the street, else the district's catch-all grid (no street list). Within the grid, the
account manager with the fewest open applications gets it; an absent manager's share goes to
the named cover.
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import cache, lru_cache

from django.db import connection, transaction
from django.db.models import Count
from shapely import wkt
from shapely.geometry import Point
from shapely.prepared import prep

from tongqi.accounts.choices import Role
from tongqi.accounts.models import District, Grid, User
from tongqi.sql import Rows, write

from .choices import OPEN_STATUSES
from .models import Application, ManagerLoad


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


_MANAGER_ROWS = Rows((User, "u"))


@cache
def _managers_sql(vendor: str) -> str:
    users, load = User._meta.db_table, ManagerLoad._meta.db_table
    return (
        f"SELECT {_MANAGER_ROWS.select} FROM {users} u"  # noqa: S608
        f" LEFT JOIN {load} l ON l.manager_id = u.id"
        " WHERE u.org_unit_id = %s AND u.role = %s AND u.is_active"
        " ORDER BY COALESCE(l.open_applications, 0), u.id"
    )


def _managers_by_open_work(unit_id: int) -> list[User]:
    """The unit's active account managers, least open work first.

    Every submission asks this: one statement written once (tongqi.sql), reading each manager's
    count from ``ManagerLoad`` (kept by the transitions) instead of counting their open
    applications, which grew with every application the grid had."""
    sql = _managers_sql(connection.vendor)
    with connection.cursor() as cur:
        cur.execute(sql, [unit_id, Role.ACCOUNT_MANAGER])
        return [_MANAGER_ROWS.read(row)[0] for row in cur.fetchall()]


def manager_load_move(before: tuple[int | None, bool], after: tuple[int | None, bool]) -> None:
    """An application's (manager, open) changed from ``before`` to ``after``: move it in the
    managers' counts, in the caller's transaction (one statement; none when nothing moved)."""
    if before == after:
        return
    delta: dict[int, int] = {}
    for (manager, is_open), sign in ((before, -1), (after, 1)):
        if manager is not None and is_open:
            delta[manager] = delta.get(manager, 0) + sign
    rows = sorted((m, d) for m, d in delta.items() if d)  # in key order: no deadlock
    if not rows:
        return
    table = ManagerLoad._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(rows))
    write(  # an upsert cannot fail on the key: it may go with the next round trip
        f"INSERT INTO {table} (manager_id, open_applications) VALUES {values}"  # noqa: S608
        f" ON CONFLICT (manager_id) DO UPDATE"
        f" SET open_applications = {table}.open_applications + excluded.open_applications",
        [x for row in rows for x in row],
    )


def manager_load_rebuild() -> int:
    """Count every manager's open applications again (after data was written around the
    transitions: the synthetic generator, an import). Returns the managers counted."""
    with transaction.atomic():
        ManagerLoad.objects.all().delete()
        counts = (
            Application.objects.filter(status__in=OPEN_STATUSES, account_manager__isnull=False)
            .values("account_manager")
            .annotate(n=Count("id"))
            .order_by()
        )
        rows = [
            ManagerLoad(manager_id=c["account_manager"], open_applications=c["n"]) for c in counts
        ]
        ManagerLoad.objects.bulk_create(rows)
    return len(rows)


def choose_manager(grid: Grid, *, today=None) -> User | None:
    """The grid's account manager with the least open work; absent ones hand over to cover."""
    managers = _managers_by_open_work(grid.unit_id)
    for m in managers:
        if not m.is_absent(today):
            return m
    for m in managers:  # everyone is away: the first manager's named cover, if present
        if m.cover_id and m.cover and m.cover.is_active and not m.cover.is_absent(today):
            return m.cover
    return managers[0] if managers else None
