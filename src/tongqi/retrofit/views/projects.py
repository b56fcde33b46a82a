"""Project pages: the team's progress list, the leaders' summary, a project and its stages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors, services
from ..choices import (
    PROJECT_STATUS_COLOURS,
    STAGE_ORDER,
    ProjectAction,
    ProjectStatus,
    Stage,
)
from ..errors import RetrofitError
from ..forms import (
    ContactForm,
    ProjectFilterForm,
    ProjectForm,
    StageForm,
    SummaryFilterForm,
    TransitionForm,
)
from ..models import ProjectContact
from .common import apply_error, export, project_context, version_of


def _filtered(request):
    form = ProjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.project_search(request.user, **{k: v for k, v in filters.items() if v})
    return form, qs


@capability_required(Cap.RETROFIT_VIEW)
def project_list(request):
    """The special team's progress view: every community, its stage and its figures."""
    form, qs = _filtered(request)
    sort = sort_from_request(request, selectors.PROJECT_SORTS, "-created")
    page = paginate(request, qs.order_by(sort.order_by, "-pk"))
    today = timezone.localdate()
    rows = [(p, _progress(p), selectors.is_behind(p, today)) for p in page]
    return render(
        request,
        "retrofit/project_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "sort": sort,
            "stage_count": len(STAGE_ORDER),
            "colours": PROJECT_STATUS_COLOURS,
            "can_manage": request.user.can(Cap.RETROFIT_MANAGE),
        },
    )


def _progress(p) -> int:
    """How far along the stages a project is, in percent (a completed project is 100)."""
    if p.status == ProjectStatus.COMPLETED:
        return 100
    return round(100 * STAGE_ORDER.index(p.stage) / len(STAGE_ORDER))


def _pct(part, whole) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "—"


@capability_required(Cap.RETROFIT_VIEW)
def project_export(request):
    _form, qs = _filtered(request)
    headers = [
        _("Project number"),
        _("Community"),
        _("District"),
        _("Street office"),
        _("Community committee"),
        _("Organisation unit"),
        _("Stage"),
        _("Status"),
        _("Households in the community"),
        _("Registered"),
        _("Signed up"),
        _("Sign-up rate"),
        _("Installed"),
        _("Gas on"),
        _("Open issues"),
        _("Notices delivered"),
        _("Created"),
    ]
    rows = (
        (
            p.number,
            p.name,
            p.district.name,
            p.street_office,
            p.community_committee,
            p.org_unit.name,
            p.get_stage_display(),
            p.get_status_display(),
            p.households_total,
            p.n_registered,
            p.n_signed,
            _pct(p.n_signed, p.households_total),
            p.n_installed,
            p.n_connected,
            p.n_open_issues,
            p.n_notices_delivered,
            p.created_at,
        )
        for p in qs.order_by("number").iterator(chunk_size=1000)
    )
    return export(_("retrofit-projects") + ".xlsx", _("Retrofit projects"), headers, rows)


@capability_required(Cap.RETROFIT_VIEW)
def stages_export(request, pk: int):
    """The project's stage table: planned and actual dates, responsible bodies, notes."""
    ctx = project_context(request, pk, "overview")
    project = ctx["project"]
    headers = [
        _("Stage"),
        _("Planned start"),
        _("Planned end"),
        _("Started"),
        _("Finished"),
        _("Not needed"),
        _("Responsible body"),
        _("Responsible organisation"),
        _("Note"),
    ]
    rows = (
        (
            step.label,
            step.record.planned_start,
            step.record.planned_end,
            step.record.actual_start,
            step.record.actual_end,
            _("Yes") if step.record.skipped else "",
            step.record.get_responsible_body_display(),
            step.record.responsible_name,
            step.record.note,
        )
        for step in ctx["steps"]
        if step.record is not None
    )
    return export(_("stages") + f"-{project.number}.xlsx", _("Stages"), headers, rows)


@capability_required(Cap.RETROFIT_VIEW)
def summary(request):
    """The leaders' summary: households signed up and connected, open issues by body."""
    form = SummaryFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    s = selectors.summary(
        request.user,
        district=filters.get("district"),
        org_unit=filters.get("org_unit"),
        include_closed=not filters.get("open_only"),
    )
    return render(
        request,
        "retrofit/summary.html",
        {
            "form": form,
            "s": s,
            "stages": [(st, Stage(st).label, s.by_stage[st]) for st in STAGE_ORDER],
            "colours": PROJECT_STATUS_COLOURS,
        },
    )


@capability_required(Cap.RETROFIT_VIEW)
def summary_export(request):
    form = SummaryFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    s = selectors.summary(
        request.user,
        district=filters.get("district"),
        org_unit=filters.get("org_unit"),
        include_closed=not filters.get("open_only"),
    )
    headers = [
        _("District"),
        _("Project number"),
        _("Community"),
        _("Stage"),
        _("Status"),
        _("Households in the community"),
        _("Signed up"),
        _("Sign-up rate"),
        _("Gas on"),
        _("Gas on / signed up"),
        _("Open issues"),
    ]
    rows = [
        (
            p.district.name,
            p.number,
            p.name,
            p.get_stage_display(),
            p.get_status_display(),
            p.households_total,
            p.n_signed,
            _pct(p.n_signed, p.households_total),
            p.n_connected,
            _pct(p.n_connected, p.n_signed),
            p.n_open_issues,
        )
        for p in s.projects
    ]
    rows.append(
        (
            _("Total"),
            "",
            "",
            "",
            "",
            s.households_total,
            s.signed,
            _pct(s.signed, s.households_total),
            s.connected,
            _pct(s.connected, s.signed),
            s.open_issues,
        )
    )
    rows.append(())
    rows.append((_("Open issues by responsible body"), _("Open"), _("Overdue")))
    rows.extend((label, n, overdue) for _body, label, n, overdue in s.issues_by_body)
    return export(_("retrofit-summary") + ".xlsx", _("Retrofit summary"), headers, rows)


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            project = services.project_create(actor=request.user, **data)
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Project {number} created.").format(number=project.number))
            return redirect("retrofit:detail", pk=project.pk)
    return render(request, "retrofit/project_form.html", {"form": form, "project": None})


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    ctx = project_context(request, pk, "overview")
    project = ctx["project"]
    initial = {f: getattr(project, f) for f in services.projects.PROJECT_FIELDS}
    initial["version"] = project.version
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.project_update(
                project=project, actor=request.user, expected_version=version_of(form), **data
            )
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("retrofit:detail", pk=project.pk)
    return render(request, "retrofit/project_form.html", {**ctx, "form": form})


@capability_required(Cap.RETROFIT_VIEW)
def project_detail(request, pk: int):
    ctx = project_context(request, pk, "overview")
    project = ctx["project"]
    actions = services.allowed_actions(project) if ctx["can_manage"] else []
    return render(
        request,
        "retrofit/project_detail.html",
        {
            **ctx,
            "contacts": list(project.contacts.all()),
            "actions": [(a, ProjectAction(a).label) for a in actions],
            "counts": selectors.household_counts(project),
            "colours": PROJECT_STATUS_COLOURS,
            "contact_form": ContactForm() if ctx["can_manage"] else None,
        },
    )


ACTION_NEEDS_REASON = {ProjectAction.SKIP, ProjectAction.SUSPEND, ProjectAction.CANCEL}
ACTION_HAS_DATE = {ProjectAction.ADVANCE, ProjectAction.SKIP, ProjectAction.COMPLETE}


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def project_action(request, pk: int, action: str):
    """One form per state-machine action: date and note, or a reason where one is required."""
    if action not in services.ACTION_FUNCTIONS:
        raise Http404
    ctx = project_context(request, pk, "overview")
    project = ctx["project"]
    form = TransitionForm(request.POST or None, initial={"version": project.version})
    if action not in ACTION_HAS_DATE:
        del form.fields["on_date"]
    if action in ACTION_NEEDS_REASON:
        form.fields["reason"].required = True
        form.fields["reason"].label = _("Reason")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kwargs = {"project": project, "actor": request.user, "expected_version": version_of(form)}
        if action in ACTION_HAS_DATE:
            kwargs["on_date"] = data.get("on_date")
        if action in (ProjectAction.ADVANCE, ProjectAction.COMPLETE):
            kwargs["note"] = data.get("reason", "")
        else:
            kwargs["reason"] = data.get("reason", "")
        try:
            services.ACTION_FUNCTIONS[action](**kwargs)
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Done: {action}.").format(action=ProjectAction(action).label)
            )
            return redirect("retrofit:detail", pk=project.pk)
    return render(
        request,
        "retrofit/project_action.html",
        {
            **ctx,
            "form": form,
            "action": action,
            "action_label": ProjectAction(action).label,
            "irreversible": action == ProjectAction.CANCEL or action == ProjectAction.COMPLETE,
        },
    )


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def stage_edit(request, pk: int, stage: str):
    if stage not in STAGE_ORDER:
        raise Http404
    ctx = project_context(request, pk, "overview")
    project = ctx["project"]
    record = get_object_or_404(project.stages.all(), stage=stage)
    form = StageForm(
        request.POST or None,
        initial={
            "version": record.version,
            "planned_start": record.planned_start,
            "planned_end": record.planned_end,
            "responsible_body": record.responsible_body,
            "responsible_name": record.responsible_name,
            "note": record.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            record.project = project
            services.stage_update(
                record=record, actor=request.user, expected_version=expected, **data
            )
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("retrofit:detail", pk=project.pk)
    return render(request, "retrofit/stage_form.html", {**ctx, "form": form, "record": record})


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def contact_add(request, pk: int):
    ctx = project_context(request, pk, "overview")
    form = ContactForm(request.POST)
    if form.is_valid():
        services.contact_add(project=ctx["project"], actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contact added."))
    else:
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, errors)
    return redirect(reverse("retrofit:detail", args=[pk]) + "#contacts")


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def contact_delete(request, pk: int, cid: int):
    ctx = project_context(request, pk, "overview")
    contact = get_object_or_404(ProjectContact, project=ctx["project"], pk=cid)
    services.contact_remove(contact=contact, actor=request.user)
    messages.success(request, _("Contact removed."))
    return redirect(reverse("retrofit:detail", args=[pk]) + "#contacts")


@capability_required(Cap.RETROFIT_VIEW)
def project_events(request, pk: int):
    ctx = project_context(request, pk, "events")
    events = ctx["project"].events.select_related("actor")
    page = paginate(request, events, per_page=50)
    return render(
        request,
        "retrofit/project_events.html",
        {
            **ctx,
            "page": page,
            "stage_labels": dict(Stage.choices),
            "status_labels": dict(ProjectStatus.choices),
        },
    )
