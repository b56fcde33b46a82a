"""Marketing's pages: the home, packages, price lists, policies and the contractor directory."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import UsageType
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.masking import mask_mobile
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response

from .. import selectors
from .. import services as svc
from ..forms import ContractorForm, PackageForm, PolicyForm, PriceListForm, QualificationForm
from ..models import Contractor, Package, PackagePrice, Policy, PriceList, Qualification
from .common import apply_errors, report


@capability_required(Cap.PRICING_MANAGE, Cap.RECEIVABLE_MANAGE, Cap.QUOTE_MANAGE)
def home(request):
    """Marketing's home: what is offered at which price, quotes waiting, money owed."""
    today = timezone.localdate()
    figures = selectors.home_figures(request.user, today)
    current = PriceList.objects.filter(effective_from__lte=today).first()
    upcoming = PriceList.objects.filter(effective_from__gt=today).order_by("effective_from")
    prices = svc.prices_in_force(today)
    packages = [(p, prices.get(p.pk)) for p in Package.objects.filter(active=True)]
    return render(
        request,
        "pricing/home.html",
        {
            "figures": figures,
            "current": current,
            "upcoming": list(upcoming),
            "packages": packages,
            "policy": svc.policy_in_force(today),
            "can_pricing": request.user.can(Cap.PRICING_MANAGE),
            "can_receivables": request.user.can(Cap.RECEIVABLE_MANAGE),
            "can_quotes": request.user.can(Cap.QUOTE_MANAGE)
            or request.user.can(Cap.RECEIVABLE_MANAGE),
        },
    )


# --- packages ----------------------------------------------------------------------------------


@capability_required(Cap.PRICING_MANAGE)
def package_list(request):
    today = timezone.localdate()
    prices = svc.prices_in_force(today)
    rows = [(p, prices.get(p.pk)) for p in Package.objects.all()]
    return render(request, "pricing/package_list.html", {"rows": rows, "today": today})


@capability_required(Cap.PRICING_MANAGE)
def package_export(request):
    today = timezone.localdate()
    prices = svc.prices_in_force(today)
    usage = dict(UsageType.choices)
    audit_record(action=AuditAction.EXPORT, object_type="pricing.package", actor=request.user)
    headers = [
        _("Code"),
        _("Name"),
        _("Meter rating"),
        _("Maximum peak load (m³/h)"),
        _("Included pipe length (m)"),
        _("Length of one extra unit (m)"),
        _("Maximum pipe length (m)"),
        _("Usage types"),
        _("Included items"),
        _("Offered"),
        _("Base price (yuan)"),
        _("Price per extra unit (yuan)"),
        _("Price list in force"),
    ]
    rows = []
    for p in Package.objects.all():
        price = prices.get(p.pk)
        rows.append(
            (
                p.code,
                p.name,
                p.meter_rating,
                p.max_load,
                p.included_length_m,
                p.extra_unit_m,
                p.max_length_m,
                "、".join(str(usage.get(u, u)) for u in p.usage_types) or _("All"),
                "、".join(p.item_list),
                _("Yes") if p.active else _("No"),
                price.base_price if price else None,
                price.extra_unit_price if price else None,
                str(price.price_list) if price else "",
            )
        )
    return xlsx_response(_("packages") + ".xlsx", headers, rows, title=_("Standard packages"))


@capability_required(Cap.PRICING_MANAGE)
@require_http_methods(["GET", "POST"])
def package_edit(request, pk=None):
    package = get_object_or_404(Package, pk=pk) if pk else None
    form = PackageForm(request.POST or None, instance=package)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            saved = svc.package_save(actor=request.user, package=package, **fields)
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Package {code} saved.").format(code=saved.code))
            return redirect("pricing:packages")
    return render(request, "pricing/package_form.html", {"form": form, "package": package})


# --- price lists -------------------------------------------------------------------------------


@capability_required(Cap.PRICING_MANAGE)
def price_list_list(request):
    today = timezone.localdate()
    lists = list(PriceList.objects.select_related("created_by"))
    current = next((pl for pl in lists if pl.effective_from <= today), None)
    return render(
        request,
        "pricing/price_list_list.html",
        {"lists": lists, "current": current, "today": today},
    )


@capability_required(Cap.PRICING_MANAGE)
def price_list_detail(request, pk):
    pl = get_object_or_404(PriceList, pk=pk)
    prices = PackagePrice.objects.filter(price_list=pl).select_related("package")
    return render(request, "pricing/price_list_detail.html", {"pl": pl, "prices": prices})


def _price_inputs(form):
    return [
        svc.PriceInput(p.pk, form.cleaned_data[f"base_{p.pk}"], form.cleaned_data[f"extra_{p.pk}"])
        for p in form.packages
    ]


@capability_required(Cap.PRICING_MANAGE)
@require_http_methods(["GET", "POST"])
def price_list_edit(request, pk=None):
    """A new list (prefilled with the prices in force) or a correction of a future one."""
    pl = get_object_or_404(PriceList, pk=pk) if pk else None
    if pl is not None and not pl.is_future:
        messages.error(
            request,
            _("This price list is in force: publish a new list from a later date instead."),
        )
        return redirect("pricing:price_list", pk=pl.pk)
    packages = list(Package.objects.filter(active=True))
    if pl is not None:
        initial_prices = {p.package_id: (p.base_price, p.extra_unit_price) for p in pl.prices.all()}
        initial = {
            "name": pl.name,
            "effective_from": pl.effective_from,
            "document": pl.document,
            "note": pl.note,
        }
    else:
        current = svc.prices_in_force(timezone.localdate())
        initial_prices = {k: (v.base_price, v.extra_unit_price) for k, v in current.items()}
        initial = {"effective_from": timezone.localdate()}
    form = PriceListForm(
        request.POST or None, packages=packages, initial_prices=initial_prices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if pl is None:
                saved = svc.price_list_create(
                    actor=request.user,
                    name=d["name"],
                    effective_from=d["effective_from"],
                    document=d["document"],
                    note=d["note"],
                    prices=_price_inputs(form),
                )
            else:
                saved = svc.price_list_update(
                    actor=request.user,
                    price_list=pl,
                    name=d["name"],
                    effective_from=d["effective_from"],
                    document=d["document"],
                    note=d["note"],
                    prices=_price_inputs(form),
                )
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        except svc.ApplicationError as exc:
            report(request, exc)
        else:
            messages.success(
                request,
                _("Price list saved: it applies to quotes issued from {date}.").format(
                    date=saved.effective_from.isoformat()
                ),
            )
            return redirect("pricing:price_list", pk=saved.pk)
    return render(request, "pricing/price_list_form.html", {"form": form, "pl": pl})


@capability_required(Cap.PRICING_MANAGE)
@require_POST
def price_list_delete(request, pk):
    pl = get_object_or_404(PriceList, pk=pk)
    try:
        svc.price_list_delete(actor=request.user, price_list=pl)
    except svc.ApplicationError as exc:
        report(request, exc)
        return redirect("pricing:price_list", pk=pl.pk)
    messages.success(request, _("The price list was withdrawn."))
    return redirect("pricing:price_lists")


# --- policies ----------------------------------------------------------------------------------


@capability_required(Cap.PRICING_MANAGE)
def policy_list(request):
    today = timezone.localdate()
    policies = list(Policy.objects.all())
    current = next((p for p in policies if p.effective_from <= today), None)
    return render(
        request,
        "pricing/policy_list.html",
        {"policies": policies, "current": current, "in_force": svc.policy_in_force(today)},
    )


@capability_required(Cap.PRICING_MANAGE)
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk=None):
    policy = get_object_or_404(Policy, pk=pk) if pk else None
    if policy is not None and policy.effective_from <= timezone.localdate():
        messages.error(
            request, _("This policy is in force: add a new one from a later date instead.")
        )
        return redirect("pricing:policies")
    if policy is None:
        base = svc.policy_in_force()
        initial = {
            "effective_from": timezone.localdate(),
            "approval_threshold": base.approval_threshold,
            "approval_document": base.approval_document,
            "payment_days": base.payment_days,
            "gas_source_cost_per_m": base.gas_source_cost_per_m,
        }
        form = PolicyForm(request.POST or None, initial=initial)
    else:
        form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            svc.policy_save(actor=request.user, policy=policy, **fields)
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        except svc.ApplicationError as exc:
            report(request, exc)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("pricing:policies")
    return render(request, "pricing/policy_form.html", {"form": form, "policy": policy})


# --- contractor directory ----------------------------------------------------------------------


@capability_required(Cap.PRICING_MANAGE)
def contractor_list(request):
    q = request.GET.get("q", "")
    if request.GET.get("export") == "1":
        return _contractor_export(request, selectors.contractors_directory(q))
    contractors = list(selectors.contractors_directory(q).prefetch_related("qualifications"))
    return render(
        request,
        "pricing/contractor_list.html",
        {"contractors": contractors, "q": q, "today": timezone.localdate()},
    )


def _contractor_export(request, qs):
    """The directory (same search as the page), one row per qualification. Contact phones are
    masked unless the viewer's role may see personal data in full (PIPL)."""
    audit_record(
        action=AuditAction.EXPORT, object_type="pricing.contractor", reason=request.GET.urlencode()
    )
    full = request.user.can(Cap.PII_FULL)
    today = timezone.localdate()
    headers = [
        _("Name"),
        _("Unified social credit code"),
        _("The utility's own unit"),
        _("Contact person"),
        _("Contact phone"),
        _("Role"),
        _("Qualification"),
        _("Level"),
        _("Certificate number"),
        _("Valid until"),
        _("Expired"),
    ]

    def rows():
        for c in qs.prefetch_related("qualifications").iterator(chunk_size=500):
            phone = c.contact_phone if full else mask_mobile(c.contact_phone)
            base = (
                c.name,
                c.uscc,
                _("Yes") if c.is_utility else _("No"),
                c.contact_name,
                phone,
            )
            quals = list(c.qualifications.all())
            if not quals:
                yield (*base, "", "", "", "", None, "")
            for qual in quals:
                yield (
                    *base,
                    qual.get_role_display(),
                    qual.name,
                    qual.level,
                    qual.certificate_number,
                    qual.valid_until,
                    _("Yes") if qual.valid_until < today else _("No"),
                )

    return xlsx_response(_("contractors") + ".xlsx", headers, rows(), title=_("Contractors"))


@capability_required(Cap.PRICING_MANAGE)
@require_http_methods(["GET", "POST"])
def contractor_edit(request, pk=None):
    contractor = get_object_or_404(Contractor, pk=pk, listed=True) if pk else None
    form = ContractorForm(request.POST or None, instance=contractor)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            saved = svc.contractor_save(actor=request.user, contractor=contractor, **fields)
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Unit {name} saved.").format(name=saved.name))
            return redirect("pricing:contractor", pk=saved.pk)
    quals = list(contractor.qualifications.all()) if contractor else []
    return render(
        request,
        "pricing/contractor_form.html",
        {
            "form": form,
            "contractor": contractor,
            "quals": quals,
            "today": timezone.localdate(),
        },
    )


@capability_required(Cap.PRICING_MANAGE)
@require_http_methods(["GET", "POST"])
def qualification_edit(request, pk, qpk=None):
    contractor = get_object_or_404(Contractor, pk=pk, listed=True)
    qual = get_object_or_404(Qualification, pk=qpk, contractor=contractor) if qpk else None
    form = QualificationForm(request.POST or None, instance=qual)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            svc.qualification_save(
                actor=request.user, contractor=contractor, qualification=qual, **fields
            )
        except svc.InvalidInput as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Qualification saved."))
            return redirect("pricing:contractor", pk=contractor.pk)
    return render(
        request,
        "pricing/qualification_form.html",
        {"form": form, "contractor": contractor, "qual": qual},
    )
