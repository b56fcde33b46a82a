"""Template helpers of the application pages: status tags, the clock, working days, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongqi.sla.choices import Level

from ..choices import STATUS_COLOUR, Status

register = template.Library()


@register.simple_tag
def status_tag(app) -> str:
    """The stage as a coloured tag with its word (colour is never the only signal)."""
    status = Status(app.status)
    colour = STATUS_COLOUR.get(status, "grey")
    return format_html('<span class="tag tag-{}">{}</span>', colour, status.label)


@register.filter
def workdays(value) -> str:
    """``2.50`` → ``2.5``, ``3.00`` → ``3`` (at most two decimals)."""
    if value in (None, ""):
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def deadline(value) -> str:
    """A deadline at midnight reads as the end of the day before: ``2026-11-27 24:00``."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value)
    if local.hour == 0 and local.minute == 0 and local.second == 0:
        return f"{(local - timedelta(days=1)):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def clock_status(cv) -> tuple[str, str]:
    if cv is None:
        return "", "grey"
    if cv.stopped_at is not None:
        if cv.on_time:
            return _("Finished on time"), "green"
        return _("Finished late"), "red"
    if cv.paused:
        return _("On hold"), "grey"
    return str(Level(cv.level).label) if cv.level in Level.values else "", cv.colour


@register.simple_tag
def clock_tag(cv) -> str:
    label, colour = clock_status(cv)
    if not label:
        return ""
    return format_html('<span class="tag tag-{}">{}</span>', colour, label)


@register.filter
def clock_fill(cv) -> str:
    """The bar's colour class (green by default)."""
    colour = cv.colour if cv is not None else "grey"
    return "" if colour == "green" else f"w-{colour}"


@register.filter
def trim_decimal(value) -> str:
    """``11.800`` → ``11.8``; integers without a decimal point; thousands not grouped."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


CATEGORY_SHORT = {
    "standard_package": gettext_lazy("Standard package"),
    "no_external_works": gettext_lazy("No external works"),
    "with_external_works": gettext_lazy("External works"),
}


@register.filter
def category_short(app) -> str:
    """A short category for narrow table columns (the full label is on the application page)."""
    return str(CATEGORY_SHORT.get(app.category, "—"))


@register.filter
def quantity(value) -> str:
    """``120000.000`` → ``120,000``; decimals kept only when they say something."""
    if value in (None, ""):
        return ""
    d = Decimal(str(value))
    text = f"{d:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
