"""Synthetic data at production scale (``tongqi generate``): applications in every stage.

An edge, like the demo seed: it writes into the tables of many apps and no domain app imports it.
It bypasses the per-application services (far too slow for 10^6 applications) but writes what
they would have written: statuses reached through the transitions of the state machine, an event
row for each, the SLA ledger with its checkpoint, quotes priced from the catalogue, receivables
after gas-on, commitments, callbacks, surveys and complaints. Rows are made in Python in batches
and written with COPY on PostgreSQL, ``bulk_create`` elsewhere; one transaction per batch, so an
interrupted run leaves whole applications only. See docs/guides/synthetic-data.md.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from tongqi.applications.routing import manager_load_rebuild

from . import batches, writer
from . import org as org_mod
from .lifecycle import Simulation


class RealDataPresent(Exception):
    """The database holds applications no run of the generator made."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


@dataclass
class Report:
    applications: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    make_seconds: float = 0.0  # summed over the batches (made side by side with jobs > 1)
    write_seconds: float = 0.0  # in the process that writes (or its writer thread)
    jobs: int = 1  # processes that made the rows
    statuses: dict[str, int] = field(default_factory=dict)
    setup: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def real_applications() -> int:
    """Applications in the database that no generator run made."""
    from tongqi.applications.models import Application

    from ..models import SyntheticRun

    generated = sum(SyntheticRun.objects.values_list("applications", flat=True))
    return max(Application.objects.count() - generated, 0)


def generate(
    *,
    applications: int,
    seed: int = 1,
    batch: int = 5000,
    years: float = 2.0,
    force: bool = False,
    fast: bool = False,
    jobs: int | None = None,
    now=None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Create ``applications`` synthetic applications with everything around them.

    ``jobs``: processes making rows (default: the CPU cores). More than one only on PostgreSQL
    outside a transaction; the data does not depend on it (see ``batches``)."""
    from tongqi.applications.models import Enterprise
    from tongqi.integration.models import ApiClient
    from tongqi.sla.calendar import calendar_version, current_calendar
    from tongqi.sla.services import stopping_reasons

    from ..models import SyntheticRun

    say = progress or (lambda _msg: None)
    real = real_applications()
    if real and not force:
        raise RealDataPresent(real)
    started = time.perf_counter()
    rng = random.Random(seed)  # the organisation, when one is created; batches have their own
    now = now or timezone.now()
    report = Report()
    with transaction.atomic():
        report.setup.update(org_mod.ensure_organisation(rng))
        report.setup.update(org_mod.ensure_catalogue())
    org = org_mod.load_organisation(rng)
    catalogue = org_mod.load_catalogue()
    tables = writer.prepare()
    take = {name: writer.reserve_ids(name, tables) for name in writer.KEYED}
    postgresql = connection.vendor == "postgresql"
    # Inside a caller's transaction (tests) no other connection could see its rows, and a forked
    # worker must not share a connection that is in a transaction: rows are made here.
    outside = postgresql and not connection.in_atomic_block
    plan = batches.plan(applications, batch)
    jobs = max(1, jobs or batches.default_jobs())
    processes = min(jobs, len(plan)) if outside else 1
    report.jobs = processes
    run = SyntheticRun.objects.create(
        seed=seed,
        requested=applications,
        options={
            "batch": batch,
            "years": years,
            "force": force,
            "unchecked": fast,
            "vendor": connection.vendor,
            "jobs": processes,
        },
    )
    report.run_id = run.pk
    client = ApiClient.objects.order_by("pk").values_list("pk", flat=True).first()
    sim = Simulation(
        calendar=current_calendar(fresh=True),
        org=org,
        catalogue=catalogue,
        now=now,
        start=now - timedelta(days=365.25 * years),
        stopping_reasons=stopping_reasons(),
        calendar_version=calendar_version(),
        api_client_id=client,
    )
    ctx = batches.Context(
        seed=seed,
        sim=sim,
        index_base=max(
            [Enterprise.objects.count()]
            + [
                r.get("index_end", 0)
                for r in SyntheticRun.objects.values_list("options", flat=True)
            ]
        ),
        tables=tables,
        copy_context=writer.copy_context() if postgresql else None,
    )
    say(
        f"generating {applications} applications (seed {seed}, {len(plan)} batches of {batch}, "
        f"{processes} process(es) making rows, {len(org.grids)} grids, {connection.vendor})"
    )
    state = {"written": 0}

    def write_batch(made: batches.Made) -> None:
        t1 = time.perf_counter()
        with transaction.atomic():
            if fast:
                writer.skip_triggers()
            written = writer.write(tables, made.rows)
            run.applications += made.size
            run.first_application_id = run.first_application_id or made.first_id
            run.last_application_id = made.last_id
            for k, v in written.items():
                report.rows[k] = report.rows.get(k, 0) + v
            run.rows = dict(report.rows)
            run.seconds = time.perf_counter() - started
            run.options["index_end"] = made.index_end  # a later run's identifiers carry on
            run.save(
                update_fields=[
                    "applications",
                    "first_application_id",
                    "last_application_id",
                    "rows",
                    "seconds",
                    "options",
                ]
            )
        state["written"] += made.size
        report.applications = state["written"]
        for status, n in made.statuses.items():
            report.statuses[status] = report.statuses.get(status, 0) + n
        report.write_seconds += time.perf_counter() - t1
        spent = time.perf_counter() - started
        say(
            f"  {state['written']}/{applications} applications, {report.total_rows} rows "
            f"(batch made in {made.seconds:.1f} s, written in {time.perf_counter() - t1:.1f} s), "
            f"{report.total_rows / spent:,.0f} rows/s"
        )

    # Several processes: J forked workers make the batches, this process writes them in order.
    # One process on PostgreSQL: the rows of batch k+1 are made here while batch k is written
    # by a second thread (its own connection), so the database's work (COPY, indexes,
    # constraint checks, commit) overlaps with Python's.
    sink = _Pipeline(write_batch) if outside and processes == 1 else None
    try:
        for made in batches.made_in_order(ctx, plan, take, jobs=processes):
            report.make_seconds += made.seconds
            if sink is None:
                write_batch(made)
            else:
                sink.put(made)
    finally:
        if sink is not None:
            sink.close()
    run.finished_at = timezone.now()
    report.seconds = time.perf_counter() - started
    run.seconds = report.seconds
    run.save(update_fields=["finished_at", "seconds"])
    # written around the transitions: count the managers' open work again for routing
    manager_load_rebuild()
    _audit(run, report)
    if postgresql:  # fresh statistics: the dashboards plan with them
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for name in tables:
                cur.execute(f'ANALYZE "{tables[name].model._meta.db_table}"')
        say(f"tables analysed in {time.perf_counter() - t0:.1f} s")
    return report


class _Pipeline:
    """One writer thread fed through a queue of one batch (so at most two batches in memory)."""

    def __init__(self, write):
        import queue
        import threading

        self._write = write
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="generate-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        from django.db import connection as thread_connection

        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                if self._error is None:
                    try:
                        self._write(*item)
                    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                        self._error = exc
        finally:
            thread_connection.close()

    def put(self, *item) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _audit(run, report: Report) -> None:
    """One audit record for the whole run (the generated rows themselves are not audited)."""
    from tongqi.audit.choices import AuditAction
    from tongqi.audit.services import audit_record

    with transaction.atomic():
        audit_record(
            action=AuditAction.CREATE,
            obj=run,
            reason="synthetic data generated",
            changes={"applications": [None, report.applications], "seed": [None, run.seed]},
        )
