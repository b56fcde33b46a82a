"""Pages of gas-source works: projects, approvals, the municipal report, the planning view and
the engineering workbench. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.models import Grid
from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Category
from tongqi.applications.selectors import application_for, clock_view, visible_applications
from tongqi.applications.services import ApplicationError
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.sla.calendar import current_calendar
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from . import report as rpt
from . import services as svc
from .choices import (
    APPROVAL_STATE_COLOUR,
    DEFAULT_AUTHORITY,
    STATUS_COLOUR,
    ZERO_APPROVAL_DOCUMENT,
    ZERO_APPROVAL_LIMIT,
    ApprovalKind,
)
from .forms import (
    ApprovalForm,
    LinkForm,
    NoteForm,
    PanelLinkForm,
    PlanningForm,
    ProjectFilterForm,
    ProjectForm,
    ReportFilterForm,
    TransitionForm,
    grids_for,
)
from .geometry import coords_of
from .models import ProjectApproval, ReportSnapshot
from .planning import demand_around, demand_for_project, demand_in_grid
from .selectors import (
    approvals_to_apply,
    approvals_waiting,
    late_projects,
    links_at_risk,
    my_projects,
    project_for,
    project_links,
    project_search,
    visible_projects,
    with_counts,
)
from .svgmap import legend, render_map

VIEW = Cap.WORKS_VIEW
MANAGE = Cap.WORKS_MANAGE

LIST_SORTS = {
    "number": "number",
    "name": "name",
    "start": "planned_start",
    "gas_on": "expected_gas_on",
    "investment": "investment",
    "status": "status",
}


def _fail(request, exc, form=None) -> None:
    """Show a domain error: on its fields when the form has them, else as a message."""
    placed = False
    if form is not None:
        for key, errs in getattr(exc, "fields", {}).items():
            target = key if key in form.fields else None
            for e in errs:
                form.add_error(target, e)
                placed = True
    if not placed:
        messages.error(request, str(exc.message))


# --- projects ------------------------------------------------------------------------------------


def _filtered_projects(request):
    form = ProjectFilterForm(request.GET or None, user=request.user)
    f = form.cleaned_data if form.is_valid() else {}
    qs = project_search(
        visible_projects(request.user),
        q=f.get("q", ""),
        status=f.get("status", ""),
        unit=f.get("unit"),
        reason_kind=f.get("reason_kind", ""),
        late=bool(f.get("late")),
        mine_for=request.user if f.get("mine") else None,
    )
    return form, qs


@capability_required(VIEW)
def project_list(request):
    form, qs = _filtered_projects(request)
    sort = sort_from_request(request, LIST_SORTS, "-start")
    qs = with_counts(qs.select_related("org_unit", "district", "grid__unit", "engineer")).order_by(
        sort.order_by, "-pk"
    )
    page = paginate(request, qs)
    return render(
        request,
        "works/project_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "today": timezone.localdate(),
            "colours": STATUS_COLOUR,
            "can_manage": request.user.can(MANAGE),
        },
    )


@capability_required(VIEW)
def project_export(request):
    _form, qs = _filtered_projects(request)
    qs = with_counts(qs.select_related("org_unit", "district", "grid__unit", "engineer")).order_by(
        "org_unit__path", "planned_start", "pk"
    )
    audit_record(
        action=AuditAction.EXPORT,
        object_type="works.project",
        reason=request.GET.urlencode()[:500],
    )
    today = timezone.localdate()
    headers = [
        _("Project number"),
        _("Project name"),
        _("Subsidiary"),
        _("District"),
        _("Grid"),
        _("Location"),
        _("Status"),
        _("Late"),
        _("Planned start of works"),
        _("Expected gas-on"),
        _("Investment (yuan)"),
        _("Linked applications"),
        _("Approvals awaited"),
        _("Engineer in charge"),
    ]
    rows = (
        (
            p.number,
            p.name,
            p.org_unit.name,
            p.district.name,
            p.grid.unit.name if p.grid_id else "",
            p.location_desc,
            p.get_status_display(),
            _("yes") if p.is_late(today) else "",
            p.planned_start,
            p.expected_gas_on,
            p.investment,
            p.link_count,
            p.pending_count,
            p.engineer.display_name if p.engineer_id else "",
        )
        for p in qs.iterator(chunk_size=1000)  # streamed: never the whole list in memory
    )
    return xlsx_response(
        _("gas-source-projects") + ".xlsx", headers, rows, title=_("Gas-source projects")
    )


def _project_input(cd: dict) -> svc.ProjectInput:
    return svc.ProjectInput(
        name=cd["name"],
        org_unit=cd["org_unit"],
        district=cd["district"],
        grid=cd.get("grid"),
        location_desc=cd["location_desc"],
        location=cd["location"],
        reason_kind=cd["reason_kind"],
        reason=cd.get("reason", ""),
        pressure_level=cd["pressure_level"],
        length_m=cd.get("length_m") or Decimal("0"),
        forecast_load=cd.get("forecast_load") or Decimal("0"),
        forecast_annual_volume=cd.get("forecast_annual_volume") or Decimal("0"),
        planned_start=cd["planned_start"],
        expected_gas_on=cd["expected_gas_on"],
        investment=cd["investment"],
        engineer=cd.get("engineer"),
        approvals_needed=list(cd.get("approvals_needed") or []),
    )


@capability_required(MANAGE)
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = svc.project_create(actor=request.user, data=_project_input(form.cleaned_data))
        except svc.WorksError as exc:
            _fail(request, exc, form)
        else:
            messages.success(
                request, _("Project {number} registered.").format(number=project.number)
            )
            return redirect("works:detail", pk=project.pk)
    return render(request, "works/project_form.html", {"form": form, "project": None})


@capability_required(MANAGE)
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = project_for(request.user, pk)
    form = ProjectForm(request.POST or None, user=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            svc.project_update(
                project=project,
                actor=request.user,
                data=_project_input(form.cleaned_data),
                expected_version=form.cleaned_data.get("version"),
            )
        except svc.WorksError as exc:
            _fail(request, exc, form)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Project saved."))
            return redirect("works:detail", pk=project.pk)
    return render(request, "works/project_form.html", {"form": form, "project": project})


@capability_required(VIEW)
def project_detail(request, pk: int):
    project = project_for(request.user, pk)
    approvals = list(project.approvals.select_related("updated_by").all())
    links = project_links(project)
    today = timezone.localdate()
    link_rows = []
    for link in links:
        app = link.application
        cv = clock_view(app)
        deadline = timezone.localdate(cv.deadline) if cv and cv.deadline else None
        link_rows.append(
            {
                "link": link,
                "app": app,
                "clock": cv,
                "deadline": deadline,
                "gas_on_after_deadline": bool(
                    deadline and app.is_open and project.expected_gas_on > deadline
                ),
                # the survey may have changed the category since the link was made
                "wrong_category": app.category != Category.WITH_EXTERNAL_WORKS,
            }
        )
    can_manage = request.user.can(MANAGE)
    transitions = svc.allowed_transitions(request.user, project) if can_manage else []
    missing = svc.missing_approvals(project)
    if missing:  # the button appears only when the works may start
        transitions = [a for a in transitions if a != "start_construction"]
    return render(
        request,
        "works/project_detail.html",
        {
            "project": project,
            "approvals": approvals,
            "approval_colours": APPROVAL_STATE_COLOUR,
            "link_rows": link_rows,
            "total_load": sum((r["app"].peak_load for r in link_rows), Decimal("0")),
            "total_annual": sum((r["app"].annual_consumption for r in link_rows), Decimal("0")),
            "events": project.events.select_related("actor")[:100],
            "colour": STATUS_COLOUR.get(project.status, "grey"),
            "late": project.is_late(today),
            "needs_permits": svc.needs_permits(project.investment),
            "missing": missing,
            "zero_limit": ZERO_APPROVAL_LIMIT,
            "zero_document": ZERO_APPROVAL_DOCUMENT,
            "can_manage": can_manage,
            "transitions": [(a, svc.TRANSITIONS[a]) for a in transitions],
            "transition_form": TransitionForm(initial={"version": project.version, "on": today}),
            "note_form": NoteForm(),
            "link_form": LinkForm(initial={"version": project.version}),
            "approval_kinds_free": [
                (k, label)
                for k, label in ApprovalKind.choices
                if k not in {a.kind for a in approvals}
            ],
            "coords": coords_of(project.geometry_wkt),
            "pending_hold": svc.pending_approvals(project),
        },
    )


@capability_required(MANAGE)
@require_POST
def project_transition(request, pk: int, action: str):
    project = project_for(request.user, pk)
    if action not in svc.TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter a valid date."))
        return redirect("works:detail", pk=pk)
    try:
        svc.project_transition(
            project=project,
            action=action,
            actor=request.user,
            expected_version=form.cleaned_data.get("version"),
            reason=form.cleaned_data.get("reason", ""),
            on=form.cleaned_data.get("on"),
        )
    except (svc.WorksError, ApplicationError) as exc:
        msgs = [str(e) for errs in getattr(exc, "fields", {}).values() for e in errs]
        messages.error(request, "；".join(msgs) or str(exc.message))
    else:
        messages.success(
            request,
            _("Done: {action}.").format(action=svc.TRANSITIONS[action].label),
        )
    return redirect("works:detail", pk=pk)


@capability_required(MANAGE)
@require_http_methods(["GET", "POST"])
def approval_edit(request, pk: int, kind: str):
    project = project_for(request.user, pk)
    if kind not in ApprovalKind.values:
        raise Http404
    existing = ProjectApproval.objects.filter(project=project, kind=kind).first()
    initial = {"kind": kind, "version": project.version}
    if existing is not None:
        initial.update(
            authority=existing.authority,
            applied_on=existing.applied_on,
            expected_on=existing.expected_on,
            granted_on=existing.granted_on,
            reference=existing.reference,
            note=existing.note,
        )
    else:
        initial["authority"] = DEFAULT_AUTHORITY.get(kind, "")
    form = ApprovalForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            _approval, result = svc.approval_save(
                project=project,
                actor=request.user,
                kind=kind,
                authority=cd.get("authority", ""),
                applied_on=cd.get("applied_on"),
                expected_on=cd.get("expected_on"),
                granted_on=cd.get("granted_on"),
                reference=cd.get("reference", ""),
                note=cd.get("note", ""),
                expected_version=cd.get("version"),
            )
        except svc.WorksError as exc:
            _fail(request, exc, form)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Approval saved."))
            _report_sync(request, result)
            return redirect("works:detail", pk=pk)
    return render(
        request,
        "works/approval_form.html",
        {
            "form": form,
            "project": project,
            "approval": existing,
            "kind_label": ApprovalKind(kind).label,
        },
    )


def _report_sync(request, result: svc.SyncResult) -> None:
    if result.paused:
        messages.info(
            request,
            _("Clock paused for the approvals: {numbers}.").format(
                numbers="、".join(a.number for a in result.paused)
            ),
        )
    if result.resumed:
        messages.info(
            request,
            _("Clock resumed: {numbers}.").format(
                numbers="、".join(a.number for a in result.resumed)
            ),
        )
    if result.skipped:
        messages.warning(
            request,
            _("You may not pause or resume the clock of {numbers}; ask their unit.").format(
                numbers="、".join(a.number for a in result.skipped)
            ),
        )


@capability_required(MANAGE)
@require_POST
def approval_remove(request, pk: int, kind: str):
    project = project_for(request.user, pk)
    try:
        svc.approval_remove(
            project=project,
            actor=request.user,
            kind=kind,
            expected_version=_int(request.POST.get("version")),
        )
    except svc.NotFound:
        raise Http404 from None
    except (svc.WorksError, ApplicationError) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Approval removed."))
    return redirect("works:detail", pk=pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@capability_required(MANAGE)
@require_POST
def project_note(request, pk: int):
    project = project_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            svc.project_note(project=project, actor=request.user, text=form.cleaned_data["text"])
        except svc.WorksError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Progress note added."))
    else:
        messages.error(request, _("Write the progress note."))
    return redirect("works:detail", pk=pk)


@capability_required(MANAGE)
@require_POST
def project_link(request, pk: int):
    project = project_for(request.user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the application number."))
        return redirect("works:detail", pk=pk)
    number = form.cleaned_data["application"].strip().upper()
    app = visible_applications(request.user).filter(number=number).first()
    if app is None:
        messages.error(request, _("No application {number} in your area.").format(number=number))
        return redirect("works:detail", pk=pk)
    _do_link(request, project, app, form.cleaned_data.get("version"))
    return redirect("works:detail", pk=pk)


def _do_link(request, project, app, version=None) -> bool:
    try:
        link = svc.project_link_application(
            project=project, application=app, actor=request.user, expected_version=version
        )
    except (svc.WorksError, ApplicationError) as exc:
        msgs = [str(e) for errs in getattr(exc, "fields", {}).values() for e in errs]
        messages.error(request, "；".join(msgs) or str(exc.message))
        return False
    messages.success(
        request,
        _("{number} linked to {project}.").format(number=app.number, project=project.name),
    )
    if link.paused_by_works:
        messages.info(request, _("Its clock is paused while the project awaits approvals."))
    return True


@capability_required(MANAGE)
@require_POST
def project_unlink(request, pk: int, app_pk: int):
    project = project_for(request.user, pk)
    app = application_for(request.user, app_pk)
    _do_unlink(request, project, app, _int(request.POST.get("version")))
    return redirect("works:detail", pk=pk)


def _do_unlink(request, project, app, version=None) -> None:
    try:
        svc.project_unlink_application(
            project=project, application=app, actor=request.user, expected_version=version
        )
    except svc.NotFound:
        raise Http404 from None
    except (svc.WorksError, ApplicationError) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("{number} unlinked.").format(number=app.number))


@capability_required(MANAGE)
@require_POST
def project_sync(request, pk: int):
    project = project_for(request.user, pk)
    try:
        result = svc.project_sync_clocks(project=project, actor=request.user)
    except (svc.WorksError, ApplicationError) as exc:
        messages.error(request, str(exc.message))
    else:
        if not (result.paused or result.resumed or result.skipped):
            messages.success(request, _("The linked clocks already match the approvals."))
        _report_sync(request, result)
    return redirect("works:detail", pk=pk)


# --- from the application page (panel) ---------------------------------------------------------


@capability_required(MANAGE)
@require_POST
def application_link(request, app_pk: int):
    from .panels import candidate_projects

    app = application_for(request.user, app_pk)
    form = PanelLinkForm(request.POST, candidates=candidate_projects(request.user, app))
    if form.is_valid():
        _do_link(request, form.cleaned_data["project"], app)
    else:
        messages.error(request, _("Choose a gas-source project."))
    return redirect(reverse("applications:detail", args=[app.pk]) + "#panel-works")


@capability_required(MANAGE)
@require_POST
def application_unlink(request, app_pk: int):
    app = application_for(request.user, app_pk)
    link = getattr(app, "works_link", None)
    if link is None:
        raise Http404
    project = project_for(request.user, link.project_id)
    _do_unlink(request, project, app)
    return redirect(reverse("applications:detail", args=[app.pk]) + "#panel-works")


# --- the municipal report ------------------------------------------------------------------------

REPORT_SORTS = {
    "number": "number",
    "name": "name",
    "unit": "org_unit",
    "start": "start",
    "gas_on": "expected_gas_on",
    "investment": "investment",
    "status": "status",
}


def _report(request):
    months = list(rpt.snapshot_months().values_list("month", flat=True))
    form = ReportFilterForm(request.GET or None, user=request.user, months=months)
    cd = form.cleaned_data if form.is_valid() else {}
    f = rpt.ReportFilters(
        date_from=cd.get("date_from"),
        date_to=cd.get("date_to"),
        unit=cd.get("unit"),
        status=cd.get("status", ""),
    )
    snapshot = None
    source = cd.get("source") or ""
    if source:
        year, month = (int(x) for x in source.split("-"))
        snapshot = ReportSnapshot.objects.filter(month=date(year, month, 1)).first()
    return form, snapshot, f


def _report_rows(request, snapshot, f) -> list[dict]:
    if snapshot:
        return rpt.snapshot_rows(snapshot, request.user, f)
    return rpt.live_rows(request.user, f)


def _sort_rows(rows: list[dict], sort) -> list[dict]:
    key = sort.field
    if key == "investment":
        return sorted(rows, key=lambda r: Decimal(r["investment"]), reverse=sort.descending)
    return sorted(rows, key=lambda r: (str(r.get(key, "")), r["number"]), reverse=sort.descending)


@capability_required(VIEW)
def report(request):
    form, snapshot, f = _report(request)
    sort = sort_from_request(request, REPORT_SORTS, "unit")
    sorted_by = request.GET.get("sort")
    if snapshot:  # a kept month: its stored rows
        rows = _report_rows(request, snapshot, f)
        if sorted_by:
            rows = _sort_rows(rows, sort)
        page = paginate(request, rows, per_page=50)
        shown = list(page.object_list)
        count, total = len(rows), rpt.total_investment(rows)
    else:  # live: the database sorts and counts; rows are built for this page only
        qs = rpt.live_ordered(
            request.user, f, key=sort.field if sorted_by else None, descending=sort.descending
        )
        page = paginate(request, qs, per_page=50)
        today = timezone.localdate()
        shown = [rpt.project_row(p, today) for p in page.object_list]
        count, total = rpt.live_totals(request.user, f)
    return render(
        request,
        "works/report.html",
        {
            "form": form,
            "snapshot": snapshot,
            "page": page,
            "rows": rpt.wrap(shown),
            "count": count,
            "total_investment": total,
            "sort": sort,
            "can_snapshot": svc.can_snapshot(request.user),
            "snapshots": rpt.snapshot_months()[:24],
        },
    )


@capability_required(VIEW)
def report_export(request):
    _form, snapshot, f = _report(request)
    rows = _report_rows(request, snapshot, f)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="works.report",
        reason=(f"snapshot {snapshot} " if snapshot else "live ") + request.GET.urlencode()[:400],
    )
    # The municipal report goes to the regulator in Chinese whatever the viewer's language.
    with translation.override("zh-hans"):
        headers = [str(h) for h in rpt.EXPORT_HEADERS]
        data = list(rpt.export_rows(rows))
        title = _("Municipal gas-source project report")
        label = snapshot.month.strftime("%Y-%m") if snapshot else timezone.localdate().isoformat()
        filename = f"{title}-{label}.xlsx"
    return xlsx_response(filename, headers, data, title=title[:31])


@capability_required(MANAGE)
@require_POST
def report_snapshot(request):
    try:
        snap = svc.snapshot_now(actor=request.user)
    except svc.WorksError as exc:
        messages.error(request, str(exc.message))
        return redirect("works:report")
    messages.success(
        request,
        _("Snapshot of {month} taken: {n} projects.").format(
            month=snap.month.strftime("%Y-%m"), n=snap.row_count
        ),
    )
    return redirect(reverse("works:report") + "?source=" + snap.month.strftime("%Y-%m"))


# --- planning (提前开展气源建设) ------------------------------------------------------------------


def _demand(request):
    form = PlanningForm(request.GET or None, user=request.user)
    if not request.GET or not form.is_valid():
        return form, None, ""
    cd = form.cleaned_data
    radius_m = float(cd["radius_km"]) * 1000
    mode = cd["mode"]
    if mode == "project":
        p = cd["project"]
        return form, demand_for_project(request.user, p, radius_m), f"{p.number} {p.name}"
    if mode == "point":
        demand = demand_around(
            request.user, path=[(float(cd["lng"]), float(cd["lat"]))], radius_m=radius_m
        )
        return form, demand, f"{cd['lng']}, {cd['lat']}"
    grid = cd["grid"]
    return form, demand_in_grid(request.user, grid), grid.unit.name


@capability_required(VIEW)
def planning(request):
    form, demand, subject = _demand(request)
    svg = None
    if demand is not None:
        grids = Grid.objects.exclude(polygon_wkt="").select_related("unit")
        svg = render_map(demand, grids, title=_("Demand around {subject}").format(subject=subject))
    return render(
        request,
        "works/planning.html",
        {
            "form": form,
            "demand": demand,
            "subject": subject,
            "svg": svg,
            "legend": legend(),
        },
    )


@capability_required(VIEW)
def planning_export(request):
    form, demand, subject = _demand(request)
    if demand is None:
        return redirect(reverse("works:planning") + "?" + request.GET.urlencode())
    audit_record(
        action=AuditAction.EXPORT,
        object_type="works.planning",
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("No."),
        _("Application number"),
        _("Enterprise"),
        _("Stage"),
        _("Grid"),
        _("Address"),
        _("Distance (m)"),
        _("Peak load (m³/h)"),
        _("Annual consumption (m³)"),
        _("Desired gas-on"),
        _("Gas-source project"),
    ]
    rows = (
        (
            r.index,
            r.application.number,
            r.application.enterprise.name,
            r.application.get_status_display(),
            r.application.grid.unit.name if r.application.grid_id else "",
            f"{r.application.street}{r.application.address_detail}",
            round(r.distance_m) if r.distance_m is not None else None,
            r.application.peak_load,
            r.application.annual_consumption,
            r.application.desired_gas_on_date,
            f"{r.project.number} {r.project.name}" if r.project else "",
        )
        for r in demand.rows
    )
    return xlsx_response(_("gas-demand") + ".xlsx", headers, rows, title=_("Demand"))


# --- the engineering workbench -----------------------------------------------------------------


@capability_required(MANAGE)
def workbench(request):
    user = request.user
    today = timezone.localdate()
    cal = current_calendar()
    waiting = []
    for a in approvals_waiting(user)[:50]:
        try:
            days = cal.workdays_in(a.applied_on, today)
        except ValueError:
            days = None
        waiting.append((a, days, bool(a.expected_on and a.expected_on < today)))
    mine = list(my_projects(user)[:50])
    late = list(late_projects(user, today)[:50])
    to_apply = list(approvals_to_apply(user)[:50])
    risk = list(links_at_risk(user)[:50])
    return render(
        request,
        "works/workbench.html",
        {
            "mine": mine,
            "waiting": waiting,
            "to_apply": to_apply,
            "late": late,
            "risk": risk,
            "today": today,
            "colours": STATUS_COLOUR,
            "grids": grids_for(user),
        },
    )
