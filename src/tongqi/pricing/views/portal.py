"""The customer's pages: review and confirm the drawings and quote (图纸报价确认), ask for
changes, choose the designer, builder and supervisor (also for the account manager on the
customer's behalf)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.applications.selectors import application_for
from tongqi.core.money import upper_case_rmb
from tongqi.web.decorators import capability_required

from .. import selectors
from .. import services as svc
from ..choices import QUOTE_STATUS_COLOUR, ContractorRole, QuoteStatus
from ..forms import ChangeRequestForm, ChoiceForm, ConfirmForm
from ..services.contractors import CHOOSABLE
from .common import apply_errors, report


def _back(app, user) -> str:
    name = "applications:portal_detail" if user.is_customer else "applications:detail"
    return reverse(name, args=[app.pk])


@capability_required(Cap.PORTAL, Cap.APP_COUNTER)
@require_http_methods(["GET", "POST"])
def portal_quote(request, pk):
    """One version of the quote as the customer sees it, with the confirm button while it
    waits for the customer."""
    quote = selectors.quote_for(request.user, pk)
    if quote.status == QuoteStatus.DRAFT:
        raise PermissionDenied
    app = quote.application
    may_confirm = svc.may_act_for_customer(request.user, app)
    confirm_form = ConfirmForm(request.POST if request.POST.get("action") == "confirm" else None)
    change_form = ChangeRequestForm(
        request.POST if request.POST.get("action") == "change" else None
    )
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "confirm" and confirm_form.is_valid():
                svc.quote_confirm(quote=quote, actor=request.user)
                messages.success(request, _("Thank you: the drawings and quote are confirmed."))
                return redirect("pricing:portal_quote", pk=quote.pk)
            if request.POST.get("action") == "change" and change_form.is_valid():
                svc.quote_request_change(
                    quote=quote, actor=request.user, comment=change_form.cleaned_data["comment"]
                )
                messages.success(request, _("Your request was sent to your account manager."))
                return redirect("pricing:portal_quote", pk=quote.pk)
        except svc.InvalidInput as exc:
            apply_errors(exc, change_form, confirm_form)
        except svc.ApplicationError as exc:
            report(request, exc)
            return redirect("pricing:portal_quote", pk=quote.pk)
    latest = selectors.current_quote(app)
    lines = list(quote.lines.all())
    return render(
        request,
        "pricing/portal_quote.html",
        {
            "quote": quote,
            "app": app,
            "lines": lines,
            "drawings": list(quote.drawings.all()),
            "upper": upper_case_rmb(quote.customer_total),
            "colours": QUOTE_STATUS_COLOUR,
            "may_confirm": may_confirm and quote.status == QuoteStatus.ISSUED,
            "confirm_form": confirm_form,
            "change_form": change_form,
            "latest": latest if latest and latest.pk != quote.pk else None,
            "back": _back(app, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def contractors_choose(request, pk):
    """放开用气工程建设市场: one form per role; nothing is preselected, the utility's own units
    are listed among the others in name order."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if not (user.can(Cap.PORTAL) or user.can(Cap.QUOTE_MANAGE) or user.can(Cap.APP_COUNTER)):
        raise PermissionDenied
    app = application_for(user, pk)
    if not (svc.may_act_for_customer(user, app) or svc.may_quote(user, app)):
        raise PermissionDenied
    chosen = selectors.choices_of(app)
    role = request.POST.get("role") if request.method == "POST" else None
    forms = {}
    for r in ContractorRole:
        options = selectors.contractor_options(r.value)
        bound = request.POST if role == r.value else None
        forms[r.value] = ChoiceForm(bound, role=r.value, options=options, prefix=r.value)
    if request.method == "POST":
        form = forms.get(role)
        if form is None:
            messages.error(request, _("Choose a role."))
        elif form.is_valid():
            d = form.cleaned_data
            new = None
            if d.get("other"):
                new = svc.NewContractor(
                    name=d["contractor_name"],
                    uscc=d.get("uscc") or "",
                    contact_phone=d.get("contact_phone") or "",
                    qualification_name=d["qualification_name"],
                    level=d["level"],
                    certificate_number=d["certificate_number"],
                    valid_until=d["valid_until"],
                )
            try:
                choice = svc.contractor_choose(
                    application=app,
                    actor=user,
                    role=role,
                    qualification=None if new else d["qualification"],
                    new=new,
                )
            except svc.InvalidInput as exc:
                apply_errors(exc, form)
            except svc.ApplicationError as exc:
                report(request, exc)
            else:
                if choice.qualification.expired:
                    messages.warning(
                        request,
                        _(
                            "Recorded, but the qualification of {name} expired on {date}: "
                            "please check it or choose another unit."
                        ).format(
                            name=choice.contractor.name,
                            date=choice.qualification.valid_until.isoformat(),
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _("{role}: {name} recorded.").format(
                            role=choice.get_role_display(), name=choice.contractor.name
                        ),
                    )
                return redirect("pricing:contractors_choose", pk=app.pk)
    rows = [(r.value, r.label, chosen.get(r.value), forms[r.value]) for r in ContractorRole]
    return render(
        request,
        "pricing/contractors_choose.html",
        {
            "app": app,
            "rows": rows,
            "open_stage": app.status in CHOOSABLE,
            "today": timezone.localdate(),
            "back": _back(app, user),
        },
    )
