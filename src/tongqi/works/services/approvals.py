"""Recording a project's administrative approvals (road excavation, road occupation, planning …)
with their applied and granted dates; every change re-checks the linked applications' clocks."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.audit.services import changes_between

from ..choices import DEFAULT_AUTHORITY, FINAL_STATUSES, ApprovalKind
from ..models import Project, ProjectApproval
from .common import bump, lock, record, require_manage
from .errors import IllegalTransition, InvalidInput, NotFound
from .links import SyncResult, sync_clocks
from .projects import required_kinds

FIELDS = ("authority", "applied_on", "expected_on", "granted_on", "reference", "note")


def _validate(
    kind: str,
    applied_on: date | None,
    expected_on: date | None,
    granted_on: date | None,
    reference: str,
) -> None:
    today = timezone.localdate()
    errors: dict[str, list] = {}
    if kind not in ApprovalKind.values:
        errors["kind"] = [_("Choose the approval.")]
    if applied_on and applied_on > today:
        errors["applied_on"] = [_("The application date cannot be in the future.")]
    if granted_on:
        if granted_on > today:
            errors["granted_on"] = [_("The grant date cannot be in the future.")]
        elif not applied_on:
            errors["applied_on"] = [_("Enter when the approval was applied for.")]
        elif granted_on < applied_on:
            errors["granted_on"] = [_("An approval cannot be granted before it was applied for.")]
        if not reference:
            errors["reference"] = [_("Enter the permit number of the granted approval.")]
    if expected_on and applied_on and expected_on < applied_on:
        errors["expected_on"] = [_("The decision cannot be expected before the application.")]
    if errors:
        raise InvalidInput(fields=errors)


def approval_save(
    *,
    project: Project,
    actor,
    kind: str,
    authority: str = "",
    applied_on: date | None = None,
    expected_on: date | None = None,
    granted_on: date | None = None,
    reference: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> tuple[ProjectApproval, SyncResult]:
    """Add or update one approval of the project (one row per kind)."""
    require_manage(actor, project.org_unit_id)
    reference = (reference or "").strip()[:80]
    _validate(kind, applied_on, expected_on, granted_on, reference)
    with transaction.atomic():
        locked = lock(project, expected_version)
        if locked.status in FINAL_STATUSES:
            raise IllegalTransition(_("A closed or cancelled project can no longer be edited."))
        approval = (
            ProjectApproval.objects.select_for_update().filter(project=locked, kind=kind).first()
        )
        created = approval is None
        if created:
            approval = ProjectApproval(project=locked, kind=kind)
        before = {f: getattr(approval, f) for f in FIELDS} if not created else {}
        state_before = approval.state if not created else ""
        approval.authority = (authority or "").strip()[:100] or DEFAULT_AUTHORITY.get(kind, "")
        approval.applied_on = applied_on
        approval.expected_on = expected_on
        approval.granted_on = granted_on
        approval.reference = reference
        approval.note = (note or "").strip()[:300]
        approval.updated_by = actor
        approval.save()
        bump(locked)
        changes = changes_between(before, {f: getattr(approval, f) for f in FIELDS})
        record(
            locked,
            action="approval",
            actor=actor,
            data={
                "kind": kind,
                "from": state_before,
                "to": approval.state,
                "reference": approval.reference,
            },
            changes={f"approval.{kind}.{k}": v for k, v in changes.items()},
        )
        result = sync_clocks(project=locked, actor=actor)
    project.refresh_from_db()
    return approval, result


def approval_remove(*, project: Project, actor, kind: str, expected_version: int | None = None):
    """Remove an approval added by mistake: only one not applied for and not required by law."""
    require_manage(actor, project.org_unit_id)
    with transaction.atomic():
        locked = lock(project, expected_version)
        approval = (
            ProjectApproval.objects.select_for_update().filter(project=locked, kind=kind).first()
        )
        if approval is None:
            raise NotFound()
        if approval.applied_on:
            raise IllegalTransition(_("An approval already applied for cannot be removed."))
        if kind in required_kinds(locked):
            raise IllegalTransition(
                _("Projects over 300,000 yuan need this approval (武城管办〔2019〕15号).")
            )
        approval.delete()
        bump(locked)
        record(
            locked,
            action="approval_removed",
            actor=actor,
            data={"kind": kind},
            changes={f"approval.{kind}": [kind, None]},
        )
        sync_clocks(project=locked, actor=actor)
    project.refresh_from_db()
