"""The monthly service briefing (工作简报, annex task 15): the month's figures computed from the
platform's data, rendered as a page and a PDF.

Every figure is one query over the records (applications and their clocks, survey answers,
callbacks, complaints, inspections, the action plan); ``tests/test_briefing.py`` recomputes each
one by walking the rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from tongqi.applications.choices import DEFAULT_LIMIT_DAYS, ONLINE_CHANNELS, Category, Status
from tongqi.applications.models import Application
from tongqi.applications.selectors import clock_view
from tongqi.core.workdays import DAY
from tongqi.sla.calendar import current_calendar

from .choices import (
    OPEN_COMPLAINT_STATUSES,
    CallbackStatus,
    RectificationStatus,
    Source,
    TaskStatus,
)
from .models import (
    Callback,
    Complaint,
    Finding,
    Inspection,
    PlanOccurrence,
    PlanTask,
    Rectification,
    SurveyResponse,
)
from .selectors import ClosureRate, closure_rate, next_month

TWO = Decimal("0.01")
ONE = Decimal("0.1")


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(ONE, rounding=ROUND_HALF_UP)


def _avg(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CategoryFigure:
    category: str
    label: str
    limit: int
    gas_on: int
    average_days: Decimal | None
    on_time: int

    @property
    def on_time_rate(self) -> Decimal | None:
        return _pct(self.on_time, self.gas_on)


@dataclass(frozen=True)
class SourceFigure:
    source: str
    label: str
    received: int
    same_day: int


@dataclass
class Briefing:
    month: date
    as_of: date
    # applications
    submitted: int = 0
    submitted_online: int = 0
    accepted: int = 0
    gas_on: int = 0
    by_category: list[CategoryFigure] = field(default_factory=list)
    average_days: Decimal | None = None
    on_time: int = 0
    # satisfaction
    answers: int = 0
    satisfaction: Decimal | None = None
    aspects: dict[str, Decimal | None] = field(default_factory=dict)
    callbacks_done: int = 0
    callbacks_unreachable: int = 0
    callbacks_open: int = 0
    # complaints
    complaints: ClosureRate = field(default_factory=lambda: ClosureRate(0, 0))
    complaints_open: int = 0
    by_source: list[SourceFigure] = field(default_factory=list)
    # inspections
    inspections: int = 0
    findings: int = 0
    rectifications_open: int = 0
    rectifications_overdue: int = 0
    # plan
    plan_tasks: int = 0
    plan_done: int = 0
    plan_in_progress: int = 0
    plan_not_started: int = 0
    plan_due_in_month: int = 0
    plan_done_in_month: int = 0
    plan_overdue: int = 0

    @property
    def online_ratio(self) -> Decimal | None:
        return _pct(self.submitted_online, self.submitted)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _pct(self.on_time, self.gas_on)

    @property
    def period(self) -> str:
        return f"{self.month:%Y-%m}"


def _bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(month, time(), tz),
        datetime.combine(next_month(month), time(), tz),
    )


def _accrued_seconds(clock) -> int:
    """Working seconds a clock has accrued (its checkpoint, plus the running part)."""
    accrued = clock.accrued_seconds
    now = timezone.now()
    if clock.running and clock.anchor is not None and now > clock.anchor:
        accrued += current_calendar().working_seconds(clock.anchor, now)
    return accrued


def _in_units(qs, field_name: str, unit_ids):
    return qs if unit_ids is None else qs.filter(**{f"{field_name}__in": unit_ids})


def briefing_figures(month: date, *, unit_ids=None, today: date | None = None) -> Briefing:
    """The figures of ``month`` (its first day), for ``unit_ids`` (None: the whole company).

    States that move (open rectifications, overdue plan deadlines) are as of ``today``.
    """
    month = month.replace(day=1)
    today = today or timezone.localdate()
    start, end = _bounds(month)
    b = Briefing(month=month, as_of=today)

    apps = _in_units(Application.objects.exclude(status=Status.DRAFT), "org_unit_id", unit_ids)
    counts = apps.aggregate(
        submitted=Count("id", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
        online=Count(
            "id",
            filter=Q(submitted_at__gte=start, submitted_at__lt=end, channel__in=ONLINE_CHANNELS),
        ),
        accepted=Count("id", filter=Q(accepted_at__gte=start, accepted_at__lt=end)),
    )
    b.submitted, b.submitted_online, b.accepted = (
        counts["submitted"],
        counts["online"],
        counts["accepted"],
    )

    gas_on = list(
        apps.filter(status=Status.GAS_ON, gas_on_at__gte=start, gas_on_at__lt=end)
        .select_related("clock")
        .order_by("id")
    )
    b.gas_on = len(gas_on)
    # Averages are of the exact elapsed working time (the clocks' ledgers), rounded once.
    per_cat: dict[str, list[tuple[Decimal, bool, int]]] = defaultdict(list)
    all_days = []
    for app in gas_on:
        view = clock_view(app)
        if view is None:
            continue
        days = Decimal(_accrued_seconds(app.clock)) / DAY
        per_cat[app.category].append((days, bool(view.on_time), view.limit_days))
        all_days.append(days)
        b.on_time += bool(view.on_time)
    for cat in Category:
        rows = per_cat.get(cat.value, [])
        avg = sum((r[0] for r in rows), Decimal(0)) / len(rows) if rows else None
        b.by_category.append(
            CategoryFigure(
                category=cat.value,
                label=str(cat.label),
                limit=rows[0][2] if rows else DEFAULT_LIMIT_DAYS[cat],
                gas_on=len(rows),
                average_days=_avg(avg),
                on_time=sum(1 for r in rows if r[1]),
            )
        )
    b.average_days = _avg(sum(all_days, Decimal(0)) / len(all_days)) if all_days else None

    answers = _in_units(
        SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end),
        "survey__org_unit_id",
        unit_ids,
    ).aggregate(
        n=Count("survey_id"),
        overall=Avg("overall"),
        **{f: Avg(f) for f in SurveyResponse.ASPECT_FIELDS},
    )
    b.answers = answers["n"]
    b.satisfaction = _avg(answers["overall"])
    b.aspects = {f: _avg(answers[f]) for f in SurveyResponse.ASPECT_FIELDS}
    cbs = _in_units(Callback.objects.all(), "org_unit_id", unit_ids).aggregate(
        done=Count(
            "id",
            filter=Q(status=CallbackStatus.DONE, completed_at__gte=start, completed_at__lt=end),
        ),
        unreachable=Count(
            "id",
            filter=Q(
                status=CallbackStatus.UNREACHABLE, completed_at__gte=start, completed_at__lt=end
            ),
        ),
        open=Count("id", filter=Q(status=CallbackStatus.OPEN)),
    )
    b.callbacks_done, b.callbacks_unreachable, b.callbacks_open = (
        cbs["done"],
        cbs["unreachable"],
        cbs["open"],
    )

    complaints = _in_units(
        Complaint.objects.filter(arrival_date__gte=month, arrival_date__lt=next_month(month)),
        "org_unit_id",
        unit_ids,
    )
    b.complaints = closure_rate(complaints)
    b.complaints_open = complaints.filter(status__in=OPEN_COMPLAINT_STATUSES).count()
    rows = {
        r["source"]: r
        for r in complaints.values("source").annotate(
            n=Count("id"),
            same=Count(
                "id",
                filter=Q(closed_on__isnull=False, closed_on__lte=F("due_date")),
            ),
        )
    }
    b.by_source = [
        SourceFigure(s.value, str(s.label), rows[s.value]["n"], rows[s.value]["same"])
        for s in Source
        if s.value in rows
    ]

    insp = _in_units(
        Inspection.objects.filter(inspected_on__gte=month, inspected_on__lt=next_month(month)),
        "target_unit_id",
        unit_ids,
    )
    b.inspections = insp.count()
    b.findings = Finding.objects.filter(inspection__in=insp).count()
    rect = _in_units(Rectification.objects.all(), "finding__inspection__target_unit_id", unit_ids)
    b.rectifications_open = rect.exclude(status=RectificationStatus.VERIFIED).count()
    b.rectifications_overdue = rect.filter(
        status=RectificationStatus.OPEN, due_date__lt=today
    ).count()

    tasks = PlanTask.objects.filter(plan__active=True).aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(status=TaskStatus.DONE)),
        doing=Count("id", filter=Q(status=TaskStatus.IN_PROGRESS)),
        todo=Count("id", filter=Q(status=TaskStatus.NOT_STARTED)),
    )
    b.plan_tasks, b.plan_done, b.plan_in_progress, b.plan_not_started = (
        tasks["n"],
        tasks["done"],
        tasks["doing"],
        tasks["todo"],
    )
    occ = PlanOccurrence.objects.filter(task__plan__active=True)
    in_month = occ.filter(due_date__gte=month, due_date__lt=next_month(month))
    b.plan_due_in_month = in_month.count()
    b.plan_done_in_month = in_month.filter(status=TaskStatus.DONE).count()
    b.plan_overdue = occ.exclude(status=TaskStatus.DONE).filter(due_date__lt=today).count()
    return b
