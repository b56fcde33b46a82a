"""Service windows (示范窗口创建): windows and halls, weighted criteria, periodic evaluations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongqi.accounts.models import OrgUnit
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record

from ..choices import PeriodKind, WindowKind
from ..models import ServiceWindow, WindowCriterion, WindowEvaluation, WindowScore
from .common import add_error, clean_text, raise_if, require
from .errors import Conflict

TOTAL_WEIGHT = 100
PERIOD_RE = {
    PeriodKind.MONTH: re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$"),
    PeriodKind.QUARTER: re.compile(r"^(20\d\d)-Q([1-4])$"),
}
CENT = Decimal("0.01")


def window_save(
    *,
    actor,
    window: ServiceWindow | None = None,
    name: str,
    kind: str,
    org_unit: OrgUnit | None,
    address: str = "",
    phone: str = "",
    demonstration: bool = False,
    active: bool = True,
) -> ServiceWindow:
    """Create or change a window / hall of an org unit."""
    require(actor, Cap.SERVICE_MANAGE)
    errors: dict[str, list[str]] = {}
    name = clean_text(errors, "name", name, required=True, max_length=100)
    address = clean_text(errors, "address", address, required=False, max_length=300)
    phone = clean_text(errors, "phone", phone, required=False, max_length=32)
    if kind not in WindowKind.values:
        add_error(errors, "kind", _("Choose the kind."))
    if org_unit is None:
        add_error(errors, "org_unit", _("Choose the unit."))
    elif not can_see_unit(actor, org_unit.pk):
        add_error(errors, "org_unit", _("Choose a unit you are responsible for."))
    if org_unit is not None and name:
        clash = ServiceWindow.objects.filter(org_unit=org_unit, name=name)
        if window is not None:
            clash = clash.exclude(pk=window.pk)
        if clash.exists():
            add_error(errors, "name", _("This unit already has a window of this name."))
    raise_if(errors)
    with transaction.atomic():
        obj = window or ServiceWindow()
        before = {
            f: getattr(obj, f) for f in ("name", "kind", "org_unit_id", "demonstration", "active")
        }
        obj.name, obj.kind, obj.org_unit = name, kind, org_unit
        obj.address, obj.phone, obj.demonstration, obj.active = (
            address,
            phone,
            demonstration,
            active,
        )
        obj.save()
        after = {f: getattr(obj, f) for f in before}
        audit_record(
            action=AuditAction.UPDATE if window else AuditAction.CREATE,
            obj=obj,
            actor=actor,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return obj


@dataclass
class CriterionInput:
    id: int | None
    name: str
    description: str
    weight: int
    order: int
    active: bool = True


def criteria_save(*, actor, rows: Sequence[CriterionInput]) -> list[WindowCriterion]:
    """Replace the criteria table; the weights of the criteria in use must sum to 100."""
    require(actor, Cap.SERVICE_MANAGE)
    errors: dict[str, list[str]] = {}
    seen = set()
    total = 0
    for i, row in enumerate(rows):
        name = (row.name or "").strip()
        if not name:
            add_error(errors, f"rows.{i}.name", _("Name the criterion."))
        elif name in seen:
            add_error(errors, f"rows.{i}.name", _("Two criteria have the same name."))
        seen.add(name)
        if not 1 <= int(row.weight or 0) <= 100:
            add_error(errors, f"rows.{i}.weight", _("A weight is a whole number from 1 to 100."))
        if row.active:
            total += int(row.weight or 0)
    if total != TOTAL_WEIGHT:
        add_error(
            errors,
            "weights",
            _(
                "The weights of the criteria in use add up to {total}; they must add up to 100."
            ).format(total=total),
        )
    raise_if(errors)
    saved = []
    with transaction.atomic():
        existing = {c.pk: c for c in WindowCriterion.objects.select_for_update()}
        for row in rows:
            obj = existing.get(row.id) if row.id else None
            obj = obj or WindowCriterion()
            obj.name, obj.description = row.name.strip(), (row.description or "").strip()[:300]
            obj.weight, obj.order, obj.active = int(row.weight), int(row.order), bool(row.active)
            obj.save()
            saved.append(obj)
        audit_record(
            action=AuditAction.CONFIG,
            object_type="service.windowcriterion",
            object_repr="window criteria",
            actor=actor,
            changes={"criteria": [None, [(c.name, c.weight, c.active) for c in saved]]},
        )
    return saved


def period_kind_of(period: str) -> str | None:
    for kind, rx in PERIOD_RE.items():
        if rx.match(period or ""):
            return kind
    return None


def weighted_total(scores: Mapping[int, Decimal], weights: Mapping[int, int]) -> Decimal:
    """Σ score × weight / 100, to 2 decimals, half up."""
    total = sum((scores[k] * weights[k] for k in weights), Decimal("0")) / TOTAL_WEIGHT
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def evaluation_save(
    *,
    actor,
    window: ServiceWindow,
    period: str,
    scores: Mapping[int, object],
    note: str = "",
) -> WindowEvaluation:
    """Score a window on every criterion in use for a month or quarter (re-scoring replaces)."""
    require(actor, Cap.SERVICE_MANAGE, unit_id=window.org_unit_id, check_unit=True)
    errors: dict[str, list[str]] = {}
    period = (period or "").strip().upper()
    kind = period_kind_of(period)
    if kind is None:
        add_error(
            errors, "period", _("Give the period as 2026-11 (a month) or 2026-Q4 (a quarter).")
        )
    note = clean_text(errors, "note", note, required=False, max_length=2000)
    criteria = list(WindowCriterion.objects.filter(active=True))
    if sum(c.weight for c in criteria) != TOTAL_WEIGHT:
        add_error(errors, "period", _("The criteria's weights must add up to 100 before scoring."))
    clean: dict[int, Decimal] = {}
    for c in criteria:
        raw = scores.get(c.pk)
        try:
            value = Decimal(str(raw)).quantize(CENT, rounding=ROUND_HALF_UP)
        except (InvalidOperation, TypeError, ValueError):
            value = None
        if value is None or not value.is_finite() or not Decimal("0") <= value <= Decimal("100"):
            add_error(errors, f"score_{c.pk}", _("Give a score from 0 to 100."))
            continue
        clean[c.pk] = value
    raise_if(errors)
    weights = {c.pk: c.weight for c in criteria}
    total = weighted_total(clean, weights)
    try:
        return _evaluation_write(actor, window, period, kind, total, note, clean, weights)
    except IntegrityError:  # someone scored the same window and period at the same moment
        raise Conflict() from None


def _evaluation_write(actor, window, period, kind, total, note, clean, weights) -> WindowEvaluation:
    with transaction.atomic():
        ev = (
            WindowEvaluation.objects.select_for_update()
            .filter(window=window, period=period)
            .first()
        )
        before = ev.total if ev else None
        if ev is None:
            ev = WindowEvaluation(window=window, period=period)
        ev.period_kind, ev.total, ev.note, ev.evaluated_by = kind, total, note, actor
        ev.save()
        ev.scores.all().delete()
        WindowScore.objects.bulk_create(
            [
                WindowScore(evaluation=ev, criterion_id=k, weight=weights[k], score=v)
                for k, v in clean.items()
            ]
        )
        audit_record(
            action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
            obj=ev,
            actor=actor,
            changes={
                "total": [before, total],
                "scores": [None, {str(k): v for k, v in clean.items()}],
            },
        )
    return ev
