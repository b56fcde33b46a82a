"""Reads: who sees which applications, the staff queues, the customer's view of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongqi.accounts.roles import Cap, Scope
from tongqi.accounts.scoping import visible_unit_ids
from tongqi.core.workdays import DAY
from tongqi.sla.calendar import current_calendar
from tongqi.sla.choices import Level, PauseCode
from tongqi.sla.services import clock_state

from .choices import (
    CUSTOMER_STEP,
    CUSTOMER_TRIP_KINDS,
    OPEN_STATUSES,
    CommitmentStatus,
    CustomerStep,
    Status,
)
from .models import Application, ApplicationEvent, Commitment

LIST_RELATED = ("enterprise", "district", "grid__unit", "account_manager", "clock")


def visible_applications(user) -> QuerySet[Application]:
    """Every application ``user`` may see: own enterprises for customers, org scope for staff."""
    qs = Application.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.scope == Scope.OWN:
        return qs.filter(Q(applicant=user) | Q(enterprise__members=user)).distinct()
    if not user.can(Cap.APP_VIEW):
        return qs.none()
    ids = visible_unit_ids(user)
    if ids is not None:
        # the org scope, plus whatever is assigned to the user (e.g. covering another grid)
        qs = qs.filter(Q(org_unit_id__in=ids) | Q(account_manager=user))
    return qs.exclude(status=Status.DRAFT)


def application_for(user, pk: int, *, for_update: bool = False, related=()) -> Application:
    """One application or 404 (another customer's or another grid's is simply not there).

    ``related``: further relations to read in the same query (e.g. the contacts of a detail)."""
    try:
        return visible_applications(user).select_related(*LIST_RELATED, *related).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


# --- staff queues ------------------------------------------------------------------------------

QUEUES = ("new", "mine", "due_soon", "overdue", "waiting_customer", "commitments", "all")


def last_event_id() -> int:
    """The newest application event's id: it changes whenever any application changes state.

    One backward step on the primary-key index, so a cache key may include it (the workbench's
    queue counts do) and be invalidated by every transition without being told.
    """
    return ApplicationEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def queue(user, name: str, *, now: datetime | None = None) -> QuerySet[Application]:
    """The workbench queues (新受理 / 我的 / 即将到期 / 已超期 / 等待客户 / 容缺到期 / 全部)."""
    now = now or timezone.now()
    qs = visible_applications(user).select_related(*LIST_RELATED)
    if name == "new":
        return qs.filter(status=Status.SUBMITTED)
    if name == "mine":
        covering = Q(
            account_manager__cover=user, account_manager__absent_until__gte=timezone.localdate(now)
        )
        return qs.filter(Q(account_manager=user) | covering, status__in=OPEN_STATUSES)
    if name == "due_soon":
        return qs.filter(
            status__in=OPEN_STATUSES,
            clock__is_open=True,
            clock__level__in=[Level.WARN50, Level.WARN80],
        )
    if name == "overdue":
        return qs.filter(status__in=OPEN_STATUSES, clock__is_open=True, clock__level=Level.OVERDUE)
    if name == "waiting_customer":
        return qs.filter(
            Q(status__in=[Status.QUOTED, Status.CONFIRMED, Status.RECTIFYING])
            | Q(clock__paused=True, status__in=OPEN_STATUSES)
        )
    if name == "commitments":
        open_c = Commitment.objects.filter(
            application=OuterRef("pk"),
            status=CommitmentStatus.OPEN,
            due_date__lte=timezone.localdate(now) + timedelta(days=2),
        )
        return qs.filter(Exists(open_c))
    return qs


def search(
    qs: QuerySet[Application],
    *,
    q: str = "",
    status: str = "",
    category: str = "",
    grid: str = "",
    channel: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[Application]:
    """Filters of the workbench list (enterprise, USCC, phone, number; stage; category; grid)."""
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(enterprise__uscc=q.upper())
            | Q(enterprise__contact_mobile=q)
        )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if grid:
        qs = qs.filter(grid__unit__code=grid)
    if channel:
        qs = qs.filter(channel=channel)
    if date_from:
        qs = qs.filter(submitted_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_at__date__lte=date_to)
    return qs


# --- the clock as people see it ----------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    """``已用 2.5 / 8 个工作日``, the deadline, pauses and the colour of the status tag."""

    used_days: Decimal
    limit_days: int
    percent: float
    level: str
    deadline: datetime | None
    paused: bool
    pause_reason: str
    pauses: tuple
    stopped_at: datetime | None
    on_time: bool | None
    provisional: bool
    started: bool

    @property
    def colour(self) -> str:
        if self.paused:
            return "grey"
        if self.stopped_at is not None:
            return "green" if self.on_time else "red"
        return {Level.OVERDUE: "red", Level.WARN80: "amber", Level.WARN50: "amber"}.get(
            self.level, "green"
        )


def clock_view(
    application: Application, *, full: bool = False, now: datetime | None = None
) -> ClockView | None:
    """A cheap view from the cached checkpoint (lists) or the full ledger (``full=True``)."""
    clock = application.clock
    if clock is None:
        return None
    now = now or timezone.now()
    if full:
        st = clock_state(clock, now)
        return ClockView(
            used_days=st.elapsed_days,
            limit_days=clock.budget_days,
            percent=min(st.percent, 100.0),
            level=st.level,
            deadline=st.deadline,
            paused=st.paused,
            pause_reason=st.pause_reason,
            pauses=st.pauses,
            stopped_at=st.stopped_at,
            on_time=st.on_time,
            provisional=st.provisional,
            started=True,
        )
    accrued = clock.accrued_seconds
    if clock.running and clock.anchor is not None and now > clock.anchor:
        accrued += current_calendar().working_seconds(clock.anchor, now)
    budget = clock.budget_days * DAY
    used = (Decimal(accrued) / DAY).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    level = clock.level
    if clock.is_open:
        level = (
            Level.OVERDUE
            if accrued >= budget
            else Level.WARN80
            if 5 * accrued >= 4 * budget
            else Level.WARN50
            if 2 * accrued >= budget
            else Level.NONE
        )
    on_time = None
    if clock.stopped_at is not None:
        on_time = clock.deadline is None or clock.stopped_at <= clock.deadline
    return ClockView(
        used_days=used,
        limit_days=clock.budget_days,
        percent=min(accrued * 100 / budget, 100.0) if budget else 0.0,
        level=level,
        deadline=clock.deadline,
        paused=clock.paused,
        pause_reason=clock.pause_reason,
        pauses=(),
        stopped_at=clock.stopped_at,
        on_time=on_time,
        provisional=clock.provisional,
        started=clock.origin is not None,
    )


# --- the customer's view -----------------------------------------------------------------------

NEXT_FOR_CUSTOMER = {
    Status.DRAFT: "submit",
    Status.QUOTED: "confirm_quote",
    Status.CONFIRMED: "request_acceptance",
    Status.RECTIFYING: "request_acceptance",
}


def customer_step(application: Application) -> int:
    return int(CUSTOMER_STEP[Status(application.status)])


def in_person_visits(application: Application) -> int:
    return application.visits.filter(kind__in=CUSTOMER_TRIP_KINDS).count()


def open_commitments(application: Application):
    return application.commitments.filter(status=CommitmentStatus.OPEN)


__all__ = [
    "QUEUES",
    "ClockView",
    "CustomerStep",
    "NEXT_FOR_CUSTOMER",
    "PauseCode",
    "application_for",
    "clock_view",
    "customer_step",
    "in_person_visits",
    "open_commitments",
    "queue",
    "search",
    "visible_applications",
]
