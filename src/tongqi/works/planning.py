"""提前开展气源建设: the demand around a project, a point or in a grid, so that the works can
start before the applications arrive.

Radius: candidate applications come from a bounding box on their latitude/longitude columns,
then the exact distance (tongqi.core.geo) keeps those within the radius — of the point, or of
the whole route of a pipeline. Grid: applications routed to the grid, plus located applications
inside the grid's polygon (routed elsewhere, or before the polygon was drawn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from tongqi.accounts.models import Grid
from tongqi.applications.choices import OPEN_STATUSES
from tongqi.applications.models import Application
from tongqi.applications.selectors import visible_applications
from tongqi.core.geo import BBox, bbox_of, path_distance_m

from .choices import STAGE_GROUP_OF, ProjectStatus
from .geometry import coords_of, grid_area, polygon_contains, polygon_intersects
from .models import Project
from .selectors import visible_projects

MAX_RADIUS_M = 20_000
SIX = Decimal("0.000001")
APP_RELATED = ("enterprise", "grid__unit", "works_link__project")


@dataclass
class DemandRow:
    index: int
    application: Application
    distance_m: float | None
    group: str
    located: bool

    @property
    def project(self) -> Project | None:
        link = getattr(self.application, "works_link", None)
        return link.project if link is not None else None


@dataclass
class NearbyProject:
    project: Project
    distance_m: float | None
    coords: tuple


@dataclass
class Demand:
    mode: str  # "point" | "project" | "grid"
    rows: list[DemandRow] = field(default_factory=list)
    projects: list[NearbyProject] = field(default_factory=list)
    path: tuple = ()  # the centre point or the project's route, (lng, lat)
    radius_m: float | None = None
    grid: Grid | None = None
    subject: Project | None = None
    area: BBox | None = None

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def total_load(self) -> Decimal:
        return sum((r.application.peak_load for r in self.rows), Decimal("0"))

    @property
    def total_annual(self) -> Decimal:
        return sum((r.application.annual_consumption for r in self.rows), Decimal("0"))

    @property
    def unlinked_count(self) -> int:
        return sum(1 for r in self.rows if r.project is None)

    @property
    def unlinked_load(self) -> Decimal:
        return sum((r.application.peak_load for r in self.rows if r.project is None), Decimal("0"))

    @property
    def projects_forecast_load(self) -> Decimal:
        return sum((p.project.forecast_load for p in self.projects), Decimal("0"))

    @property
    def projects_forecast_annual(self) -> Decimal:
        return sum((p.project.forecast_annual_volume for p in self.projects), Decimal("0"))


def _d(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(SIX)


def _box_q(box: BBox, lat="latitude", lng="longitude") -> Q:
    return Q(
        **{
            f"{lat}__gte": _d(box.min_lat),
            f"{lat}__lte": _d(box.max_lat),
            f"{lng}__gte": _d(box.min_lng),
            f"{lng}__lte": _d(box.max_lng),
        }
    )


def _envelope_q(box: BBox) -> Q:
    """Projects whose envelope overlaps ``box`` (indexed columns)."""
    return Q(
        max_lat__gte=_d(box.min_lat),
        min_lat__lte=_d(box.max_lat),
        max_lng__gte=_d(box.min_lng),
        min_lng__lte=_d(box.max_lng),
    )


def _open_applications(user):
    return visible_applications(user).filter(status__in=OPEN_STATUSES)


def _index(rows: list[DemandRow]) -> list[DemandRow]:
    for i, r in enumerate(rows, start=1):
        r.index = i
    return rows


def demand_around(user, *, path, radius_m: float, subject: Project | None = None) -> Demand:
    """Open applications and projects within ``radius_m`` of a point or a route."""
    path = tuple((float(x), float(y)) for x, y in path)
    radius_m = float(max(0, min(radius_m, MAX_RADIUS_M)))
    box = bbox_of(path).expand(radius_m)
    candidates = (
        _open_applications(user)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .filter(_box_q(box))
        .select_related(*APP_RELATED)
    )
    rows = []
    for app in candidates:
        d = path_distance_m(path, [(float(app.longitude), float(app.latitude))])
        if d <= radius_m:
            rows.append(DemandRow(0, app, d, STAGE_GROUP_OF.get(app.status, ""), True))
    rows.sort(key=lambda r: (r.distance_m, r.application.pk))
    projects = []
    qs = (
        visible_projects(user)
        .exclude(status=ProjectStatus.CANCELLED)
        .filter(_envelope_q(box))
        .select_related("org_unit")
    )
    if subject is not None:
        qs = qs.exclude(pk=subject.pk)
    for p in qs:
        coords = coords_of(p.geometry_wkt)
        d = path_distance_m(path, coords)
        if d <= radius_m:
            projects.append(NearbyProject(p, d, coords))
    projects.sort(key=lambda n: (n.distance_m, n.project.pk))
    return Demand(
        mode="project" if subject is not None else "point",
        rows=_index(rows),
        projects=projects,
        path=path,
        radius_m=radius_m,
        subject=subject,
        area=box,
    )


def demand_for_project(user, project: Project, radius_m: float) -> Demand:
    return demand_around(
        user, path=coords_of(project.geometry_wkt), radius_m=radius_m, subject=project
    )


def demand_in_grid(user, grid: Grid) -> Demand:
    """Open applications routed to the grid, plus located ones inside its polygon."""
    area = grid_area(grid.polygon_wkt)
    where = Q(grid=grid)
    if area is not None:
        where |= Q(latitude__isnull=False, longitude__isnull=False) & _box_q(area.envelope)
    rows = []
    for app in _open_applications(user).filter(where).select_related(*APP_RELATED):
        located = app.latitude is not None and app.longitude is not None
        inside = (
            area is not None
            and located
            and polygon_contains(
                grid.polygon_wkt, lat=float(app.latitude), lng=float(app.longitude)
            )
        )
        if app.grid_id == grid.pk or inside:
            rows.append(DemandRow(0, app, None, STAGE_GROUP_OF.get(app.status, ""), located))
    rows.sort(
        key=lambda r: (r.application.submitted_at or r.application.created_at, r.application.pk)
    )
    pq = Q(grid=grid)
    if area is not None:
        pq |= _envelope_q(area.envelope)
    projects = []
    qs = (
        visible_projects(user)
        .exclude(status=ProjectStatus.CANCELLED)
        .filter(pq)
        .select_related("org_unit")
    )
    for p in qs:
        if p.grid_id == grid.pk or (
            area is not None and polygon_intersects(grid.polygon_wkt, p.geometry_wkt)
        ):
            projects.append(NearbyProject(p, None, coords_of(p.geometry_wkt)))
    projects.sort(key=lambda n: (n.project.expected_gas_on, n.project.pk))
    box = area.envelope if area is not None else None
    for r in rows:
        if r.located:
            pt = BBox(*(float(r.application.latitude), float(r.application.longitude)) * 2)
            box = pt if box is None else box.union(pt)
    for n in projects:
        b = bbox_of(n.coords)
        box = b if box is None else box.union(b)
    return Demand(mode="grid", rows=_index(rows), projects=projects, grid=grid, area=box)
