"""Linking applications with external works to their project, and holding their clocks while
the project waits for an administrative approval.

The clock rule (SPEC §3, §7; explained to users in docs/guides/works.md):

* An application linked to an *active* project (planned, approvals, under construction) with at
  least one approval *applied for and not yet granted* waits for an external administrative
  approval (行政审批). If the administrator has configured that pause reason as stopping the
  clock (``sla.PauseReason``), the application's clock is paused with reason ``admin_approval``
  through ``applications.services.application_pause`` — acted by the engineer whose action
  caused it, so the customer's timeline says who and why.
* When no approval is pending any more (all granted, or the project left the active stages, or
  the link was removed), the clock is resumed — but only a pause this app made (or an
  ``admin_approval`` pause it adopted), never a pause for the customer's documents or works.
* ``sync_clocks`` brings every link of a project to that state and is idempotent: run twice,
  the second run changes nothing. It runs after every approval, link and stage change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tongqi.applications.choices import CLOCK_RUNNING_STATUSES, Category, Status
from tongqi.applications.models import Application
from tongqi.applications.selectors import visible_applications
from tongqi.applications.services import application_pause, application_resume
from tongqi.applications.services.transitions import can_act
from tongqi.audit.choices import AuditAction
from tongqi.sla.choices import PauseCode
from tongqi.sla.services import stopping_reasons

from ..choices import ACTIVE_STATUSES, ProjectStatus
from ..models import Project, ProjectApproval, ProjectLink
from .common import bump, lock, record, require_manage
from .errors import Forbidden, IllegalTransition, InvalidInput, NotFound

LINKABLE_PROJECT_STATUSES = ACTIVE_STATUSES | {ProjectStatus.GAS_AVAILABLE}


@dataclass
class SyncResult:
    paused: list[Application] = field(default_factory=list)
    resumed: list[Application] = field(default_factory=list)
    skipped: list[Application] = field(default_factory=list)  # actor may not act on it


def pending_approvals(project: Project) -> list[ProjectApproval]:
    return [a for a in project.approvals.all() if a.applied_on and not a.granted_on]


def approval_stops_clock() -> bool:
    """Whether the administrator lets an external approval stop the clock (default: yes)."""
    return PauseCode.ADMIN_APPROVAL in stopping_reasons()


def should_hold(project: Project, pending: list[ProjectApproval] | None = None) -> bool:
    pending = pending_approvals(project) if pending is None else pending
    return project.status in ACTIVE_STATUSES and bool(pending) and approval_stops_clock()


def _pause_text(project: Project, pending: list[ProjectApproval]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Waiting for {approvals} for the gas-source works “{project}”").format(
            approvals="、".join(str(a.get_kind_display()) for a in pending), project=project.name
        )


def _resume_text(project: Project) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("The approvals for the gas-source works “{project}” are no longer awaited").format(
            project=project.name
        )


def _sync_link(link: ProjectLink, *, hold: bool, text: str, resume_text: str, actor, result):
    app = link.application
    clock = app.clock
    running = clock is not None and clock.is_open and app.status in CLOCK_RUNNING_STATUSES
    if hold and running:
        if not clock.paused:
            if not can_act(actor, app, "pause"):
                result.skipped.append(app)
                return
            application_pause(
                application=app, actor=actor, reason_code=PauseCode.ADMIN_APPROVAL, reason=text
            )
            link.paused_by_works = True
            link.save(update_fields=["paused_by_works"])
            result.paused.append(app)
        elif clock.pause_reason == PauseCode.ADMIN_APPROVAL and not link.paused_by_works:
            # someone already paused it for the same external approval: ours to resume later
            link.paused_by_works = True
            link.save(update_fields=["paused_by_works"])
        return
    if not link.paused_by_works:
        return
    if running and clock.paused and clock.pause_reason == PauseCode.ADMIN_APPROVAL:
        if not can_act(actor, app, "resume"):
            result.skipped.append(app)
            return
        application_resume(application=app, actor=actor, reason=resume_text)
        result.resumed.append(app)
    link.paused_by_works = False
    link.save(update_fields=["paused_by_works"])


def sync_clocks(*, project: Project, actor, only: ProjectLink | None = None) -> SyncResult:
    """Pause or resume the linked applications' clocks to match the project's approvals.

    Call inside the transaction that holds the project's lock (projects before applications,
    always in that order, so two actions cannot deadlock).
    """
    result = SyncResult()
    pending = pending_approvals(project)
    hold = should_hold(project, pending)
    text = _pause_text(project, pending) if pending else ""
    resume_text = _resume_text(project)
    links = (
        [only]
        if only is not None
        else list(
            ProjectLink.objects.filter(project=project)
            .select_related("application__clock")
            .order_by("application_id")
        )
    )
    for link in links:
        _sync_link(link, hold=hold, text=text, resume_text=resume_text, actor=actor, result=result)
    return result


def project_sync_clocks(*, project: Project, actor) -> SyncResult:
    """Re-apply the clock rule now (e.g. after the administrator changed the pause reasons)."""
    require_manage(actor, project.org_unit_id)
    with transaction.atomic():
        locked = lock(project)
        result = sync_clocks(project=locked, actor=actor)
        if result.paused or result.resumed:
            record(
                locked,
                action="clock_sync",
                actor=actor,
                data={
                    "paused": [a.number for a in result.paused],
                    "resumed": [a.number for a in result.resumed],
                },
            )
    return result


def linkable(application: Application) -> bool:
    return application.category == Category.WITH_EXTERNAL_WORKS and application.status not in (
        Status.DRAFT,
        Status.REJECTED,
        Status.CANCELLED,
    )


def project_link_application(
    *, project: Project, application: Application, actor, expected_version: int | None = None
) -> ProjectLink:
    """Link an application with external works to the project that supplies it.

    An application is supplied by exactly one project; linking it to a second one is refused
    (unlink it first). Linking again to the same project changes nothing.
    """
    require_manage(actor, project.org_unit_id)
    if not visible_applications(actor).filter(pk=application.pk).exists():
        raise NotFound(_("Application not found."))
    if application.category != Category.WITH_EXTERNAL_WORKS:
        raise InvalidInput(
            fields={"application": [_("Only an application with external works can be linked.")]}
        )
    if not linkable(application):
        raise InvalidInput(
            fields={"application": [_("A rejected or cancelled application cannot be linked.")]}
        )
    with transaction.atomic():
        locked = lock(project, expected_version)
        if locked.status not in LINKABLE_PROJECT_STATUSES:
            raise IllegalTransition(_("A closed or cancelled project takes no new applications."))
        # the application's row too (after the project's, the one lock order of this app), so
        # two engineers linking it to two projects at once cannot both find it unlinked
        Application.objects.select_for_update().filter(pk=application.pk).first()
        existing = (
            ProjectLink.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(application=application)
            .first()
        )
        if existing is not None:
            if existing.project_id == locked.pk:
                return existing
            raise InvalidInput(
                fields={
                    "application": [
                        _(
                            "{number} is already linked to “{project}”; unlink it there first."
                        ).format(number=application.number, project=existing.project.name)
                    ]
                }
            )
        link = ProjectLink.objects.create(project=locked, application=application, linked_by=actor)
        bump(locked)
        record(
            locked,
            action="link",
            actor=actor,
            data={"application": application.number},
            changes={"application": [None, application.number]},
        )
        link = ProjectLink.objects.select_related("application__clock").get(pk=link.pk)
        sync_clocks(project=locked, actor=actor, only=link)
    return link


def project_unlink_application(
    *, project: Project, application: Application, actor, expected_version: int | None = None
) -> None:
    """Remove the link; a clock held for the project's approvals is resumed first."""
    require_manage(actor, project.org_unit_id)
    with transaction.atomic():
        locked = lock(project, expected_version)
        link = (
            ProjectLink.objects.select_for_update(of=("self",))
            .select_related("application__clock")
            .filter(project=locked, application=application)
            .first()
        )
        if link is None:
            raise NotFound(_("This application is not linked to the project."))
        if link.paused_by_works:
            result = SyncResult()
            _sync_link(
                link,
                hold=False,
                text="",
                resume_text=_resume_text(locked),
                actor=actor,
                result=result,
            )
            if result.skipped:
                raise Forbidden(
                    _(
                        "You may not resume the clock of {number}; ask its own unit to unlink it."
                    ).format(number=application.number)
                )
        link.delete()
        bump(locked)
        record(
            locked,
            action="unlink",
            actor=actor,
            data={"application": application.number},
            audit_action=AuditAction.UPDATE,
            changes={"application": [application.number, None]},
        )
