"""Tests of the pure calendar and clock core: shared strategies and naive reference models.

The reference models walk day by day on purpose: slow and obviously right, they are what the
O(1) calendar and the ledger arithmetic must agree with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from tongqi.core.clock import ALL_REASONS, PAUSE, RESUME, START, STOP, ClockEvent
from tongqi.core.cn_calendar import china_calendar, china_day_data
from tongqi.core.workdays import SHANGHAI, WorkCalendar, accrual_origin

CAL: WorkCalendar = china_calendar()
DAYS_OFF, MAKEUP, CONFIRMED = china_day_data()
ONE_DAY = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)
REASONS = sorted(ALL_REASONS)


def at(d: date, seconds: int = 0) -> datetime:
    """``seconds`` after 00:00 of ``d`` in Asia/Shanghai."""
    return datetime.combine(d, time(), SHANGHAI) + timedelta(seconds=seconds)


def floor_second(t: datetime) -> datetime:
    """The instant in Asia/Shanghai with its sub-second part dropped."""
    return t.astimezone(SHANGHAI).replace(microsecond=0)


def ref_is_workday(d: date) -> bool:
    """Straight from the package's sets: make-up days work, else Mon–Fri that are not holidays."""
    return d in MAKEUP or (d.weekday() < 5 and d not in DAYS_OFF)


def naive_working_seconds(
    t0: datetime, t1: datetime, is_workday: Callable[[date], bool] = ref_is_workday
) -> int:
    """Working seconds in [t0, t1) by walking the days (t0 <= t1)."""
    a, b = floor_second(t0), floor_second(t1)
    total = 0
    d = a.date()
    while d <= b.date():
        if is_workday(d):
            lo, hi = max(a, at(d)), min(b, at(d + ONE_DAY))
            if hi > lo:
                total += (hi - lo) // ONE_SECOND
        d += ONE_DAY
    return total


def naive_nth_workday_after(d: date, n: int, is_workday=ref_is_workday) -> date:
    """The n-th working day after ``d`` by walking the days."""
    while n:
        d += ONE_DAY
        n -= is_workday(d)
    return d


def running_intervals(
    events: Sequence[ClockEvent], stopping: frozenset[str], *, stop_closes: bool = True
) -> list[tuple[datetime, datetime | None]]:
    """The intervals during which the clock runs (the last may be open: None)."""
    origin = accrual_origin(events[0].at)
    out: list[tuple[datetime, datetime | None]] = []
    cur: datetime | None = origin
    for e in events[1:]:
        if e.kind == PAUSE and e.reason in stopping and cur is not None:
            out.append((cur, e.at))
            cur = None
        elif e.kind == RESUME and cur is None:
            cur = max(e.at, origin)
        elif e.kind == STOP:
            if cur is not None and stop_closes:
                out.append((cur, e.at))
                cur = None
            break
    if cur is not None:
        out.append((cur, None))
    return out


def ref_accrued(intervals, t: datetime, is_workday=ref_is_workday) -> int:
    """Working seconds accrued by instant ``t`` over the running intervals."""
    total = 0
    for a, b in intervals:
        end = t if b is None else min(b, t)
        if end > a:
            total += naive_working_seconds(a, end, is_workday)
    return total


# --- strategies -------------------------------------------------------------------------------

dates_2005_2026 = st.dates(date(2005, 1, 1), date(2026, 12, 31))


@st.composite
def instants(draw, dates=dates_2005_2026, utc: bool = True) -> datetime:
    """An aware instant; sometimes with microseconds, sometimes expressed in UTC."""
    t = at(draw(dates), draw(st.integers(0, 86_399)))
    if draw(st.integers(0, 4)) == 0:
        t = t.replace(microsecond=draw(st.integers(1, 999_999)))
    if utc and draw(st.booleans()):
        t = t.astimezone(UTC)
    return t


gaps = st.one_of(
    st.just(0), st.integers(1, 3_600), st.integers(3_600, 3 * 86_400), st.integers(0, 25 * 86_400)
)


@st.composite
def ledgers(draw, stop: bool | None = None) -> list[ClockEvent]:
    """A valid ledger: a start, alternating pauses and resumes at random gaps, maybe a stop."""
    t = draw(instants())
    events = [ClockEvent(START, t)]
    paused = False
    for _ in range(draw(st.integers(0, 6))):
        t = t + timedelta(seconds=draw(gaps))
        if paused:
            events.append(ClockEvent(RESUME, t))
        else:
            events.append(ClockEvent(PAUSE, t, draw(st.sampled_from(REASONS))))
        paused = not paused
    if stop if stop is not None else draw(st.booleans()):
        events.append(ClockEvent(STOP, t + timedelta(seconds=draw(gaps))))
    return events


stopping_sets = st.one_of(st.just(ALL_REASONS), st.frozensets(st.sampled_from(REASONS)))
