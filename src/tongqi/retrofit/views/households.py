"""Household pages: the list (phones masked), one household, its actions, the Excel import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.decorators import capability_required
from tongqi.web.exports import XLSX
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors, services
from ..choices import HOUSEHOLD_STATUS_COLOURS, HouseholdAction, HouseholdStatus, NoticeStatus
from ..errors import RetrofitError
from ..forms import (
    HouseholdActionForm,
    HouseholdBulkForm,
    HouseholdFilterForm,
    HouseholdForm,
    ImportForm,
)
from .common import apply_error, export, masked, project_context, refuse, version_of


def _filtered(request, project):
    form = HouseholdFilterForm(request.GET or None, buildings=selectors.buildings_of(project))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.household_search(project, **{k: v for k, v in filters.items() if v})
    return form, qs


def _ordered(request, qs):
    sort = sort_from_request(request, {k: k for k in selectors.HOUSEHOLD_SORTS}, "place")
    fields = selectors.HOUSEHOLD_SORTS[sort.key]
    order = [("-" if sort.descending else "") + fields[0], *fields[1:], "pk"]
    return sort, qs.order_by(*order)


@capability_required(Cap.RETROFIT_VIEW)
def household_list(request, pk: int):
    ctx = project_context(request, pk, "households")
    project = ctx["project"]
    form, qs = _filtered(request, project)
    sort, qs = _ordered(request, qs)
    page = paginate(request, qs, per_page=50)
    return render(
        request,
        "retrofit/household_list.html",
        {
            **ctx,
            "form": form,
            "page": page,
            "sort": sort,
            "counts": selectors.household_counts(project),
            "colours": HOUSEHOLD_STATUS_COLOURS,
            "bulk_form": HouseholdBulkForm() if ctx["can_manage"] else None,
        },
    )


@capability_required(Cap.RETROFIT_VIEW)
def household_export(request, pk: int):
    ctx = project_context(request, pk, "households")
    project = ctx["project"]
    _form, qs = _filtered(request, project)
    _sort, qs = _ordered(request, qs)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="retrofit.household",
        object_repr=f"{project.number} households",
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("Building"),
        _("Unit"),
        _("Room"),
        _("Household"),
        _("Contact"),
        _("Contact phone"),
        _("Status"),
        _("Signed up on"),
        _("Installed on"),
        _("Gas on since"),
        _("Note"),
    ]
    rows = (
        (
            h.building,
            h.unit,
            h.room,
            h.label,
            h.contact_name,
            masked(h.phone),
            h.get_status_display(),
            h.signed_up_on,
            h.installed_on,
            h.connected_on,
            h.note,
        )
        for h in qs.iterator(chunk_size=2000)
    )
    return export(_("households") + f"-{project.number}.xlsx", _("Households"), headers, rows)


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def household_create(request, pk: int):
    ctx = project_context(request, pk, "households")
    project = ctx["project"]
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            h = services.household_create(project=project, actor=request.user, **data)
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Household {label} registered.").format(label=h.label))
            if "add_another" in request.POST:
                return redirect("retrofit:household_create", pk=project.pk)
            return redirect("retrofit:households", pk=project.pk)
    return render(request, "retrofit/household_form.html", {**ctx, "form": form, "household": None})


def _household_page(request, ctx, household, phone: str | None = None):
    project = ctx["project"]
    actions = services.allowed_household_actions(household, project) if ctx["can_manage"] else []
    notices = list(household.notices.all())
    return render(
        request,
        "retrofit/household_detail.html",
        {
            **ctx,
            "household": household,
            "full_phone": phone,
            "can_see_phone": request.user.can(Cap.RETROFIT_MANAGE)
            or request.user.can(Cap.PII_FULL),
            "actions": [(a, HouseholdAction(a).label) for a in actions],
            "action_form": HouseholdActionForm(initial={"version": household.version}),
            "events": household.events.select_related("actor")[:50],
            "notices": notices,
            "has_valid_notice": any(n.status != NoticeStatus.VOID for n in notices),
            "colours": HOUSEHOLD_STATUS_COLOURS,
            "status_labels": dict(HouseholdStatus.choices),
        },
    )


@capability_required(Cap.RETROFIT_VIEW)
def household_detail(request, pk: int, hid: int):
    ctx = project_context(request, pk, "households")
    household = selectors.household_get(ctx["project"], hid)
    return _household_page(request, ctx, household)


@capability_required(Cap.RETROFIT_VIEW)
@require_POST
def household_phone(request, pk: int, hid: int):
    """Show the full phone number once, on purpose (POST), and audit that it was seen."""
    ctx = project_context(request, pk, "households")
    household = selectors.household_get(ctx["project"], hid)
    if not (request.user.can(Cap.RETROFIT_MANAGE) or request.user.can(Cap.PII_FULL)):
        raise PermissionDenied
    phone = services.household_reveal_phone(
        household=household, actor=request.user, reason=_("Call the household")
    )
    return _household_page(request, ctx, household, phone=phone)


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int, hid: int):
    ctx = project_context(request, pk, "households")
    household = selectors.household_get(ctx["project"], hid)
    initial = {
        "version": household.version,
        "building": household.building,
        "unit": household.unit,
        "room": household.room,
        "contact_name": household.contact_name,
        "phone": household.phone,
        "note": household.note,
    }
    form = HouseholdForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            services.household_update(
                household=household, actor=request.user, expected_version=expected, **data
            )
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("retrofit:household", pk=pk, hid=hid)
    elif request.method == "GET":
        audit_record(
            action=AuditAction.VIEW_PII,
            obj=household,
            object_repr=f"{ctx['project'].number} {household.label}",
            changes={"field": "phone"},
            reason="edit form",
        )
    return render(
        request, "retrofit/household_form.html", {**ctx, "form": form, "household": household}
    )


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def household_action(request, pk: int, hid: int, action: str):
    fn = services.HOUSEHOLD_ACTION_FUNCTIONS.get(action)
    if fn is None:
        raise Http404
    ctx = project_context(request, pk, "households")
    household = selectors.household_get(ctx["project"], hid)
    back = request.POST.get("next") or ""
    if not back.startswith("/retrofit/"):
        back = ""
    back = back or f"/retrofit/{pk}/households/{hid}/"
    form = HouseholdActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the date and try again."))
        return redirect(back)
    data = form.cleaned_data
    kwargs = {"household": household, "actor": request.user, "expected_version": version_of(form)}
    if action in (HouseholdAction.SIGN_UP, HouseholdAction.INSTALL, HouseholdAction.CONNECT):
        kwargs["on_date"] = data.get("on_date")
    if action == HouseholdAction.WITHDRAW:
        kwargs["reason"] = data.get("reason", "")
    else:
        kwargs["note"] = data.get("reason", "")
    try:
        h = fn(**kwargs)
    except RetrofitError as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("{label}: {status}.").format(label=h.label, status=h.get_status_display()),
    )
    return redirect(back)


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def household_import(request, pk: int):
    """Upload a sheet; every bad line is listed with its number, and then nothing is imported."""
    ctx = project_context(request, pk, "households")
    project = ctx["project"]
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.households_import(
                project=project, actor=request.user, fileobj=upload, filename=upload.name
            )
        except RetrofitError as exc:
            form.add_error(None, exc.message)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("{n} households imported.").format(n=result.created),
                )
                return redirect("retrofit:households", pk=project.pk)
    return render(
        request, "retrofit/household_import.html", {**ctx, "form": form, "result": result}
    )


@capability_required(Cap.RETROFIT_VIEW)
def import_template(request):
    response = HttpResponse(services.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        'attachment; filename="households-template.xlsx"; '
        "filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def household_bulk(request, pk: int):
    """One step for the ticked households (all or none)."""
    ctx = project_context(request, pk, "households")
    project = ctx["project"]
    back = request.POST.get("next") or ""
    if not back.startswith(f"/retrofit/{pk}/households/"):
        back = f"/retrofit/{pk}/households/"
    form = HouseholdBulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect(back)
    try:
        n = services.households_bulk(
            project=project,
            actor=request.user,
            action=form.cleaned_data["action"],
            household_ids=form.cleaned_data["ids"],
            on_date=form.cleaned_data.get("on_date"),
            note=form.cleaned_data.get("note", ""),
        )
    except services.BulkRefused as exc:
        details = "；".join(f"{flat}：{msg}" for flat, msg in exc.failures[:20])
        messages.error(request, f"{exc.message} {details}")
        return redirect(back)
    except RetrofitError as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("{action}: {n} households.").format(
            action=HouseholdAction(form.cleaned_data["action"]).label, n=n
        ),
    )
    return redirect(back)
