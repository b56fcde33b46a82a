"""先通气、后缴费: receivables, overdue list, payments (marketing, Cap.RECEIVABLE_MANAGE)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.money import upper_case_rmb
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors
from .. import services as svc
from ..choices import RECEIVABLE_STATUS_COLOUR, PaymentMethod, ReceivableStatus
from ..forms import PaymentForm, ReceivableFilterForm
from .common import apply_errors, report

SORTS = {
    "due": "due_date",
    "gas_on": "gas_on_at",
    "amount": "amount",
    "paid": "paid_amount",
    "status": "status",
}
RELATED = ("application__enterprise", "application__account_manager", "quote")


def _filtered(request):
    form = ReceivableFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.receivable_search(
        selectors.receivables_visible(request.user), **{k: v for k, v in filters.items() if v}
    )
    return form, qs


@capability_required(Cap.RECEIVABLE_MANAGE)
def receivable_list(request):
    form, qs = _filtered(request)
    sort = sort_from_request(request, SORTS, "due")
    page = paginate(request, qs.select_related(*RELATED).order_by(sort.order_by, "id"))
    return render(
        request,
        "pricing/receivable_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "colours": RECEIVABLE_STATUS_COLOUR,
            "today": timezone.localdate(),
        },
    )


@capability_required(Cap.RECEIVABLE_MANAGE)
def receivable_export(request):
    _form, qs = _filtered(request)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="pricing.receivable",
        actor=request.user,
        reason=request.GET.urlencode()[:500],
    )
    today = timezone.localdate()
    status = dict(ReceivableStatus.choices)
    headers = [
        _("Application number"),
        _("Enterprise"),
        _("Quote number"),
        _("Gas on"),
        _("Due date"),
        _("Amount due (yuan)"),
        _("Paid (yuan)"),
        _("Still owed (yuan)"),
        _("Status"),
        _("Overdue"),
        _("Days overdue"),
        _("Account manager"),
    ]
    rows = (
        (
            r.application.number,
            r.application.enterprise.name,
            r.quote.number,
            r.gas_on_at,
            r.due_date,
            r.amount,
            r.paid_amount,
            r.amount - r.paid_amount,
            str(status.get(r.status, r.status)),
            _("Yes") if r.is_overdue else _("No"),
            (today - r.due_date).days if r.is_overdue else 0,
            r.application.account_manager.display_name if r.application.account_manager else "",
        )
        for r in qs.select_related(*RELATED).order_by("due_date", "id").iterator(chunk_size=1000)
    )
    return xlsx_response(_("receivables") + ".xlsx", headers, rows, title=_("Receivables"))


@capability_required(Cap.RECEIVABLE_MANAGE)
@require_http_methods(["GET", "POST"])
def receivable_detail(request, pk):
    rec = selectors.receivable_for(request.user, pk)
    form = PaymentForm(
        request.POST or None,
        initial={"paid_on": timezone.localdate(), "amount": rec.outstanding or None},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.payment_record(
                receivable=rec,
                actor=request.user,
                data=svc.PaymentInput(
                    amount=d["amount"],
                    method=d["method"],
                    reference=d.get("reference") or "",
                    paid_on=d["paid_on"],
                    note=d.get("note") or "",
                ),
            )
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        except svc.ApplicationError as exc:
            report(request, exc)
            return redirect("pricing:receivable_detail", pk=rec.pk)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("pricing:receivable_detail", pk=rec.pk)
    payments = list(rec.payments.select_related("recorded_by"))
    return render(
        request,
        "pricing/receivable_detail.html",
        {
            "rec": rec,
            "app": rec.application,
            "payments": payments,
            "form": form if rec.status != ReceivableStatus.PAID else None,
            "colours": RECEIVABLE_STATUS_COLOUR,
            "methods": dict(PaymentMethod.choices),
            "upper": upper_case_rmb(rec.amount),
        },
    )
