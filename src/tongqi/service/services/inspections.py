"""Four-level inspections (四级检查): record, find, rectify, verify, hold to account.

武天然气〔2021〕47号 六(三): group, company, department and team inspections, by video, third-party
mystery visits, follow-up callbacks and unannounced 四不两直 visits; problems are rectified and
those responsible are held to account under the company's service management rules.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongqi.accounts.models import OrgUnit, User
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify

from ..choices import (
    InspectionForm,
    InspectionLevel,
    InspectionStatus,
    Measure,
    RectificationStatus,
    Severity,
)
from ..models import (
    Accountability,
    Finding,
    Inspection,
    Rectification,
    ServiceSettings,
    ServiceWindow,
)
from .common import add_error, clean_text, escalation_chain, raise_if, require
from .errors import Conflict, Forbidden, IllegalTransition, InvalidInput

R = RectificationStatus


def _manage(actor, unit_id: int | None) -> None:
    require(actor, Cap.SERVICE_MANAGE, unit_id=unit_id, check_unit=True)


def inspection_create(
    *,
    actor,
    level: str,
    form: str,
    title: str,
    target_unit: OrgUnit | None,
    inspected_on: date | None,
    inspectors: str,
    summary: str = "",
    window: ServiceWindow | None = None,
) -> Inspection:
    """Record an inspection of a unit (and optionally one of its service windows)."""
    require(actor, Cap.SERVICE_MANAGE)
    errors: dict[str, list[str]] = {}
    if level not in InspectionLevel.values:
        add_error(errors, "level", _("Choose the level."))
    if form not in InspectionForm.values:
        add_error(errors, "form", _("Choose the form."))
    title = clean_text(errors, "title", title, required=True, max_length=200)
    inspectors = clean_text(errors, "inspectors", inspectors, required=True, max_length=200)
    summary = clean_text(errors, "summary", summary, required=False, max_length=4000)
    if target_unit is None:
        add_error(errors, "target_unit", _("Choose the unit inspected."))
    elif not can_see_unit(actor, target_unit.pk):
        add_error(errors, "target_unit", _("Choose a unit you are responsible for."))
    if inspected_on is None:
        add_error(errors, "inspected_on", _("Give the date of the inspection."))
    elif inspected_on > timezone.localdate():
        add_error(errors, "inspected_on", _("The inspection date cannot be in the future."))
    if window is not None and target_unit is not None and window.org_unit_id != target_unit.pk:
        add_error(errors, "window", _("The window must belong to the unit inspected."))
    raise_if(errors)
    with transaction.atomic():
        insp = Inspection.objects.create(
            level=level,
            form=form,
            title=title,
            target_unit=target_unit,
            window=window,
            inspected_on=inspected_on,
            inspectors=inspectors,
            summary=summary,
            created_by=actor,
        )
        insp.number = f"JC{inspected_on:%Y%m%d}{insp.pk:05d}"
        insp.save(update_fields=["number"])
        audit_record(
            action=AuditAction.CREATE,
            obj=insp,
            actor=actor,
            changes={
                "level": [None, level],
                "form": [None, form],
                "target_unit": [None, target_unit.pk],
            },
        )
    return insp


def _open_inspection(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.OPEN:
        raise IllegalTransition(_("This inspection is closed."))


def finding_add(*, actor, inspection: Inspection, description: str, severity: str) -> Finding:
    """Add a problem found by the inspection."""
    _manage(actor, inspection.target_unit_id)
    _open_inspection(inspection)
    errors: dict[str, list[str]] = {}
    description = clean_text(errors, "description", description, required=True, max_length=2000)
    if severity not in Severity.values:
        add_error(errors, "severity", _("Choose the severity."))
    raise_if(errors)
    with transaction.atomic():
        f = Finding.objects.create(
            inspection=inspection, description=description, severity=severity
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=f,
            actor=actor,
            changes={"inspection": [None, inspection.pk]},
        )
    return f


def rectification_add(
    *, actor, finding: Finding, task: str, owner: User | None, due_date: date | None
) -> Rectification:
    """Give a finding a rectification task with an owner and a due date; the owner is told."""
    insp = finding.inspection
    _manage(actor, insp.target_unit_id)
    _open_inspection(insp)
    errors: dict[str, list[str]] = {}
    task = clean_text(errors, "task", task, required=True, max_length=2000)
    if owner is None or not owner.is_active or not owner.is_staff_member or not owner.org_unit_id:
        add_error(errors, "owner", _("Choose a staff member as the owner."))
    if due_date is None:
        add_error(errors, "due_date", _("Give a due date."))
    elif due_date < insp.inspected_on:
        add_error(errors, "due_date", _("The due date cannot be before the inspection."))
    raise_if(errors)
    with transaction.atomic():
        r = Rectification.objects.create(
            finding=finding,
            task=task,
            owner=owner,
            owner_unit_id=owner.org_unit_id,
            due_date=due_date,
        )
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Rectification to do by {date}: {task}").format(
                date=due_date.isoformat(), task=task[:60]
            )
        notify(
            users=[owner],
            title=title,
            link=reverse("service:rectifications") + "?mine=1",
            topic="service.rectification.assigned",
            channels=(Channel.INAPP, Channel.SMS),
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=r,
            actor=actor,
            changes={"owner": [None, owner.pk], "due_date": [None, due_date]},
        )
    return r


def _lock(r: Rectification, expected_version: int | None) -> Rectification:
    locked = (
        Rectification.objects.select_for_update().select_related("finding__inspection").get(pk=r.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict()
    return locked


def rectification_submit(
    *,
    actor,
    rectification: Rectification,
    note: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Rectification:
    """The owner (or service management) reports the rectification done, for verification."""
    insp = rectification.finding.inspection
    if not (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and (
            rectification.owner_id == actor.pk
            or (actor.can(Cap.SERVICE_MANAGE) and can_see_unit(actor, insp.target_unit_id))
        )
    ):
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    note = clean_text(errors, "completion_note", note, required=True, max_length=4000)
    raise_if(errors)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(rectification, expected_version)
        if locked.status != R.OPEN:
            raise IllegalTransition(_("Only an open rectification can be reported done."))
        locked.status, locked.completion_note, locked.completed_at = R.SUBMITTED, note, now
        locked.version += 1
        locked.save()
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            actor=actor,
            changes={"status": [R.OPEN, R.SUBMITTED]},
            reason=note[:500],
        )
    rectification.__dict__.update(
        {k: v for k, v in locked.__dict__.items() if not k.startswith("_")}
    )
    return rectification


def rectification_verify(
    *,
    actor,
    rectification: Rectification,
    passed: bool,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Rectification:
    """Service management checks the rectification: verified, or sent back to the owner."""
    insp = rectification.finding.inspection
    _manage(actor, insp.target_unit_id)
    errors: dict[str, list[str]] = {}
    note = clean_text(errors, "verification_note", note, required=not passed, max_length=4000)
    raise_if(errors)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(rectification, expected_version)
        if locked.status != R.SUBMITTED:
            raise IllegalTransition(_("Only a rectification reported done can be verified."))
        if passed:
            locked.status, locked.verified_by, locked.verified_at = R.VERIFIED, actor, now
        else:
            locked.status = R.OPEN
            locked.rejections += 1
            locked.completed_at = None
        locked.verification_note = note
        locked.version += 1
        locked.save()
        if not passed:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Rectification sent back: {task}").format(task=locked.task[:60])
            notify(
                users=[locked.owner],
                title=title,
                body=note,
                link=reverse("service:rectifications") + "?mine=1",
                topic="service.rectification.rejected",
                channels=(Channel.INAPP,),
            )
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            actor=actor,
            reason=note[:500],
            changes={"status": [R.SUBMITTED, locked.status]},
        )
    rectification.__dict__.update(
        {k: v for k, v in locked.__dict__.items() if not k.startswith("_")}
    )
    return rectification


def accountability_add(
    *,
    actor,
    inspection: Inspection,
    unit: OrgUnit | None,
    measure: str,
    basis: str,
    decided_on: date | None,
    person: User | None = None,
    finding: Finding | None = None,
    description: str = "",
) -> Accountability:
    """Record who is held to account for a finding, with the measure and its basis."""
    _manage(actor, inspection.target_unit_id)
    errors: dict[str, list[str]] = {}
    if unit is None:
        add_error(errors, "unit", _("Choose the unit held accountable."))
    if measure not in Measure.values:
        add_error(errors, "measure", _("Choose the measure."))
    basis = clean_text(errors, "basis", basis, required=True, max_length=300)
    description = clean_text(errors, "description", description, required=False, max_length=4000)
    if decided_on is None:
        add_error(errors, "decided_on", _("Give the date of the decision."))
    if finding is not None and finding.inspection_id != inspection.pk:
        add_error(errors, "finding", _("Choose a finding of this inspection."))
    raise_if(errors)
    with transaction.atomic():
        a = Accountability.objects.create(
            inspection=inspection,
            finding=finding,
            person=person,
            unit=unit,
            measure=measure,
            basis=basis,
            description=description,
            decided_on=decided_on,
            decided_by=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=a,
            actor=actor,
            changes={
                "measure": [None, measure],
                "unit": [None, unit.pk],
                "person": [None, person.pk if person else None],
            },
        )
    return a


def inspection_close(*, actor, inspection: Inspection, now: datetime | None = None) -> Inspection:
    """Close an inspection once every rectification is verified."""
    _manage(actor, inspection.target_unit_id)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != InspectionStatus.OPEN:
            raise IllegalTransition(_("This inspection is closed."))
        pending = (
            Rectification.objects.filter(finding__inspection=locked)
            .exclude(status=R.VERIFIED)
            .count()
        )
        if pending:
            raise InvalidInput(
                _("{n} rectification(s) are not verified yet.").format(n=pending),
                code="rectifications_pending",
            )
        locked.status, locked.closed_at = InspectionStatus.CLOSED, now or timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            actor=actor,
            changes={"status": [InspectionStatus.OPEN, InspectionStatus.CLOSED]},
        )
    inspection.status, inspection.closed_at = locked.status, locked.closed_at
    return inspection


def rectification_reminders(*, today: date | None = None) -> int:
    """Daily: remind owners before the due date, and on the first day overdue tell the owner,
    the owner's unit's escalation chain and the inspection's recorder. Each once."""
    today = today or timezone.localdate()
    lead = ServiceSettings.current().rectification_reminder_days
    sent = 0
    from datetime import timedelta

    soon = Rectification.objects.filter(
        status=R.OPEN,
        reminded_soon=False,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=lead),
    ).select_related("owner", "finding__inspection")
    late = Rectification.objects.filter(
        status=R.OPEN, reminded_overdue=False, due_date__lt=today
    ).select_related("owner", "owner_unit__escalation_to", "finding__inspection__created_by")
    with translation.override(settings.LANGUAGE_CODE):
        for r in soon:
            with transaction.atomic():
                notify(
                    users=[r.owner],
                    title=_("Rectification due on {date}: {task}").format(
                        date=r.due_date.isoformat(), task=r.task[:60]
                    ),
                    link=reverse("service:rectifications") + "?mine=1",
                    topic="service.rectification.due_soon",
                    channels=(Channel.INAPP,),
                    dedupe_key=f"rectification:{r.pk}:soon",
                )
                Rectification.objects.filter(pk=r.pk).update(reminded_soon=True)
            sent += 1
        for r in late:
            insp = r.finding.inspection
            users = [r.owner, *escalation_chain(r.owner_unit)[:1]]
            if insp.created_by_id:
                users.append(insp.created_by)
            with transaction.atomic():
                notify(
                    users=users,
                    title=_("Rectification overdue since {date}: {task}").format(
                        date=r.due_date.isoformat(), task=r.task[:60]
                    ),
                    link=reverse("service:inspection_detail", args=[insp.pk]),
                    topic="service.rectification.overdue",
                    channels=(Channel.INAPP, Channel.SMS),
                    dedupe_key=f"rectification:{r.pk}:late",
                )
                Rectification.objects.filter(pk=r.pk).update(reminded_overdue=True)
            sent += 1
    return sent
