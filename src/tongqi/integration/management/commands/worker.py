"""``tongqi worker``: run the background queue (outbox messages and periodic jobs)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from tongqi.core.context import acting
from tongqi.integration import liveness, outbox

# How often a worker looks for the claims of dead workers (PostgreSQL; see liveness).
RECLAIM_EVERY = 5.0
# How often it checks that each periodic job has its run for the current period (the shortest
# period is minutes; checking on every cycle cost a statement per job per cycle under load).
SCHEDULE_EVERY = 5.0
# After a cycle that found some work but less than a batch, wait this long before the next, so
# that under a steady load the messages are handled in batches and not one cycle each (a cycle
# costs statements of its own: the claim, the batch's bookkeeping).
LINGER = 0.2


class Command(BaseCommand):
    help = "Run the background worker: deliver outbox messages, run periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one cycle, then exit")
        parser.add_argument("--sleep", type=float, default=1.0, help="idle wait in seconds")
        parser.add_argument(
            "--batch",
            type=int,
            default=200,
            help="messages claimed a cycle (default 200; a cycle's own statements are paid once)",
        )
        parser.add_argument(
            "--id",
            default="",
            help="worker id, unique among running workers (default host:pid). On PostgreSQL "
            "the running workers put back at once what a killed one had claimed; on SQLite a "
            "restarted worker with the same stable id (e.g. host-1 under a supervisor) does, "
            "otherwise the 2-minute lease runs out first",
        )

    def handle(self, *args, once=False, sleep=1.0, batch=200, id="", **options):  # noqa: A002
        outbox.discover()
        worker_id = id or outbox.default_worker_id()
        stop = {"now": False}

        def _stop(signum, frame):
            stop["now"] = True

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(
            f"worker {worker_id}: {len(outbox.HANDLERS)} handlers, "
            f"{len(outbox.PERIODIC)} periodic jobs"
        )
        heartbeat = liveness.Heartbeat(worker_id)
        try:
            with acting(channel="worker"):
                self._loop(worker_id, heartbeat, stop, once=once, sleep=sleep, batch=batch)
        except liveness.IdInUse:
            raise CommandError(f"worker id {worker_id} is in use by a running worker") from None
        finally:
            heartbeat.close()
            for sig, handler in previous.items():  # called in-process (tests, scripts): as before
                signal.signal(sig, handler)

    def _loop(self, worker_id, heartbeat, stop, *, once, sleep, batch):
        released = False
        reclaimed_at = scheduled_at = float("-inf")
        while not stop["now"]:
            close_old_connections()
            try:
                # No claim without the heartbeat: others would take it for a dead worker's.
                if not heartbeat.ensure():
                    raise RuntimeError("no heartbeat connection")
                if not released:
                    back = outbox.release_own(worker_id)
                    released = True
                    # said once the id is held and an earlier run's claims are back: from here
                    # on, what is claimed under this id is this process's
                    self.stdout.write(
                        f"worker {worker_id}: ready ({back} messages of an earlier run put back)"
                    )
                    self.stdout.flush()
                if time.monotonic() - reclaimed_at >= RECLAIM_EVERY:
                    outbox.reclaim_dead(worker_id)
                    reclaimed_at = time.monotonic()
                schedule = time.monotonic() - scheduled_at >= SCHEDULE_EVERY
                n = outbox.run_once(worker_id, limit=batch, schedule=schedule)
                if schedule:
                    scheduled_at = time.monotonic()
            except liveness.IdInUse:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. database restarting: wait, retry
                self.stderr.write(f"worker cycle failed: {exc}")
                n = 0
                time.sleep(min(sleep * 3, 5))
            if once:
                break
            if n == 0:
                time.sleep(sleep)
            elif n < batch:
                time.sleep(min(LINGER, sleep))
