"""Bulk recompute in the database: 100,000 open clocks after one calendar override.

Measures ``sla.services.calendar_set_overrides`` end to end (write the override, bump the
calendar version, read every open clock's checkpoint, evaluate_many, write back the deadlines
that moved). Baseline in the same run: one plain UPDATE touching every open clock row once.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

import _django


def run(emit, args) -> None:
    n = 10_000 if args.quick else 100_000
    engine = _django.setup("recompute")
    from django.db import connection, transaction

    from tongqi.core import clock as core
    from tongqi.core.workdays import SHANGHAI
    from tongqi.sla.calendar import current_calendar
    from tongqi.sla.models import Clock, ClockEvent
    from tongqi.sla.services import calendar_set_overrides

    cal = current_calendar(fresh=True)
    rng = random.Random(7)
    base = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    rows, events = [], []
    for i in range(n):
        accepted = base + timedelta(minutes=rng.randrange(60 * 24 * 20))
        budget = rng.choice((3, 8, 16))
        ledger = (core.ClockEvent(core.START, accepted),)
        cp = core.checkpoint(ledger, cal, budget)
        rows.append(
            Clock(
                pk=i + 1,
                budget_days=budget,
                started_at=accepted,
                origin=cp.origin,
                anchor=cp.anchor,
                accrued_seconds=cp.accrued_seconds,
                running=cp.running,
                deadline=cal.due(accepted, budget),
                is_open=True,
            )
        )
        events.append(ClockEvent(clock_id=i + 1, seq=1, kind=core.START, at=accepted))
    t0 = time.perf_counter()
    with transaction.atomic():
        Clock.objects.bulk_create(rows, batch_size=5000)
        ClockEvent.objects.bulk_create(events, batch_size=5000)
    emit("setup: create open clocks", n / (time.perf_counter() - t0), "rows/s", engine=engine)

    # baseline: touch every open clock row once with one statement
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("UPDATE sla_clock SET calendar_version = calendar_version + 1 WHERE is_open")
    baseline = time.perf_counter() - t0

    # a real override inside the open period: every deadline after it moves by a day
    t0 = time.perf_counter()
    report = calendar_set_overrides(rows=[(date(2026, 12, 31), False, "benchmark override")])
    ours = time.perf_counter() - t0
    assert report.clocks == n, report
    emit(
        f"recompute {n} open clocks after one override (database, {engine})",
        ours,
        "s",
        baseline=baseline,
        moved=report.moved,
    )
    emit("recompute throughput", n / ours, "items/s")
