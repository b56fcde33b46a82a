"""Reads of the reports app: indicator rows scoped to the viewer, and their aggregates.

Every figure of the dashboard is a sum or a count over ``ApplicationIndicator`` rows (ADR 0013),
so every figure has a set of applications behind it: ``FLAGS`` names the condition a figure
counts, and the drill-down list shows exactly the rows the figure counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.models import Grid, OrgUnit
from tongqi.accounts.scoping import restrict_units, visible_unit_ids
from tongqi.applications.choices import Category, Channel
from tongqi.core.workdays import DAY
from tongqi.service.models import Complaint

from .choices import TARGET_MATERIALS, TARGET_STEPS, Sla
from .models import ApplicationIndicator, IndicatorSummary

DIMENSIONS = ("month", "subsidiary", "grid", "channel", "category")


@dataclass(frozen=True)
class Filters:
    """What the dashboard and the drill-down list are narrowed to (all optional)."""

    month_from: date | None = None
    month_to: date | None = None
    category: str = ""
    subsidiary: int | None = None
    grid: int | None = None
    channel: str = ""
    month: date | None = None  # one month (a drill-down from a monthly figure)
    flag: str = ""

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.month_from:
            qs = qs.filter(month__gte=self.month_from)
        if self.month_to:
            qs = qs.filter(month__lte=self.month_to)
        if self.month:
            qs = qs.filter(month=self.month)
        if self.category:
            qs = qs.filter(category="" if self.category == "-" else self.category)
        if self.subsidiary:
            qs = qs.filter(subsidiary_id=self.subsidiary)
        if self.grid:
            qs = qs.filter(grid_id=self.grid)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.flag in FLAGS:
            qs = qs.filter(FLAGS[self.flag])
        return qs


# The condition behind each counted figure (the drill-down of that figure).
FLAGS: dict[str, Q] = {
    "open": Q(is_open=True),
    "done": Q(gas_on=True),
    "within": Q(gas_on=True, within_limit=True),
    "late": Q(gas_on=True, within_limit=False),
    "on_time": Q(sla=Sla.ON_TIME),
    "warned": Q(sla=Sla.WARNED),
    "overdue": Q(sla=Sla.OVERDUE),
    "online": Q(online=True),
    "offline": Q(online=False),
    "extra_steps": Q(gas_on=True, customer_steps__gt=TARGET_STEPS),
    "extra_materials": Q(materials__gt=TARGET_MATERIALS),
    "visited": Q(visits__gt=0),
    "cost": Q(customer_cost__gt=0),
    "rated": Q(satisfaction__isnull=False),
    "commitments": Q(open_commitments__gt=0),
    "receivable": Q(receivable__gt=0),
}


def _measures() -> dict:
    c = lambda q: Count("pk", filter=q)  # noqa: E731
    return {
        "n": Count("pk"),
        "open": c(FLAGS["open"]),
        "done": c(FLAGS["done"]),
        "done_seconds": Sum("elapsed_seconds", filter=FLAGS["done"]),
        "within": c(FLAGS["within"]),
        "late": c(FLAGS["late"]),
        "on_time": c(FLAGS["on_time"]),
        "warned": c(FLAGS["warned"]),
        "overdue": c(FLAGS["overdue"]),
        "online": c(FLAGS["online"]),
        "done_steps": Sum("customer_steps", filter=FLAGS["done"]),
        "extra_steps": c(FLAGS["extra_steps"]),
        "materials": Sum("materials"),
        "extra_materials": c(FLAGS["extra_materials"]),
        "visits": Sum("visits"),
        "visited": c(FLAGS["visited"]),
        "cost_sum": Sum("customer_cost"),
        "cost": c(FLAGS["cost"]),
        "sat_sum": Sum("satisfaction"),
        "rated": c(FLAGS["rated"]),
        "commitments_sum": Sum("open_commitments"),
        "commitments": c(FLAGS["commitments"]),
        "receivable_sum": Sum("receivable"),
        "receivable": c(FLAGS["receivable"]),
    }


MEASURES = tuple(_measures())
PREFIX = "m_"  # annotations must not shadow the model's own fields (materials, visits, …)


def _annotations() -> dict:
    return {PREFIX + k: v for k, v in _measures().items()}


def summary_annotations() -> dict:
    """The measures as computed from indicator rows (to fill ``IndicatorSummary``)."""
    return _annotations()


def _summed() -> dict:
    """The measures as sums of ``IndicatorSummary`` columns (what the dashboard reads)."""
    return {PREFIX + k: Sum(k) for k in MEASURES}


@dataclass
class Figures:
    """The sums of one group of indicator rows, and the ratios the dashboard shows."""

    n: int = 0
    open: int = 0
    done: int = 0
    done_seconds: int = 0
    within: int = 0
    late: int = 0
    on_time: int = 0
    warned: int = 0
    overdue: int = 0
    online: int = 0
    done_steps: int = 0
    extra_steps: int = 0
    materials: int = 0
    extra_materials: int = 0
    visits: int = 0
    visited: int = 0
    cost_sum: Decimal = Decimal("0")
    cost: int = 0
    sat_sum: int = 0
    rated: int = 0
    commitments_sum: int = 0
    commitments: int = 0
    receivable_sum: Decimal = Decimal("0")
    receivable: int = 0

    def add(self, row: dict) -> None:
        for key in MEASURES:
            value = row.get(PREFIX + key)
            if value:
                setattr(self, key, getattr(self, key) + value)

    @staticmethod
    def _ratio(a, b) -> float | None:
        return None if not b else a * 100 / b

    @property
    def avg_days(self) -> Decimal | None:
        if not self.done:
            return None
        return (Decimal(self.done_seconds) / DAY / self.done).quantize(Decimal("0.01"))

    @property
    def within_rate(self) -> float | None:
        return self._ratio(self.within, self.done)

    @property
    def online_rate(self) -> float | None:
        return self._ratio(self.online, self.n)

    @property
    def started(self) -> int:
        return self.on_time + self.warned + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.on_time + self.warned, self.started)

    @property
    def avg_steps(self) -> Decimal | None:
        if not self.done:
            return None
        return (Decimal(self.done_steps) / self.done).quantize(Decimal("0.01"))

    @property
    def avg_materials(self) -> Decimal | None:
        if not self.n:
            return None
        return (Decimal(self.materials) / self.n).quantize(Decimal("0.01"))

    @property
    def zero_visit_rate(self) -> float | None:
        return self._ratio(self.n - self.visited, self.n)

    @property
    def satisfaction(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.sat_sum) / self.rated).quantize(Decimal("0.01"))


@dataclass
class ComplaintFigures:
    received: int = 0
    due: int = 0  # due by the end of a past day, or closed
    same_day: int = 0
    open: int = 0

    @property
    def same_day_rate(self) -> float | None:
        return None if not self.due else self.same_day * 100 / self.due


@dataclass
class Dashboard:
    total: Figures
    by: dict[str, list[tuple[object, object, Figures]]] = field(default_factory=dict)
    complaints: ComplaintFigures = field(default_factory=ComplaintFigures)
    complaints_by_month: list[tuple[date, ComplaintFigures]] = field(default_factory=list)


def visible_indicators(user) -> QuerySet[ApplicationIndicator]:
    """Indicator rows of the applications in the viewer's org units."""
    return restrict_units(ApplicationIndicator.objects.all(), user, "org_unit")


def indicator_list(user, filters: Filters) -> QuerySet[ApplicationIndicator]:
    """The applications behind a figure (the drill-down list and the evaluation export)."""
    return filters.apply(visible_indicators(user)).select_related(
        "application__enterprise", "subsidiary", "grid__unit"
    )


def visible_summary(user, filters: Filters) -> QuerySet[IndicatorSummary]:
    """The summary rows in the viewer's units, narrowed by the filters (not by a figure)."""
    qs = restrict_units(IndicatorSummary.objects.all(), user, "org_unit")
    return replace(filters, flag="").apply(qs)


def grouped(user, filters: Filters, field: str | None) -> dict:
    """Sums of the summary rows per value of ``field`` (one GROUP BY; everything when None)."""
    qs = visible_summary(user, filters).order_by()
    if field is None:
        f = Figures()
        f.add(qs.aggregate(**_summed()))
        return {None: f}
    out: dict = {}
    for r in qs.values(field).annotate(**_summed()):
        out[r[field]] = f = Figures()
        f.add(r)
    return out


def complaint_figures(user, filters: Filters, today: date | None = None):
    """日清日结: complaints received in the months shown, closed by the end of their due day."""
    today = today or timezone.localdate()
    qs = restrict_units(Complaint.objects.all(), user, "org_unit")
    if filters.month_from:
        qs = qs.filter(arrival_date__gte=filters.month_from)
    if filters.month_to:
        qs = qs.filter(arrival_date__lt=_next_month(filters.month_to))
    if filters.subsidiary:
        unit = OrgUnit.objects.filter(pk=filters.subsidiary).only("path").first()
        qs = qs.filter(org_unit__path__startswith=unit.path) if unit else qs.none()
    due = Q(due_date__lt=today) | Q(closed_on__isnull=False)
    rows = (
        qs.order_by()
        .annotate(m=TruncMonth("arrival_date"))
        .values("m")
        .annotate(
            received=Count("pk"),
            due=Count("pk", filter=due),
            same_day=Count("pk", filter=Q(closed_on__isnull=False, closed_on__lte=F("due_date"))),
            open=Count("pk", filter=Q(closed_on__isnull=True)),
        )
    )
    total = ComplaintFigures()
    months = []
    for r in rows:
        f = ComplaintFigures(r["received"], r["due"], r["same_day"], r["open"])
        months.append((r["m"], f))
        total.received += f.received
        total.due += f.due
        total.same_day += f.same_day
        total.open += f.open
    months.sort(key=lambda x: x[0])
    return total, months


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def dashboard(user, filters: Filters) -> Dashboard:
    """Every figure of the dashboard: six small GROUP BYs over the summary (total, month,
    subsidiary, channel, category, grid), one over complaints, and the names.

    ``by[dimension]`` lists (key, label, Figures) triples; the keys are the drill-down values.
    """
    total = grouped(user, filters, None)[None]
    board = Dashboard(total=total)
    months = grouped(user, filters, "month")
    board.by["month"] = sorted(
        ((k, k.strftime("%Y-%m"), v) for k, v in months.items()), key=lambda x: x[0]
    )
    subs = grouped(user, filters, "subsidiary_id")
    names = dict(OrgUnit.objects.filter(pk__in=[k for k in subs if k]).values_list("pk", "name"))
    board.by["subsidiary"] = sorted(
        ((k, names.get(k, "—"), v) for k, v in subs.items()), key=lambda x: str(x[1])
    )
    channel_labels = dict(Channel.choices)
    board.by["channel"] = sorted(
        ((k, channel_labels.get(k, k), v) for k, v in grouped(user, filters, "channel").items()),
        key=lambda x: -x[2].n,
    )
    category_labels = {**dict(Category.choices), "": _("Not set yet")}
    order = {c: i for i, c in enumerate([*Category.values, ""])}
    board.by["category"] = sorted(
        (
            (k or "-", category_labels.get(k, k), v)
            for k, v in grouped(user, filters, "category").items()
        ),
        key=lambda x: order.get("" if x[0] == "-" else x[0], 99),
    )
    grids = grouped(user, filters, "grid_id")
    grid_names = dict(
        Grid.objects.filter(pk__in=[k for k in grids if k]).values_list("pk", "unit__name")
    )
    board.by["grid"] = sorted(
        ((k, grid_names.get(k, "—"), v) for k, v in grids.items()), key=lambda x: str(x[1])
    )
    board.complaints, board.complaints_by_month = complaint_figures(user, filters)
    return board


CACHE_SECONDS = 60


def cached_dashboard(user, filters: Filters) -> Dashboard:
    """``dashboard``, cached for a minute per scope and filters (the page, its charts and the
    API share it)."""
    units = visible_unit_ids(user)
    scope = "all" if units is None else ",".join(map(str, sorted(units)))
    key = "reports:board:" + hashlib.sha256(f"{scope}|{filters!r}".encode()).hexdigest()
    board = cache.get(key)
    if board is None:
        board = dashboard(user, filters)
        cache.set(key, board, CACHE_SECONDS)
    return board


def subsidiary_choices(user) -> list[tuple[int, str]]:
    ids = visible_unit_ids(user)
    qs = OrgUnit.objects.filter(kind=UnitKind.SUBSIDIARY).order_by("path")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(qs.values_list("pk", "name"))


def grid_choices(user) -> list[tuple[int, str]]:
    qs = restrict_units(Grid.objects.select_related("unit"), user, "unit").order_by("unit__code")
    return [(g.pk, g.unit.name) for g in qs]
