"""The calendar in force: the built-in mainland-China table plus administrators' overrides and
confirmed years, cached per process and rebuilt when ``CalendarState.version`` moves."""

from __future__ import annotations

import threading
import time

from tongqi.core.cn_calendar import china_calendar
from tongqi.core.workdays import WorkCalendar

from .models import CalendarOverride, CalendarState, ConfirmedYear

_lock = threading.Lock()
_cached: tuple[int, WorkCalendar] | None = None
_checked_at = 0.0
CHECK_EVERY = 2.0  # seconds between version checks; a change reaches every process this fast


def calendar_version() -> int:
    return CalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _build() -> WorkCalendar:
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    base = china_calendar()
    extra_years = set(ConfirmedYear.objects.values_list("year", flat=True))
    return base.with_overrides(overrides, confirmed_years=base.confirmed_years | extra_years)


def current_calendar(*, fresh: bool = False) -> WorkCalendar:
    """The calendar every deadline is computed on, at most ``CHECK_EVERY`` seconds stale."""
    global _cached, _checked_at
    now = time.monotonic()
    if not fresh and _cached is not None and now - _checked_at < CHECK_EVERY:
        return _cached[1]
    version = calendar_version()
    with _lock:
        if fresh or _cached is None or _cached[0] != version:
            _cached = (version, _build())
        _checked_at = now
        return _cached[1]


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
