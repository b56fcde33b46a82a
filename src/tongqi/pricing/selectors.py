"""Reads of the pricing app, scoped through the applications' ``visible_applications``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from tongqi.applications.selectors import visible_applications
from tongqi.core.money import line_total, yuan

from . import calc
from .choices import ContractorRole, QuoteStatus, ReceivableStatus
from .models import (
    Contractor,
    ContractorChoice,
    Package,
    PackagePrice,
    Qualification,
    Quote,
    Receivable,
)
from .services.catalogue import prices_in_force
from .services.quotes import misfit_text

QUOTE_RELATED = ("application__enterprise", "application__account_manager", "package")


@dataclass(frozen=True)
class PackageOption:
    """A package as the builder shows it for one site: does it fit, N, the estimate."""

    package: Package
    price: PackagePrice | None
    fits: bool
    reasons: tuple[str, ...]
    extra_units: int
    estimate: Decimal | None


def package_options(
    *, peak_load: Decimal, usage_type: str, length_m: Decimal | None, on: date | None = None
) -> list[PackageOption]:
    """Every package on offer with its fit and its price for this site (two queries)."""
    on = on or timezone.localdate()
    prices = prices_in_force(on)
    out = []
    length = length_m if length_m is not None else Decimal("0")
    for p in Package.objects.filter(active=True).order_by("sort_order", "code"):
        price = prices.get(p.pk)
        bad = calc.misfits(p.spec, peak_load=peak_load, usage_type=usage_type, length_m=length)
        n = calc.extra_units(length, p.included_length_m, p.extra_unit_m)
        estimate = yuan(price.base_price + line_total(price.extra_unit_price, n)) if price else None
        reasons = tuple(misfit_text(m) for m in bad)
        out.append(
            PackageOption(
                package=p,
                price=price,
                fits=not bad and price is not None,
                reasons=reasons,
                extra_units=n,
                estimate=estimate,
            )
        )
    return out


# --- quotes ------------------------------------------------------------------------------------


def quotes_visible(user) -> QuerySet[Quote]:
    """Quotes of the applications ``user`` may see (customers: never drafts)."""
    qs = Quote.objects.filter(application__in=visible_applications(user).values("pk"))
    if getattr(user, "is_customer", False):
        qs = qs.exclude(status=QuoteStatus.DRAFT)
    return qs


def quote_for(user, pk: int) -> Quote:
    try:
        return quotes_visible(user).select_related(*QUOTE_RELATED, "price_list").get(pk=pk)
    except Quote.DoesNotExist:
        raise Http404 from None


def quote_search(
    qs: QuerySet[Quote],
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    package: str = "",
    approval: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Quote]:
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(application__number__icontains=q)
            | Q(application__enterprise__name__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if package:
        qs = qs.filter(package__code=package)
    if approval == "exempt":
        qs = qs.filter(approval_exempt=True)
    elif approval == "needed":
        qs = qs.filter(approval_exempt=False)
    if date_from:
        qs = qs.filter(issued_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(issued_at__date__lte=date_to)
    return qs


def versions(application) -> list[Quote]:
    return list(
        application.quotes.select_related("package", "issued_by", "confirmed_by").order_by(
            "-version"
        )
    )


def current_quote(application) -> Quote | None:
    """The version the customer has to confirm or has confirmed (never a draft)."""
    return (
        application.quotes.filter(status__in=[QuoteStatus.ISSUED, QuoteStatus.CONFIRMED])
        .select_related("package")
        .order_by("-version")
        .first()
    )


# --- contractors -------------------------------------------------------------------------------


def contractor_options(role: str) -> list[Qualification]:
    """The listed units qualified for ``role``, by name (the utility's units among them, not
    first, not preselected)."""
    return list(
        Qualification.objects.filter(role=role, contractor__listed=True, contractor__active=True)
        .select_related("contractor")
        .order_by("contractor__name", "-valid_until")
    )


def choices_of(application) -> dict[str, ContractorChoice]:
    rows = ContractorChoice.objects.filter(application=application).select_related(
        "contractor", "qualification"
    )
    return {c.role: c for c in rows}


def choice_rows(application) -> list[tuple[str, object, ContractorChoice | None]]:
    chosen = choices_of(application)
    return [(r.value, r.label, chosen.get(r.value)) for r in ContractorRole]


def contractors_directory(q: str = "") -> QuerySet[Contractor]:
    qs = Contractor.objects.filter(listed=True).annotate(n_quals=Count("qualifications"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.strip().upper()))
    return qs.order_by("name")


# --- receivables -------------------------------------------------------------------------------


def receivables_visible(user) -> QuerySet[Receivable]:
    return Receivable.objects.filter(application__in=visible_applications(user).values("pk"))


def receivable_for(user, pk: int) -> Receivable:
    try:
        return (
            receivables_visible(user)
            .select_related("application__enterprise", "application__account_manager", "quote")
            .get(pk=pk)
        )
    except Receivable.DoesNotExist:
        raise Http404 from None


def receivable_search(
    qs: QuerySet[Receivable],
    *,
    q: str = "",
    status: str = "",
    overdue: bool = False,
    due_from: date | None = None,
    due_to: date | None = None,
    today: date | None = None,
) -> QuerySet[Receivable]:
    today = today or timezone.localdate()
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(application__number__icontains=q)
            | Q(application__enterprise__name__icontains=q)
            | Q(quote__number__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = overdue_receivables(qs, today)
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    return qs


def overdue_receivables(qs: QuerySet[Receivable], today: date | None = None):
    today = today or timezone.localdate()
    return qs.exclude(status=ReceivableStatus.PAID).filter(due_date__lt=today)


@dataclass(frozen=True)
class Figures:
    packages: int
    awaiting_confirmation: int
    issued_this_month: int
    exempt_share: float | None
    outstanding: Decimal
    overdue_count: int
    overdue_amount: Decimal


def home_figures(user, today: date | None = None) -> Figures:
    """The marketing home's cards, a handful of aggregate queries."""
    today = today or timezone.localdate()
    quotes = quotes_visible(user)
    month = quotes.filter(issued_at__date__gte=today.replace(day=1))
    m = month.aggregate(n=Count("id"), exempt=Count("id", filter=Q(approval_exempt=True)))
    recs = receivables_visible(user).exclude(status=ReceivableStatus.PAID)
    r = recs.aggregate(amount=Sum("amount"), paid=Sum("paid_amount"))
    late = overdue_receivables(recs, today).aggregate(
        n=Count("id"), amount=Sum("amount"), paid=Sum("paid_amount")
    )
    return Figures(
        packages=Package.objects.filter(active=True).count(),
        awaiting_confirmation=quotes.filter(status=QuoteStatus.ISSUED).count(),
        issued_this_month=m["n"],
        exempt_share=(m["exempt"] * 100.0 / m["n"]) if m["n"] else None,
        outstanding=yuan((r["amount"] or 0) - (r["paid"] or 0)),
        overdue_count=late["n"],
        overdue_amount=yuan((late["amount"] or 0) - (late["paid"] or 0)),
    )
