"""The batch plan and the making of batches, in this process or in a pool of worker processes.

A run is cut into batches of ``batch`` applications (the plan does not depend on ``--jobs``).
Each batch is made from its own random seed, derived from the run's seed and the batch's number,
and with the primary keys it may need handed to it in advance (reserved by the parent from the
tables' sequences), so a batch depends on nothing another batch did: made in this process one
after the other, or by J worker processes in any order, the same plan gives the same rows. The
parent then writes the batches in plan order, one transaction each.

Why processes and not threads: making rows is pure Python, which holds the GIL; a second thread
cannot make rows while the first does (ADR 0015). The workers are forked, so they start with
everything the parent loaded (organisation, catalogue, calendar) and never touch the database:
on PostgreSQL they also turn their rows into COPY data, and the parent only sends bytes.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from tongqi.applications.choices import Status

from . import writer
from .lifecycle import Buffers, IdPool, Simulation

# The first applications of a run are steered into each stage, so that even a small run shows
# every status; the rest follow from the simulated flow.
COVERAGE = tuple(Status.values)

# The most keys one application can take of each table (see lifecycle): its enterprise and
# customer account (none for a repeat customer), one clock, up to two quote versions, one
# receivable and one satisfaction survey after gas-on, a complaint about it and one of the
# complaints not about any application. A batch is handed this many per application; the keys
# it does not use are left unused (gaps in the sequences, as after any rolled-back insert).
KEYS_PER_APPLICATION = {
    "user": 1,
    "enterprise": 1,
    "clock": 1,
    "app": 1,
    "quote": 2,
    "receivable": 1,
    "complaint": 2,
    "csurvey": 1,
    "project": 1,
}
assert set(KEYS_PER_APPLICATION) == set(writer.KEYED)

REPEAT_CUSTOMERS = 5000  # enterprises of the batch a later application may come back with


def default_jobs() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batch_seed(seed: int, number: int) -> int:
    """The random seed of batch ``number`` of a run with ``seed`` (stable across processes and
    Python versions: a hash, not ``hash()``)."""
    digest = hashlib.sha256(f"tongqi-generate:{seed}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Batch:
    number: int  # 0, 1, 2, … in plan order
    first: int  # index of its first application in the run
    size: int
    keys: dict[str, Sequence[int]] | None = None  # reserved primary keys per table


def plan(applications: int, batch: int) -> list[Batch]:
    return [
        Batch(number=n, first=first, size=min(batch, applications - first))
        for n, first in enumerate(range(0, applications, batch))
    ]


@dataclass
class Context:
    """What every batch is made with; read by the forked workers, never sent to them."""

    seed: int
    sim: Simulation
    index_base: int  # identifiers (USCC, mobile numbers) of this run start after it
    tables: dict[str, writer.Table]
    copy_context: object | None = None  # PostgreSQL: a connection to format COPY data with


@dataclass
class Made:
    number: int
    size: int
    rows: dict  # table → list of tuples, or writer.Encoded on PostgreSQL
    statuses: Counter
    first_id: int
    last_id: int
    index_end: int  # the identifier index a later batch or run carries on from
    seconds: float


def make(ctx: Context, batch: Batch) -> Made:
    """Make the rows of one batch: a pure function of the context and the batch."""
    t0 = time.perf_counter()
    rng = random.Random(batch_seed(ctx.seed, batch.number))
    pools = {name: IdPool(name, keys) for name, keys in batch.keys.items()}
    sim = ctx.sim
    index = ctx.index_base + batch.first  # at most one new enterprise per application
    sim.begin(rng=rng, pools=pools, index=index)
    org = sim.org
    statuses: Counter = Counter()
    repeat_customers: list = []
    for i in range(batch.size):
        k = batch.first + i
        force_status = COVERAGE[k] if k < len(COVERAGE) else None
        reuse = None
        if repeat_customers and force_status is None and rng.random() < 0.08:
            reuse = rng.choice(repeat_customers)
        status, ent = sim.application(force=force_status, enterprise=reuse)
        statuses[status] += 1
        if len(repeat_customers) < REPEAT_CUSTOMERS:
            repeat_customers.append(ent)
        elif rng.random() < 0.05:
            repeat_customers[rng.randrange(len(repeat_customers))] = ent
        if rng.random() < 0.04:  # complaints and requests not about one application
            grid = org.grids[rng.randrange(len(org.grids))]
            sim.complaint(sim.submission_time(False), grid)
    rows = dict(sim.out.rows)
    sim.out = Buffers()
    apps = pools["app"].taken()
    if ctx.copy_context is not None:
        rows = writer.encode(ctx.tables, rows, ctx.copy_context)
    return Made(
        number=batch.number,
        size=batch.size,
        rows=rows,
        statuses=statuses,
        first_id=min(apps),
        last_id=max(apps),
        index_end=index + batch.size,
        seconds=time.perf_counter() - t0,
    )


def reserve(batch: Batch, take: dict[str, Callable[[int], Sequence[int]]]) -> Batch:
    """The batch with its keys reserved (in the parent, in plan order: deterministic)."""
    keys = {name: take[name](n * batch.size) for name, n in KEYS_PER_APPLICATION.items()}
    return Batch(number=batch.number, first=batch.first, size=batch.size, keys=keys)


_context: Context | None = None  # set in the parent before the workers are forked


def _default_signals() -> None:
    """A forked worker starts with its parent's signal handlers (a process that ran the queue
    worker in-process has a SIGTERM handler that only sets a flag): back to the defaults, so the
    pool can stop its workers."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _make_in_worker(batch: Batch) -> Made:
    return make(_context, batch)


def made_in_order(
    ctx: Context,
    batches: Sequence[Batch],
    take: dict[str, Callable[[int], Sequence[int]]],
    *,
    jobs: int,
) -> Iterator[Made]:
    """The made batches, in plan order: made here (``jobs`` 1) or by ``jobs`` forked workers.

    At most ``jobs + 1`` batches are in the workers' hands or waiting to be written, so memory
    stays bounded when the database writes slower than the workers make.
    """
    if jobs <= 1:
        for batch in batches:
            yield make(ctx, reserve(batch, take))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _context
    _context = ctx
    # fork: the workers inherit the context; nothing is pickled but the batch and its rows.
    # (A worker that dies, killed or out of memory, fails the run with BrokenProcessPool.)
    workers = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_default_signals
    )
    finished = False
    try:
        todo = iter(batches)
        pending: deque = deque(
            workers.submit(_make_in_worker, reserve(b, take)) for b in islice(todo, jobs + 1)
        )
        while pending:
            made = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(workers.submit(_make_in_worker, reserve(nxt, take)))
            yield made
        finished = True
    finally:
        # on an error or an interruption: no new batch; those being made are dropped. The
        # workers still alive are stopped first: when one has died, another can be blocked for
        # ever writing its batch to a pipe that nobody reads any more, and shutdown would wait
        # for it (seen in CI). The pool keeps its processes in a private attribute.
        if not finished:
            for process in list((getattr(workers, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
        workers.shutdown(wait=True, cancel_futures=True)
        _context = None
