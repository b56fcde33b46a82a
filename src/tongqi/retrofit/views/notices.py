"""Notices of rights and duties and publicity materials of a project."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.decorators import capability_required
from tongqi.web.listing import paginate

from .. import selectors, services
from ..choices import NOTICE_STATUS_COLOURS, NoticeStatus
from ..documents import render_notices
from ..errors import RetrofitError
from ..forms import DeliveryForm, MaterialForm, NoticeFilterForm, ReasonForm
from .common import apply_error, export, project_context, refuse, version_of


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    ascii_name = filename.encode("ascii", "ignore").decode() or "notice.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _filtered(request, project):
    form = NoticeFilterForm(request.GET or None, buildings=selectors.buildings_of(project))
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@capability_required(Cap.RETROFIT_VIEW)
def notice_list(request, pk: int):
    ctx = project_context(request, pk, "notices")
    project = ctx["project"]
    form, filters = _filtered(request, project)
    qs = selectors.notice_search(project, **{k: v for k, v in filters.items() if v})
    page = paginate(request, qs, per_page=50)
    counts = {s: 0 for s in NoticeStatus.values}
    counts.update(
        project.notices.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return render(
        request,
        "retrofit/notice_list.html",
        {
            **ctx,
            "form": form,
            "page": page,
            "counts": counts,
            "colours": NOTICE_STATUS_COLOURS,
            "buildings": selectors.buildings_of(project),
        },
    )


@capability_required(Cap.RETROFIT_VIEW)
def notice_export(request, pk: int):
    ctx = project_context(request, pk, "notices")
    project = ctx["project"]
    _form, filters = _filtered(request, project)
    qs = selectors.notice_search(project, **{k: v for k, v in filters.items() if v})
    headers = [
        _("Notice number"),
        _("Household"),
        _("Addressee"),
        _("Status"),
        _("Generated"),
        _("Delivered"),
        _("Delivered by"),
        _("Delivery method"),
        _("Signed receipt"),
        _("Received by"),
        _("Note"),
    ]
    rows = (
        (
            n.number,
            n.household_label,
            n.addressee,
            n.get_status_display(),
            n.generated_at,
            n.delivered_at,
            n.delivered_by.display_name if n.delivered_by else "",
            n.get_delivery_method_display(),
            (_("Yes") if n.receipt_signed else _("No")) if n.delivered_at else "",
            n.recipient,
            n.delivery_note or n.void_reason,
        )
        for n in qs.iterator(chunk_size=1000)
    )
    return export(_("notices") + f"-{project.number}.xlsx", _("Notices"), headers, rows)


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def notice_generate(request, pk: int):
    """Issue a household's notice (``household``) or every missing one (``building`` / all),
    then send the PDF of what was issued."""
    ctx = project_context(request, pk, "notices")
    project = ctx["project"]
    household_id = request.POST.get("household")
    building = request.POST.get("building", "").strip()
    try:
        if household_id:
            if not household_id.isdigit():
                raise Http404
            household = selectors.household_get(project, int(household_id))
            notice = services.notice_generate(household=household, actor=request.user)
            messages.success(request, _("Notice {number} issued.").format(number=notice.number))
            return redirect("retrofit:household", pk=pk, hid=household.pk)
        notices = services.notices_generate_batch(
            project=project, actor=request.user, building=building or None
        )
    except RetrofitError as exc:
        back = f"/retrofit/{pk}/households/{household_id}/" if household_id else None
        return refuse(request, exc, back or f"/retrofit/{pk}/notices/")
    messages.success(request, _("{n} notices issued.").format(n=len(notices)))
    url = f"/retrofit/{pk}/notices/?status=generated"
    if building:
        url += "&building=" + quote(building)
    return redirect(url)


@capability_required(Cap.RETROFIT_VIEW)
def notice_pdf(request, pk: int, nid: int):
    ctx = project_context(request, pk, "notices")
    notice = selectors.notice_get(ctx["project"], nid)
    audit_record(
        action=AuditAction.EXPORT,
        obj=notice,
        object_repr=f"{notice.number} {notice.household_label}",
        reason="print",
    )
    return _pdf(render_notices([notice]), f"{notice.number}.pdf")


@capability_required(Cap.RETROFIT_VIEW)
def notices_pdf(request, pk: int):
    """The notices of a building (or the project) in one PDF, ready to print."""
    ctx = project_context(request, pk, "notices")
    project = ctx["project"]
    _form, filters = _filtered(request, project)
    notices = selectors.notices_for_print(
        project, building=filters.get("building", ""), status=filters.get("status", "")
    )
    if not notices:
        messages.info(request, _("No notices to print with these filters."))
        return redirect(f"/retrofit/{pk}/notices/")
    suffix = filters.get("building") or "all"
    audit_record(
        action=AuditAction.EXPORT,
        object_type="retrofit.rightsnotice",
        object_repr=f"{project.number} print {len(notices)}",
        reason=request.GET.urlencode()[:500],
    )
    return _pdf(render_notices(notices), f"{project.number}-{suffix}.pdf")


@capability_required(Cap.RETROFIT_MANAGE)
@require_http_methods(["GET", "POST"])
def notice_deliver(request, pk: int, nid: int):
    ctx = project_context(request, pk, "notices")
    notice = selectors.notice_get(ctx["project"], nid)
    form = DeliveryForm(
        request.POST or None,
        initial={
            "version": notice.version,
            "delivered_at": timezone.localtime().replace(second=0, microsecond=0),
            "recipient": notice.addressee,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            services.notice_deliver(
                notice=notice, actor=request.user, expected_version=expected, **data
            )
        except RetrofitError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Delivery of {number} recorded.").format(number=notice.number)
            )
            return redirect("retrofit:notices", pk=pk)
    return render(request, "retrofit/notice_deliver.html", {**ctx, "form": form, "notice": notice})


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def notice_void(request, pk: int, nid: int):
    ctx = project_context(request, pk, "notices")
    notice = selectors.notice_get(ctx["project"], nid)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("retrofit:notices", pk=pk)
    try:
        services.notice_void(
            notice=notice,
            actor=request.user,
            expected_version=version_of(form),
            reason=form.cleaned_data["reason"],
        )
    except RetrofitError as exc:
        return refuse(request, exc, f"/retrofit/{pk}/notices/")
    messages.success(request, _("Notice {number} voided.").format(number=notice.number))
    return redirect("retrofit:notices", pk=pk)


# --- publicity materials ----------------------------------------------------------------------


@capability_required(Cap.RETROFIT_VIEW)
@require_http_methods(["GET", "POST"])
def material_list(request, pk: int):
    ctx = project_context(request, pk, "materials")
    project = ctx["project"]
    form = None
    if ctx["can_manage"]:
        form = MaterialForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                m = services.material_upload(
                    project=project,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    uploaded=form.cleaned_data["file"],
                )
            except RetrofitError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("“{title}” uploaded.").format(title=m.title))
                return redirect("retrofit:materials", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "retrofit/material_list.html",
        {**ctx, "form": form, "materials": selectors.materials_of(project)},
    )


@capability_required(Cap.RETROFIT_VIEW)
def material_export(request, pk: int):
    ctx = project_context(request, pk, "materials")
    project = ctx["project"]
    headers = [
        _("Title"),
        _("Kind"),
        _("File name"),
        _("File type"),
        _("Size (bytes)"),
        _("Uploaded"),
        _("Uploaded by"),
    ]
    rows = (
        (
            m.title,
            m.get_kind_display(),
            m.original_name,
            m.file_type.upper(),
            m.size,
            m.uploaded_at,
            m.uploaded_by.display_name if m.uploaded_by else "",
        )
        for m in selectors.materials_of(project)
    )
    return export(
        _("materials") + f"-{project.number}.xlsx", _("Publicity materials"), headers, rows
    )


@capability_required(Cap.RETROFIT_VIEW)
def material_download(request, pk: int, mid: int):
    ctx = project_context(request, pk, "materials")
    material = selectors.material_get(ctx["project"], mid)
    content_type = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
    try:
        fh = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        fh,
        content_type=content_type.get(material.file_type, "application/octet-stream"),
        as_attachment=request.GET.get("inline") != "1",
        filename=material.original_name,
    )


@capability_required(Cap.RETROFIT_MANAGE)
@require_POST
def material_delete(request, pk: int, mid: int):
    ctx = project_context(request, pk, "materials")
    material = selectors.material_get(ctx["project"], mid)
    services.material_delete(material=material, actor=request.user)
    messages.success(request, _("“{title}” deleted.").format(title=material.title))
    return redirect("retrofit:materials", pk=pk)
