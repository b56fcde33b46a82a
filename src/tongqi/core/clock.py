"""The SLA clock (时限计时): a budget in working days plus an append-only ledger; no Django.

SPEC §3: the clock is never a stored deadline that drifts. The truth is the ledger of events —
``start`` (at acceptance), ``pause`` (with a reason), ``resume``, ``stop`` (gas on) — and the
calendar; everything else (accrued time, deadline, warning level) is derived here, looping over
ledger events only; the calendar answers each interval in O(1).

Rules, beyond those of ``workdays``:

* Accrual runs from ``accrual_origin`` (00:00 after the acceptance date) except between a pause
  whose reason stops the clock and its resume. A pause whose reason is configured as not stopping
  the clock is recorded and shown, but removes no time.
* The deadline is the earliest instant at which accrued time reaches ``budget_days × 86400``. Once
  reached it never moves (a later pause cannot rescue an overdue clock). While a clock-stopping
  pause is open and the budget is not reached, there is no deadline: ``deadline`` is None and
  ``remaining_seconds`` says how much working time is left when it resumes.
* A stopped clock is on time when it stopped at or before the deadline (or had none, being paused).
* ``stop`` is allowed while paused: gas can go on while the customer's own works are still open.

For many open clocks at once (a calendar change, a dashboard), use ``checkpoint`` per clock when
its ledger changes and ``evaluate_many`` over arrays; see ``evaluate_many``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np

from .workdays import DAY, NaiveDatetimeError, WorkCalendar, accrual_origin

START = "start"
PAUSE = "pause"
RESUME = "resume"
STOP = "stop"
KINDS = frozenset({START, PAUSE, RESUME, STOP})

CUSTOMER_DOCUMENTS = "customer_documents"
CUSTOMER_WORKS = "customer_works"
CUSTOMER_DELAY = "customer_delay"
ADMIN_APPROVAL = "admin_approval"
PAUSE_REASONS = {
    CUSTOMER_DOCUMENTS: "补正材料",
    CUSTOMER_WORKS: "用户自建工程",
    CUSTOMER_DELAY: "用户申请延期",
    ADMIN_APPROVAL: "行政审批",
}
ALL_REASONS = frozenset(PAUSE_REASONS)

LEVEL_NONE = "none"
LEVEL_WARN50 = "warn50"
LEVEL_WARN80 = "warn80"
LEVEL_OVERDUE = "overdue"
LEVELS = (LEVEL_NONE, LEVEL_WARN50, LEVEL_WARN80, LEVEL_OVERDUE)  # index = bulk level code

# Error codes (stable; the Django layer maps them to translated messages) and their messages.
NAIVE_DATETIME = "naive_datetime"
UNKNOWN_KIND = "unknown_kind"
UNKNOWN_REASON = "unknown_reason"
NOT_STARTED = "not_started"
ALREADY_STARTED = "already_started"
ALREADY_PAUSED = "already_paused"
NOT_PAUSED = "not_paused"
ALREADY_STOPPED = "already_stopped"
OUT_OF_ORDER = "out_of_order"
MESSAGES = {
    NAIVE_DATETIME: "Event times must be timezone-aware.",
    UNKNOWN_KIND: "Unknown event kind; expected start, pause, resume or stop.",
    UNKNOWN_REASON: "A pause needs a known reason: "
    "customer_documents, customer_works, customer_delay or admin_approval.",
    NOT_STARTED: "The clock has not been started.",
    ALREADY_STARTED: "The clock has already been started.",
    ALREADY_PAUSED: "The clock is already paused.",
    NOT_PAUSED: "The clock is not paused, so it cannot be resumed.",
    ALREADY_STOPPED: "The clock has been stopped; no event may follow.",
    OUT_OF_ORDER: "An event may not be earlier than the one before it.",
}


class LedgerError(ValueError):
    """An event the ledger refuses; ``code`` is stable, ``index`` is the event's position."""

    def __init__(self, code: str, index: int | None = None, event: ClockEvent | None = None):
        super().__init__(MESSAGES[code])
        self.code = code
        self.index = index
        self.event = event


@dataclass(frozen=True)
class ClockEvent:
    """One ledger entry: ``kind`` at instant ``at``; ``reason`` is for pauses."""

    kind: str
    at: datetime
    reason: str = ""


class PauseRecord(NamedTuple):
    """A pause as shown to the customer; ``counted`` is whether it stopped the clock."""

    reason: str
    paused_at: datetime
    resumed_at: datetime | None
    counted: bool


@dataclass(frozen=True)
class ClockState:
    """Everything derived from a ledger, a calendar and a budget as of one instant."""

    budget_days: int
    started_at: datetime | None = None  # the acceptance instant
    clock_start: datetime | None = None  # 00:00 of the first working day after acceptance
    accrued_seconds: int = 0
    elapsed_days: Decimal = Decimal("0.00")
    deadline: datetime | None = None
    remaining_seconds: int = 0
    running: bool = False  # working time accrues now (started, not stopped, no counting pause)
    paused: bool = False  # a pause is open (whether or not its reason stops the clock)
    pause_reason: str = ""
    pauses: tuple[PauseRecord, ...] = field(default_factory=tuple)
    stopped_at: datetime | None = None
    level: str = LEVEL_NONE
    on_time: bool | None = None  # only for a stopped clock
    provisional: bool = False
    percent: float = 0.0


class Checkpoint(NamedTuple):
    """A ledger reduced to what a bulk recompute needs (cache it per open clock; see module doc)."""

    origin: datetime  # accrual_origin(acceptance): 00:00 after the acceptance date
    anchor: datetime  # accrual is known exactly up to here
    accrued_seconds: int  # working seconds accrued at the anchor
    running: bool  # time accrues after the anchor
    crossed_at: datetime | None  # when the budget ran out, if it already had at the anchor


def _step(state: tuple[bool, bool, bool, datetime | None], e: ClockEvent, index: int):
    """Validate one event against (started, paused, stopped, last instant); return the new state."""
    started, paused, stopped, last = state
    if not isinstance(e.at, datetime) or e.at.tzinfo is None or e.at.utcoffset() is None:
        raise LedgerError(NAIVE_DATETIME, index, e)
    if e.kind not in KINDS:
        raise LedgerError(UNKNOWN_KIND, index, e)
    if stopped:
        raise LedgerError(ALREADY_STOPPED, index, e)
    if last is not None and e.at < last:
        raise LedgerError(OUT_OF_ORDER, index, e)
    if e.kind == START:
        if started:
            raise LedgerError(ALREADY_STARTED, index, e)
        return True, False, False, e.at
    if not started:
        raise LedgerError(NOT_STARTED, index, e)
    if e.kind == PAUSE:
        if paused:
            raise LedgerError(ALREADY_PAUSED, index, e)
        if e.reason not in PAUSE_REASONS:
            raise LedgerError(UNKNOWN_REASON, index, e)
        return True, True, False, e.at
    if e.kind == RESUME:
        if not paused:
            raise LedgerError(NOT_PAUSED, index, e)
        return True, False, False, e.at
    return True, paused, True, e.at  # STOP


def validate_ledger(events: Iterable[ClockEvent]) -> None:
    """Raise ``LedgerError`` on the first event the ledger must refuse."""
    state: tuple[bool, bool, bool, datetime | None] = (False, False, False, None)
    for index, e in enumerate(events):
        state = _step(state, e, index)


def append(events: Sequence[ClockEvent], new_event: ClockEvent) -> tuple[ClockEvent, ...]:
    """The ledger with ``new_event`` appended, or ``LedgerError`` if it may not follow."""
    state: tuple[bool, bool, bool, datetime | None] = (False, False, False, None)
    for index, e in enumerate(events):
        state = _step(state, e, index)
    _step(state, new_event, len(events))
    return (*events, new_event)


def _level(accrued: int, budget: int) -> str:
    """The warning level of a running clock (integer thresholds: no float rounding at 50/80 %)."""
    if accrued >= budget:
        return LEVEL_OVERDUE
    if 5 * accrued >= 4 * budget:
        return LEVEL_WARN80
    if 2 * accrued >= budget:
        return LEVEL_WARN50
    return LEVEL_NONE


def evaluate(
    events: Sequence[ClockEvent],
    calendar: WorkCalendar,
    budget_days: int,
    now: datetime,
    stopping_reasons: frozenset[str] = ALL_REASONS,
) -> ClockState:
    """The clock as of ``now`` (events after ``now`` are ignored, so it also answers "as of")."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetimeError("now must be timezone-aware")
    if budget_days < 1:
        raise ValueError("budget_days must be at least 1")
    validate_ledger(events)
    events = [e for e in events if e.at <= now]
    if not events:
        return ClockState(budget_days=budget_days, remaining_seconds=budget_days * DAY)

    budget = budget_days * DAY
    started_at = events[0].at
    origin = accrual_origin(started_at)
    accrued = 0
    deadline: datetime | None = None
    seg: datetime | None = origin  # start of the running segment; None while stopped by a pause
    open_pause: tuple[str, datetime, bool] | None = None
    pauses: list[PauseRecord] = []
    stopped_at: datetime | None = None

    def run(seg_start: datetime, end: datetime) -> None:
        """Add the working time of [seg_start, end); note the deadline if the budget runs out."""
        nonlocal accrued, deadline
        if end <= seg_start:
            return
        piece = calendar.working_seconds(seg_start, end)
        if deadline is None and accrued + piece >= budget:
            deadline = calendar.advance(seg_start, budget - accrued)
        accrued += piece

    for e in events[1:]:
        if e.kind == PAUSE:
            counted = e.reason in stopping_reasons
            open_pause = (e.reason, e.at, counted)
            if counted and seg is not None:
                run(seg, e.at)
                seg = None
        elif e.kind == RESUME:
            assert open_pause is not None  # validate_ledger guarantees it
            reason, since, counted = open_pause
            pauses.append(PauseRecord(reason, since, e.at, counted))
            open_pause = None
            if seg is None:
                seg = max(e.at, origin)
        else:  # STOP
            stopped_at = e.at
            if open_pause is not None:  # the stop ends the pause too
                reason, since, counted = open_pause
                pauses.append(PauseRecord(reason, since, e.at, counted))
                open_pause = None

    end = stopped_at or now
    if seg is not None:
        before = accrued
        run(seg, end)
        if deadline is None:  # not reached yet: it lies ahead of this running segment
            deadline = calendar.advance(seg, budget - before)
    running = seg is not None and stopped_at is None
    if open_pause is not None:
        pauses.append(PauseRecord(open_pause[0], open_pause[1], None, open_pause[2]))

    on_time: bool | None = None
    if stopped_at is not None:
        on_time = deadline is None or stopped_at <= deadline
        level = LEVEL_OVERDUE if not on_time else _level(min(accrued, budget - 1), budget)
    else:
        level = _level(accrued, budget)

    last_touched = max(end, origin) if deadline is None else max(end, deadline)
    return ClockState(
        budget_days=budget_days,
        started_at=started_at,
        clock_start=calendar.clock_start(started_at),
        accrued_seconds=accrued,
        elapsed_days=(Decimal(accrued) / DAY).quantize(Decimal("0.01"), ROUND_HALF_UP),
        deadline=deadline,
        remaining_seconds=max(budget - accrued, 0),
        running=running,
        paused=open_pause is not None,
        pause_reason=open_pause[0] if open_pause else "",
        pauses=tuple(pauses),
        stopped_at=stopped_at,
        level=level,
        on_time=on_time,
        provisional=calendar.touches_provisional(origin, last_touched),
        percent=accrued * 100 / budget,
    )


def checkpoint(
    events: Sequence[ClockEvent],
    calendar: WorkCalendar,
    budget_days: int,
    stopping_reasons: frozenset[str] = ALL_REASONS,
) -> Checkpoint:
    """Reduce a started ledger to a ``Checkpoint`` as of its last event (for ``evaluate_many``)."""
    if not events:
        raise LedgerError(NOT_STARTED)
    last = events[-1].at
    state = evaluate(events, calendar, budget_days, last, stopping_reasons)
    origin = accrual_origin(events[0].at)
    # A running clock accrues nothing before its origin, so anchoring there keeps accrued = 0 exact.
    anchor = max(last, origin) if state.running else last
    crossed = state.deadline if state.accrued_seconds >= budget_days * DAY else None
    return Checkpoint(origin, anchor, state.accrued_seconds, state.running, crossed)


NO_DEADLINE = np.iinfo(np.int64).min


class BulkState(NamedTuple):
    """``evaluate_many`` results, one entry per clock."""

    deadline: np.ndarray  # int64 epoch seconds; NO_DEADLINE where paused before running out
    accrued: np.ndarray  # int64 working seconds as of now
    remaining: np.ndarray  # int64 working seconds left (0 once overdue)
    level: np.ndarray  # uint8 index into LEVELS
    provisional: np.ndarray  # bool


def evaluate_many(
    calendar: WorkCalendar,
    *,
    origin: np.ndarray,
    anchor: np.ndarray,
    accrued: np.ndarray,
    running: np.ndarray,
    budget_days: np.ndarray,
    now: int | np.ndarray,
    crossed_at: np.ndarray | None = None,
) -> BulkState:
    """Deadline, accrued time, level and provisional flag of many open clocks, vectorised.

    Instants are int64 POSIX epoch seconds (``workdays.to_epoch``); ``crossed_at`` holds
    NO_DEADLINE where the checkpoint had none (without it, a clock whose budget had already run
    out at its anchor is still ``overdue`` but gets NO_DEADLINE).

    What the Django layer keeps per open clock: the ``Checkpoint`` (origin, anchor, accrued,
    running, crossed_at) and ``budget_days``, refreshed by ``checkpoint()`` whenever the clock's
    ledger gets an event; plus, for indexing and sorting only, the cached results (deadline,
    level, provisional) and the calendar ``digest`` they were computed with. Everything cached
    is recomputable from the ledger.

    On a calendar change touching dates ≥ D: a checkpoint whose anchor's local date is < D is
    still exact (accrual up to its anchor used only days before D), so one ``evaluate_many`` over
    all open clocks gives every new deadline. A clock anchored on or after D (an override of a
    past or current date) must first get a fresh ``checkpoint()`` from its ledger.
    """
    origin = np.asarray(origin, dtype=np.int64)
    anchor = np.asarray(anchor, dtype=np.int64)
    accrued = np.asarray(accrued, dtype=np.int64)
    running = np.asarray(running, dtype=bool)
    budget = np.asarray(budget_days, dtype=np.int64) * DAY
    now_a = np.broadcast_to(np.asarray(now, dtype=np.int64), anchor.shape)

    crossed = accrued >= budget
    deadline = np.full(anchor.shape, NO_DEADLINE, dtype=np.int64)
    if crossed_at is not None:
        deadline[crossed] = np.asarray(crossed_at, dtype=np.int64)[crossed]
    ahead = running & ~crossed
    deadline[ahead] = calendar.advance_many(anchor[ahead], (budget - accrued)[ahead])

    acc_now = accrued.copy()
    a, n = anchor[running], now_a[running]
    acc_now[running] += calendar.working_seconds_many(a, np.maximum(n, a))
    level = (
        (2 * acc_now >= budget).astype(np.uint8) + (5 * acc_now >= 4 * budget) + (acc_now >= budget)
    )
    has_deadline = deadline != NO_DEADLINE
    last = np.where(has_deadline, np.maximum(now_a, deadline), np.maximum(now_a, origin))
    return BulkState(
        deadline=deadline,
        accrued=acc_now,
        remaining=np.maximum(budget - acc_now, 0),
        level=level.astype(np.uint8),
        provisional=calendar.touches_provisional_many(origin, last),
    )
