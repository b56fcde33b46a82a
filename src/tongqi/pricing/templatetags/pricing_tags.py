"""Template helpers of the pricing pages: status colours, 零审批 wording, 人民币大写."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from tongqi.applications.choices import STATUS_COLOUR
from tongqi.core.money import upper_case_rmb

from .. import calc
from ..choices import QUOTE_STATUS_COLOUR, RECEIVABLE_STATUS_COLOUR

register = template.Library()

NEEDS = {
    calc.REGISTRATION: _("Construction-quality supervision registration"),
    calc.PERMIT: _("Construction permit"),
}
PARTS = {
    "customer_works": _("Customer works (inside the red line)"),
    "gas_source_works": _("Gas-source works (outside the red line)"),
}


@register.filter
def app_colour(status: str) -> str:
    return STATUS_COLOUR.get(status, "grey")


@register.filter
def quote_colour(status: str) -> str:
    return QUOTE_STATUS_COLOUR.get(status, "grey")


@register.filter
def receivable_colour(status: str) -> str:
    return RECEIVABLE_STATUS_COLOUR.get(status, "grey")


@register.filter
def need_label(code: str) -> str:
    return str(NEEDS.get(code, code))


@register.filter
def part_label(code: str) -> str:
    return str(PARTS.get(code, code))


@register.filter
def rmb_upper(value) -> str:
    if value in (None, ""):
        return ""
    return upper_case_rmb(value)


@register.filter
def qty(value) -> str:
    """1.000 → 1, 12.50 → 12.5 (quantities and lengths)."""
    if value in (None, ""):
        return ""
    from decimal import Decimal

    return format(Decimal(str(value)).normalize(), "f")
