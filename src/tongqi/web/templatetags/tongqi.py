"""Template helpers used across apps: sortable headers, status tags, money, masking, paging."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode

from tongqi.core.masking import mask_id_number, mask_mobile

register = template.Library()

TAG_COLOURS = {"blue", "green", "amber", "red", "grey"}


@register.simple_tag(takes_context=True)
def qs_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (None/'' removes one)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str, current=None) -> str:
    """A sortable column header: ``{% sort_th "created" _("Submitted") sort %}``."""
    is_current = current is not None and current.key == key
    desc = bool(is_current and not current.descending)
    target = ("-" if desc else "") + key
    params = context["request"].GET.copy()
    params["sort"] = target
    params.pop("page", None)
    href = "?" + urlencode(sorted(params.lists()), doseq=True)
    if is_current:
        aria = "descending" if current.descending else "ascending"
        arrow = "↓" if current.descending else "↑"
        return format_html('<a href="{}" aria-sort="{}">{} {}</a>', href, aria, label, arrow)
    return format_html('<a href="{}">{}</a>', href, label)


@register.simple_tag
def tag(label, colour: str = "grey", icon: bool = True) -> str:
    colour = colour if colour in TAG_COLOURS else "grey"
    extra = "" if icon else " no-icon"
    return format_html('<span class="tag tag-{}{}">{}</span>', colour, extra, label)


@register.filter
def yuan(value) -> str:
    """``¥1,234.00`` (Decimal; never floats)."""
    if value in (None, ""):
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if d < 0 else ""
    return f"{sign}¥{abs(d):,.2f}"


@register.filter
def mask_phone(value) -> str:
    return mask_mobile(value)


@register.filter
def mask_id(value) -> str:
    return mask_id_number(value)


@register.filter
def percent_class(value) -> str:
    """A CSS width class p0..p100 (steps of 5) for progress bars (CSP forbids inline styles)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "p0"
    v = max(0.0, min(100.0, v))
    return f"p{int(round(v / 5.0) * 5)}"
