"""Issue log pages: the board across projects, a project's log, one issue and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors, services
from ..choices import ISSUE_STATUS_COLOURS, IssueStatus
from ..errors import RetrofitError
from ..forms import IssueFilterForm, IssueForm, ReasonForm, ResolveForm
from .common import apply_error, export, project_context, refuse, version_of


def _filtered(request, project=None):
    form = IssueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.issue_search(
        request.user, project=project, **{k: v for k, v in filters.items() if v}
    )
    sort = sort_from_request(request, selectors.ISSUE_SORTS, "-raised")
    return form, qs.order_by(sort.order_by, "-pk"), sort


def _export(qs, filename):
    headers = [
        _("Project number"),
        _("Community"),
        _("Stage"),
        _("Problem"),
        _("Details"),
        _("Responsible body"),
        _("Responsible organisation"),
        _("Blocks the stage"),
        _("To be solved by"),
        _("Status"),
        _("Resolution"),
        _("Raised"),
        _("Raised by"),
        _("Resolved"),
    ]
    rows = (
        (
            i.project.number,
            i.project.name,
            i.get_stage_display(),
            i.title,
            i.description,
            i.get_responsible_body_display(),
            i.responsible_name,
            _("Yes") if i.blocking else _("No"),
            i.due_date,
            i.get_status_display(),
            i.resolution,
            i.raised_at,
            i.raised_by.display_name if i.raised_by else "",
            i.resolved_at,
        )
        for i in qs.iterator(chunk_size=1000)
    )
    return export(filename, _("Issue log"), headers, rows)


@capability_required(Cap.RETROFIT_VIEW)
def issue_board(request):
    """Every open problem of every community the user sees, by the body that must act."""
    form, qs, sort = _filtered(request)
    page = paginate(request, qs)
    return render(
        request,
        "retrofit/issue_board.html",
        {"form": form, "page": page, "sort": sort, "colours": ISSUE_STATUS_COLOURS},
    )


@capability_required(Cap.RETROFIT_VIEW)
def issue_board_export(request):
    _form, qs, _sort = _filtered(request)
    return _export(qs, _("retrofit-issues") + ".xlsx")


@capability_required(Cap.RETROFIT_VIEW)
def project_issues(request, pk: int):
    ctx = project_context(request, pk, "issues")
    form, qs, sort = _filtered(request, ctx["project"])
    page = paginate(request, qs)
    return render(
        request,
        "retrofit/project_issues.html",
        {**ctx, "form": form, "page": page, "sort": sort, "colours": ISSUE_STATUS_COLOURS},
    )


@capability_required(Cap.RETROFIT_VIEW)
def project_issues_export(request, pk: int):
    ctx = project_context(request, pk, "issues")
    _form, qs, _sort = _filtered(request, ctx["project"])
    return _export(qs, _("issues") + f"-{ctx['project'].number}.xlsx")


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def issue_create(request, pk: int):
    ctx = project_context(request, pk, "issues")
    project = ctx["project"]
    form = IssueForm(request.POST or None, initial={"stage": project.stage})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            issue = services.issue_create(project=project, actor=request.user, **data)
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Issue logged."))
            return redirect("retrofit:issue", pk=pk, iid=issue.pk)
    return render(request, "retrofit/issue_form.html", {**ctx, "form": form, "issue": None})


@capability_required(Cap.RETROFIT_VIEW)
def issue_detail(request, pk: int, iid: int):
    ctx = project_context(request, pk, "issues")
    issue = selectors.issue_get(ctx["project"], iid)
    return render(
        request,
        "retrofit/issue_detail.html",
        {
            **ctx,
            "issue": issue,
            "colours": ISSUE_STATUS_COLOURS,
            "resolve_form": ResolveForm(initial={"version": issue.version}),
            "reopen_form": ReasonForm(initial={"version": issue.version}),
            "is_open": issue.status == IssueStatus.OPEN,
        },
    )


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def issue_edit(request, pk: int, iid: int):
    ctx = project_context(request, pk, "issues")
    issue = selectors.issue_get(ctx["project"], iid)
    initial = {f: getattr(issue, f) for f in services.issues.ISSUE_FIELDS}
    initial["version"] = issue.version
    form = IssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            services.issue_update(
                issue=issue, actor=request.user, expected_version=expected, **data
            )
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("retrofit:issue", pk=pk, iid=iid)
    return render(request, "retrofit/issue_form.html", {**ctx, "form": form, "issue": issue})


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def issue_action(request, pk: int, iid: int, action: str):
    if action not in ("resolve", "reopen"):
        raise Http404
    ctx = project_context(request, pk, "issues")
    issue = selectors.issue_get(ctx["project"], iid)
    back = f"/retrofit/{pk}/issues/{iid}/"
    form = (ResolveForm if action == "resolve" else ReasonForm)(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Describe the resolution.") if action == "resolve" else _("Please give a reason."),
        )
        return redirect(back)
    try:
        if action == "resolve":
            services.issue_resolve(
                issue=issue,
                actor=request.user,
                expected_version=version_of(form),
                resolution=form.cleaned_data["resolution"],
            )
            messages.success(request, _("Issue resolved."))
        else:
            services.issue_reopen(
                issue=issue,
                actor=request.user,
                expected_version=version_of(form),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Issue reopened."))
    except RetrofitError as exc:
        return refuse(request, exc, back)
    return redirect(back)
