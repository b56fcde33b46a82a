"""Marketing's configuration: packages, effective-dated price lists and policies.

Prices and policies are effective-dated and never rewritten once in force: a price cut is a new
list from a date, so every quote issued before it keeps its price (it is a snapshot anyway) and
the history of what was offered when stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import UsageType
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between

from ..models import Package, PackagePrice, Policy, PriceList
from .common import Conflict, IllegalTransition, InvalidInput, parse_decimal, require

PACKAGE_FIELDS = (
    "code",
    "name",
    "meter_rating",
    "max_load",
    "included_length_m",
    "extra_unit_m",
    "max_length_m",
    "usage_types",
    "included_items",
    "description",
    "active",
    "sort_order",
)


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def package_save(*, actor, package: Package | None = None, **fields) -> Package:
    """Create or change a package's configuration (marketing). Prices live in price lists."""
    require(actor, Cap.PRICING_MANAGE)
    unknown = set(fields) - set(PACKAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown package fields: {sorted(unknown)}")
    errors: dict = {}
    usage = list(fields.get("usage_types", package.usage_types if package else []) or [])
    bad = [u for u in usage if u not in UsageType.values]
    if bad:
        errors["usage_types"] = [str(_("Choose usage types from the list."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if package is None:
            obj = Package()
            before = None
        else:
            obj = Package.objects.select_for_update().get(pk=package.pk)
            before = _snapshot(obj, PACKAGE_FIELDS)
        for k, v in fields.items():
            setattr(obj, k, v)
        obj.usage_types = usage
        if (
            obj.max_length_m is not None
            and obj.included_length_m is not None
            and obj.max_length_m < obj.included_length_m
        ):
            raise InvalidInput(
                fields={
                    "max_length_m": [
                        str(_("The maximum length cannot be shorter than the included length."))
                    ]
                }
            )
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise InvalidInput(
                fields={"code": [str(_("Another package already has this code."))]}
            ) from None
        audit_record(
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=obj,
            actor=actor,
            changes=changes_between(before, _snapshot(obj, PACKAGE_FIELDS)),
        )
    if package is not None:
        package.refresh_from_db()
        return package
    return obj


@dataclass(frozen=True)
class PriceInput:
    package_id: int
    base_price: Decimal | str
    extra_unit_price: Decimal | str


def _clean_prices(prices: list[PriceInput], errors: dict) -> dict[int, tuple[Decimal, Decimal]]:
    out = {}
    packages = {p.pk: p for p in Package.objects.filter(active=True)}
    for p in prices:
        base = parse_decimal(p.base_price, field=f"base_{p.package_id}", errors=errors, places=2)
        extra = parse_decimal(
            p.extra_unit_price, field=f"extra_{p.package_id}", errors=errors, places=2
        )
        if base is not None and extra is not None:
            out[p.package_id] = (base, extra)
    missing = [pk for pk in packages if pk not in out and f"base_{pk}" not in errors]
    for pk in missing:
        errors.setdefault(f"base_{pk}", []).append(
            str(_("Every package on offer needs a price in the list."))
        )
    unknown = [pk for pk in out if pk not in packages]
    if unknown:
        errors.setdefault("__all__", []).append(str(_("A package in the list is not on offer.")))
    return out


def _check_date(effective_from: date | None, errors: dict, *, allow_past: bool) -> None:
    if effective_from is None:
        errors.setdefault("effective_from", []).append(str(_("Give the date it takes effect.")))
    elif not allow_past and effective_from < timezone.localdate():
        errors.setdefault("effective_from", []).append(
            str(
                _(
                    "Prices cannot take effect in the past: quotes already issued keep their "
                    "prices. Choose today or a later date."
                )
            )
        )


def price_list_create(
    *,
    actor,
    name: str,
    effective_from: date,
    prices: list[PriceInput],
    document: str = "",
    note: str = "",
    allow_past: bool = False,
) -> PriceList:
    """A new price list from a date (a price cut, a rise). ``allow_past`` only for importing
    historical lists (the demo seed); the UI never passes it."""
    require(actor, Cap.PRICING_MANAGE)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [str(_("Give the price list a name."))]
    _check_date(effective_from, errors, allow_past=allow_past)
    clean = _clean_prices(prices, errors)
    if effective_from and PriceList.objects.filter(effective_from=effective_from).exists():
        errors.setdefault("effective_from", []).append(
            str(_("Another price list already takes effect on this date."))
        )
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                pl = PriceList.objects.create(
                    name=name[:100],
                    effective_from=effective_from,
                    document=document.strip()[:200],
                    note=note,
                    created_by=actor,
                )
        except IntegrityError:
            raise Conflict(_("Another price list already takes effect on this date.")) from None
        PackagePrice.objects.bulk_create(
            PackagePrice(price_list=pl, package_id=pk, base_price=b, extra_unit_price=e)
            for pk, (b, e) in clean.items()
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=pl,
            actor=actor,
            changes={
                "effective_from": [None, effective_from],
                "prices": [None, {str(pk): [str(b), str(e)] for pk, (b, e) in clean.items()}],
            },
        )
    return pl


def price_list_update(
    *,
    actor,
    price_list: PriceList,
    name: str,
    effective_from: date,
    prices: list[PriceInput],
    document: str = "",
    note: str = "",
) -> PriceList:
    """Correct a list that has not taken effect yet; a list in force is never rewritten."""
    require(actor, Cap.PRICING_MANAGE)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [str(_("Give the price list a name."))]
    _check_date(effective_from, errors, allow_past=False)
    clean = _clean_prices(prices, errors)
    if (
        effective_from
        and PriceList.objects.filter(effective_from=effective_from)
        .exclude(pk=price_list.pk)
        .exists()
    ):
        errors.setdefault("effective_from", []).append(
            str(_("Another price list already takes effect on this date."))
        )
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        pl = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if not pl.is_future:
            raise IllegalTransition(
                _("This price list is in force: publish a new list from a later date instead.")
            )
        old = {
            str(p.package_id): [str(p.base_price), str(p.extra_unit_price)] for p in pl.prices.all()
        }
        before = {"name": pl.name, "effective_from": pl.effective_from, "prices": old}
        pl.name, pl.effective_from, pl.document, pl.note = (
            name[:100],
            effective_from,
            document.strip()[:200],
            note,
        )
        pl.save()
        pl.prices.all().delete()
        PackagePrice.objects.bulk_create(
            PackagePrice(price_list=pl, package_id=pk, base_price=b, extra_unit_price=e)
            for pk, (b, e) in clean.items()
        )
        after = {
            "name": pl.name,
            "effective_from": pl.effective_from,
            "prices": {str(pk): [str(b), str(e)] for pk, (b, e) in clean.items()},
        }
        audit_record(
            action=AuditAction.UPDATE, obj=pl, actor=actor, changes=changes_between(before, after)
        )
    price_list.refresh_from_db()
    return price_list


def price_list_delete(*, actor, price_list: PriceList) -> None:
    """Withdraw a list before it takes effect."""
    require(actor, Cap.PRICING_MANAGE)
    with transaction.atomic():
        pl = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if not pl.is_future:
            raise IllegalTransition(_("A price list in force or past cannot be withdrawn."))
        audit_record(
            action=AuditAction.DELETE,
            obj=pl,
            actor=actor,
            changes={"effective_from": [pl.effective_from, None]},
        )
        pl.delete()


POLICY_FIELDS = (
    "effective_from",
    "approval_threshold",
    "approval_document",
    "payment_days",
    "gas_source_cost_per_m",
    "note",
)


def policy_save(
    *, actor, policy: Policy | None = None, allow_past: bool = False, **fields
) -> Policy:
    """A policy from a date (threshold of 零审批 and its document, payment term, gas-source
    cost). Like prices, a policy in force is not rewritten: a change is a new dated row."""
    require(actor, Cap.PRICING_MANAGE)
    errors: dict = {}
    _check_date(fields.get("effective_from"), errors, allow_past=allow_past)
    if not (fields.get("approval_document") or "").strip():
        errors["approval_document"] = [str(_("Cite the document that sets the threshold."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if policy is None:
            obj, before = Policy(created_by=actor), None
        else:
            obj = Policy.objects.select_for_update().get(pk=policy.pk)
            if obj.effective_from <= timezone.localdate():
                raise IllegalTransition(
                    _("This policy is in force: add a new one from a later date instead.")
                )
            before = _snapshot(obj, POLICY_FIELDS)
        for k, v in fields.items():
            if k not in POLICY_FIELDS:
                raise TypeError(k)
            setattr(obj, k, v)
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise InvalidInput(
                fields={
                    "effective_from": [str(_("Another policy already takes effect on this date."))]
                }
            ) from None
        audit_record(
            action=AuditAction.CONFIG if before is not None else AuditAction.CREATE,
            obj=obj,
            actor=actor,
            changes=changes_between(before, _snapshot(obj, POLICY_FIELDS)),
        )
    return obj


def price_in_force(package: Package, on: date) -> PackagePrice | None:
    """The package's price in the latest list that took effect on or before ``on``."""
    return (
        PackagePrice.objects.filter(package=package, price_list__effective_from__lte=on)
        .select_related("price_list")
        .order_by("-price_list__effective_from")
        .first()
    )


def prices_in_force(on: date) -> dict[int, PackagePrice]:
    """Every package's price in force on ``on`` (two queries whatever the number of lists)."""
    out: dict[int, PackagePrice] = {}
    rows = (
        PackagePrice.objects.filter(price_list__effective_from__lte=on)
        .select_related("price_list")
        .order_by("package_id", "-price_list__effective_from")
    )
    for row in rows:
        out.setdefault(row.package_id, row)
    return out


def policy_in_force(on: date | None = None) -> Policy:
    """The policy in force on ``on``; the built-in defaults (300,000 yuan, 武城管办〔2019〕15号,
    30 days) when marketing has recorded none."""
    on = on or timezone.localdate()
    found = Policy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return found or Policy(effective_from=on)
