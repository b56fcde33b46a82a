"""Project actions: create, edit, contacts, stage plans, and the stage state machine.

The transition table (``PROJECT_TRANSITIONS``) says from which status and stage each action may
start; every action is one function that locks the project row, checks the table, the version
and the action's own guard, records the stage dates, an event and an audit record, in one
transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from tongqi.accounts.models import OrgUnit
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between

from ..choices import (
    SIGNED_UP_STATUSES,
    SKIPPABLE_STAGES,
    STAGE_ORDER,
    Body,
    HouseholdStatus,
    IssueStatus,
    ProjectAction,
    ProjectStatus,
    Stage,
    next_stage,
)
from ..errors import RetrofitError
from ..models import Project, ProjectContact, ProjectEvent, StageRecord
from .common import (
    bump,
    check_past_date,
    check_version,
    lock,
    require_manager,
    require_reason,
)

A = ProjectStatus.ACTIVE
S = ProjectStatus.SUSPENDED


@dataclass(frozen=True)
class Transition:
    """Where an action may start (status and stage) and what status it leads to."""

    from_status: frozenset[str]
    from_stages: frozenset[str]
    to_status: str | None = None  # None: unchanged
    moves_stage: bool = False


_ALL = frozenset(STAGE_ORDER)

PROJECT_TRANSITIONS: dict[str, Transition] = {
    ProjectAction.ADVANCE: Transition(
        frozenset({A}), frozenset(STAGE_ORDER[:-1]), moves_stage=True
    ),
    ProjectAction.SKIP: Transition(frozenset({A}), frozenset(SKIPPABLE_STAGES), moves_stage=True),
    ProjectAction.COMPLETE: Transition(
        frozenset({A}), frozenset({Stage.GAS_ON}), to_status=ProjectStatus.COMPLETED
    ),
    ProjectAction.SUSPEND: Transition(frozenset({A}), _ALL, to_status=S),
    ProjectAction.RESUME: Transition(frozenset({S}), _ALL, to_status=A),
    ProjectAction.CANCEL: Transition(frozenset({A, S}), _ALL, to_status=ProjectStatus.CANCELLED),
}

PROJECT_FIELDS = (
    "name",
    "address",
    "district",
    "street_office",
    "community_committee",
    "org_unit",
    "team_lead",
    "households_total",
    "buildings",
    "built_year",
    "note",
)


def allowed_actions(project: Project) -> list[str]:
    """The actions the table allows now (guards are checked when the action is taken)."""
    return [
        action
        for action, t in PROJECT_TRANSITIONS.items()
        if project.status in t.from_status and project.stage in t.from_stages
    ]


def _check_unit(actor, org_unit: OrgUnit) -> None:
    if not can_see_unit(actor, org_unit.pk):
        raise RetrofitError("unit_out_of_scope", field="org_unit")


def _snapshot(project: Project) -> dict:
    return {
        f: getattr(project, f + "_id")
        if f in ("district", "org_unit", "team_lead")
        else getattr(project, f)
        for f in PROJECT_FIELDS
    }


def project_create(*, actor, started_on: date | None = None, **fields) -> Project:
    """Open a project for one community; it starts in the survey stage (today, or on
    ``started_on`` when the survey began before the project was registered)."""
    org_unit = fields["org_unit"]
    require_manager(actor, org_unit.pk)
    _check_unit(actor, org_unit)
    today = check_past_date(started_on)
    with transaction.atomic():
        project = Project(created_by=actor, **{k: v for k, v in fields.items() if v is not None})
        project.number = "tmp-" + uuid.uuid4().hex[:16]
        project.save()
        project.number = f"MX-{today.year}-{project.pk:05d}"
        project.save(update_fields=["number"])
        StageRecord.objects.bulk_create(
            StageRecord(
                project=project,
                stage=stage,
                actual_start=today if stage == Stage.SURVEY else None,
                responsible_body=Body.GAS_COMPANY,
            )
            for stage in STAGE_ORDER
        )
        ProjectEvent.objects.create(
            project=project,
            action=ProjectAction.CREATE,
            to_stage=project.stage,
            to_status=project.status,
            on_date=today,
            actor=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=project,
            changes=changes_between(None, _snapshot(project)),
        )
    return project


def project_update(*, project: Project, actor, expected_version: int | None, **fields) -> Project:
    """Edit the community's data (not its stage or status: those have their own actions)."""
    require_manager(actor, project.org_unit_id)
    if "org_unit" in fields:
        _check_unit(actor, fields["org_unit"])
    with transaction.atomic():
        p = lock(Project, project.pk)
        check_version(p, expected_version)
        before = _snapshot(p)
        for key, value in fields.items():
            if key not in PROJECT_FIELDS:
                raise TypeError(f"not an editable field: {key}")
            setattr(p, key, value)
        bump(p)
        p.save(update_fields=[*fields, "version"])
        audit_record(
            action=AuditAction.UPDATE, obj=p, changes=changes_between(before, _snapshot(p))
        )
    return p


# --- the state machine ------------------------------------------------------------------------


def _begin(project: Project, actor, expected_version: int | None, action: str) -> Project:
    """Lock, check scope, version and the transition table; return the locked row."""
    require_manager(actor, project.org_unit_id)
    p = lock(Project, project.pk)
    check_version(p, expected_version)
    t = PROJECT_TRANSITIONS[action]
    if p.status not in t.from_status or p.stage not in t.from_stages:
        raise RetrofitError("illegal_transition")
    return p


def _no_blocking_issues(p: Project) -> None:
    if p.issues.filter(stage=p.stage, status=IssueStatus.OPEN, blocking=True).exists():
        raise RetrofitError("blocking_issues")


def _finish(
    p: Project,
    actor,
    action: str,
    *,
    from_stage: str,
    from_status: str,
    on_date: date | None,
    reason: str = "",
) -> Project:
    bump(p)
    p.save(update_fields=["stage", "status", "version", "completed_at"])
    ProjectEvent.objects.create(
        project=p,
        action=action,
        from_stage=from_stage,
        to_stage=p.stage,
        from_status=from_status,
        to_status=p.status,
        on_date=on_date,
        reason=reason,
        actor=actor,
    )
    changes = {}
    if from_stage != p.stage:
        changes["stage"] = [from_stage, p.stage]
    if from_status != p.status:
        changes["status"] = [from_status, p.status]
    audit_record(action=AuditAction.TRANSITION, obj=p, changes=changes, reason=reason)
    return p


def _close_stage(p: Project, on: date, *, skipped: bool, note: str) -> None:
    """Finish the current stage on ``on`` and start the next one the same day."""
    record = StageRecord.objects.select_for_update().get(project=p, stage=p.stage)
    if not skipped and record.actual_start and on < record.actual_start:
        raise RetrofitError("date_before_start", field="on_date")
    record.skipped = skipped
    if skipped:
        record.actual_start = None
        record.actual_end = None
    else:
        record.actual_start = record.actual_start or on
        record.actual_end = on
    if note:
        record.note = (record.note + "\n" if record.note else "") + note
    bump(record)
    record.save(update_fields=["skipped", "actual_start", "actual_end", "note", "version"])
    following = next_stage(p.stage)
    if following:
        StageRecord.objects.filter(project=p, stage=following).update(actual_start=on)
        p.stage = following


def project_advance(
    *, project: Project, actor, expected_version: int | None, on_date=None, note: str = ""
) -> Project:
    """Complete the current stage and start the next. Coordination needs a first sign-up; an
    open blocking issue of the stage holds it back."""
    with transaction.atomic():
        p = _begin(project, actor, expected_version, ProjectAction.ADVANCE)
        on = check_past_date(on_date)
        _no_blocking_issues(p)
        if (
            p.stage == Stage.COORDINATION
            and not p.households.filter(status__in=SIGNED_UP_STATUSES).exists()
        ):
            raise RetrofitError("no_signups")
        from_stage, from_status = p.stage, p.status
        _close_stage(p, on, skipped=False, note=note.strip())
        return _finish(
            p,
            actor,
            ProjectAction.ADVANCE,
            from_stage=from_stage,
            from_status=from_status,
            on_date=on,
            reason=note.strip(),
        )


def project_skip_stage(
    *, project: Project, actor, expected_version: int | None, reason: str, on_date=None
) -> Project:
    """Mark the road-breaking permit or the removal of illegal structures as not needed."""
    with transaction.atomic():
        p = _begin(project, actor, expected_version, ProjectAction.SKIP)
        reason = require_reason(reason)
        on = check_past_date(on_date)
        _no_blocking_issues(p)
        from_stage, from_status = p.stage, p.status
        _close_stage(p, on, skipped=True, note=reason)
        return _finish(
            p,
            actor,
            ProjectAction.SKIP,
            from_stage=from_stage,
            from_status=from_status,
            on_date=on,
            reason=reason,
        )


def project_complete(
    *, project: Project, actor, expected_version: int | None, on_date=None, note: str = ""
) -> Project:
    """Close the gas-on stage: the project is done (at least one household has gas)."""
    with transaction.atomic():
        p = _begin(project, actor, expected_version, ProjectAction.COMPLETE)
        on = check_past_date(on_date)
        _no_blocking_issues(p)
        if not p.households.filter(status=HouseholdStatus.CONNECTED).exists():
            raise RetrofitError("none_connected")
        from_stage, from_status = p.stage, p.status
        _close_stage(p, on, skipped=False, note=note.strip())
        p.status = ProjectStatus.COMPLETED
        p.completed_at = timezone.now()
        return _finish(
            p,
            actor,
            ProjectAction.COMPLETE,
            from_stage=from_stage,
            from_status=from_status,
            on_date=on,
            reason=note.strip(),
        )


def _status_change(project, actor, expected_version, action: str, reason: str) -> Project:
    with transaction.atomic():
        p = _begin(project, actor, expected_version, action)
        from_status = p.status
        p.status = PROJECT_TRANSITIONS[action].to_status
        return _finish(
            p,
            actor,
            action,
            from_stage=p.stage,
            from_status=from_status,
            on_date=timezone.localdate(),
            reason=reason,
        )


def project_suspend(
    *, project: Project, actor, expected_version: int | None, reason: str
) -> Project:
    """Pause the project (residents object, funds, winter works ban …), with a reason."""
    return _status_change(
        project, actor, expected_version, ProjectAction.SUSPEND, require_reason(reason)
    )


def project_resume(
    *, project: Project, actor, expected_version: int | None, reason: str = ""
) -> Project:
    return _status_change(
        project, actor, expected_version, ProjectAction.RESUME, (reason or "").strip()
    )


def project_cancel(
    *, project: Project, actor, expected_version: int | None, reason: str
) -> Project:
    """Give the project up, with a reason (kept in the log)."""
    return _status_change(
        project, actor, expected_version, ProjectAction.CANCEL, require_reason(reason)
    )


ACTION_FUNCTIONS = {
    ProjectAction.ADVANCE: project_advance,
    ProjectAction.SKIP: project_skip_stage,
    ProjectAction.COMPLETE: project_complete,
    ProjectAction.SUSPEND: project_suspend,
    ProjectAction.RESUME: project_resume,
    ProjectAction.CANCEL: project_cancel,
}


# --- stage plans and contacts -----------------------------------------------------------------


def stage_update(
    *,
    record: StageRecord,
    actor,
    expected_version: int | None,
    planned_start=None,
    planned_end=None,
    responsible_body: str = Body.GAS_COMPANY,
    responsible_name: str = "",
    note: str = "",
) -> StageRecord:
    """Plan a stage: dates, the body responsible for it, a note."""
    require_manager(actor, record.project.org_unit_id)
    if planned_start and planned_end and planned_end < planned_start:
        raise RetrofitError("planned_dates", field="planned_end")
    with transaction.atomic():
        r = lock(StageRecord, record.pk)
        check_version(r, expected_version)
        before = {
            "planned_start": r.planned_start,
            "planned_end": r.planned_end,
            "responsible_body": r.responsible_body,
            "responsible_name": r.responsible_name,
            "note": r.note,
        }
        r.planned_start = planned_start
        r.planned_end = planned_end
        r.responsible_body = responsible_body
        r.responsible_name = responsible_name.strip()
        r.note = note.strip()
        bump(r)
        r.save()
        after = {k: getattr(r, k) for k in before}
        audit_record(
            action=AuditAction.UPDATE,
            obj=r,
            object_repr=f"{record.project.number} {r.get_stage_display()}",
            changes=changes_between(before, after),
        )
    return r


def contact_add(
    *, project: Project, actor, body: str, name: str, phone: str, organisation="", post=""
) -> ProjectContact:
    """Record a contact person of an outside body (street office, community committee …)."""
    require_manager(actor, project.org_unit_id)
    with transaction.atomic():
        contact = ProjectContact.objects.create(
            project=project,
            body=body,
            organisation=organisation.strip(),
            name=name.strip(),
            post=post.strip(),
            phone=phone.strip(),
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=contact,
            object_repr=f"{project.number} {contact}",
            changes=changes_between(None, {"body": body, "name": name, "phone": phone}),
        )
    return contact


def contact_remove(*, contact: ProjectContact, actor) -> None:
    require_manager(actor, contact.project.org_unit_id)
    with transaction.atomic():
        audit_record(
            action=AuditAction.DELETE,
            obj=contact,
            object_repr=f"{contact.project.number} {contact}",
        )
        contact.delete()
