"""The action plan: progress updates with evidence, recurring monthly deadlines, government
requests, reminders before and after each deadline."""

from __future__ import annotations

import calendar as pycal
import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.applications import validation
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.workdays import CalendarRangeError
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify
from tongqi.sla.calendar import current_calendar

from ..choices import DeadlineKind, TaskStatus
from ..models import PlanEvidence, PlanOccurrence, PlanProgress, PlanTask, ServiceSettings
from .common import (
    add_error,
    clean_text,
    escalation_chain,
    members_of,
    raise_if,
    service_managers_for,
)
from .errors import Conflict, Forbidden

MAX_FILES = 5


def may_report(actor, task: PlanTask) -> bool:
    """Service management, or staff of a department responsible for the task."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.can(Cap.SERVICE_MANAGE):
        return True
    if not actor.is_staff_member or not actor.can(Cap.SERVICE_VIEW):
        return False
    return task.departments.filter(pk=actor.org_unit_id).exists()


def _month_label(period: str) -> str:
    y, m = period.split("-")
    return f"{int(y)}年{int(m)}月"


def last_working_day(year: int, month: int) -> date:
    """The month's last working day (its last calendar day beyond the calendar's range)."""
    cal = current_calendar()
    d = date(year, month, pycal.monthrange(year, month)[1])
    try:
        while not cal.is_workday(d):
            d -= timedelta(days=1)
    except CalendarRangeError:
        d = date(year, month, pycal.monthrange(year, month)[1])
    return d


def plan_monthly_occurrences(*, month: date) -> list[PlanOccurrence]:
    """Create this month's deadline of every monthly task of the active plans (idempotent)."""
    period = f"{month:%Y-%m}"
    due = last_working_day(month.year, month.month)
    made = []
    tasks = PlanTask.objects.filter(plan__active=True, deadline_kind=DeadlineKind.MONTHLY)
    for task in tasks:
        try:
            with transaction.atomic():
                occ, created = PlanOccurrence.objects.get_or_create(
                    task=task,
                    period=period,
                    defaults={
                        "label": _month_label(period) + " " + task.content[:150],
                        "due_date": due,
                    },
                )
        except IntegrityError:
            continue
        if created:
            made.append(occ)
    return made


def plan_request_add(*, actor, task: PlanTask, label: str, due_date: date | None) -> PlanOccurrence:
    """Record a government request for an "as the government requires" task, with its due date."""
    if not may_report(actor, task):
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    label = clean_text(errors, "label", label, required=True, max_length=200)
    if due_date is None:
        add_error(errors, "due_date", _("Give a due date."))
    if task.deadline_kind == DeadlineKind.DATE:
        add_error(errors, "label", _("A task with a fixed date has its one deadline already."))
    raise_if(errors)
    with transaction.atomic():
        occ = PlanOccurrence.objects.create(task=task, label=label, due_date=due_date)
        audit_record(
            action=AuditAction.CREATE,
            obj=occ,
            actor=actor,
            changes={"task": [None, task.pk], "due_date": [None, due_date]},
        )
    return occ


def plan_progress_add(
    *,
    actor,
    task: PlanTask,
    text: str,
    status: str,
    percent: int | None = None,
    occurrence: PlanOccurrence | None = None,
    files: Sequence[tuple[str, bytes]] = (),
    expected_version: int | None = None,
    now: datetime | None = None,
) -> PlanProgress:
    """Report progress on a task (and on one of its deadlines), with evidence files.

    Files are checked from their content (PDF, JPEG, PNG); anything wrong refuses the whole
    update, so nothing is half-saved.
    """
    if not may_report(actor, task):
        raise Forbidden()
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, "text", text, required=True, max_length=4000)
    if status not in TaskStatus.values:
        add_error(errors, "status", _("Choose the status."))
    if percent is not None and not 0 <= int(percent) <= 100:
        add_error(errors, "percent", _("Give a percentage from 0 to 100."))
    if occurrence is not None and occurrence.task_id != task.pk:
        add_error(errors, "occurrence", _("Choose a deadline of this task."))
    if len(files) > MAX_FILES:
        add_error(errors, "files", _("Attach at most {n} files.").format(n=MAX_FILES))
    checked = []
    for name, content in files:
        try:
            kind = validation.clean_attachment(name, content[:16], len(content))
        except ValidationError as exc:
            for m in exc.messages:
                add_error(errors, "files", f"{name}: {m}")
            continue
        checked.append((name, content, kind))
    raise_if(errors)
    task_percent = percent
    if (
        status == TaskStatus.DONE
        and percent is None
        and (occurrence is None or task.deadline_kind == DeadlineKind.DATE)
    ):
        task_percent = percent = 100  # the task itself is done
    with transaction.atomic():
        locked = PlanTask.objects.select_for_update().get(pk=task.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict()
        progress = PlanProgress.objects.create(
            task=locked,
            occurrence=occurrence,
            at=now,
            author=actor,
            text=text,
            percent=percent,
            status_after=status,
        )
        for name, content, kind in checked:
            digest = hashlib.sha256(content).hexdigest()
            ev = PlanEvidence(
                progress=progress,
                original_name=name[:200],
                content_type=kind,
                size=len(content),
                sha256=digest,
            )
            ev.file.save(name, ContentFile(content), save=False)
            ev.save()
        before = locked.status
        if occurrence is not None:
            occ = PlanOccurrence.objects.select_for_update().get(pk=occurrence.pk)
            occ.status = status
            occ.completed_at = now if status == TaskStatus.DONE else None
            occ.save(update_fields=["status", "completed_at"])
        # A dated task is its one deadline; recurring tasks stay in progress while the plan runs.
        if locked.deadline_kind == DeadlineKind.DATE or occurrence is None:
            locked.status = status
            locked.completed_at = now if status == TaskStatus.DONE else None
            if locked.deadline_kind == DeadlineKind.DATE:
                PlanOccurrence.objects.filter(task=locked).update(
                    status=status, completed_at=locked.completed_at
                )
        elif locked.status == TaskStatus.NOT_STARTED:
            locked.status = TaskStatus.IN_PROGRESS
        if task_percent is not None:
            locked.percent = int(task_percent)
        locked.last_progress_at = now
        locked.version += 1
        locked.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            actor=actor,
            reason=text[:500],
            changes={"status": [before, locked.status], "files": [None, [c[0] for c in checked]]},
        )
    return progress


def plan_reminders(*, today: date | None = None) -> int:
    """Daily: remind the responsible departments (and service management) of deadlines coming
    within ``plan_reminder_days``, and tell them plus their escalation contact of missed ones."""
    today = today or timezone.localdate()
    lead = ServiceSettings.current().plan_reminder_days
    sent = 0
    open_occ = PlanOccurrence.objects.exclude(status=TaskStatus.DONE).filter(
        task__plan__active=True
    )
    soon = open_occ.filter(
        reminded_soon=False, due_date__gte=today, due_date__lte=today + timedelta(days=lead)
    )
    late = open_occ.filter(reminded_overdue=False, due_date__lt=today)
    managers = service_managers_for(None)
    with translation.override(settings.LANGUAGE_CODE):
        for occ, overdue in [(o, False) for o in soon.select_related("task")] + [
            (o, True) for o in late.select_related("task")
        ]:
            task = occ.task
            depts = list(task.departments.all())
            users = members_of(depts) + managers
            if overdue:
                for d in depts:
                    users += escalation_chain(d)[:1]
                title = _("Action plan task {seq} missed its deadline {date}").format(
                    seq=task.seq, date=occ.due_date.isoformat()
                )
            else:
                title = _("Action plan task {seq} is due on {date}").format(
                    seq=task.seq, date=occ.due_date.isoformat()
                )
            with transaction.atomic():
                notify(
                    users=users,
                    title=title,
                    body=f"{occ.label}（{task.departments_text}）",
                    link=reverse("service:plan_task", args=[task.pk]),
                    topic="service.plan.overdue" if overdue else "service.plan.due_soon",
                    channels=(Channel.INAPP,),
                    dedupe_key=f"plan:{occ.pk}:{'late' if overdue else 'soon'}",
                )
                PlanOccurrence.objects.filter(pk=occ.pk).update(
                    **({"reminded_overdue": True} if overdue else {"reminded_soon": True})
                )
            sent += 1
    return sent
