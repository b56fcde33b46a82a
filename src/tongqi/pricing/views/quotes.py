"""The quote builder (手持电子报价: made for a phone in the field) and the staff's quote pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.applications.selectors import application_for
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.money import upper_case_rmb
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors
from .. import services as svc
from ..choices import QUOTE_STATUS_COLOUR, QuoteKind, QuoteStatus
from ..forms import DrawingForm, ItemFormSet, QuoteFilterForm, QuoteForm
from ..models import Package, QuoteDrawing
from .common import apply_errors, report

QUOTE_LIST_CAPS = (Cap.QUOTE_MANAGE, Cap.RECEIVABLE_MANAGE)
SORTS = {
    "issued": "issued_at",
    "number": "number",
    "total": "customer_total",
    "investment": "utility_investment",
    "status": "status",
}


def _filtered(request):
    form = QuoteFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.quote_search(
        selectors.quotes_visible(request.user).exclude(status=QuoteStatus.DRAFT),
        **{k: v for k, v in filters.items() if v},
    )
    return form, qs


@capability_required(*QUOTE_LIST_CAPS)
def quote_list(request):
    form, qs = _filtered(request)
    sort = sort_from_request(request, SORTS, "-issued")
    qs = qs.select_related(*selectors.QUOTE_RELATED).order_by(sort.order_by, "-id")
    page = paginate(request, qs)
    return render(
        request,
        "pricing/quote_list.html",
        {"form": form, "page": page, "sort": sort, "colours": QUOTE_STATUS_COLOUR},
    )


@capability_required(*QUOTE_LIST_CAPS)
def quote_export(request):
    _form, qs = _filtered(request)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="pricing.quote",
        actor=request.user,
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("Quote number"),
        _("Version"),
        _("Application number"),
        _("Enterprise"),
        _("Status"),
        _("Kind"),
        _("Package"),
        _("In-red-line pipe length (m)"),
        _("Extra units (N)"),
        _("Gas-source pipe length (m)"),
        _("Customer's total (yuan)"),
        _("Gas-source works to the customer (yuan)"),
        _("Utility's own investment (yuan)"),
        _("Zero approval"),
        _("Issued"),
        _("Confirmed"),
        _("Account manager"),
    ]
    status = dict(QuoteStatus.choices)
    kind = dict(QuoteKind.choices)
    rows = (
        (
            q.number,
            q.version,
            q.application.number,
            q.application.enterprise.name,
            str(status.get(q.status, q.status)),
            str(kind.get(q.kind, q.kind)),
            q.package.code if q.package else "",
            q.pipe_length_m,
            q.extra_units,
            q.external_length_m,
            q.customer_total,
            0,
            q.utility_investment,
            "" if q.approval_exempt is None else (_("Yes") if q.approval_exempt else _("No")),
            q.issued_at,
            q.confirmed_at,
            q.application.account_manager.display_name if q.application.account_manager else "",
        )
        for q in qs.select_related(*selectors.QUOTE_RELATED)
        .order_by("-issued_at", "-id")
        .iterator(chunk_size=1000)
    )
    return xlsx_response(_("quotes") + ".xlsx", headers, rows, title=_("Quotes"))


@capability_required(Cap.APP_VIEW)
def quote_detail(request, pk):
    quote = selectors.quote_for(request.user, pk)
    app = quote.application
    return render(
        request,
        "pricing/quote_detail.html",
        {
            "quote": quote,
            "app": app,
            "lines": list(quote.lines.all()),
            "drawings": list(quote.drawings.all()),
            "versions": selectors.versions(app),
            "colours": QUOTE_STATUS_COLOUR,
            "upper": upper_case_rmb(quote.customer_total),
            "can_build": svc.may_quote(request.user, app) and app.status in svc.QUOTABLE,
        },
    )


# --- the builder -------------------------------------------------------------------------------


def _initial(data: svc.QuoteInput, draft) -> tuple[dict, list[dict]]:
    plan = f"package:{data.package_id}" if data.kind == QuoteKind.PACKAGE else "custom"
    initial = {
        "plan": plan,
        "pipe_length_m": data.pipe_length_m,
        "external_length_m": data.external_length_m,
        "own_works_estimate": data.own_works_estimate or None,
        "note": data.note,
        "lock_version": draft.lock_version if draft else 0,
    }
    items = [
        {
            "section": i.section,
            "description": i.description,
            "unit": i.unit,
            "quantity": i.quantity,
            "unit_price": i.unit_price,
            "unit_cost": i.unit_cost,
        }
        for i in data.items
    ]
    return initial, items


def _input(form: QuoteForm, formset) -> svc.QuoteInput:
    kind, package_id = form.plan_parts()
    d = form.cleaned_data
    return svc.QuoteInput(
        kind=kind,
        package_id=package_id,
        pipe_length_m=d["pipe_length_m"],
        external_length_m=d["external_length_m"],
        own_works_estimate=d.get("own_works_estimate") or 0,
        note=d.get("note") or "",
        items=[
            svc.ItemInput(
                section=i["section"],
                description=i["description"],
                unit=i["unit"],
                quantity=i["quantity"],
                unit_price=i.get("unit_price") or 0,
                unit_cost=i.get("unit_cost") or 0,
            )
            for i in formset.items()
        ],
    )


def _item_errors(exc: svc.InvalidInput, form, formset) -> None:
    """Service errors keyed ``items-3-quantity`` go to the third item's field."""
    rest = {}
    kept = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
    for key, msgs in exc.fields.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            idx = int(parts[1])
            if idx < len(kept):
                for m in msgs:
                    kept[idx].add_error(parts[2], m)
                continue
        rest[key] = msgs
    if "package" in rest:
        rest["plan"] = rest.pop("package")
    if "items" in rest:
        for m in rest.pop("items"):
            form.add_error(None, m)
    if rest:
        apply_errors(svc.InvalidInput(fields=rest), form)


def _builder_context(request, app, form, formset, draft, computed=None, error=None):
    survey = getattr(app, "survey", None)
    length = None
    if form.is_bound and form.is_valid():
        length = form.cleaned_data.get("pipe_length_m")
    elif survey is not None:
        length = survey.pipe_length_m
    if length is None and draft is not None:
        length = draft.pipe_length_m
    options = selectors.package_options(
        peak_load=app.peak_load, usage_type=app.usage_type, length_m=length
    )
    return {
        "app": app,
        "survey": survey,
        "form": form,
        "formset": formset,
        "draft": draft,
        "plan_choices": [(o, f"package:{o.package.pk}") for o in options],
        "plan_value": str(form["plan"].value() or ""),
        "computed": computed,
        "upper": upper_case_rmb(computed.totals.customer_total) if computed else "",
        "summary_error": error,
        "drawing_form": DrawingForm(),
        "drawings": list(draft.drawings.all()) if draft else [],
        "versions": selectors.versions(app),
        "pending": selectors.current_quote(app),
        "colours": QUOTE_STATUS_COLOUR,
        "quotable": app.status in svc.QUOTABLE,
    }


def _app_for_quoting(request, pk):
    app = application_for(request.user, pk)
    if not svc.may_quote(request.user, app):
        raise PermissionDenied
    return app


@capability_required(Cap.QUOTE_MANAGE)
@require_http_methods(["GET", "POST"])
def builder(request, pk):
    """Draw up, recompute, save and issue a quote. Works without JavaScript; with it, the
    summary recomputes as the fields change (htmx)."""
    app = _app_for_quoting(request, pk)
    packages = list(Package.objects.filter(active=True))
    draft = app.quotes.filter(status=QuoteStatus.DRAFT).first()
    computed = error = None
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        post = request.POST
        if action == "add_item":
            post = post.copy()
            total = int(post.get("items-TOTAL_FORMS") or 0)
            post["items-TOTAL_FORMS"] = str(min(total + 1, 40))
        form = QuoteForm(post, packages=packages)
        formset = ItemFormSet(post, prefix="items")
        if form.is_valid() and formset.is_valid():
            data = _input(form, formset)
            lock = form.cleaned_data.get("lock_version")
            try:
                if action == "save":
                    svc.quote_save_draft(
                        application=app, actor=request.user, data=data, lock_version=lock
                    )
                    messages.success(
                        request,
                        _("Draft saved. Attach the drawings, then issue it to the customer."),
                    )
                    return redirect("pricing:builder", pk=app.pk)
                computed = svc.quote_compute(application=app, data=data)
            except svc.InvalidInput as exc:
                _item_errors(exc, form, formset)
            except svc.ApplicationError as exc:
                report(request, exc)
    else:
        data = svc.quote_input_from(draft) if draft else svc.quote_input_for(app)
        initial, items = _initial(data, draft)
        form = QuoteForm(initial=initial, packages=packages)
        formset = ItemFormSet(initial=items, prefix="items")
        if app.status in svc.QUOTABLE:
            try:
                computed = svc.quote_compute(application=app, data=data)
            except svc.InvalidInput as exc:
                error = "；".join(m for msgs in exc.fields.values() for m in msgs)
    return render(
        request,
        "pricing/builder.html",
        _builder_context(request, app, form, formset, draft, computed, error),
    )


@capability_required(Cap.QUOTE_MANAGE)
@require_POST
def quote_issue(request, pk):
    """Issue the saved draft (a separate form with a confirmation: the customer is notified)."""
    quote = selectors.quote_for(request.user, pk)
    app = _app_for_quoting(request, quote.application_id)
    try:
        lock = int(request.POST.get("lock_version") or 0) or None
        svc.quote_issue(quote=quote, actor=request.user, lock_version=lock)
    except ValueError:
        messages.error(request, _("Reload the page and try again."))
    except svc.InvalidInput as exc:
        for msgs in exc.fields.values():
            for m in msgs:
                messages.error(request, m)
    except svc.ApplicationError as exc:
        report(request, exc)
    else:
        messages.success(
            request,
            _("Quote {number} issued: the customer is asked to confirm it.").format(
                number=quote.number
            ),
        )
        return redirect("pricing:quote_detail", pk=quote.pk)
    return redirect("pricing:builder", pk=app.pk)


@capability_required(Cap.QUOTE_MANAGE)
@require_POST
def quote_discard(request, pk):
    quote = selectors.quote_for(request.user, pk)
    app = _app_for_quoting(request, quote.application_id)
    try:
        svc.quote_discard(quote=quote, actor=request.user)
    except svc.ApplicationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("The draft was discarded."))
    return redirect("pricing:builder", pk=app.pk)


@capability_required(Cap.QUOTE_MANAGE)
@require_POST
def builder_preview(request, pk):
    """The summary only, recomputed from the form as it is (htmx)."""
    app = _app_for_quoting(request, pk)
    packages = list(Package.objects.filter(active=True))
    form = QuoteForm(request.POST, packages=packages)
    formset = ItemFormSet(request.POST, prefix="items")
    computed = error = None
    if form.is_valid() and formset.is_valid():
        try:
            computed = svc.quote_compute(application=app, data=_input(form, formset))
        except svc.InvalidInput as exc:
            error = "；".join(m for msgs in exc.fields.values() for m in msgs)
    else:
        error = _("Correct the highlighted fields, then recompute.")
    return render(
        request,
        "pricing/_quote_summary.html",
        {
            "computed": computed,
            "summary_error": error,
            "upper": upper_case_rmb(computed.totals.customer_total) if computed else "",
            "oob": True,
        },
    )


@capability_required(Cap.QUOTE_MANAGE)
@require_POST
def drawing_upload(request, pk):
    app = _app_for_quoting(request, pk)
    draft = app.quotes.filter(status=QuoteStatus.DRAFT).first()
    if draft is None:
        messages.error(request, _("Save the draft first, then attach its drawings."))
        return redirect("pricing:builder", pk=app.pk)
    form = DrawingForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            svc.drawing_add(
                quote=draft,
                actor=request.user,
                title=form.cleaned_data["title"],
                name=upload.name,
                content=upload.read(),
            )
        except svc.InvalidInput as exc:
            for msgs in exc.fields.values():
                for m in msgs:
                    messages.error(request, m)
        except svc.ApplicationError as exc:
            report(request, exc)
        else:
            messages.success(request, _("Drawing attached."))
    else:
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(
                    request, f"{form.fields[field].label}：{e}" if field in form.fields else e
                )
    return redirect("pricing:builder", pk=app.pk)


@capability_required(Cap.QUOTE_MANAGE)
@require_POST
def drawing_delete(request, pk, dpk):
    app = _app_for_quoting(request, pk)
    drawing = get_object_or_404(QuoteDrawing, pk=dpk, quote__application=app)
    try:
        svc.drawing_remove(drawing=drawing, actor=request.user)
    except svc.ApplicationError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Drawing removed."))
    return redirect("pricing:builder", pk=app.pk)


def drawing_download(request, pk):
    """A drawing, for the staff who see the application and the customer who owns it (never a
    draft's drawing for the customer)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    drawing = get_object_or_404(QuoteDrawing, pk=pk)
    quote = selectors.quote_for(request.user, drawing.quote_id)  # 404 when not visible
    if quote.pk != drawing.quote_id:  # pragma: no cover - defensive
        raise Http404
    content_type = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
    try:
        fh = drawing.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        fh,
        content_type=content_type.get(drawing.content_type, "application/octet-stream"),
        as_attachment=False,
        filename=drawing.original_name,
    )
