"""The service counter (窗口): find an application by USCC or phone; enter one for a walk-in."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required

from .. import services as svc
from ..choices import Channel, VisitKind
from ..forms import CounterFindForm
from ..models import Application
from ..selectors import LIST_RELATED, clock_view, search, visible_applications
from ..services.submit import application_create_and_submit, attachment_add
from .apply import ApplyForms, with_extra_row, with_prefill
from .common import error_status, licence_source, page_error

counter_required = capability_required(Cap.APP_COUNTER)


@counter_required
@require_GET
def home(request):
    """Find by USCC, mobile or number; today's entries at this counter."""
    form = CounterFindForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        qs = search(
            visible_applications(request.user).select_related(*LIST_RELATED),
            q=form.cleaned_data["q"],
        ).order_by("-submitted_at")[:50]
        results = [(a, clock_view(a)) for a in qs]
    mine = (
        Application.objects.filter(created_by=request.user, channel=Channel.COUNTER)
        .exclude(number=None)
        .select_related("enterprise", "grid__unit", "account_manager")
        .order_by("-submitted_at")[:10]
    )
    return render(
        request,
        "applications/counter/home.html",
        {"form": form, "results": results, "mine": mine},
    )


@counter_required
@require_http_methods(["GET", "POST"])
def new(request):
    """A walk-in customer's application, entered by the clerk (channel = counter)."""
    ctx = {"prefill_result": None}
    if request.method == "GET":
        forms = ApplyForms(counter=True)
        return render(request, "applications/counter/new.html", {**ctx, **forms.context()})
    action = request.POST.get("action", "submit")
    if action == "add_row":
        forms = ApplyForms(initial=with_extra_row(request.POST), counter=True)
        return render(request, "applications/counter/new.html", {**ctx, **forms.context()})
    if action == "prefill":
        initial, ctx["prefill_result"] = with_prefill(request.POST)
        forms = ApplyForms(initial=initial, counter=True)
        return render(request, "applications/counter/new.html", {**ctx, **forms.context()})

    forms = ApplyForms(request.POST, request.FILES, counter=True)
    status = 200
    if forms.is_valid():
        ent = forms.enterprise_input()
        ent.licence_source = licence_source(
            forms.enterprise.cleaned_data.get("licence_token", ""), ent.uscc, ent.name.strip()
        )
        data = forms.application_input()
        visit_recorded = True
        try:
            with transaction.atomic():
                app = application_create_and_submit(
                    actor=request.user, enterprise_data=ent, data=data, channel=Channel.COUNTER
                )
                for kind, upload in forms.attachments.uploads():
                    attachment_add(
                        actor=request.user,
                        application=app,
                        kind=kind,
                        name=upload.name,
                        content=upload.read(),
                    )
                try:
                    with transaction.atomic():
                        svc.visit_record(
                            application=app,
                            actor=request.user,
                            kind=VisitKind.COUNTER,
                            note=_("Walk-in application at the counter"),
                            at=timezone.now(),
                        )
                except svc.Forbidden:
                    # routed to a grid outside this counter's company: its staff record visits
                    visit_recorded = False
        except svc.ApplicationError as exc:
            if isinstance(exc, svc.InvalidInput):
                forms.add_service_errors(exc.fields)
            else:
                forms.page_errors.append(page_error(exc))
            status = error_status(exc)
        else:
            manager = app.account_manager
            messages.success(
                request,
                _(
                    "Application {number} entered and submitted. Account manager: {name} {phone}."
                ).format(
                    number=app.number,
                    name=manager.display_name if manager else "—",
                    phone=manager.mobile if manager else "",
                ),
            )
            if not visit_recorded:
                messages.warning(
                    request,
                    _(
                        "The address belongs to another company's grid; its staff will record the "
                        "counter visit."
                    ),
                )
            if visible_applications(request.user).filter(pk=app.pk).exists():
                return redirect("applications:detail", pk=app.pk)
            return redirect("applications:counter")
    return render(
        request, "applications/counter/new.html", {**ctx, **forms.context()}, status=status
    )
