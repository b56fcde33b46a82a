"""The customer portal (PC, phone, kiosk): home, apply, my application and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required

from .. import services as svc
from ..choices import CommitmentStatus, Status
from ..forms import CancelForm, RequestAcceptanceForm, SupplyForm
from ..models import AcceptanceRecord, Commitment
from ..selectors import LIST_RELATED, application_for, clock_view, visible_applications
from ..services.submit import (
    PRIVACY_NOTICE_VERSION,
    application_save_draft,
    application_submit,
    attachment_add,
    enterprise_upsert,
    validate_application,
    validate_enterprise,
)
from ..services.transitions import can_act
from .apply import (
    ENTERPRISE_FIELDS,
    ApplyForms,
    initial_for_draft,
    initial_for_new,
    with_extra_row,
    with_prefill,
)
from .common import (
    attachment_response,
    error_status,
    form_resolver,
    full_clock,
    licence_lookup,
    licence_source,
    page_error,
    pending_stages,
    place_errors,
    portal_channel,
    render_panels,
    service_phone,
    steps_for,
    timeline,
)

portal_required = capability_required(Cap.PORTAL)


@portal_required
@require_GET
def home(request):
    """Apply / my applications / my account manager."""
    apps = list(
        visible_applications(request.user)
        .select_related(*LIST_RELATED)
        .order_by("-created_at")[:50]
    )
    rows = [(a, clock_view(a)) for a in apps]
    open_apps = [a for a in apps if a.is_open and a.account_manager_id]
    contacts = []
    seen = set()
    for a in open_apps or [a for a in apps if a.account_manager_id]:
        if a.account_manager_id not in seen:
            seen.add(a.account_manager_id)
            contacts.append((a.account_manager, a))
    return render(
        request,
        "applications/portal/home.html",
        {
            "rows": rows,
            "contacts": contacts[:3],
            "hotline": service_phone(),
            "has_draft": any(a.status == Status.DRAFT for a in apps),
        },
    )


@portal_required
@require_GET
def privacy_notice(request):
    return render(
        request,
        "applications/portal/privacy.html",
        {"notice_version": PRIVACY_NOTICE_VERSION, "hotline": service_phone()},
    )


def _draft_or_404(request, pk):
    app = application_for(request.user, pk)
    if app.status != Status.DRAFT:
        raise Http404
    return app


@portal_required
@require_http_methods(["GET", "POST"])
def apply(request, pk=None):
    """One form in short sections; save a draft and come back, or submit."""
    app = _draft_or_404(request, pk) if pk else None
    ctx = {"application": app, "hotline": service_phone(), "prefill_result": None}
    if request.method == "GET":
        initial = initial_for_draft(app) if app else initial_for_new(request.user)
        forms = ApplyForms(initial=initial)
        return render(request, "applications/portal/apply.html", {**ctx, **forms.context()})

    action = request.POST.get("action", "save")
    ctx["version"] = request.POST.get("version", "")
    if action == "add_row":
        forms = ApplyForms(initial=with_extra_row(request.POST))
        return render(request, "applications/portal/apply.html", {**ctx, **forms.context()})
    if action == "prefill":
        initial, ctx["prefill_result"] = with_prefill(request.POST)
        forms = ApplyForms(initial=initial)
        return render(request, "applications/portal/apply.html", {**ctx, **forms.context()})

    submit = action == "submit"
    forms = ApplyForms(request.POST, request.FILES)
    status = 200
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    if forms.is_valid():
        try:
            app = _save_draft(request, forms, app, version, submit=submit)
        except svc.ApplicationError as exc:
            if isinstance(exc, svc.InvalidInput):
                forms.add_service_errors(exc.fields)
            else:
                forms.page_errors.append(page_error(exc))
            status = error_status(exc)
        else:
            if not submit:
                messages.success(
                    request,
                    _("Draft saved. You can come back to it from “My applications” at any time."),
                )
                return redirect("applications:portal_edit", pk=app.pk)
            try:
                application_submit(
                    actor=request.user,
                    application=app,
                    expected_version=app.version,
                    privacy_notice_accepted=bool(forms.privacy.cleaned_data["accept"]),
                )
            except svc.ApplicationError as exc:
                ctx["application"] = app
                ctx["version"] = app.version
                ctx["draft_saved"] = True
                if isinstance(exc, svc.InvalidInput):
                    forms.add_service_errors(exc.fields)
                else:
                    forms.page_errors.append(page_error(exc))
                status = error_status(exc)
            else:
                manager = app.account_manager
                if manager:
                    msg = _(
                        "Application {number} submitted. Your account manager {name} ({phone}) "
                        "will contact you."
                    ).format(number=app.number, name=manager.display_name, phone=manager.mobile)
                else:
                    msg = _("Application {number} submitted.").format(number=app.number)
                messages.success(request, msg)
                return redirect("applications:portal_detail", pk=app.pk)
    ctx["application"] = ctx["application"] or app
    return render(
        request, "applications/portal/apply.html", {**ctx, **forms.context()}, status=status
    )


def _save_draft(request, forms: ApplyForms, app, version, *, submit: bool = False):
    """Enterprise, draft and documents in one transaction: all saved or none.

    Every section's errors come back at once. When a submission is missing only what a draft
    may lack (usage, appliances, the notice…), the draft is saved and the submission reports it.
    """
    ent_data = forms.enterprise_input()
    ent_data.licence_source = licence_source(
        forms.enterprise.cleaned_data.get("licence_token", ""),
        ent_data.uscc,
        ent_data.name.strip(),
    )
    data = forms.application_input()
    _clean, e_errors = validate_enterprise(ent_data)
    _clean, draft_errors = validate_application(data, for_submit=False)
    if not data.district_code:
        draft_errors.setdefault("district", []).append(str(_("Choose a district from the list.")))
    if e_errors or draft_errors:
        shown = draft_errors
        if submit:
            _clean, shown = validate_application(data, for_submit=True)
            shown = {**shown, **draft_errors}
        raise svc.InvalidInput(fields={**e_errors, **shown})
    with transaction.atomic():
        ent = enterprise_upsert(data=ent_data, actor=request.user)
        app = application_save_draft(
            actor=request.user,
            enterprise=ent,
            data=data,
            channel=app.channel if app else portal_channel(request),
            application=app,
            expected_version=version if app else None,
        )
        for kind, upload in forms.attachments.uploads():
            attachment_add(
                actor=request.user,
                application=app,
                kind=kind,
                name=upload.name,
                content=upload.read(),
            )
    return app


@capability_required(Cap.PORTAL, Cap.APP_COUNTER)
@require_GET
def licence_prefill(request):
    """HTMX: the enterprise fields, filled from licence sharing when it knows the code, else as
    typed with a note (unknown code, service down, malformed code)."""
    found = licence_lookup(request.GET.get("enterprise-uscc", ""))
    if found["status"] == "off":
        return HttpResponse(status=204)
    typed = {f: request.GET.get(f"enterprise-{f}", "") for f in ENTERPRISE_FIELDS}
    if found["status"] == "found":
        typed.update(
            uscc=found["uscc"],
            name=found["name"],
            legal_representative=found["legal_representative"],
            registered_address=found["registered_address"],
            licence_token=found["token"],
        )
    else:
        typed["licence_token"] = ""
    forms = ApplyForms(initial={"enterprise": typed})
    forms.enterprise.mark_required(True)
    return render(
        request,
        "applications/_licence_fields.html",
        {"enterprise_form": forms.enterprise, "prefill_result": found["status"]},
    )


# --- my application ----------------------------------------------------------------------------


def _expected(app, commitments, latest_acceptance):
    """What the customer is expected to do next, in plain words."""
    S = Status
    items = []
    status = app.status
    if status == S.DRAFT:
        items.append({"text": _("Complete the form and submit it."), "action": "edit"})
    elif status == S.SUBMITTED:
        items.append(
            {
                "text": _(
                    "Nothing for now: your account manager reviews the application and accepts it."
                )
            }
        )
    elif status == S.ACCEPTED:
        items.append({"text": _("Your account manager will call you to arrange the site survey.")})
    elif status == S.SURVEYED:
        items.append({"text": _("We are preparing the plan and quote for you.")})
    elif status == S.QUOTED:
        items.append(
            {
                "text": _("Review the plan and quote below and confirm them online."),
                "action": "quote",
            }
        )
    elif status == S.CONFIRMED:
        items.append(
            {
                "text": _(
                    "Build the works inside your boundary with the contractors you chose. When "
                    "they are ready, request the acceptance visit."
                ),
                "action": "request_acceptance",
            }
        )
    elif status == S.ACCEPTANCE_REQUESTED:
        items.append(
            {"text": _("We will confirm the time of the acceptance and ignition visit with you.")}
        )
    elif status == S.RECTIFYING:
        text = _("Put right what the acceptance found, then request acceptance again.")
        if latest_acceptance and latest_acceptance.rectification_items:
            text = _("Put right: {items} Then request acceptance again.").format(
                items=latest_acceptance.rectification_items
            )
        items.append({"text": text, "action": "request_acceptance"})
    elif status == S.GAS_ON:
        items.append(
            {"text": _("Gas is on. Please tell us how we did: your rating helps us improve.")}
        )
    elif status in (S.REJECTED, S.CANCELLED) and app.outcome_reason:
        items.append({"text": _("Reason: {reason}").format(reason=app.outcome_reason)})
    for c in commitments:
        items.append(
            {
                "text": _("Supply {items} by {date}.").format(
                    items="、".join(c.missing_items), date=c.due_date.isoformat()
                ),
                "action": "supply",
                "commitment": c,
                "overdue": c.is_overdue,
            }
        )
    return items


@portal_required
@require_GET
def detail(request, pk):
    app = application_for(request.user, pk)
    view, pauses = full_clock(app)
    commitments = list(app.commitments.filter(status=CommitmentStatus.OPEN).order_by("due_date"))
    latest_acceptance = (
        AcceptanceRecord.objects.filter(application=app).order_by("-at").first()
        if app.status == Status.RECTIFYING
        else None
    )
    ctx = {
        "app": app,
        "clock": view,
        "pauses": pauses,
        "steps": steps_for(app),
        "events": timeline(app, public_only=True),
        "pending": pending_stages(app),
        "commitments": commitments,
        "expected": _expected(app, commitments, latest_acceptance),
        "attachments": app.attachments.order_by("uploaded_at"),
        "appliances": app.appliances.all(),
        "panels": render_panels(request, app, customer=True),
        "can_request": can_act(request.user, app, "request_acceptance"),
        "can_cancel": can_act(request.user, app, "cancel"),
        "can_supply": can_act(request.user, app, "commitment_fulfilled"),
        "hotline": service_phone(),
        "contacts": _contacts(app),
    }
    return render(request, "applications/portal/detail.html", ctx)


def _contacts(app):
    """The butler (管家): the account manager; after gas-on also meter reader and inspector."""
    out = []
    if app.account_manager_id:
        out.append((_("Account manager"), app.account_manager))
    if app.status == Status.GAS_ON:
        for label, user in (
            (_("Meter reader"), app.meter_reader),
            (_("Safety inspector"), app.safety_inspector),
        ):
            if user is not None:
                out.append((label, user))
    return out


@portal_required
@require_GET
def attachment(request, pk, attachment_pk):
    app = application_for(request.user, pk)
    return attachment_response(app, attachment_pk)


def _action_page(request, app, form, *, title, intro="", confirm="", submit_label, template=None):
    return render(
        request,
        template or "applications/portal/action.html",
        {
            "app": app,
            "form": form,
            "title": title,
            "intro": intro,
            "confirm": confirm,
            "submit_label": submit_label,
        },
        status=getattr(form, "_status", 200),
    )


def _refused(request, app, exc, form):
    if isinstance(exc, svc.InvalidInput):
        for m in place_errors(exc.fields, form_resolver(form)):
            form.add_error(None, m)
    else:
        form.add_error(None, page_error(exc))
    form._status = error_status(exc)


def _not_now(request, app):
    messages.error(request, _("This is not possible at the application's current stage."))
    return redirect("applications:portal_detail", pk=app.pk)


@portal_required
@require_http_methods(["GET", "POST"])
def request_acceptance(request, pk):
    app = application_for(request.user, pk)
    if not can_act(request.user, app, "request_acceptance"):
        return _not_now(request, app)
    form = RequestAcceptanceForm(request.POST or None, application=app)
    if request.method == "POST" and form.is_valid():
        try:
            svc.application_request_acceptance(
                application=app,
                actor=request.user,
                preferred_date=form.cleaned_data["preferred_date"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except svc.ApplicationError as exc:
            _refused(request, app, exc, form)
        else:
            messages.success(
                request,
                _("Acceptance requested. We will confirm the visit time with you by phone."),
            )
            return redirect("applications:portal_detail", pk=app.pk)
    return _action_page(
        request,
        app,
        form,
        title=_("Request acceptance and gas-on"),
        intro=_(
            "Acceptance, connection and ignition are done in one visit (验收点火碰头送气一体化). "
            "Request it when the works inside your boundary are finished."
        ),
        submit_label=_("Request acceptance"),
    )


@portal_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    app = application_for(request.user, pk)
    if not can_act(request.user, app, "cancel"):
        return _not_now(request, app)
    form = CancelForm(request.POST or None, application=app)
    if request.method == "POST" and form.is_valid():
        try:
            svc.application_cancel(
                application=app,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except svc.ApplicationError as exc:
            _refused(request, app, exc, form)
        else:
            messages.success(request, _("The application was cancelled."))
            return redirect("applications:portal_detail", pk=app.pk)
    return _action_page(
        request,
        app,
        form,
        title=_("Cancel the application"),
        intro=_(
            "A cancelled application cannot be continued; you would have to apply again. "
            "Tell us why, so that we can improve."
        ),
        confirm=_("Cancel this application? This cannot be undone."),
        submit_label=_("Cancel the application"),
    )


@portal_required
@require_http_methods(["GET", "POST"])
def supply(request, pk, commitment_pk):
    """容缺: upload the promised documents; the upload closes the commitment."""
    app = application_for(request.user, pk)
    commitment = Commitment.objects.filter(application=app, pk=commitment_pk).first()
    if commitment is None:
        raise Http404
    if commitment.status != CommitmentStatus.OPEN or not can_act(
        request.user, app, "commitment_fulfilled"
    ):
        return _not_now(request, app)
    form = SupplyForm(request.POST or None, request.FILES or None, application=app)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != app.version:
            _refused(request, app, svc.Conflict(), form)
        else:
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    attachment_add(
                        actor=request.user,
                        application=app,
                        kind=form.cleaned_data["kind"],
                        name=upload.name,
                        content=upload.read(),
                    )
                    svc.commitment_fulfil(
                        commitment=commitment,
                        actor=request.user,
                        note=form.cleaned_data["note"],
                    )
            except svc.ApplicationError as exc:
                _refused(request, app, exc, form)
            else:
                messages.success(
                    request,
                    _("Thank you: {items} received.").format(
                        items="、".join(commitment.missing_items)
                    ),
                )
                return redirect("applications:portal_detail", pk=app.pk)
    return _action_page(
        request,
        app,
        form,
        title=_("Supply the missing documents"),
        intro=_("Promised: {items}, due {date}. {text}").format(
            items="、".join(commitment.missing_items),
            date=commitment.due_date.isoformat(),
            text=commitment.text,
        ),
        submit_label=_("Upload and close the commitment"),
        template="applications/portal/action.html",
    )
