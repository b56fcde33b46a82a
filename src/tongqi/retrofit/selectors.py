"""Reads of the retrofit area: every queryset is scoped to the user's org units first.

Counts per project come from correlated subqueries, not joins, so a project list stays one
query however many households and issues each project has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongqi.accounts.scoping import restrict_units

from .choices import (
    SIGNED_UP_STATUSES,
    STAGE_ORDER,
    Body,
    HouseholdStatus,
    IssueStatus,
    NoticeStatus,
    ProjectStatus,
    Stage,
)
from .models import Household, Issue, Material, Project, RightsNotice, StageRecord


def _count(model, **filters) -> Coalesce:
    sub = (
        model.objects.filter(project=OuterRef("pk"), **filters)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def projects_for(user) -> QuerySet[Project]:
    """The projects the user may see (their unit and below; a department: its company)."""
    return restrict_units(Project.objects.all(), user).select_related(
        "district", "org_unit", "team_lead"
    )


def with_counts(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.annotate(
        n_registered=_count(Household),
        n_signed=_count(Household, status__in=SIGNED_UP_STATUSES),
        n_installed=_count(
            Household, status__in=[HouseholdStatus.INSTALLED, HouseholdStatus.CONNECTED]
        ),
        n_connected=_count(Household, status=HouseholdStatus.CONNECTED),
        n_open_issues=_count(Issue, status=IssueStatus.OPEN),
        n_notices_delivered=_count(RightsNotice, status=NoticeStatus.DELIVERED),
        current_planned_end=Subquery(
            StageRecord.objects.filter(project=OuterRef("pk"), stage=OuterRef("stage")).values(
                "planned_end"
            )[:1]
        ),
    )


def is_behind(project: Project, today=None) -> bool:
    """The current stage has passed its planned end (needs ``with_counts``)."""
    today = today or timezone.localdate()
    end = getattr(project, "current_planned_end", None)
    return bool(project.status == ProjectStatus.ACTIVE and end and end < today)


PROJECT_SORTS = {
    "number": "number",
    "name": "name",
    "district": "district__code",
    "stage": "stage",
    "households": "households_total",
    "signed": "n_signed",
    "connected": "n_connected",
    "issues": "n_open_issues",
    "created": "created_at",
}


def project_search(
    user,
    *,
    q: str = "",
    district=None,
    stage: str = "",
    status: str = "",
    org_unit=None,
) -> QuerySet[Project]:
    qs = with_counts(projects_for(user))
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(number__icontains=q)
            | Q(address__icontains=q)
            | Q(street_office__icontains=q)
            | Q(community_committee__icontains=q)
        )
    if district:
        qs = qs.filter(district=district)
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if org_unit:
        qs = qs.filter(org_unit__path__startswith=org_unit.path)
    return qs


def project_get(user, pk: int) -> Project:
    """One project, or 404 when it does not exist or is out of the user's scope."""
    return get_object_or_404(with_counts(projects_for(user)), pk=pk)


def project_stages(project: Project) -> list[StageRecord]:
    records = {r.stage: r for r in project.stages.all()}
    return [records[s] for s in STAGE_ORDER if s in records]


@dataclass
class StageStep:
    """One step of the stage bar: done, current or pending."""

    stage: str
    label: str
    state: str  # done | current | pending | skipped
    record: StageRecord | None = None
    overdue: bool = False


def stage_steps(project: Project, records: list[StageRecord] | None = None) -> list[StageStep]:
    records = records if records is not None else project_stages(project)
    by_stage = {r.stage: r for r in records}
    current = STAGE_ORDER.index(project.stage)
    completed = project.status == ProjectStatus.COMPLETED
    today = timezone.localdate()
    steps = []
    for i, stage in enumerate(STAGE_ORDER):
        record = by_stage.get(stage)
        if record and record.skipped:
            state = "skipped"
        elif i < current or (completed and i == current):
            state = "done"
        elif i == current:
            state = "current"
        else:
            state = "pending"
        steps.append(
            StageStep(
                stage=stage,
                label=str(Stage(stage).label),
                state=state,
                record=record,
                overdue=bool(record and state == "current" and record.is_overdue(today)),
            )
        )
    return steps


# --- households -------------------------------------------------------------------------------

HOUSEHOLD_SORTS = {
    "place": ("building", "unit", "room"),
    "status": ("status", "building", "unit", "room"),
    "signed": ("signed_up_on", "building", "unit", "room"),
    "connected": ("connected_on", "building", "unit", "room"),
}


def household_search(
    project: Project, *, q: str = "", building: str = "", status: str = ""
) -> QuerySet[Household]:
    qs = Household.objects.filter(project=project)
    if building:
        qs = qs.filter(building=building)
    if status == "signed":
        qs = qs.filter(status__in=SIGNED_UP_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(contact_name__icontains=q) | Q(room__icontains=q) | Q(note__icontains=q))
    return qs


def household_get(project: Project, pk: int) -> Household:
    return get_object_or_404(Household.objects.select_related("project"), project=project, pk=pk)


def buildings_of(project: Project) -> list[str]:
    values = Household.objects.filter(project=project).values_list("building", flat=True)
    return sorted(set(values), key=lambda b: (not b.isdigit(), int(b) if b.isdigit() else 0, b))


def household_counts(project: Project) -> dict[str, int]:
    """Households by status, plus registered / signed up totals."""
    rows = dict(
        Household.objects.filter(project=project)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    out = {s: rows.get(s, 0) for s in HouseholdStatus.values}
    out["registered"] = sum(rows.values())
    out["signed"] = sum(rows.get(s, 0) for s in SIGNED_UP_STATUSES)
    return out


# --- issues -----------------------------------------------------------------------------------

ISSUE_SORTS = {
    "raised": "raised_at",
    "due": "due_date",
    "body": "responsible_body",
    "status": "status",
    "project": "project__number",
}


def issue_search(
    user,
    *,
    project: Project | None = None,
    q: str = "",
    body: str = "",
    status: str = "",
    stage: str = "",
    overdue: bool = False,
) -> QuerySet[Issue]:
    if project is not None:
        qs = Issue.objects.filter(project=project)
    else:
        qs = Issue.objects.filter(project__in=projects_for(user).values("pk"))
    qs = qs.select_related("project", "raised_by", "resolved_by")
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(resolution__icontains=q)
        )
    if body:
        qs = qs.filter(responsible_body=body)
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    if overdue:
        qs = qs.filter(status=IssueStatus.OPEN, due_date__lt=timezone.localdate())
    return qs


def issue_get(project: Project, pk: int) -> Issue:
    return get_object_or_404(Issue.objects.select_related("project"), project=project, pk=pk)


# --- notices and materials --------------------------------------------------------------------


def notice_search(
    project: Project, *, status: str = "", building: str = ""
) -> QuerySet[RightsNotice]:
    qs = RightsNotice.objects.filter(project=project).select_related(
        "household", "generated_by", "delivered_by"
    )
    if status:
        qs = qs.filter(status=status)
    if building:
        qs = qs.filter(household__building=building)
    return qs.order_by("household__building", "household__unit", "household__room", "-id")


def notice_get(project: Project, pk: int) -> RightsNotice:
    return get_object_or_404(
        RightsNotice.objects.select_related("project", "project__district", "household"),
        project=project,
        pk=pk,
    )


def notices_for_print(project: Project, *, building: str = "", status: str = ""):
    qs = notice_search(project, building=building, status=status).exclude(status=NoticeStatus.VOID)
    return list(qs.select_related("project", "project__district"))


def materials_of(project: Project) -> QuerySet[Material]:
    return Material.objects.filter(project=project).select_related("uploaded_by")


def material_get(project: Project, pk: int) -> Material:
    return get_object_or_404(Material.objects.select_related("project"), project=project, pk=pk)


# --- the leaders' summary ---------------------------------------------------------------------


@dataclass
class Summary:
    projects: list[Project]
    by_stage: dict[str, int]
    by_status: dict[str, int]
    households_total: int = 0
    registered: int = 0
    signed: int = 0
    connected: int = 0
    open_issues: int = 0
    overdue_issues: int = 0
    issues_by_body: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def signed_rate(self) -> float | None:
        return (100.0 * self.signed / self.households_total) if self.households_total else None

    @property
    def connected_rate(self) -> float | None:
        return (100.0 * self.connected / self.signed) if self.signed else None


def summary(user, *, district=None, org_unit=None, include_closed: bool = True) -> Summary:
    """Households signed up and connected, and open issues by the body responsible."""
    qs = project_search(user, district=district, org_unit=org_unit)
    if not include_closed:
        qs = qs.filter(status__in=[ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED])
    projects = list(qs.order_by("district__code", "number"))
    s = Summary(
        projects=projects,
        by_stage={st: 0 for st in STAGE_ORDER},
        by_status={st: 0 for st in ProjectStatus.values},
    )
    for p in projects:
        s.by_status[p.status] += 1
        if p.status in (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED):
            s.by_stage[p.stage] += 1
        s.households_total += p.households_total
        s.registered += p.n_registered
        s.signed += p.n_signed
        s.connected += p.n_connected
        s.open_issues += p.n_open_issues
    today = timezone.localdate()
    rows = (
        Issue.objects.filter(project__in=qs.values("pk"), status=IssueStatus.OPEN)
        .order_by()
        .values("responsible_body")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
        )
    )
    counts = {r["responsible_body"]: (r["n"], r["overdue"]) for r in rows}
    s.issues_by_body = [
        (body, str(label), *counts[body]) for body, label in Body.choices if body in counts
    ]
    s.issues_by_body.sort(key=lambda r: -r[2])
    s.overdue_issues = sum(r[3] for r in s.issues_by_body)
    return s
