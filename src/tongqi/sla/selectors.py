"""Reads for the calendar page, the administrators' alert and the clock ledger."""

from __future__ import annotations

import calendar as pycal
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from .calendar import current_calendar
from .models import CalendarOverride, Clock, ClockEvent, ConfirmedYear


@dataclass(frozen=True)
class DayCell:
    day: date
    workday: bool
    kind: str  # workday, weekend, holiday, makeup, override_work, override_off
    note: str = ""


def year_at_a_glance(year: int) -> list[tuple[int, list[list[DayCell | None]]]]:
    """Twelve months as week rows (Monday first) of day cells; None pads the weeks."""
    cal = current_calendar()
    overrides = {o.date: o for o in CalendarOverride.objects.filter(date__year=year)}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for d in week:
                if d.month != month:
                    row.append(None)
                    continue
                work = cal.is_workday(d)
                weekend = d.weekday() >= 5
                if d in overrides:
                    kind = "override_work" if work else "override_off"
                elif work and weekend:
                    kind = "makeup"
                elif not work and not weekend:
                    kind = "holiday"
                else:
                    kind = "weekend" if weekend else "workday"
                o = overrides.get(d)
                row.append(DayCell(d, work, kind, o.note if o else ""))
            weeks.append(row)
        months.append((date(year, month, 1), weeks))
    return months


def provisional_years(around: date | None = None) -> list[int]:
    """Unconfirmed years that matter now: this year and next, once the notice season starts."""
    today = around or timezone.localdate()
    cal = current_calendar()
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [y for y in years if cal.is_provisional(date(y, 1, 1))]


def last_event_at(clock_id: int | None) -> datetime | None:
    """When the clock's latest ledger event happened (None for no clock or an empty ledger)."""
    if clock_id is None:
        return None
    return (
        ClockEvent.objects.filter(clock_id=clock_id)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )


def provisional_open_clocks() -> int:
    return Clock.objects.filter(is_open=True, provisional=True).count()


def confirmed_years():
    return ConfirmedYear.objects.select_related("confirmed_by").order_by("-year")
