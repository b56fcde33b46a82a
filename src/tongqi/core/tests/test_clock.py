"""The SLA clock: ledger validation, evaluate against a day-walking reference, bulk twins."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tongqi.core.clock import (
    ADMIN_APPROVAL,
    ALL_REASONS,
    ALREADY_PAUSED,
    ALREADY_STARTED,
    ALREADY_STOPPED,
    CUSTOMER_DOCUMENTS,
    CUSTOMER_WORKS,
    LEVEL_NONE,
    LEVEL_OVERDUE,
    LEVEL_WARN50,
    LEVEL_WARN80,
    LEVELS,
    MESSAGES,
    NAIVE_DATETIME,
    NO_DEADLINE,
    NOT_PAUSED,
    NOT_STARTED,
    OUT_OF_ORDER,
    PAUSE,
    RESUME,
    START,
    STOP,
    UNKNOWN_KIND,
    UNKNOWN_REASON,
    ClockEvent,
    LedgerError,
    PauseRecord,
    append,
    checkpoint,
    evaluate,
    evaluate_many,
    validate_ledger,
)
from tongqi.core.workdays import SHANGHAI, NaiveDatetimeError, local_date, to_epoch

from . import (
    CAL,
    ONE_DAY,
    ONE_SECOND,
    REASONS,
    at,
    gaps,
    instants,
    ledgers,
    naive_nth_workday_after,
    ref_accrued,
    running_intervals,
    stopping_sets,
)

ACCEPTED = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the worked example
T_DAYS = st.integers(1, 40)


def start(t: datetime = ACCEPTED) -> ClockEvent:
    return ClockEvent(START, t)


def pause(t: datetime, reason: str = CUSTOMER_DOCUMENTS) -> ClockEvent:
    return ClockEvent(PAUSE, t, reason)


def resume(t: datetime) -> ClockEvent:
    return ClockEvent(RESUME, t)


def stop(t: datetime) -> ClockEvent:
    return ClockEvent(STOP, t)


# --- the worked example ---------------------------------------------------------------------------


def test_worked_example_through_evaluate():
    # given the example's acceptance, T = 3, looked at on Friday Oct 10 at noon
    now = datetime(2025, 10, 10, 12, 0, tzinfo=SHANGHAI)
    # when
    state = evaluate([start()], CAL, 3, now)
    # then: Oct 9 whole + half of Oct 10; the deadline is the end of Saturday Oct 11
    assert state.deadline is not None
    assert state.deadline.isoformat() == "2025-10-12T00:00:00+08:00"
    assert state.clock_start == at(date(2025, 10, 9))
    assert state.accrued_seconds == 129_600
    assert state.elapsed_days == Decimal("1.50")
    assert state.remaining_seconds == 129_600
    assert state.level == LEVEL_WARN50
    assert state.percent == 50.0
    assert state.running
    assert not state.paused
    assert not state.provisional
    assert state.on_time is None
    assert state.stopped_at is None


def test_nothing_accrues_on_the_acceptance_day_or_the_holidays():
    state = evaluate([start()], CAL, 3, datetime(2025, 10, 8, 23, 59, tzinfo=SHANGHAI))
    assert state.accrued_seconds == 0
    assert state.level == LEVEL_NONE
    assert state.deadline == at(date(2025, 10, 12))


# --- ledger validation ----------------------------------------------------------------------------

T0 = ACCEPTED
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
NAIVE = T1.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("events", "code", "index"),
    [
        ([pause(T1)], NOT_STARTED, 0),
        ([resume(T1)], NOT_STARTED, 0),
        ([stop(T1)], NOT_STARTED, 0),
        ([start(), start(T1)], ALREADY_STARTED, 1),
        ([start(), pause(T1), pause(T2)], ALREADY_PAUSED, 2),
        ([start(), pause(T1, ADMIN_APPROVAL), pause(T2, ADMIN_APPROVAL)], ALREADY_PAUSED, 2),
        ([start(), resume(T1)], NOT_PAUSED, 1),
        ([start(), pause(T1), resume(T1), resume(T2)], NOT_PAUSED, 3),
        ([start(), stop(T1), pause(T2)], ALREADY_STOPPED, 2),
        ([start(), stop(T1), stop(T2)], ALREADY_STOPPED, 2),
        ([start(), pause(T1), stop(T1), resume(T2)], ALREADY_STOPPED, 3),
        ([start(T1), pause(T0)], OUT_OF_ORDER, 1),
        ([start(), pause(T2), resume(T1)], OUT_OF_ORDER, 2),
        ([ClockEvent(START, NAIVE)], NAIVE_DATETIME, 0),
        ([start(), ClockEvent(PAUSE, NAIVE, CUSTOMER_WORKS)], NAIVE_DATETIME, 1),
        ([start(), ClockEvent("restart", T1)], UNKNOWN_KIND, 1),
        ([start(), pause(T1, "weather")], UNKNOWN_REASON, 1),
        ([start(), ClockEvent(PAUSE, T1)], UNKNOWN_REASON, 1),
    ],
)
def test_ledger_refuses(events, code, index):
    with pytest.raises(LedgerError) as err:
        validate_ledger(events)
    assert err.value.code == code
    assert str(err.value) == MESSAGES[code]
    assert err.value.index == index
    assert err.value.event == events[index]
    # append refuses the same event on the valid prefix, and evaluate refuses the ledger
    with pytest.raises(LedgerError) as err2:
        append(events[:index], events[index])
    assert err2.value.code == code
    with pytest.raises(LedgerError):
        evaluate(events, CAL, 3, T2 + ONE_DAY)


def test_append_returns_a_new_ledger():
    ledger = (start(),)
    longer = append(ledger, pause(T1))
    assert longer == (start(), pause(T1))
    assert ledger == (start(),)
    # equal instants are in order; a stop may close an open pause
    assert append(append(longer, resume(T1)), stop(T1))[-1] == stop(T1)
    assert append(longer, stop(T2))[-1] == stop(T2)


def test_evaluate_refuses_naive_now_and_bad_budget():
    with pytest.raises(NaiveDatetimeError):
        evaluate([start()], CAL, 3, NAIVE)
    with pytest.raises(ValueError, match="at least 1"):
        evaluate([start()], CAL, 0, T2)


def test_not_started_and_as_of():
    empty = evaluate([], CAL, 8, T2)
    assert empty.started_at is None
    assert empty.deadline is None
    assert empty.remaining_seconds == 8 * 86_400
    assert empty.level == LEVEL_NONE
    # events after `now` are not yet known
    later = evaluate([start(), pause(at(date(2025, 10, 9), 3_600))], CAL, 3, at(date(2025, 10, 9)))
    assert later.deadline == at(date(2025, 10, 12))
    assert not later.paused
    before = evaluate([start()], CAL, 3, T0 - ONE_SECOND)
    assert before.started_at is None


# --- elapsed, levels ------------------------------------------------------------------------------


@given(instants(), T_DAYS)
def test_elapsed_at_deadline_is_t(accepted, t):
    deadline = CAL.due(accepted, t)
    at_deadline = evaluate([start(accepted)], CAL, t, deadline)
    assert at_deadline.deadline == deadline
    assert at_deadline.elapsed_days == Decimal(t)
    assert at_deadline.accrued_seconds == t * 86_400
    assert at_deadline.level == LEVEL_OVERDUE
    assert at_deadline.remaining_seconds == 0
    just_before = evaluate([start(accepted)], CAL, t, deadline - ONE_SECOND)
    assert just_before.level == LEVEL_WARN80
    assert just_before.remaining_seconds == 1


@given(instants(), T_DAYS)
def test_warning_thresholds_are_exact(accepted, t):
    cs = CAL.clock_start(accepted)
    budget = t * 86_400
    for used, level, below in (
        (budget // 2, LEVEL_WARN50, LEVEL_NONE),
        (budget * 4 // 5, LEVEL_WARN80, LEVEL_WARN50),
    ):
        instant = CAL.advance(cs, used)
        assert evaluate([start(accepted)], CAL, t, instant).level == level
        assert evaluate([start(accepted)], CAL, t, instant - ONE_SECOND).level == below


def test_elapsed_days_round_half_up():
    cs = at(date(2025, 10, 9))
    assert evaluate([start()], CAL, 3, cs + timedelta(seconds=432)).elapsed_days == Decimal("0.01")
    assert evaluate([start()], CAL, 3, cs + timedelta(seconds=431)).elapsed_days == Decimal("0.00")


# --- pauses ---------------------------------------------------------------------------------------


@given(instants(), T_DAYS, st.integers(0, 60 * 86_400), st.sampled_from(REASONS))
def test_zero_length_pause_changes_nothing(accepted, t, offset, reason):
    p = accepted + timedelta(seconds=offset)
    now = max(p, CAL.due(accepted, t)) + ONE_DAY
    plain = evaluate([start(accepted)], CAL, t, now)
    paused = evaluate([start(accepted), pause(p, reason), resume(p)], CAL, t, now)
    assert (paused.deadline, paused.accrued_seconds) == (plain.deadline, plain.accrued_seconds)
    assert paused.pauses == (PauseRecord(reason, p, p, True),)


@given(instants(), T_DAYS, st.integers(1, 400), st.integers(0, 86_399), st.integers(0, 86_400))
def test_pause_on_non_working_days_changes_nothing(accepted, t, after, s0, length):
    # a non-working day some days after acceptance, and a pause inside its stretch of rest days
    d = local_date(accepted) + timedelta(days=after)
    while CAL.is_workday(d):
        d += ONE_DAY
    rest_end = d
    while not CAL.is_workday(rest_end):
        rest_end += ONE_DAY
    p0 = at(d, s0)
    p1 = min(p0 + timedelta(seconds=length * (rest_end - d).days), at(rest_end))
    now = max(p1, CAL.due(accepted, t)) + ONE_DAY
    plain = evaluate([start(accepted)], CAL, t, now)
    paused = evaluate([start(accepted), pause(p0), resume(p1)], CAL, t, now)
    assert paused.deadline == plain.deadline
    assert paused.accrued_seconds == plain.accrued_seconds


@given(instants(), T_DAYS, st.data())
def test_pause_over_k_whole_working_days_moves_deadline_k_working_days(accepted, t, data):
    # given a pause from 00:00 of the j-th working day to 24:00 of the (j+k-1)-th
    d = local_date(accepted)
    j = data.draw(st.integers(1, t), label="j")
    k = data.draw(st.integers(1, 30), label="k")
    first = naive_nth_workday_after(d, j)
    last = naive_nth_workday_after(d, j + k - 1)
    ledger = [start(accepted), pause(at(first)), resume(at(last + ONE_DAY))]
    # when
    state = evaluate(ledger, CAL, t, at(last + ONE_DAY))
    # then
    old = CAL.due(accepted, t)
    assert state.deadline == CAL.due(accepted, t + k)
    assert CAL.workdays_in(local_date(old), local_date(state.deadline)) == k
    assert state.accrued_seconds == (j - 1) * 86_400


def test_pause_before_the_clock_starts_removes_nothing():
    ledger = [start(), pause(T1), resume(datetime(2025, 10, 8, 10, tzinfo=SHANGHAI))]
    assert evaluate(ledger, CAL, 3, T2 + 20 * ONE_DAY).deadline == at(date(2025, 10, 12))
    # but one that runs into the first working day does
    ledger = [start(), pause(T1), resume(datetime(2025, 10, 9, 6, tzinfo=SHANGHAI))]
    # (6 h of Oct 9 lost: the budget runs out at 06:00 on Monday, Sunday the 12th resting)
    assert evaluate(ledger, CAL, 3, T2 + 20 * ONE_DAY).deadline == at(date(2025, 10, 13), 6 * 3_600)


def test_open_pause_has_no_deadline_but_remaining_time():
    p = datetime(2025, 10, 10, 6, tzinfo=SHANGHAI)
    state = evaluate([start(), pause(p, CUSTOMER_WORKS)], CAL, 3, p + 30 * ONE_DAY)
    assert state.deadline is None
    assert state.paused
    assert not state.running
    assert state.pause_reason == CUSTOMER_WORKS
    assert state.accrued_seconds == 86_400 + 6 * 3_600
    assert state.remaining_seconds == 3 * 86_400 - state.accrued_seconds
    assert state.pauses == (PauseRecord(CUSTOMER_WORKS, p, None, True),)
    assert state.level == LEVEL_NONE  # paused at 36 %, and still there a month later


def test_non_stopping_reason_is_recorded_but_removes_no_time():
    p0 = at(date(2025, 10, 9), 3_600)
    p1 = at(date(2025, 10, 10), 3_600)
    ledger = [start(), pause(p0, CUSTOMER_DOCUMENTS), resume(p1)]
    only_admin = frozenset({ADMIN_APPROVAL})
    now = at(date(2025, 10, 10), 7_200)
    state = evaluate(ledger, CAL, 3, now, stopping_reasons=only_admin)
    assert state.deadline == at(date(2025, 10, 12))
    assert state.accrued_seconds == 86_400 + 7_200
    assert state.pauses == (PauseRecord(CUSTOMER_DOCUMENTS, p0, p1, False),)
    # the same pause with the default configuration stops the clock for 24 working hours
    counted = evaluate(ledger, CAL, 3, now)
    assert counted.accrued_seconds == 2 * 3_600
    assert counted.deadline == at(date(2025, 10, 14))  # Sunday the 12th rests: Monday's end


def test_open_non_stopping_pause_keeps_the_deadline():
    p = at(date(2025, 10, 9), 3_600)
    state = evaluate([start(), pause(p, ADMIN_APPROVAL)], CAL, 3, p + ONE_DAY, frozenset())
    assert state.paused
    assert state.running
    assert state.pause_reason == ADMIN_APPROVAL
    assert state.deadline == at(date(2025, 10, 12))


def test_deadline_stays_once_reached():
    # overdue on Oct 12, then paused and resumed: the deadline does not move
    p0, p1 = at(date(2025, 10, 14)), at(date(2025, 10, 20))
    state = evaluate([start(), pause(p0), resume(p1)], CAL, 3, p1 + ONE_DAY)
    assert state.deadline == at(date(2025, 10, 12))
    assert state.level == LEVEL_OVERDUE
    paused = evaluate([start(), pause(p0)], CAL, 3, p0 + ONE_DAY)
    assert paused.deadline == at(date(2025, 10, 12))
    assert paused.level == LEVEL_OVERDUE


# --- stop (gas on) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stopped", "on_time", "level"),
    [
        (at(date(2025, 10, 9), 3_600), True, LEVEL_NONE),
        (at(date(2025, 10, 11), 3_600), True, LEVEL_WARN50),  # 2 days 1 h of 3 = 68 %
        (at(date(2025, 10, 11), 72_000), True, LEVEL_WARN80),  # 2 days 20 h = 94 %
        (at(date(2025, 10, 12)), True, LEVEL_WARN80),  # exactly at the deadline
        (at(date(2025, 10, 12), 1), False, LEVEL_OVERDUE),  # Sunday: no working time accrued
        (at(date(2025, 10, 13), 3_600), False, LEVEL_OVERDUE),
    ],
)
def test_stop_on_time_or_late(stopped, on_time, level):
    state = evaluate([start(), stop(stopped)], CAL, 3, stopped + 40 * ONE_DAY)
    assert state.stopped_at == stopped
    assert not state.running
    assert state.on_time is on_time
    assert state.level == level
    assert state.deadline == at(date(2025, 10, 12))
    assert state.accrued_seconds == CAL.working_seconds(at(date(2025, 10, 1)), stopped)


def test_stop_while_paused_closes_the_pause_and_is_on_time():
    p, s = at(date(2025, 10, 9), 3_600), at(date(2025, 11, 20))
    state = evaluate([start(), pause(p, CUSTOMER_WORKS), stop(s)], CAL, 3, s + ONE_DAY)
    assert state.on_time is True
    assert state.deadline is None
    assert not state.paused
    assert state.pauses == (PauseRecord(CUSTOMER_WORKS, p, s, True),)
    assert state.accrued_seconds == 3_600


# --- provisional years ----------------------------------------------------------------------------


def test_deadlines_into_2027_are_provisional():
    # The installed `holidays` has no 2027 notice (no 2027 make-up days): 2027 is provisional.
    assert 2026 in CAL.confirmed_years
    assert 2027 not in CAL.confirmed_years
    late_2026 = datetime(2026, 12, 20, 15, tzinfo=SHANGHAI)
    state = evaluate([start(late_2026)], CAL, 16, late_2026 + ONE_DAY)
    assert state.deadline is not None
    assert state.deadline.year == 2027
    assert state.provisional
    early = evaluate([start(late_2026)], CAL, 3, late_2026 + ONE_DAY)
    assert early.deadline is not None
    assert early.deadline.year == 2026
    assert not early.provisional
    assert not evaluate([start()], CAL, 16, ACCEPTED + ONE_DAY).provisional
    confirmed = CAL.with_overrides({}, confirmed_years=CAL.confirmed_years | {2027})
    assert not evaluate([start(late_2026)], confirmed, 16, late_2026 + ONE_DAY).provisional


# --- against the reference model ------------------------------------------------------------------


@given(ledgers(), T_DAYS, stopping_sets, gaps, st.booleans())
def test_evaluate_matches_day_walking_reference(events, t, stopping, extra, mid_ledger):
    now = events[-1].at + timedelta(seconds=extra)
    if mid_ledger:  # look at the ledger as it was part way through
        now = events[len(events) // 2].at + timedelta(seconds=extra // 3)
    known = [e for e in events if e.at <= now]
    state = evaluate(events, CAL, t, now, stopping)
    budget = t * 86_400

    accrued = ref_accrued(running_intervals(known, stopping), now)
    assert state.accrued_seconds == accrued
    assert state.remaining_seconds == max(budget - accrued, 0)
    # the deadline is the first instant at which the budget is used up (for a stopped clock,
    # the one in force when it stopped)
    ahead = running_intervals(known, stopping, stop_closes=False)
    if state.deadline is None:
        assert ref_accrued(ahead, now + 400 * ONE_DAY) < budget
        assert not state.running
    else:
        assert ref_accrued(ahead, state.deadline) == budget
        assert ref_accrued(ahead, state.deadline - ONE_SECOND) == budget - 1
    if state.stopped_at is None:
        expect = (
            LEVEL_OVERDUE
            if accrued >= budget
            else LEVEL_WARN80
            if accrued * 10 >= budget * 8
            else LEVEL_WARN50
            if accrued * 10 >= budget * 5
            else LEVEL_NONE
        )
        assert state.level == expect
    else:
        assert state.on_time is (state.deadline is None or state.stopped_at <= state.deadline)
    assert [p.reason for p in state.pauses] == [e.reason for e in known if e.kind == PAUSE]
    assert all(p.counted is (p.reason in stopping) for p in state.pauses)


# --- checkpoints and the bulk recompute -----------------------------------------------------------


def _bulk(cal, cps, budgets, now):
    epoch = [to_epoch(c.anchor) for c in cps]
    return evaluate_many(
        cal,
        origin=np.array([to_epoch(c.origin) for c in cps]),
        anchor=np.array(epoch),
        accrued=np.array([c.accrued_seconds for c in cps]),
        running=np.array([c.running for c in cps]),
        budget_days=np.array(budgets),
        now=to_epoch(now),
        crossed_at=np.array(
            [NO_DEADLINE if c.crossed_at is None else to_epoch(c.crossed_at) for c in cps]
        ),
    )


def _assert_bulk_matches(bulk, states):
    for i, s in enumerate(states):
        expected = NO_DEADLINE if s.deadline is None else to_epoch(s.deadline)
        assert bulk.deadline[i] == expected
        assert bulk.accrued[i] == s.accrued_seconds
        assert bulk.remaining[i] == s.remaining_seconds
        assert LEVELS[bulk.level[i]] == s.level
        assert bool(bulk.provisional[i]) is s.provisional


@given(
    st.lists(st.tuples(ledgers(stop=False), T_DAYS), min_size=1, max_size=8), gaps, stopping_sets
)
def test_evaluate_many_matches_evaluate(items, extra, stopping):
    now = max(e[-1].at for e, _ in items) + timedelta(seconds=extra)
    cps = [checkpoint(e, CAL, t, stopping) for e, t in items]
    bulk = _bulk(CAL, cps, [t for _, t in items], now)
    _assert_bulk_matches(bulk, [evaluate(e, CAL, t, now, stopping) for e, t in items])


@given(ledgers(stop=False), T_DAYS, st.integers(1, 200), gaps)
def test_checkpoint_survives_a_change_after_its_anchor(events, t, days_after, extra):
    # given a checkpoint taken under the built-in calendar
    cp = checkpoint(events, CAL, t)
    # when an administrator flips a date after the anchor's date
    d = local_date(cp.anchor) + timedelta(days=days_after)
    assume(d.year <= 2040)
    new = CAL.with_overrides({d: not CAL.is_workday(d)})
    now = events[-1].at + timedelta(seconds=extra)
    # then the old checkpoint, recomputed in bulk under the new calendar, is exact
    bulk = _bulk(new, [cp], [t], now)
    _assert_bulk_matches(bulk, [evaluate(events, new, t, now)])


def test_checkpoint_of_a_fresh_clock_anchors_at_the_origin():
    cp = checkpoint([start()], CAL, 3)
    assert cp.anchor == cp.origin == at(date(2025, 10, 1))
    assert (cp.accrued_seconds, cp.running, cp.crossed_at) == (0, True, None)
    with pytest.raises(LedgerError) as err:
        checkpoint([], CAL, 3)
    assert err.value.code == NOT_STARTED


def test_all_reasons_stop_the_clock_by_default():
    assert frozenset(REASONS) == ALL_REASONS
    assert len(ALL_REASONS) == 4
