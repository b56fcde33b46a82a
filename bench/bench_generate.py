"""Synthetic data: ``tongqi generate`` of N applications with all their rows, on a fresh database.

N = 20,000 with --quick, 200,000 by default, or ``BENCH_GENERATE_N``; rows made by as many
worker processes as there are cores, or ``BENCH_GENERATE_JOBS``. Run it on PostgreSQL
(``TONGQI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongqi_bench`` → database
``tongqi_bench_gen``, dropped and re-created). Measured twice: with the per-row foreign-key
checks (the default) and ``--unchecked``. Baseline in the same run: one plain
``INSERT … SELECT … FROM generate_series`` of the same number of rows into a table as wide as
the event table (no index, no foreign key) — the most the database itself writes per second.
"""

from __future__ import annotations

import os
import time

import _django


def run(emit, args) -> None:
    n = int(os.environ.get("BENCH_GENERATE_N") or (20_000 if args.quick else 200_000))
    jobs = int(os.environ.get("BENCH_GENERATE_JOBS") or 0) or None
    engine = _django.setup("gen")
    from django.db import connection

    from tongqi.web.synthetic import generate

    results = []
    for unchecked in (False, True):
        if unchecked and engine != "postgresql":
            break
        report = generate(applications=n, seed=1, batch=5000, fast=unchecked, force=True, jobs=jobs)
        results.append((unchecked, report))
        _emit_run(emit, n, engine, unchecked, report, None)  # at once: a long run may be cut

    baseline = None
    if engine == "postgresql":
        rows = max(r.total_rows for _u, r in results)
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE bench_wide (id bigserial PRIMARY KEY, application_id bigint, "
                "at timestamptz, action varchar(32), from_status varchar(24), "
                "to_status varchar(24), actor_id bigint, actor_label varchar(150), "
                "channel varchar(10), reason text, data jsonb, public boolean)"
            )
            t0 = time.perf_counter()
            cur.execute(
                "INSERT INTO bench_wide (application_id, at, action, from_status, to_status, "
                "actor_id, actor_label, channel, reason, data, public) "
                "SELECT i / 10, now() - (i || ' seconds')::interval, 'acceptance_passed', "
                "'acceptance_requested', 'gas_on', i %% 700, '张伟', 'web', '', "
                "'{\"passed\": true}'::jsonb, true FROM generate_series(1, %s) AS i",
                [rows],
            )
            baseline = rows / (time.perf_counter() - t0)
    for unchecked, r in results:
        label = "unchecked" if unchecked else "checked"
        emit(
            f"generate ({label}) vs plain INSERT … SELECT: all rows",
            r.total_rows / r.seconds,
            "rows/s",
            baseline=baseline,
        )
    if baseline is not None:
        emit("baseline: INSERT … SELECT generate_series, one wide table", baseline, "rows/s")


def _emit_run(emit, n, engine, unchecked, r, baseline) -> None:
    label = "unchecked" if unchecked else "checked"
    events = r.rows.get("event", 0) + r.rows.get("clock_event", 0)
    emit(f"generate {n} applications ({label}, {engine}): time", r.seconds, "s")
    emit(f"generate ({label}): applications", r.applications / r.seconds, "apps/s", jobs=r.jobs)
    emit(f"generate ({label}): event rows (application + clock)", events / r.seconds, "events/s")
    emit(
        f"generate ({label}): all rows ({r.total_rows} rows in {len(r.rows)} tables)",
        r.total_rows / r.seconds,
        "rows/s",
        baseline=baseline,
        making_s=round(r.make_seconds, 1),
        writing_s=round(r.write_seconds, 1),
        jobs=r.jobs,
    )
