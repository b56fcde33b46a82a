"""The arithmetic of packages and quotes, pure (no database, no Django), so it can be tested
exhaustively: the extra units N, whether a package fits a site, the lines and totals of a quote,
and the 零审批 assessment. Money goes through :mod:`tongqi.core.money` (ROUND_HALF_UP, 0.01).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from tongqi.core.money import line_total, sum_yuan, yuan

ZERO = Decimal("0")


@dataclass(frozen=True)
class PackageSpec:
    """What decides whether a package fits and how many extra units it needs."""

    code: str
    max_load: Decimal  # m³/h: the meter's maximum flow (G4 → 6, G6 → 10, G10 → 16, G16 → 25)
    included_length_m: Decimal
    extra_unit_m: Decimal = Decimal("1")
    max_length_m: Decimal | None = None  # total in-red-line pipe; None = no limit
    usage_types: tuple[str, ...] = ()  # empty = every usage type


def extra_units(length_m: Decimal, included_m: Decimal, unit_m: Decimal) -> int:
    """N: the pipe beyond the included length, in units of ``unit_m``; a started unit counts.

    17.3 m with 15 m included and 1 m units → 3; exactly 15 m → 0; less → 0.
    """
    if unit_m <= 0:
        raise ValueError("the extra unit must be a positive length")
    excess = Decimal(length_m) - Decimal(included_m)
    if excess <= 0:
        return 0
    return int((excess / Decimal(unit_m)).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Misfit:
    """Why a package does not fit: ``code`` plus the figures for the message."""

    code: str  # "load" | "usage" | "length"
    limit: str = ""
    actual: str = ""


def misfits(
    spec: PackageSpec, *, peak_load: Decimal, usage_type: str, length_m: Decimal
) -> list[Misfit]:
    """Every applicability rule the site breaks (empty: the package applies)."""
    out = []
    if Decimal(peak_load) > spec.max_load:
        out.append(Misfit("load", _fmt(spec.max_load), _fmt(peak_load)))
    if spec.usage_types and usage_type not in spec.usage_types:
        out.append(Misfit("usage", ",".join(spec.usage_types), usage_type))
    if spec.max_length_m is not None and Decimal(length_m) > spec.max_length_m:
        out.append(Misfit("length", _fmt(spec.max_length_m), _fmt(length_m)))
    return out


def _fmt(d: Decimal) -> str:
    """6.000 → "6", 12.50 → "12.5" (figures in messages)."""
    return format(Decimal(d).normalize(), "f")


@dataclass(frozen=True)
class Line:
    """One line of a quote. Gas-source lines cost the customer nothing (零费用): their
    ``unit_price`` is always 0 and the utility's own cost is kept in ``unit_cost``."""

    section: str  # "customer" | "gas_source"
    kind: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal = ZERO
    unit_cost: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        """What the customer pays for this line."""
        if self.section == "gas_source":
            return yuan(0)
        return line_total(self.unit_price, self.quantity)

    @property
    def cost(self) -> Decimal:
        """The utility's own investment (gas-source lines only)."""
        if self.section != "gas_source":
            return yuan(0)
        return line_total(self.unit_cost, self.quantity)


@dataclass(frozen=True)
class Totals:
    customer_total: Decimal  # in-red-line works the customer pays
    utility_investment: Decimal  # out-of-red-line works the utility pays (internal reports)
    gas_source_customer: Decimal  # always 0.00: shown on the quote as 零费用


def totals(lines: Iterable[Line]) -> Totals:
    lines = list(lines)
    return Totals(
        customer_total=sum_yuan(line.amount for line in lines),
        utility_investment=sum_yuan(line.cost for line in lines),
        gas_source_customer=sum_yuan(line.amount for line in lines if line.section == "gas_source"),
    )


# --- 零审批 ------------------------------------------------------------------------------------

REGISTRATION = "quality_supervision_registration"  # 燃气工程质量监督登记
PERMIT = "construction_permit"  # 燃气工程施工许可


@dataclass(frozen=True)
class ApprovalPart:
    part: str  # "customer_works" | "gas_source_works"
    amount: Decimal
    exempt: bool
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approval:
    """武城管办〔2019〕15号: works of at most the threshold (300,000 RMB) need neither the
    construction-quality supervision registration nor the construction permit."""

    threshold: Decimal
    parts: tuple[ApprovalPart, ...] = field(default_factory=tuple)

    @property
    def exempt(self) -> bool:
        return all(p.exempt for p in self.parts)

    @property
    def needs(self) -> list[dict]:
        return [
            {"part": p.part, "amount": str(p.amount), "needs": list(p.needs)}
            for p in self.parts
            if not p.exempt
        ]


def assess_approval(
    *, customer_works: Decimal, gas_source_works: Decimal, threshold: Decimal
) -> Approval:
    """Each part is judged on its own against the threshold; exactly the threshold is exempt
    ("不超过30万元"), one fen more is not."""
    threshold = yuan(threshold)
    parts = []
    for name, amount in (
        ("customer_works", yuan(customer_works)),
        ("gas_source_works", yuan(gas_source_works)),
    ):
        exempt = amount <= threshold
        parts.append(ApprovalPart(name, amount, exempt, () if exempt else (REGISTRATION, PERMIT)))
    return Approval(threshold=threshold, parts=tuple(parts))


def cheapest(
    candidates: Sequence[tuple[str, Decimal]],
) -> str | None:
    """The code of the cheapest (code, total) candidate; ties go to the first listed."""
    best = None
    for code, total in candidates:
        if best is None or total < best[1]:
            best = (code, total)
    return best[0] if best else None
