"""Reads: which projects a user sees, the project list, the engineering workbench."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.models import OrgUnit
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import visible_unit_ids
from tongqi.applications.choices import OPEN_STATUSES
from tongqi.sla.choices import Level

from .choices import ACTIVE_STATUSES, ProjectStatus
from .models import Project, ProjectApproval, ProjectLink

LIST_RELATED = ("org_unit", "district", "grid__unit", "engineer")


def can_view(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.can(Cap.WORKS_VIEW)
    )


def visible_projects(user) -> QuerySet[Project]:
    """Every project ``user`` may see: those of their org unit's subtree (a subsidiary sees its
    own), and those in a grid they serve (an account manager sees the works in the grid)."""
    if not can_view(user):
        return Project.objects.none()
    ids = visible_unit_ids(user)
    if ids is None:
        return Project.objects.all()
    return Project.objects.filter(Q(org_unit_id__in=ids) | Q(grid__unit_id__in=ids))


def project_for(user, pk: int) -> Project:
    """One project or 404 (another subsidiary's is simply not there)."""
    try:
        return visible_projects(user).select_related(*LIST_RELATED).get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def visible_subsidiaries(user) -> QuerySet[OrgUnit]:
    """Units a project can belong to (and the report can be filtered by) for this user."""
    qs = OrgUnit.objects.filter(kind__in=[UnitKind.SUBSIDIARY, UnitKind.COMPANY]).order_by("path")
    ids = visible_unit_ids(user)
    if ids is None:
        return qs
    return qs.filter(id__in=ids)


def subtree_ids(unit: OrgUnit) -> list[int]:
    return list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def _count_of(qs: QuerySet) -> Coalesce:
    counted = qs.order_by().values("project").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Linked applications and approvals awaited, per project. Correlated subqueries, not a
    GROUP BY over joins: PostgreSQL then counts for the rows of the page only, not for every
    project before it sorts and cuts (0.68 s → a few ms on 27,000 projects)."""
    return qs.annotate(
        link_count=_count_of(ProjectLink.objects.filter(project=OuterRef("pk"))),
        pending_count=_count_of(
            ProjectApproval.objects.filter(
                project=OuterRef("pk"), applied_on__isnull=False, granted_on__isnull=True
            )
        ),
    )


def project_search(
    qs: QuerySet[Project],
    *,
    q: str = "",
    status: str = "",
    unit: OrgUnit | None = None,
    reason_kind: str = "",
    late: bool = False,
    mine_for=None,
    today: date | None = None,
) -> QuerySet[Project]:
    """The project list's filters (name/number/location, stage, subsidiary, reason, late, mine)."""
    today = today or timezone.localdate()
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(number__icontains=q) | Q(location_desc__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(org_unit_id__in=subtree_ids(unit))
    if reason_kind:
        qs = qs.filter(reason_kind=reason_kind)
    if late:
        qs = qs.filter(status__in=ACTIVE_STATUSES, expected_gas_on__lt=today)
    if mine_for is not None:
        qs = qs.filter(engineer=mine_for)
    return qs


# --- the engineering workbench -----------------------------------------------------------------


def my_projects(user) -> QuerySet[Project]:
    return with_counts(
        visible_projects(user)
        .filter(engineer=user, status__in=[*ACTIVE_STATUSES, ProjectStatus.GAS_AVAILABLE])
        .select_related(*LIST_RELATED)
    ).order_by("expected_gas_on", "pk")


def approvals_waiting(user) -> QuerySet[ProjectApproval]:
    """Approvals applied for and not yet granted, oldest application first."""
    projects = visible_projects(user).filter(status__in=ACTIVE_STATUSES)
    return (
        ProjectApproval.objects.filter(
            project__in=projects, applied_on__isnull=False, granted_on__isnull=True
        )
        .select_related("project__org_unit")
        .order_by("applied_on", "pk")
    )


def approvals_to_apply(user) -> QuerySet[ProjectApproval]:
    """Approvals a project needs that nobody has applied for yet."""
    projects = visible_projects(user).filter(status__in=ACTIVE_STATUSES)
    return (
        ProjectApproval.objects.filter(project__in=projects, applied_on__isnull=True)
        .select_related("project__org_unit")
        .order_by("project__planned_start", "pk")
    )


def late_projects(user, today: date | None = None) -> QuerySet[Project]:
    """Works still ahead although the expected gas-on date has passed."""
    today = today or timezone.localdate()
    return with_counts(
        visible_projects(user)
        .filter(status__in=ACTIVE_STATUSES, expected_gas_on__lt=today)
        .select_related(*LIST_RELATED)
    ).order_by("expected_gas_on", "pk")


def links_at_risk(user) -> QuerySet[ProjectLink]:
    """Open linked applications whose time limit is nearly used up or passed while the project
    that supplies them is still ahead (the 16-working-day rule of SPEC §2)."""
    projects = visible_projects(user).filter(status__in=ACTIVE_STATUSES)
    return (
        ProjectLink.objects.filter(
            project__in=projects,
            application__status__in=OPEN_STATUSES,
            application__clock__is_open=True,
            application__clock__level__in=[Level.WARN80, Level.OVERDUE],
        )
        .select_related("project", "application__enterprise", "application__clock")
        .order_by("application__clock__deadline", "pk")
    )


def project_links(project: Project) -> list[ProjectLink]:
    return list(
        project.links.select_related(
            "application__enterprise", "application__clock", "application__account_manager"
        ).order_by("application__number")
    )


def link_prefetch() -> Prefetch:
    return Prefetch(
        "links",
        queryset=ProjectLink.objects.select_related("application__enterprise").order_by(
            "application__number"
        ),
    )
