"""The gas-source project on the application page: what the customer sees (the project, its
expected gas-on date, the approvals being waited on and whether the clock is paused for them)
and what staff see (the link, and for engineers the means to link or unlink)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Category
from tongqi.applications.panels import Panel, register
from tongqi.core.geo import path_distance_m
from tongqi.sla.choices import PauseCode

from .choices import ACTIVE_STATUSES, STATUS_COLOUR
from .geometry import coords_of
from .models import Project, ProjectLink
from .selectors import visible_projects
from .services.links import LINKABLE_PROJECT_STATUSES, approval_stops_clock, linkable


def _link(application) -> ProjectLink | None:
    try:
        return ProjectLink.objects.select_related("project").get(application=application)
    except ProjectLink.DoesNotExist:
        return None


def _waits(project: Project) -> list:
    if project.status not in ACTIVE_STATUSES:
        return []
    return [a for a in project.approvals.all() if a.applied_on and not a.granted_on]


def _paused_for_works(application, link: ProjectLink) -> bool:
    clock = application.clock
    return bool(
        clock is not None
        and clock.paused
        and clock.pause_reason == PauseCode.ADMIN_APPROVAL
        and link.paused_by_works
    )


def customer_context(request, application) -> dict | None:
    """Shown to the customer only when the application is supplied by a project."""
    link = _link(application)
    if link is None:
        return None
    project = link.project
    waits = _waits(project)
    return {
        "project": project,
        "status_colour": STATUS_COLOUR.get(project.status, "grey"),
        "waits": waits,
        "paused": _paused_for_works(application, link),
        "stops_clock": approval_stops_clock(),
    }


def candidate_projects(user, application) -> QuerySet[Project]:
    """Projects this application could be linked to: visible, still taking applications."""
    return (
        visible_projects(user)
        .filter(status__in=LINKABLE_PROJECT_STATUSES)
        .select_related("org_unit")
        .order_by("number")
    )


def _by_distance(application, projects) -> list[tuple[Project, float | None]]:
    if application.latitude is None or application.longitude is None:
        return [(p, None) for p in projects]
    here = [(float(application.longitude), float(application.latitude))]
    out = [(p, path_distance_m(here, coords_of(p.geometry_wkt))) for p in projects]
    return sorted(out, key=lambda t: (t[1], t[0].pk))


def staff_context(request, application) -> dict | None:
    user = request.user
    if not user.can(Cap.WORKS_VIEW):
        return None
    link = _link(application)
    if link is None and application.category != Category.WITH_EXTERNAL_WORKS:
        return None
    can_manage = user.can(Cap.WORKS_MANAGE)
    ctx = {
        "link": link,
        "project": link.project if link else None,
        "status_colour": STATUS_COLOUR.get(link.project.status, "grey") if link else "grey",
        "waits": _waits(link.project) if link else [],
        "paused": _paused_for_works(application, link) if link else False,
        "can_manage": can_manage,
        "application_id": application.pk,
        "choices": [],
    }
    if link is None and can_manage and linkable(application):
        candidates = list(candidate_projects(user, application)[:200])
        ctx["choices"] = _by_distance(application, candidates)[:30]
    return ctx


register(
    Panel(
        key="works",
        label=_("Gas-source works"),
        template="works/_panel_customer.html",
        context=customer_context,
        order=50,
        staff=False,
        customer=True,
    )
)
register(
    Panel(
        key="works_staff",
        label=_("Gas-source project"),
        template="works/_panel_staff.html",
        context=staff_context,
        order=50,
        staff=True,
        customer=False,
    )
)
