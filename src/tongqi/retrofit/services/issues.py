"""The issue log: a problem, the body responsible for solving it, and its resolution."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between

from ..choices import Body, IssueStatus
from ..errors import RetrofitError
from ..models import Issue, Project
from .common import bump, check_version, lock, require_manager, require_reason

# action → (from statuses, to status)
ISSUE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "resolve": (frozenset({IssueStatus.OPEN}), IssueStatus.RESOLVED),
    "reopen": (frozenset({IssueStatus.RESOLVED}), IssueStatus.OPEN),
}

ISSUE_FIELDS = (
    "stage",
    "title",
    "description",
    "responsible_body",
    "responsible_name",
    "blocking",
    "due_date",
)


def _snapshot(issue: Issue) -> dict:
    return {f: getattr(issue, f) for f in (*ISSUE_FIELDS, "status", "resolution")}


def issue_create(
    *,
    project: Project,
    actor,
    title: str,
    responsible_body: str = Body.GAS_COMPANY,
    stage: str | None = None,
    description: str = "",
    responsible_name: str = "",
    blocking: bool = False,
    due_date=None,
) -> Issue:
    """Log a problem against the project (by default against its current stage)."""
    require_manager(actor, project.org_unit_id)
    with transaction.atomic():
        issue = Issue.objects.create(
            project=project,
            stage=stage or project.stage,
            title=title.strip(),
            description=description.strip(),
            responsible_body=responsible_body,
            responsible_name=responsible_name.strip(),
            blocking=blocking,
            due_date=due_date,
            raised_by=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=issue,
            object_repr=f"{project.number} {issue.title}",
            changes=changes_between(None, _snapshot(issue)),
        )
    return issue


def issue_update(*, issue: Issue, actor, expected_version: int | None, **fields) -> Issue:
    require_manager(actor, issue.project.org_unit_id)
    with transaction.atomic():
        i = lock(Issue, issue.pk)
        check_version(i, expected_version)
        before = _snapshot(i)
        for key, value in fields.items():
            if key not in ISSUE_FIELDS:
                raise TypeError(f"not an editable field: {key}")
            setattr(i, key, value.strip() if isinstance(value, str) else value)
        bump(i)
        i.save(update_fields=[*fields, "version"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=i,
            object_repr=f"{issue.project.number} {i.title}",
            changes=changes_between(before, _snapshot(i)),
        )
    return i


def _transition(issue: Issue, actor, expected_version, action: str, text: str) -> Issue:
    require_manager(actor, issue.project.org_unit_id)
    sources, target = ISSUE_TRANSITIONS[action]
    with transaction.atomic():
        i = lock(Issue, issue.pk)
        check_version(i, expected_version)
        if i.status not in sources:
            raise RetrofitError("illegal_transition")
        before = i.status
        i.status = target
        if action == "resolve":
            i.resolution = text
            i.resolved_at = timezone.now()
            i.resolved_by = actor
        else:
            i.resolved_at = None
            i.resolved_by = None
        bump(i)
        i.save(update_fields=["status", "resolution", "resolved_at", "resolved_by", "version"])
        audit_record(
            action=AuditAction.TRANSITION,
            obj=i,
            object_repr=f"{issue.project.number} {i.title}",
            changes={"status": [before, i.status]},
            reason=text,
        )
    return i


def issue_resolve(*, issue: Issue, actor, expected_version: int | None, resolution: str) -> Issue:
    """Close the issue with how it was solved (the log keeps it for the next community)."""
    text = (resolution or "").strip()
    if not text:
        raise RetrofitError("reason_required", field="resolution")
    return _transition(issue, actor, expected_version, "resolve", text)


def issue_reopen(*, issue: Issue, actor, expected_version: int | None, reason: str) -> Issue:
    """The problem came back; the earlier resolution stays in the audit log."""
    return _transition(issue, actor, expected_version, "reopen", require_reason(reason))
