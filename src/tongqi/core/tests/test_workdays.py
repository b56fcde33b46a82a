"""WorkCalendar: the worked example, properties against day-by-day references, vectorised twins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongqi.core.workdays import (
    SHANGHAI,
    CalendarRangeError,
    NaiveDatetimeError,
    WorkCalendar,
    accrual_origin,
    from_epoch,
    local_date,
    to_epoch,
)

from . import (
    CAL,
    ONE_DAY,
    ONE_SECOND,
    at,
    dates_2005_2026,
    floor_second,
    instants,
    naive_nth_workday_after,
    naive_working_seconds,
    ref_is_workday,
)

T_DAYS = st.integers(1, 40)
LONDON = ZoneInfo("Europe/London")
PLUS_EIGHT = timezone(timedelta(hours=8))


# --- the worked example (SPEC §3) -----------------------------------------------------------------


def test_worked_example_due():
    accepted = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert CAL.due(accepted, 3).isoformat() == "2025-10-12T00:00:00+08:00"


def test_worked_example_pieces():
    accepted = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert CAL.clock_start(accepted) == at(date(2025, 10, 9))
    assert [CAL.nth_workday_after(date(2025, 9, 30), n) for n in (1, 2, 3)] == [
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    ]
    assert CAL.working_seconds(accepted, CAL.due(accepted, 3)) == 3 * 86_400 + 14 * 3_600


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 9, 30), True),  # Tuesday before National Day
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 8), False),  # last day of the 2025 golden week
        (date(2025, 10, 11), True),  # Saturday make-up workday (调休上班)
        (date(2025, 9, 28), True),  # Sunday make-up workday
        (date(2025, 10, 18), False),  # an ordinary Saturday
        (date(2025, 10, 13), True),  # an ordinary Monday
    ],
)
def test_is_workday_known_days(d, expected):
    assert CAL.is_workday(d) is expected


# --- days -----------------------------------------------------------------------------------------


@given(dates_2005_2026, st.integers(0, 400))
def test_workdays_in_matches_day_loop(a, span):
    b = a + timedelta(days=span)
    naive = sum(ref_is_workday(a + timedelta(days=i)) for i in range(span))
    assert CAL.workdays_in(a, b) == naive
    assert CAL.workdays_in(b, a) == -naive


@given(dates_2005_2026, T_DAYS)
def test_nth_workday_after_matches_day_loop(d, n):
    got = CAL.nth_workday_after(d, n)
    assert got == naive_nth_workday_after(d, n)
    assert CAL.is_workday(got)
    assert CAL.workdays_in(d + ONE_DAY, got + ONE_DAY) == n


def test_nth_workday_after_needs_positive_n():
    with pytest.raises(ValueError, match="at least 1"):
        CAL.nth_workday_after(date(2025, 1, 1), 0)


# --- due ------------------------------------------------------------------------------------------


@given(instants(), T_DAYS)
def test_due_strictly_increasing_in_t(accepted, t):
    assert CAL.due(accepted, t) < CAL.due(accepted, t + 1)


@given(instants(), T_DAYS)
def test_working_time_from_clock_start_to_due_is_t_days(accepted, t):
    assert CAL.working_seconds(CAL.clock_start(accepted), CAL.due(accepted, t)) == t * 86_400
    # starting from 00:00 after the acceptance date gives the same: the gap accrues nothing
    assert CAL.working_seconds(accrual_origin(accepted), CAL.due(accepted, t)) == t * 86_400


@given(instants(), T_DAYS)
def test_due_is_2400_of_the_t_th_working_day(accepted, t):
    due = CAL.due(accepted, t)
    last_day = naive_nth_workday_after(local_date(accepted), t)
    assert due == at(last_day + ONE_DAY)
    assert due.tzinfo is SHANGHAI
    assert (due.hour, due.minute, due.second) == (0, 0, 0)


@given(instants(), T_DAYS)
def test_due_ignores_the_time_of_acceptance(accepted, t):
    d = local_date(accepted)
    assert CAL.due(accepted, t) == CAL.due(at(d), t) == CAL.due(at(d, 86_399), t)


@given(instants(), T_DAYS)
def test_due_same_instant_any_timezone(accepted, t):
    assert CAL.due(accepted.astimezone(UTC), t) == CAL.due(accepted.astimezone(SHANGHAI), t)


@given(instants(), st.integers(0, 30 * 86_400), T_DAYS)
def test_any_timezone_gives_the_same_answers(t0, span, t):
    # Shanghai and UTC take fast paths; anything else goes through astimezone
    t1 = t0 + timedelta(seconds=span)
    expected = (CAL.working_seconds(t0, t1), CAL.due(t0, t), CAL.clock_start(t0))
    for tz in (UTC, LONDON, PLUS_EIGHT, SHANGHAI):
        a, b = t0.astimezone(tz), t1.astimezone(tz)
        assert (CAL.working_seconds(a, b), CAL.due(a, t), CAL.clock_start(a)) == expected
        assert CAL.advance(a, span) == CAL.advance(t0, span)


def test_due_needs_positive_days():
    with pytest.raises(ValueError, match="at least 1"):
        CAL.due(at(date(2025, 1, 1)), 0)


# --- instants -------------------------------------------------------------------------------------


@given(instants(), st.integers(0, 60 * 86_400))
def test_working_seconds_matches_day_walk(t0, span):
    t1 = t0 + timedelta(seconds=span)
    assert CAL.working_seconds(t0, t1) == naive_working_seconds(t0, t1)
    assert CAL.working_seconds(t1, t0) == -CAL.working_seconds(t0, t1)


@given(instants(), st.integers(0, 50 * 86_400), st.integers(0, 50 * 86_400))
def test_working_seconds_is_additive(t0, s1, s2):
    t1 = t0 + timedelta(seconds=s1)
    t2 = t1 + timedelta(seconds=s2)
    assert CAL.working_seconds(t0, t1) + CAL.working_seconds(t1, t2) == CAL.working_seconds(t0, t2)


@given(instants(), st.integers(0, 60 * 86_400))
def test_advance_inverts_working_seconds(t0, seconds):
    t1 = CAL.advance(t0, seconds)
    assert CAL.working_seconds(t0, t1) == seconds
    if seconds:  # and it is the first such instant
        assert CAL.working_seconds(t0, t1 - ONE_SECOND) == seconds - 1
        assert t1.microsecond == 0


@given(instants(), st.integers(0, 60 * 86_400))
def test_advance_of_working_seconds_is_earliest(t0, span):
    t1 = t0 + timedelta(seconds=span)
    back = CAL.advance(t0, CAL.working_seconds(t0, t1))
    assert back <= floor_second(t1) or back == t0
    assert CAL.working_seconds(back, t1) == 0


def test_advance_ends_at_2400_not_at_next_workday():
    friday = at(date(2025, 11, 7))
    assert CAL.advance(friday, 86_400) == at(date(2025, 11, 8))  # Saturday 00:00, not Monday
    assert CAL.advance(friday, 86_401) == at(date(2025, 11, 10), 1)  # Monday 00:00:01
    assert CAL.advance(at(date(2025, 11, 8), 3_600), 1) == at(date(2025, 11, 10), 1)


def test_advance_zero_returns_t0_and_rejects_negative():
    t0 = datetime(2025, 11, 8, 12, 0, 0, 5, tzinfo=SHANGHAI)
    assert CAL.advance(t0, 0) == t0
    with pytest.raises(ValueError, match="negative"):
        CAL.advance(t0, -1)


def test_microseconds_are_dropped():
    t0 = datetime(2025, 11, 7, 9, 0, 0, 999_999, tzinfo=SHANGHAI)
    t1 = datetime(2025, 11, 7, 9, 0, 1, 1, tzinfo=SHANGHAI)
    assert CAL.working_seconds(t0, t1) == 1


def test_clock_start_skips_the_acceptance_day_and_non_working_days():
    assert CAL.clock_start(at(date(2025, 11, 7), 1)) == at(date(2025, 11, 10))  # Fri → Mon
    assert CAL.clock_start(at(date(2025, 11, 6), 86_399)) == at(date(2025, 11, 7))  # Thu → Fri
    # 16:30 UTC on Thursday is 00:30 Friday in Shanghai: the acceptance date is Friday
    assert CAL.clock_start(datetime(2025, 11, 6, 16, 30, tzinfo=UTC)) == at(date(2025, 11, 10))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: CAL.due(t, 3),
        lambda t: CAL.clock_start(t),
        lambda t: CAL.working_seconds(t, at(date(2025, 1, 1))),
        lambda t: CAL.advance(t, 10),
        lambda t: to_epoch(t),
        lambda t: local_date(t),
    ],
)
def test_naive_datetimes_are_refused(call):
    naive = datetime(2025, 1, 1, 12, 0, tzinfo=SHANGHAI).replace(tzinfo=None)
    with pytest.raises(NaiveDatetimeError):
        call(naive)


def test_dates_outside_the_table_raise_range_error():
    small = WorkCalendar(date(2025, 1, 1), date(2025, 12, 31), confirmed_years={2025})
    assert issubclass(CalendarRangeError, ValueError)
    with pytest.raises(CalendarRangeError):
        small.is_workday(date(2026, 1, 1))
    with pytest.raises(CalendarRangeError):
        small.is_workday(date(2024, 12, 31))
    with pytest.raises(CalendarRangeError):
        small.due(at(date(2025, 12, 30)), 5)
    with pytest.raises(CalendarRangeError):
        small.working_seconds(at(date(2025, 1, 1)), at(date(2026, 1, 1), 1))
    with pytest.raises(CalendarRangeError):
        small.with_overrides({date(2026, 1, 1): True})
    # 24:00 of the last day is still inside
    assert small.working_seconds(at(date(2025, 12, 31)), at(date(2026, 1, 1))) == 86_400
    with pytest.raises(TypeError):
        small.is_workday(at(date(2025, 5, 5)))


# --- overrides ------------------------------------------------------------------------------------


@given(dates_2005_2026, st.integers(1, 60))
def test_override_flips_exactly_one_day(d, radius):
    flipped = not CAL.is_workday(d)
    new = CAL.with_overrides({d: flipped})
    assert new.is_workday(d) is flipped
    assert CAL.is_workday(d) is not flipped  # the original is untouched
    lo, hi = d - timedelta(days=radius), d + timedelta(days=radius)
    delta = 1 if flipped else -1
    assert new.workdays_in(lo, hi) == CAL.workdays_in(lo, hi) + delta
    assert new.workdays_in(lo, d) == CAL.workdays_in(lo, d)
    assert new.workdays_in(d + ONE_DAY, hi) == CAL.workdays_in(d + ONE_DAY, hi)
    assert new.digest != CAL.digest


def test_overrides_win_over_holidays_and_makeup_days():
    new = CAL.with_overrides({date(2025, 10, 8): True, date(2025, 10, 11): False})
    assert new.is_workday(date(2025, 10, 8))
    assert not new.is_workday(date(2025, 10, 11))
    # Oct 8 now works, Oct 11 no longer: T=3 from Sep 30 ends on Oct 10 → Oct 11 00:00
    assert new.due(datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 3) == at(date(2025, 10, 11))


def test_with_overrides_merges_and_later_wins():
    d = date(2025, 11, 10)  # a Monday
    a = CAL.with_overrides({d: False})
    b = a.with_overrides({d: True, date(2025, 11, 15): True})
    assert not a.is_workday(d)
    assert b.is_workday(d)
    assert b.is_workday(date(2025, 11, 15))
    assert dict(b.overrides) == {d: True, date(2025, 11, 15): True}
    assert CAL.with_overrides({d: True}).digest == CAL.digest  # a no-op override changes nothing


def test_calendar_is_immutable():
    with pytest.raises(AttributeError):
        CAL.first = date(1999, 1, 1)
    with pytest.raises(TypeError):
        CAL.overrides[date(2025, 1, 1)] = True  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        CAL._cum_np[0] = 1


# --- provisional years ----------------------------------------------------------------------------


def test_provisional_years_follow_confirmed_set():
    cal = WorkCalendar(date(2020, 1, 1), date(2030, 12, 31), confirmed_years={2024, 2025})
    assert cal.provisional_years == frozenset(range(2026, 2031))
    assert not cal.is_provisional(date(2023, 6, 1))  # before the data: history, not provisional
    assert not cal.is_provisional(date(2025, 12, 31))
    assert cal.is_provisional(date(2026, 1, 1))
    assert cal.is_provisional(date(2041, 1, 1))
    dec31, jan1 = at(date(2025, 12, 31)), at(date(2026, 1, 1))
    assert not cal.touches_provisional(dec31, jan1)  # [.., 24:00 Dec 31) stays in 2025
    assert cal.touches_provisional(dec31, jan1 + ONE_SECOND)
    assert not cal.touches_provisional(jan1, dec31)
    confirmed = cal.with_overrides({}, confirmed_years={2024, 2025, 2026})
    assert not confirmed.touches_provisional(dec31, jan1 + ONE_SECOND)


def test_no_confirmed_year_means_all_provisional():
    cal = WorkCalendar(date(2025, 1, 1), date(2025, 12, 31))
    assert cal.provisional_years == {2025}


# --- other week shapes ----------------------------------------------------------------------------


def test_six_day_weekmask():
    cal = WorkCalendar(
        date(2025, 1, 1), date(2025, 12, 31), weekmask="1111110", confirmed_years={2025}
    )
    assert cal.is_workday(date(2025, 11, 8))
    assert not cal.is_workday(date(2025, 11, 9))
    assert cal.due(at(date(2025, 11, 7)), 2) == at(date(2025, 11, 11))  # Sat, Mon


# --- vectorised twins -----------------------------------------------------------------------------


@given(st.lists(st.tuples(instants(), T_DAYS), min_size=1, max_size=30))
def test_due_many_matches_due(items):
    accepted = np.array([to_epoch(t) for t, _ in items])
    days = np.array([n for _, n in items])
    got = CAL.due_many(accepted, days)
    assert [from_epoch(x) for x in got] == [CAL.due(t, n) for t, n in items]


@given(st.lists(st.tuples(instants(), st.integers(0, 60 * 86_400)), min_size=1, max_size=30))
def test_working_seconds_and_advance_many_match_scalar(items):
    t0 = np.array([to_epoch(t) for t, _ in items])
    secs = np.array([s for _, s in items])
    t1 = t0 + secs
    spans = [(from_epoch(a), from_epoch(b)) for a, b in zip(t0, t1, strict=True)]
    expected_ws = [CAL.working_seconds(a, b) for a, b in spans]
    assert CAL.working_seconds_many(t0, t1).tolist() == expected_ws
    adv = CAL.advance_many(t0, secs)
    expected_adv = [CAL.advance(a, int(s)) for (a, _), s in zip(spans, secs, strict=True)]
    assert [from_epoch(x) for x in adv] == expected_adv
    assert CAL.touches_provisional_many(t0, t1).tolist() == [
        CAL.touches_provisional(a, b) for a, b in spans
    ]


def test_vectorised_range_errors():
    small = WorkCalendar(date(2025, 1, 1), date(2025, 12, 31), confirmed_years={2025})
    inside = to_epoch(at(date(2025, 6, 2)))
    with pytest.raises(CalendarRangeError):
        small.working_seconds_many(np.array([inside]), np.array([to_epoch(at(date(2026, 1, 2)))]))
    with pytest.raises(CalendarRangeError):
        small.due_many(np.array([to_epoch(at(date(2025, 12, 30)))]), np.array([5]))
    with pytest.raises(CalendarRangeError):
        small.advance_many(np.array([inside]), np.array([400 * 86_400]))
