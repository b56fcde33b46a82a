"""The municipal gas-source project report (市政配套气源工程项目报表): its rows, filters and the
Excel export. Live rows and a month's snapshot are the same dictionaries, rendered by the same
code, so a past month shows exactly what was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.models import OrgUnit
from tongqi.accounts.scoping import visible_unit_ids

from .choices import STATUS_COLOUR, ProjectStatus, ReasonKind
from .models import Project, ReportSnapshot
from .selectors import link_prefetch, subtree_ids, visible_projects

ROW_VERSION = 1


@dataclass(frozen=True)
class ReportFilters:
    """Period (projects whose works overlap it), subsidiary (and below), status."""

    date_from: date | None = None
    date_to: date | None = None
    unit: OrgUnit | None = None
    status: str = ""


def project_row(project: Project, today: date) -> dict[str, Any]:
    """One report row as plain JSON data (what a snapshot keeps)."""
    start = project.actual_start or project.planned_start
    return {
        "v": ROW_VERSION,
        "id": project.pk,
        "number": project.number or "",
        "name": project.name,
        "org_unit_id": project.org_unit_id,
        "grid_unit_id": project.grid.unit_id if project.grid_id else None,
        "org_unit": project.org_unit.name,
        "district": project.district.name,
        "grid": project.grid.unit.name if project.grid_id else "",
        "location": project.location_desc,
        "reason_kind": project.reason_kind,
        "reason": project.reason,
        "start": start.isoformat(),
        "start_actual": project.actual_start is not None,
        "expected_gas_on": project.expected_gas_on.isoformat(),
        "actual_gas_on": project.actual_gas_on.isoformat() if project.actual_gas_on else "",
        "investment": str(project.investment),
        "status": project.status,
        "late": project.is_late(today),
        "forecast_load": str(project.forecast_load),
        "forecast_annual_volume": str(project.forecast_annual_volume),
        "applications": [
            {
                "number": link.application.number or "",
                "enterprise": link.application.enterprise.name,
            }
            for link in project.links.all()
        ],
    }


def _live_queryset(user, f: ReportFilters) -> QuerySet[Project]:
    qs = Project.objects.all() if user is None else visible_projects(user)
    if f.unit is not None:
        qs = qs.filter(org_unit_id__in=subtree_ids(f.unit))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_to is not None:
        qs = qs.alias(_start=Coalesce(F("actual_start"), F("planned_start"))).filter(
            _start__lte=f.date_to
        )
    if f.date_from is not None:
        qs = qs.alias(_end=Coalesce(F("actual_gas_on"), F("expected_gas_on"))).filter(
            _end__gte=f.date_from
        )
    return qs


def _order_key(row: dict) -> tuple:
    return (row["org_unit"], row["start"], row["number"])


def live_rows(user, f: ReportFilters | None = None, today: date | None = None) -> list[dict]:
    """The report as of now: ``user`` None = company-wide (what a snapshot keeps)."""
    f = f or ReportFilters()
    today = today or timezone.localdate()
    qs = (
        _live_queryset(user, f)
        .select_related("org_unit", "district", "grid__unit")
        .prefetch_related(link_prefetch())
        .order_by("org_unit__path", "planned_start", "pk")
    )
    return sorted((project_row(p, today) for p in qs), key=_order_key)


def _start():
    return Coalesce(F("actual_start"), F("planned_start"))


# the report's sort keys (row keys) as SQL, for the live screen
LIVE_ORDER = {
    "number": F("number"),
    "name": F("name"),
    "org_unit": F("org_unit__name"),
    "start": _start(),
    "expected_gas_on": F("expected_gas_on"),
    "investment": F("investment"),
    "status": F("status"),
}


def live_ordered(
    user, f: ReportFilters | None = None, *, key: str | None = None, descending: bool = False
) -> QuerySet[Project]:
    """The live report as a queryset in the report's order (subsidiary, start, number; or by
    ``key``), so the screen builds the rows of one page only, not of every project."""
    qs = (
        _live_queryset(user, f or ReportFilters())
        .select_related("org_unit", "district", "grid__unit")
        .prefetch_related(link_prefetch())
    )
    if key is None:
        return qs.order_by(F("org_unit__name"), _start(), "number", "pk")
    expr = LIVE_ORDER[key]
    first = expr.desc() if descending else expr.asc()
    return qs.order_by(first, F("number").desc() if descending else F("number").asc(), "pk")


def live_totals(user, f: ReportFilters | None = None) -> tuple[int, Decimal]:
    """How many projects the live report holds and their total investment (one query)."""
    got = _live_queryset(user, f or ReportFilters()).aggregate(
        n=Count("pk"), total=Sum("investment")
    )
    return got["n"], got["total"] or Decimal("0.00")


def filter_rows(rows: list[dict], user, f: ReportFilters) -> list[dict]:
    """The same filters and scoping over stored rows (a snapshot)."""
    visible = visible_unit_ids(user)
    unit_ids = set(subtree_ids(f.unit)) if f.unit is not None else None
    df = f.date_from.isoformat() if f.date_from else None
    dt = f.date_to.isoformat() if f.date_to else None
    out = []
    for row in rows:
        if visible is not None and not (
            row["org_unit_id"] in visible or row.get("grid_unit_id") in visible
        ):
            continue
        if unit_ids is not None and row["org_unit_id"] not in unit_ids:
            continue
        if f.status and row["status"] != f.status:
            continue
        if dt and row["start"] > dt:
            continue
        if df and (row["actual_gas_on"] or row["expected_gas_on"]) < df:
            continue
        out.append(row)
    return sorted(out, key=_order_key)


def snapshot_rows(snapshot: ReportSnapshot, user, f: ReportFilters | None = None) -> list[dict]:
    return filter_rows(list(snapshot.rows), user, f or ReportFilters())


def snapshot_months() -> QuerySet[ReportSnapshot]:
    """Every kept month (its rows are scoped when shown)."""
    return ReportSnapshot.objects.defer("rows").order_by("-month")


# --- how a row is shown (screen and Excel alike) ------------------------------------------------


class ReportRow:
    """Read access to a row dictionary with labels, for templates and the export."""

    def __init__(self, data: dict):
        self.data = data

    def __getattr__(self, name):
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def status_label(self) -> str:
        try:
            return str(ProjectStatus(self.data["status"]).label)
        except ValueError:
            return self.data["status"]

    @property
    def status_colour(self) -> str:
        return STATUS_COLOUR.get(self.data["status"], "grey")

    @property
    def reason_text(self) -> str:
        try:
            label = str(ReasonKind(self.data["reason_kind"]).label)
        except ValueError:
            label = self.data["reason_kind"]
        detail = self.data.get("reason") or ""
        return f"{label}：{detail}" if detail else label

    @property
    def location_text(self) -> str:
        place = " ".join(x for x in (self.data["district"], self.data.get("grid", "")) if x)
        return f"{place} {self.data['location']}".strip()

    @property
    def start_date(self) -> date:
        return date.fromisoformat(self.data["start"])

    @property
    def expected_gas_on_date(self) -> date:
        return date.fromisoformat(self.data["expected_gas_on"])

    @property
    def actual_gas_on_date(self) -> date | None:
        v = self.data.get("actual_gas_on")
        return date.fromisoformat(v) if v else None

    @property
    def investment_yuan(self) -> Decimal:
        return Decimal(self.data["investment"])

    @property
    def applications_text(self) -> str:
        return "；".join(
            f"{a['number']}（{a['enterprise']}）" for a in self.data.get("applications", [])
        )


def wrap(rows: list[dict]) -> list[ReportRow]:
    return [ReportRow(r) for r in rows]


def total_investment(rows: list[dict]) -> Decimal:
    return sum((Decimal(r["investment"]) for r in rows), Decimal("0.00"))


EXPORT_HEADERS = (
    _("No."),
    _("Project number"),
    _("Project name"),
    _("Subsidiary"),
    _("Project location"),
    _("Reason for the works"),
    _("Implementation time"),
    _("Expected gas-on time"),
    _("Investment (yuan)"),
    _("Project status"),
    _("Linked applications"),
)


def export_rows(rows: list[dict]):
    """The Excel rows in the order of ``EXPORT_HEADERS``; labels in the active language."""
    for i, data in enumerate(rows, start=1):
        r = ReportRow(data)
        status = r.status_label
        if data.get("late"):
            status = "{status}（{late}）".format(status=status, late=_("Late"))
        yield (
            i,
            data["number"],
            data["name"],
            data["org_unit"],
            r.location_text,
            r.reason_text,
            r.start_date,
            r.expected_gas_on_date,
            r.investment_yuan,
            status,
            r.applications_text,
        )
