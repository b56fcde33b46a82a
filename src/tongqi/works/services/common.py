"""What every works action shares: the permission check, the row lock and the event record."""

from __future__ import annotations

from typing import Any

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record

from ..models import Project, ProjectEvent
from .errors import Conflict, Forbidden


def require_manage(actor, unit_id: int | None) -> None:
    """Engineering staff (Cap.WORKS_MANAGE) who see the project's org unit."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.is_active
        or not actor.can(Cap.WORKS_MANAGE)
        or not can_see_unit(actor, unit_id)
    ):
        raise Forbidden()


def lock(project: Project, expected_version: int | None = None) -> Project:
    """The project row locked for this transaction, checked against the version the actor saw."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict()
    return locked


def record(
    project: Project,
    *,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str = "",
    audit_action: str = AuditAction.UPDATE,
    changes: dict[str, Any] | None = None,
) -> ProjectEvent:
    """The project event and its audit record (call last in the transaction)."""
    event = ProjectEvent.objects.create(
        project=project,
        action=action,
        actor=actor,
        actor_label=(actor.display_name if actor is not None else "系统")[:150],
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )
    audit_record(
        action=audit_action,
        obj=project,
        actor=actor,
        reason=note[:500],
        changes={"action": [None, action], **(changes or {})},
    )
    return event


def bump(project: Project, fields: list[str] | tuple[str, ...] = ()) -> None:
    project.version += 1
    project.save(update_fields=[*fields, "version", "updated_at"])
