"""The outbox queue: enqueue in the caller's transaction; workers claim with a lease, run the
registered handler, and retry with exponential backoff until a dead letter.

Apps register work in their ``tasks.py``::

    @outbox.handler("notify.sms")
    def send_sms(message): ...

    @outbox.periodic("sla.warnings", every=timedelta(minutes=5))
    def sla_warnings(message): ...

Why a database-backed queue and not Celery/Redis: see docs/adr/0002-queue.md.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from tongqi.sql import Insert

from .choices import OutboxStatus
from .models import OutboxMessage

log = logging.getLogger("tongqi.outbox")

Handler = Callable[[OutboxMessage], Any]
HANDLERS: dict[str, Handler] = {}

BACKOFF_BASE = 10  # seconds
BACKOFF_CAP = 3600
LEASE = timedelta(seconds=120)


# Kinds whose handler takes a list of messages: the messages of one claimed batch are handled
# in one call (e.g. one set-based recompute for fifty applications instead of fifty).
BATCH_HANDLERS: dict[str, Callable[[list], Any]] = {}


class PermanentError(Exception):
    """A handler raises this when retrying cannot help (bad payload): straight to dead letter."""


def handler(kind: str, *, many: Callable[[list], dict] | None = None):
    """Register ``fn`` to run each message of ``kind``.

    ``many`` (optional) runs a whole claimed batch of the kind at once and answers, per message
    that failed, its exception (``{message.pk: exc}``); the others are done. It is for work with
    outside effects (sending an SMS): each message fails alone and is never sent twice because
    another one failed. An exception out of ``many`` itself means nothing was sent: the batch is
    run again one message at a time."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if many is not None:
            BATCH_HANDLERS[kind] = many
        return fn

    return register


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta | None = None
    daily_at: time | None = None  # local time (Asia/Shanghai)

    def period_key(self, now: datetime) -> str | None:
        """The current period's key, or None when a daily job's time has not come yet today."""
        local = timezone.localtime(now)
        if self.daily_at is not None:
            if local.time() < self.daily_at:
                return None
            return local.date().isoformat()
        assert self.every is not None
        seconds = int(self.every.total_seconds())
        return str(int(now.timestamp()) // seconds)


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, *, every: timedelta | None = None, daily_at: time | None = None):
    """Register a job run once per period by whichever worker gets there first."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= or daily_at=")

    def register(fn: Handler) -> Handler:
        PERIODIC[name] = Periodic(name=name, every=every, daily_at=daily_at)
        HANDLERS[f"periodic.{name}"] = fn
        return fn

    return register


# Domain events: an app emits "application.gas_on"; every app that subscribed gets its own
# outbox message (and its own retries), so one slow subscriber never holds up another.
SUBSCRIBERS: dict[str, list[str]] = {}


def subscriber(event: str, name: str, *, batch: bool = False) -> Callable[[Handler], Handler]:
    """Register ``fn`` to run (as outbox kind ``name``) whenever ``event`` is emitted.

    With ``batch=True``, ``fn`` takes a list of messages: the worker hands it all the messages of
    this kind it claimed at once; if that call fails, each message is retried on its own, so one
    bad message is dead-lettered alone."""

    def register(fn: Handler) -> Handler:
        if batch:
            BATCH_HANDLERS[name] = fn
            HANDLERS[name] = lambda msg: fn([msg])
        else:
            HANDLERS[name] = fn
        kinds = SUBSCRIBERS.setdefault(event, [])
        if name not in kinds:
            kinds.append(name)
        return fn

    return register


def emit(event: str, payload: dict) -> int:
    """Enqueue ``payload`` for every subscriber of ``event``, in the caller's transaction."""
    return emit_all([(event, payload)])


def emit_all(events: list[tuple[str, dict]]) -> int:
    """``emit`` for several events at once: one statement for all their subscribers (a
    transition emits its own event and ``application.changed``, each with several)."""
    now = timezone.now()
    msgs = [
        OutboxMessage(
            kind=kind, payload={"event": event, **payload}, max_attempts=10, next_attempt_at=now
        )
        for event, payload in events
        for kind in SUBSCRIBERS.get(event, ())
    ]
    _insert.write(msgs)  # no unique key to hit: it may go with the next round trip
    return len(msgs)


# Every change writes its messages: the statement is written once (tongqi.sql says why).
_insert = Insert(OutboxMessage)


def discover() -> None:
    """Import every app's ``tasks`` module so its handlers are registered."""
    autodiscover_modules("tasks")


def enqueue(
    kind: str,
    payload: dict | None = None,
    *,
    delay: timedelta | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 10,
) -> OutboxMessage | None:
    """Write a message in the current transaction. With ``dedupe_key``, a second message with the
    same key is silently dropped (returns None)."""
    msg = OutboxMessage(
        kind=kind,
        payload=payload or {},
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
        next_attempt_at=timezone.now() + (delay or timedelta(0)),
    )
    if dedupe_key is None:
        _insert([msg])
        return msg
    try:
        with transaction.atomic():
            msg.save(force_insert=True)
    except IntegrityError:
        return None
    return msg


def schedule_due(now: datetime | None = None) -> int:
    """Enqueue each periodic job whose current period has no run yet (deduplicated by key).

    A worker calls this every few seconds: one read of the current periods' keys, and an insert
    only for a period that has none yet (``ON CONFLICT DO NOTHING``, for two workers at once)."""
    now = now or timezone.now()
    due = {}
    for job in PERIODIC.values():
        key = job.period_key(now)
        if key is not None:
            due[f"periodic:{job.name}:{key}"] = (job, key)
    if not due:
        return 0
    known = set(
        OutboxMessage.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True)
    )
    new = [
        OutboxMessage(
            kind=f"periodic.{job.name}",
            payload={"period": key},
            dedupe_key=dedupe,
            max_attempts=3,
            next_attempt_at=now,
        )
        for dedupe, (job, key) in due.items()
        if dedupe not in known
    ]
    if new:
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def claim(worker_id: str, limit: int = 20, lease: timedelta = LEASE) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages (or messages whose lease expired) for this worker.

    The due messages are read in the order of the partial index of pending messages, so a
    claim reads about ``limit`` index entries however many messages are done or waiting (a
    condition on two statuses at once made PostgreSQL collect and sort every pending message,
    and the entries of those already delivered, on every claim)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if len(ids) < limit:  # and those whose worker's lease ran out
            ids += list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.RUNNING, locked_until__lt=now)
                .order_by("locked_until", "id")
                .values_list("id", flat=True)[: limit - len(ids)]
            )
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(
            status=OutboxStatus.RUNNING,
            locked_until=now + lease,
            locked_by=worker_id,
            attempts=F("attempts") + 1,
        )
    return list(OutboxMessage.objects.filter(id__in=ids, locked_by=worker_id).order_by("id"))


def release_own(worker_id: str) -> int:
    """Put back the messages still claimed under ``worker_id``: a worker calls it when it starts,
    before its first claim, so that what a killed run of it (same ``--id``) had claimed is
    delivered at once and not only when the lease runs out (``reclaim_dead`` calls it for any
    worker found dead). A worker id belongs to one running worker at a time. A message that has
    used up its attempts goes to the dead letters instead (the worker may have died of it)."""
    running = OutboxMessage.objects.filter(status=OutboxStatus.RUNNING, locked_by=worker_id)
    dead = running.filter(attempts__gte=F("max_attempts")).update(
        status=OutboxStatus.DEAD,
        locked_until=None,
        last_error="the worker died while running it",
    )
    back = running.update(
        status=OutboxStatus.PENDING,
        locked_by="",
        locked_until=None,
        next_attempt_at=timezone.now(),
    )
    if dead or back:
        log.warning("outbox: %s messages of a previous run of %s put back", dead + back, worker_id)
    return dead + back


def reclaim_dead(worker_id: str) -> int:
    """Put back what workers that are gone had claimed (PostgreSQL: see ``liveness``), without
    waiting for their lease; ``worker_id`` is the caller, whose own claims are left alone."""
    from . import liveness

    if not liveness.supported():
        return 0
    holders = set(
        OutboxMessage.objects.filter(status=OutboxStatus.RUNNING, locked_until__gte=timezone.now())
        .exclude(locked_by=worker_id)
        .values_list("locked_by", flat=True)
        .distinct()
    )
    dead = holders - liveness.alive(holders)
    return sum(release_own(w) for w in sorted(dead))


def _backoff(attempts: int) -> timedelta:
    seconds = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311 - jitter only


def _finish(msg: OutboxMessage, worker_id: str, **fields) -> bool:
    """Update only if we still hold the lease (another worker may have reclaimed it)."""
    return bool(
        OutboxMessage.objects.filter(
            pk=msg.pk, locked_by=worker_id, status=OutboxStatus.RUNNING
        ).update(**fields)
    )


def process(msg: OutboxMessage, worker_id: str) -> bool:
    """Run one claimed message. True when it was delivered."""
    fn = HANDLERS.get(msg.kind)
    try:
        if fn is None:
            raise PermanentError(f"no handler registered for {msg.kind!r}")
        fn(msg)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
        _fail(msg, worker_id, exc)
        return False
    _finish(
        msg,
        worker_id,
        status=OutboxStatus.DONE,
        done_at=timezone.now(),
        locked_until=None,
        last_error="",
    )
    return True


def _fail(msg: OutboxMessage, worker_id: str, exc: BaseException) -> None:
    """A failed message: dead at once (PermanentError) or after its last attempt, else retried."""
    if isinstance(exc, PermanentError):
        _finish(
            msg, worker_id, status=OutboxStatus.DEAD, last_error=str(exc)[:2000], locked_until=None
        )
        log.error("outbox %s #%s dead: %s", msg.kind, msg.pk, exc)
        return
    err = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    if msg.attempts >= msg.max_attempts:
        _finish(msg, worker_id, status=OutboxStatus.DEAD, last_error=err, locked_until=None)
        log.error("outbox %s #%s dead after %s attempts: %s", msg.kind, msg.pk, msg.attempts, err)
    else:
        _finish(
            msg,
            worker_id,
            status=OutboxStatus.PENDING,
            last_error=err,
            locked_until=None,
            next_attempt_at=timezone.now() + _backoff(msg.attempts),
        )
        log.warning("outbox %s #%s failed (attempt %s): %s", msg.kind, msg.pk, msg.attempts, err)


def run_once(worker_id: str | None = None, limit: int = 50, schedule: bool = True) -> int:
    """One worker cycle: schedule periodic jobs, claim, process. Returns messages processed."""
    worker_id = worker_id or default_worker_id()
    if schedule:
        schedule_due()
    msgs = claim(worker_id, limit=limit)
    batches: dict[str, list[OutboxMessage]] = {}
    for msg in msgs:
        if msg.kind in BATCH_HANDLERS:
            batches.setdefault(msg.kind, []).append(msg)
        else:
            process(msg, worker_id)
    for kind, group in batches.items():
        process_batch(kind, group, worker_id)
    return len(msgs)


def process_batch(kind: str, msgs: list[OutboxMessage], worker_id: str) -> int:
    """Run the messages of one batch kind in one call; if it fails, one by one (so the failure
    is retried or dead-lettered for the message that caused it only). Returns those delivered."""
    if len(msgs) > 1:
        try:
            with transaction.atomic():
                result = BATCH_HANDLERS[kind](msgs)
            failed = result if isinstance(result, dict) else {}
        except Exception as exc:  # noqa: BLE001 - fall back to one at a time
            log.warning("outbox %s: batch of %s failed (%s); one at a time", kind, len(msgs), exc)
        else:
            done = OutboxMessage.objects.filter(
                pk__in=[m.pk for m in msgs if m.pk not in failed],
                locked_by=worker_id,
                status=OutboxStatus.RUNNING,
            ).update(
                status=OutboxStatus.DONE,
                done_at=timezone.now(),
                locked_until=None,
                last_error="",
            )
            for msg in msgs:
                if msg.pk in failed:
                    _fail(msg, worker_id, failed[msg.pk])
            return done
    return sum(process(msg, worker_id) for msg in msgs)


def drain(max_rounds: int = 100, schedule: bool = False) -> int:
    """Process until nothing is due (tests and the demo's first start)."""
    total = 0
    for _ in range(max_rounds):
        n = run_once(limit=200, schedule=schedule)
        total += n
        if n == 0:
            break
    return total


def replay(ids: list[int] | None = None) -> int:
    """Put dead letters back in the queue (all of them when ``ids`` is None)."""
    qs = OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return qs.update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        locked_by="",
        locked_until=None,
    )
