"""Which queue workers are alive, so a killed worker's messages go back at once (PostgreSQL).

Each worker holds a session advisory lock named after its id, on a connection of its own, for as
long as it runs. The operating system closes a killed worker's connection and PostgreSQL drops
its lock with it; so a message still claimed by a worker whose lock anybody can take is a message
of a dead worker, and the next worker to look puts it back (``outbox.reclaim_dead``) instead of
waiting for the 2-minute lease. On SQLite (one host, the demo) the lease alone decides.

The lock's connection is not Django's: Django closes its connections between cycles
(``close_old_connections``), which would drop the lock of a live worker.
"""

from __future__ import annotations

import logging
import time
import zlib

from django.db import connection

log = logging.getLogger("tongqi.integration.liveness")

# The first key of the two-key advisory lock: "TQ" — TongQi's workers, nobody else's locks.
NAMESPACE = 0x5451

# How long a starting worker waits for its id's lock before it says the id is in use. A worker
# restarted at once after a kill finds its predecessor's lock still held for a moment: PostgreSQL
# drops it when the old session's backend has ended, which is soon but not instant.
GRACE = 5.0


def lock_key(worker_id: str) -> int:
    """A stable signed 32-bit key for a worker id (PostgreSQL's int4)."""
    key = zlib.crc32(worker_id.encode("utf-8"))
    return key - (1 << 32) if key >= (1 << 31) else key


def supported() -> bool:
    return connection.vendor == "postgresql"


class IdInUse(Exception):
    """Another running worker holds this worker id."""


class Heartbeat:
    """The advisory lock a running worker holds (PostgreSQL); a no-op elsewhere."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._conn = None

    def ensure(self, *, grace: float = GRACE) -> bool:
        """Hold the lock (again, after a lost connection). False: the database does not answer,
        so the caller must not claim work now. Raises IdInUse if the lock is still held by
        another session after ``grace`` seconds: a live worker has this id."""
        if not supported():
            return True
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT 1")
                return True
            except Exception:  # noqa: BLE001 - connection lost (e.g. PostgreSQL restarted)
                self.close()
        give_up = time.monotonic() + grace
        try:
            conn = connection.get_new_connection(connection.get_connection_params())
            conn.autocommit = True
            while not conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (NAMESPACE, lock_key(self.worker_id))
            ).fetchone()[0]:
                if time.monotonic() >= give_up:
                    conn.close()
                    raise IdInUse(self.worker_id)
                time.sleep(0.1)
        except IdInUse:
            raise
        except Exception as exc:  # noqa: BLE001 - the database is away: retry next cycle
            log.warning("worker %s: no heartbeat connection (%s)", self.worker_id, exc)
            return False
        self._conn = conn
        return True

    def close(self) -> None:
        """Release the lock and close its connection. The explicit unlock makes the id free at
        once; closing alone frees it only when the server has ended the session."""
        if self._conn is not None:
            try:
                if not self._conn.closed:
                    self._conn.execute(
                        "SELECT pg_advisory_unlock(%s, %s)", (NAMESPACE, lock_key(self.worker_id))
                    )
            except Exception:  # noqa: BLE001 - a broken connection: the server drops the lock
                pass
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self._conn = None


def alive(worker_ids) -> set[str]:
    """Which of ``worker_ids`` hold their lock now (PostgreSQL). Each lock that can be taken
    is released again at once; the caller's own lock (held on another connection) counts."""
    ids = sorted(set(worker_ids))
    if not ids or not supported():
        return set(ids)
    live = set()
    with connection.cursor() as cur:
        for wid in ids:
            key = lock_key(wid)
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, key])
            if cur.fetchone()[0]:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, key])
            else:
                live.add(wid)
    return live
