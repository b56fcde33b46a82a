"""Banners for administrators: a provisional year must be confirmed (SPEC §3)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap

from .selectors import provisional_open_clocks, provisional_years


def alerts_for(user) -> list[tuple[str, str, str]]:
    if not user.can(Cap.CALENDAR_MANAGE):
        return []
    years = provisional_years()
    clocks = provisional_open_clocks()
    if not years and not clocks:
        return []
    text = _(
        "The official holiday schedule of {years} is not confirmed: {n} open deadlines are "
        "provisional. Enter the State Council notice and confirm the year."
    ).format(years="、".join(str(y) for y in years) or _("a coming year"), n=clocks)
    return [("warning", text, reverse("sla:calendar"))]
