"""Working-day calendar: due and elapsed per call and vectorised, and the bulk recompute.

Baselines measured in the same run, on the same holiday data (holidays package, China):
(a) a naive loop walking the days and looking each up in plain Python sets; (b) numpy's
busday_offset / busday_count with the same holidays and weekmask and a prebuilt busdaycalendar —
a speed reference only: numpy cannot add make-up Saturdays, so its answers are sometimes wrong
(the share is printed). Inputs: random acceptance instants 2024–2026, T in {3, 8, 16}.
"""

from __future__ import annotations

import random
import time as _time
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from tongqi.core.clock import NO_DEADLINE, evaluate_many
from tongqi.core.cn_calendar import china_calendar, china_day_data
from tongqi.core.workdays import DAY, SHANGHAI, UTC_OFFSET_SECONDS, accrual_origin, to_epoch

ONE = timedelta(days=1)
WEEKMASK = "1111100"


def _best(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` runs of ``fn()`` (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = _time.perf_counter()
        fn()
        best = min(best, _time.perf_counter() - t0)
    return best


def _inputs(n: int, rng: random.Random, tz=SHANGHAI):
    lo = datetime(2024, 1, 1, tzinfo=SHANGHAI)
    span = int((datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI) - lo).total_seconds())
    accepted = [(lo + timedelta(seconds=rng.randrange(span))).astimezone(tz) for _ in range(n)]
    days = [rng.choice((3, 8, 16)) for _ in range(n)]
    # elapsed: an open application looked at 0–30 days after acceptance
    later = [t + timedelta(seconds=rng.randrange(30 * DAY)) for t in accepted]
    return accepted, days, later


def run(emit, args) -> None:
    rng = random.Random(20251012)
    cal = china_calendar()
    days_off, makeup, _ = china_day_data()
    hol, mk = set(days_off), set(makeup)
    n = 5_000 if args.quick else 50_000
    repeat = 3 if args.quick else 5
    accepted, days, later = _inputs(n, rng)

    # (a) the naive loop -----------------------------------------------------------------------
    def naive_due(t: datetime, n_days: int) -> datetime:
        d = t.astimezone(SHANGHAI).date()
        while n_days:
            d += ONE
            if d in mk or (d.weekday() < 5 and d not in hol):
                n_days -= 1
        return datetime.combine(d + ONE, time(), SHANGHAI)

    def naive_elapsed(t0: datetime, t1: datetime) -> int:
        a, b = t0.astimezone(SHANGHAI), t1.astimezone(SHANGHAI)
        da, db = a.date(), b.date()
        sa = a.hour * 3600 + a.minute * 60 + a.second
        sb = b.hour * 3600 + b.minute * 60 + b.second

        def works(d: date) -> bool:
            return d in mk or (d.weekday() < 5 and d not in hol)

        if da == db:
            return sb - sa if works(da) else 0
        total = DAY - sa if works(da) else 0
        d = da + ONE
        while d < db:
            if works(d):
                total += DAY
            d += ONE
        return total + (sb if works(db) else 0)

    # (b) numpy, per item and vectorised ---------------------------------------------------------
    bdc = np.busdaycalendar(weekmask=WEEKMASK, holidays=sorted(hol))

    def np_due(t: datetime, n_days: int):
        d = np.datetime64(t.astimezone(SHANGHAI).date(), "D")
        return np.busday_offset(d + 1, n_days - 1, roll="forward", busdaycal=bdc) + 1

    def np_elapsed(t0: datetime, t1: datetime) -> int:
        a, b = t0.astimezone(SHANGHAI), t1.astimezone(SHANGHAI)
        da, db = np.datetime64(a.date(), "D"), np.datetime64(b.date(), "D")
        sa = a.hour * 3600 + a.minute * 60 + a.second
        sb = b.hour * 3600 + b.minute * 60 + b.second
        whole = int(np.busday_count(da, db, busdaycal=bdc)) * DAY
        ends = np.is_busday([da, db], busdaycal=bdc)
        return whole - (sa if ends[0] else 0) + (sb if ends[1] else 0)

    pairs = list(zip(accepted, days, strict=True))
    spans = list(zip(accepted, later, strict=True))
    due, ws = cal.due, cal.working_seconds

    timings = {
        "due naive": _best(lambda: [naive_due(t, k) for t, k in pairs], repeat),
        "due numpy": _best(lambda: [np_due(t, k) for t, k in pairs[: n // 5]], repeat) * 5,
        "due ours": _best(lambda: [due(t, k) for t, k in pairs], repeat),
        "elapsed naive": _best(lambda: [naive_elapsed(a, b) for a, b in spans], repeat),
        "elapsed numpy": _best(lambda: [np_elapsed(a, b) for a, b in spans[: n // 5]], repeat) * 5,
        "elapsed ours": _best(lambda: [ws(a, b) for a, b in spans], repeat),
    }
    for what in ("due", "elapsed"):
        naive_ops = n / timings[f"{what} naive"]
        numpy_ops = n / timings[f"{what} numpy"]
        ours_ops = n / timings[f"{what} ours"]
        emit(f"{what} per call: naive day loop over Python sets", naive_ops, "ops/s")
        emit(
            f"{what} per call: numpy busday_* per item (prebuilt busdaycalendar)",
            numpy_ops,
            "ops/s",
        )
        emit(f"{what} per call: ours vs naive loop", ours_ops, "ops/s", baseline=naive_ops)
        emit(f"{what} per call: ours vs numpy per item", ours_ops, "ops/s", baseline=numpy_ops)

    # The same instants expressed in UTC, as the database hands them back.
    utc_pairs = [(t.astimezone(UTC), k) for t, k in pairs]
    t_naive = _best(lambda: [naive_due(t, k) for t, k in utc_pairs], repeat)
    t_ours = _best(lambda: [due(t, k) for t, k in utc_pairs], repeat)
    emit("due per call, UTC inputs: ours vs naive loop", n / t_ours, "ops/s", baseline=n / t_naive)

    # Correctness side note: how often numpy's answer (no make-up Saturdays) is wrong.
    ours_due = [due(t, k) for t, k in pairs]
    naive_ok = sum(a == naive_due(t, k) for a, (t, k) in zip(ours_due, pairs, strict=True))
    np_wrong = sum(
        np.datetime64(a.date(), "D") != np_due(t, k)
        for a, (t, k) in zip(ours_due[: n // 5], pairs[: n // 5], strict=True)
    )
    emit("due: ours equal to the naive loop", 100 * naive_ok / n, "%")
    emit("due: numpy busday_offset wrong (misses make-up days)", 100 * np_wrong / (n // 5), "%")

    # Vectorised, 100,000 items ----------------------------------------------------------------
    m = 100_000
    acc_v, days_v, later_v = _inputs(m, rng)
    acc_e = np.array([to_epoch(t) for t in acc_v], dtype=np.int64)
    later_e = np.array([to_epoch(t) for t in later_v], dtype=np.int64)
    days_a = np.array(days_v, dtype=np.int64)
    acc_d = ((acc_e + UTC_OFFSET_SECONDS) // DAY).astype("datetime64[D]")
    later_d = ((later_e + UTC_OFFSET_SECONDS) // DAY).astype("datetime64[D]")

    t_np = _best(
        lambda: np.busday_offset(acc_d + 1, days_a - 1, roll="forward", busdaycal=bdc) + 1, repeat
    )
    t_ours = _best(lambda: cal.due_many(acc_e, days_a), repeat)
    emit("due vectorised x100k: numpy busday_offset", m / t_np, "items/s")
    emit("due vectorised x100k: ours due_many vs numpy", m / t_ours, "items/s", baseline=m / t_np)
    t_np = _best(lambda: np.busday_count(acc_d, later_d, busdaycal=bdc), repeat)
    t_ours = _best(lambda: cal.working_seconds_many(acc_e, later_e), repeat)
    emit("elapsed vectorised x100k: numpy busday_count (whole days only)", m / t_np, "items/s")
    emit(
        "elapsed vectorised x100k: ours working_seconds_many vs numpy",
        m / t_ours,
        "items/s",
        baseline=m / t_np,
    )

    # Bulk recompute of 100,000 open clocks after one override --------------------------------
    now = datetime(2026, 12, 10, 15, 0, tzinfo=SHANGHAI)
    now_e = to_epoch(now)
    accepted_open = [now - timedelta(seconds=rng.randrange(45 * DAY)) for _ in range(m)]
    origin = np.array([to_epoch(accrual_origin(t)) for t in accepted_open], dtype=np.int64)
    budget = np.array([rng.choice((3, 8, 16)) for _ in range(m)], dtype=np.int64)
    # a third paused once and resumed (anchor = resume), a tenth paused now, the rest untouched
    kind = np.array([rng.random() for _ in range(m)])
    resumed, paused = kind < 0.33, kind > 0.9
    pause_at = origin + (np.array([rng.random() for _ in range(m)]) * (now_e - origin)).astype(
        np.int64
    )
    pause_at = np.maximum(pause_at, origin)
    resume_at = np.minimum(pause_at + np.array([rng.randrange(5 * DAY) for _ in range(m)]), now_e)
    anchor = np.where(resumed, resume_at, np.where(paused, pause_at, origin))
    accrued = np.where(resumed | paused, cal.working_seconds_many(origin, pause_at), 0)
    running = ~paused
    crossed = accrued >= budget * DAY
    crossed_at = np.full(m, NO_DEADLINE, dtype=np.int64)
    # no pause came before the crossing here, so it is simply advance(origin, budget)
    crossed_at[crossed] = cal.advance_many(origin[crossed], budget[crossed] * DAY)

    flip = date(2026, 12, 31)  # an administrator marks New Year's Eve 2026 a day off
    overrides = {flip: not cal.is_workday(flip)}

    def ours_recompute():
        new = cal.with_overrides(overrides)
        return evaluate_many(
            new,
            origin=origin,
            anchor=anchor,
            accrued=accrued,
            running=running,
            budget_days=budget,
            now=now_e,
            crossed_at=crossed_at,
        )

    def numpy_recompute():
        b = np.busdaycalendar(weekmask=WEEKMASK, holidays=sorted(hol | {flip}))
        start = ((origin + UTC_OFFSET_SECONDS) // DAY).astype("datetime64[D]")
        return np.busday_offset(start, budget - 1, roll="forward", busdaycal=b) + 1

    t_ours = _best(ours_recompute, repeat)
    t_np = _best(numpy_recompute, repeat)
    t_rebuild = _best(lambda: cal.with_overrides(overrides), repeat)
    t_eval = _best(
        lambda: evaluate_many(
            cal,
            origin=origin,
            anchor=anchor,
            accrued=accrued,
            running=running,
            budget_days=budget,
            now=now_e,
            crossed_at=crossed_at,
        ),
        repeat,
    )
    emit(
        "recompute 100k open clocks after one override (table rebuild + evaluate_many)",
        t_ours,
        "s",
        baseline=t_np,
    )
    emit("  of which with_overrides (rebuild the 2000-2040 table)", t_rebuild, "s")
    emit("  of which evaluate_many (also a dashboard's levels as of now)", t_eval, "s")
    state = ours_recompute()
    emit(
        "  open clocks flagged provisional (their computation reaches 2027)",
        100 * float(state.provisional.mean()),
        "%",
    )
