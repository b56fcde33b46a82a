"""``{% drill base month=… flag=… %}``: the link from a figure to the applications behind it."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def drill(base: dict, dim: str = "", key="", **kwargs) -> str:
    """``{% drill base "grid" grid_id flag="overdue" %}``: a dimension value and a condition on
    top of the dashboard's filters. Months are given as dates."""
    extra = dict(kwargs)
    if dim:
        extra[dim] = key.strftime("%Y-%m") if hasattr(key, "strftime") else key
    params = {k: v for k, v in {**base, **extra}.items() if v not in (None, "")}
    return reverse("reports:applications") + ("?" + urlencode(sorted(params.items())))


@register.filter
def pct(value) -> str:
    """``87.5%``; ``—`` when there is nothing to divide by."""
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def days(seconds) -> str:
    return f"{(seconds or 0) / 86400:.2f}"
