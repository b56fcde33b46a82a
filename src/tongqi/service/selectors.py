"""Reads of service supervision: scoped querysets, the complaints board, the dashboard figures,
window rankings, and the survey link for other apps (``survey_url_for``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import restrict_units, visible_unit_ids
from tongqi.applications.choices import Status

from . import tokens
from .choices import (
    OPEN_COMPLAINT_STATUSES,
    CallbackStatus,
    RectificationStatus,
    TaskStatus,
)
from .models import (
    Callback,
    Complaint,
    Inspection,
    PlanOccurrence,
    Rectification,
    ServiceSettings,
    ServiceWindow,
    Survey,
    SurveyResponse,
    WindowEvaluation,
)

# --- for other apps -----------------------------------------------------------------------------


def survey_url_for(application, *, absolute: bool = True) -> str | None:
    """The public survey link of a gas-on application (for the acceptance certificate's QR code),
    or None before gas-on, after the customer answered, or once the link has expired.

    The link names the application, so it works even before the callback task is created. A
    page of the site links with the path only (``absolute=False``): the customer stays on the
    host they are using (intranet, kiosk, another port), whatever ``TONGQI_PUBLIC_URL`` says.
    """
    if application is None or application.status != Status.GAS_ON:
        return None
    survey = Survey.objects.filter(application_id=application.pk).first()
    if survey is not None:
        if SurveyResponse.objects.filter(survey=survey).exists() or survey.is_expired():
            return None
    elif application.gas_on_at is not None:
        valid = ServiceSettings.current().survey_valid_days
        if timezone.now() >= application.gas_on_at + timedelta(days=valid):
            return None
    token = tokens.make_token(application.pk)
    return tokens.survey_absolute_url(token) if absolute else tokens.survey_path(token)


# --- scoping ------------------------------------------------------------------------------------


def _staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.can(Cap.SERVICE_VIEW)
    )


def visible_complaints(user) -> QuerySet[Complaint]:
    """Staff see their units' complaints and the ones assigned to them; customers their own."""
    qs = Complaint.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_customer:
        return qs.filter(raised_by=user)
    if not user.can(Cap.SERVICE_VIEW):
        return qs.none()
    ids = visible_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(Q(org_unit_id__in=ids) | Q(assignee=user))


def complaint_for(user, pk: int) -> Complaint:
    try:
        return (
            visible_complaints(user)
            .select_related("org_unit", "assignee", "application", "enterprise", "registered_by")
            .get(pk=pk)
        )
    except Complaint.DoesNotExist:
        raise Http404 from None


def visible_callbacks(user) -> QuerySet[Callback]:
    if not _staff(user):
        return Callback.objects.none()
    return restrict_units(Callback.objects.all(), user)


def callback_for(user, pk: int) -> Callback:
    try:
        return (
            visible_callbacks(user)
            .select_related(
                "application__enterprise", "account_manager", "completed_by", "complaint"
            )
            .get(pk=pk)
        )
    except Callback.DoesNotExist:
        raise Http404 from None


def visible_responses(user) -> QuerySet[SurveyResponse]:
    if not _staff(user):
        return SurveyResponse.objects.none()
    return restrict_units(SurveyResponse.objects.all(), user, "survey__org_unit")


def visible_inspections(user) -> QuerySet[Inspection]:
    if not _staff(user):
        return Inspection.objects.none()
    return restrict_units(Inspection.objects.all(), user, "target_unit")


def inspection_for(user, pk: int) -> Inspection:
    try:
        return (
            visible_inspections(user)
            .select_related("target_unit", "window", "created_by")
            .get(pk=pk)
        )
    except Inspection.DoesNotExist:
        raise Http404 from None


def visible_rectifications(user) -> QuerySet[Rectification]:
    """Service readers see their units' rectifications; any staff member sees the ones he owns."""
    if not _staff(user):
        if getattr(user, "is_authenticated", False) and user.is_active and user.is_staff_member:
            return Rectification.objects.filter(owner=user)
        return Rectification.objects.none()
    ids = visible_unit_ids(user)
    qs = Rectification.objects.all()
    if ids is None:
        return qs
    return qs.filter(
        Q(finding__inspection__target_unit_id__in=ids) | Q(owner_unit_id__in=ids) | Q(owner=user)
    )


def overdue_rectifications(qs: QuerySet[Rectification], today: date | None = None):
    """Open (not reported done, or sent back) after the end of the due date."""
    today = today or timezone.localdate()
    return qs.filter(status=RectificationStatus.OPEN, due_date__lt=today)


def visible_windows(user) -> QuerySet[ServiceWindow]:
    if not _staff(user):
        return ServiceWindow.objects.none()
    return restrict_units(ServiceWindow.objects.all(), user)


# --- the complaints board ------------------------------------------------------------------------


def board_order(qs: QuerySet[Complaint], today: date) -> QuerySet[Complaint]:
    """Today's open complaints first, then the late ones, then the rest (newest first)."""
    open_q = Q(status__in=OPEN_COMPLAINT_STATUSES)
    return qs.annotate(
        board=Case(
            When(open_q & Q(due_date=today), then=Value(0)),
            When(open_q & Q(due_date__lt=today), then=Value(1)),
            When(open_q, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("board", "-received_at", "-id")


def complaint_search(
    qs: QuerySet[Complaint],
    *,
    q: str = "",
    source: str = "",
    status: str = "",
    kind: str = "",
    topic: str = "",
    view: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> QuerySet[Complaint]:
    today = today or timezone.localdate()
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(external_id=q)
            | Q(complainant_phone=q)
            | Q(application__number=q.upper())
            | Q(enterprise__name__icontains=q)
        )
    for name, value in (("source", source), ("status", status), ("kind", kind), ("topic", topic)):
        if value:
            qs = qs.filter(**{name: value})
    if view == "today":
        qs = qs.filter(status__in=OPEN_COMPLAINT_STATUSES, due_date=today)
    elif view == "late":
        qs = qs.filter(status__in=OPEN_COMPLAINT_STATUSES, due_date__lt=today)
    elif view == "open":
        qs = qs.filter(status__in=OPEN_COMPLAINT_STATUSES)
    elif view == "mine":
        pass  # applied by the view (needs the user)
    if date_from:
        qs = qs.filter(arrival_date__gte=date_from)
    if date_to:
        qs = qs.filter(arrival_date__lte=date_to)
    return qs


@dataclass(frozen=True)
class ClosureRate:
    """日清日结: complaints arrived, and how many were closed by the end of their due day."""

    arrived: int
    same_day: int

    @property
    def rate(self) -> Decimal | None:
        if not self.arrived:
            return None
        return (Decimal(self.same_day) * 100 / self.arrived).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def closure_rate(qs: QuerySet[Complaint]) -> ClosureRate:
    row = qs.aggregate(
        arrived=Count("id"),
        same_day=Count("id", filter=Q(closed_on__isnull=False, closed_on__lte=F("due_date"))),
    )
    return ClosureRate(arrived=row["arrived"], same_day=row["same_day"])


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


# --- the service home ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: date
    arrived_today: int
    open_due_today: int
    open_late: int
    today_rate: ClosureRate
    month_rate: ClosureRate
    callbacks_open: int
    callbacks_overdue: int
    month_answers: int
    month_satisfaction: Decimal | None
    rectifications_open: int
    rectifications_overdue: int
    plan_due_soon: int
    plan_overdue: int


def dashboard(user, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    complaints = visible_complaints(user)
    m0, m1 = month_start(today), next_month(today)
    open_c = complaints.filter(status__in=OPEN_COMPLAINT_STATUSES)
    counts = open_c.aggregate(
        due_today=Count("id", filter=Q(due_date=today)),
        late=Count("id", filter=Q(due_date__lt=today)),
    )
    cbs = (
        visible_callbacks(user)
        .filter(status=CallbackStatus.OPEN)
        .aggregate(n=Count("id"), late=Count("id", filter=Q(due_date__lt=today)))
    )
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    start = datetime.combine(m0, time(), tz)
    end = datetime.combine(m1, time(), tz)
    answers = (
        visible_responses(user)
        .filter(answered_at__gte=start, answered_at__lt=end)
        .aggregate(n=Count("survey_id"), avg=Avg("overall"))
    )
    rect = (
        visible_rectifications(user)
        .exclude(status=RectificationStatus.VERIFIED)
        .aggregate(
            n=Count("id"),
            late=Count("id", filter=Q(status=RectificationStatus.OPEN, due_date__lt=today)),
        )
    )
    occ = (
        PlanOccurrence.objects.filter(task__plan__active=True)
        .exclude(status=TaskStatus.DONE)
        .aggregate(
            soon=Count(
                "id", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(days=7))
            ),
            late=Count("id", filter=Q(due_date__lt=today)),
        )
    )
    avg = answers["avg"]
    return Dashboard(
        today=today,
        arrived_today=complaints.filter(arrival_date=today).count(),
        open_due_today=counts["due_today"],
        open_late=counts["late"],
        today_rate=closure_rate(complaints.filter(arrival_date=today)),
        month_rate=closure_rate(complaints.filter(arrival_date__gte=m0, arrival_date__lt=m1)),
        callbacks_open=cbs["n"],
        callbacks_overdue=cbs["late"],
        month_answers=answers["n"],
        month_satisfaction=Decimal(str(avg)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if avg is not None
        else None,
        rectifications_open=rect["n"],
        rectifications_overdue=rect["late"],
        plan_due_soon=occ["soon"],
        plan_overdue=occ["late"],
    )


# --- windows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int
    evaluation: WindowEvaluation


def ranking(user, period: str) -> list[RankRow]:
    """Windows ranked by total score for a period; equal totals share a rank (1, 2, 2, 4)."""
    evs = list(
        WindowEvaluation.objects.filter(period=period, window__in=visible_windows(user))
        .select_related("window__org_unit", "evaluated_by")
        .order_by("-total", "window__name")
    )
    rows, prev_total, prev_rank = [], None, 0
    for i, ev in enumerate(evs, start=1):
        rank = prev_rank if ev.total == prev_total else i
        rows.append(RankRow(rank=rank, evaluation=ev))
        prev_total, prev_rank = ev.total, rank
    return rows


def periods_evaluated() -> list[str]:
    return list(
        WindowEvaluation.objects.order_by("-period").values_list("period", flat=True).distinct()
    )
