"""Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header, as Stripe runs them).

The storage side; ``tongqi.api.idempotency.idempotent`` wires it into ninja operations. The
semantics, decided in docs/adr/0007-idempotency.md and docs/adr/0018-idempotency-in-one-transaction.md:

- ``claim`` is the first statement of the work's transaction. It takes the key's lock for the
  length of that transaction and reads the key's row: a finished request's answer is replayed;
  the same key with another request (fingerprint = method + path + body hash) is 422
  ``idempotency_key_reused``; a key whose lock another transaction holds — the same request
  still running — is 409 ``idempotency_key_in_use`` at once.
- ``record`` writes the answer *inside the work's transaction*, so "the work committed" and
  "the key holds its answer" are one fact: a crash before the commit leaves neither (and drops
  the lock with the connection), so a retry runs the work once more, never twice.
- An answer that must not be replayed (a server error, a conflict, a rate limit) is simply not
  recorded: the work rolled back, the key was never written, the client may retry with it.
  ``record_after`` stores a client error (400, 404, 422 …) after its work rolled back.
- The lock: on PostgreSQL a transaction-level advisory lock on the key's hash, tried without
  waiting. On SQLite writers are serialised by the database (``BEGIN IMMEDIATE``): a duplicate
  waits for the first to commit and is answered with the replay.
- Keys live ``TONGQI_IDEMPOTENCY_TTL`` (at least 24 hours); ``purge`` deletes expired ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tongqi.sql import Insert

from .choices import IdempotencyStatus
from .errors import ApiError
from .models import IdempotencyKey

MIN_TTL = timedelta(hours=24)
# Outcomes the client may retry with the same key (nothing was done, or it may succeed later).
RELEASED_STATUSES = frozenset({408, 409, 423, 425, 429}) | frozenset(range(500, 600))
# The first key of the two-key advisory lock: "IK" (the queue workers' ids use "TQ").
LOCK_NAMESPACE = 0x494B


def normalise_key(raw: str | None) -> str | None:
    """The key from the header: a structured-field string (``"abc"``) or a bare token."""
    if raw is None:
        return None
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not 1 <= len(value) <= 255 or not all(" " <= ch <= "~" for ch in value):
        raise ApiError("idempotency_key_invalid")
    return value


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 over method, path (with query) and the body's SHA-256."""
    digest = hashlib.sha256(body).hexdigest()
    return hashlib.sha256(f"{method.upper()}\n{path}\n{digest}".encode()).hexdigest()


def lock_key(owner: str, key: str) -> int:
    """The second key of the advisory lock: a signed 32-bit hash of owner and key. Two keys
    that share it only make one of two simultaneous requests wait for a 409 and a retry."""
    raw = hashlib.sha256(f"{owner}\n{key}".encode()).digest()[:4]
    return int.from_bytes(raw, "big", signed=True)


def _ttl() -> timedelta:
    return max(getattr(settings, "TONGQI_IDEMPOTENCY_TTL", MIN_TTL), MIN_TTL)


@dataclass(frozen=True)
class Replay:
    """The stored answer of a finished request."""

    status: int
    body: str
    content_type: str


@dataclass(frozen=True)
class Claim:
    """This request holds the key for its transaction and records its answer with its work."""

    owner: str
    key: str
    fingerprint: str
    method: str
    path: str


_FIELDS = ("id", "fingerprint", "status", "response_status", "response_body", "response_type")


def _lock_and_read(owner: str, key: str) -> tuple[bool, tuple | None]:
    """Take the key's lock (without waiting) and read its row, in one round trip."""
    table = IdempotencyKey._meta.db_table
    cols = ", ".join(f"k.{c}" for c in (*_FIELDS, "expires_at"))
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT pg_try_advisory_xact_lock(%s, %s), {cols} FROM (SELECT 1) AS one "
            f"LEFT JOIN {table} AS k ON k.owner = %s AND k.key = %s"
        )
        params = [LOCK_NAMESPACE, lock_key(owner, key), owner, key]
    else:  # the database serialises writers: whoever runs this holds the only write lock
        sql = f"SELECT 1, {cols} FROM {table} AS k WHERE k.owner = %s AND k.key = %s"
        params = [owner, key]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        return True, None
    locked, rest = bool(row[0]), row[1:]
    return locked, (rest if rest[0] is not None else None)


def claim(
    *, owner: str, key: str, method: str, path: str, body: bytes, now: datetime | None = None
) -> Claim | Replay:
    """Call first inside the work's transaction: the key for this request, or its answer."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim() belongs inside the work's transaction")
    fp = fingerprint(method, path, body)
    now = now or timezone.now()
    locked, row = _lock_and_read(owner, key)
    if not locked:
        raise ApiError("idempotency_key_in_use")
    if row is not None:
        pk, row_fp, status, response_status, response_body, response_type, expires_at = row
        if isinstance(expires_at, str):  # SQLite through a raw cursor
            expires_at = datetime.fromisoformat(expires_at)
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at, UTC)
        if expires_at <= now or status != IdempotencyStatus.COMPLETED:
            # expired, or left half-way by the reserve-first scheme of an older release: the
            # lock says nobody works on it now
            IdempotencyKey.objects.filter(pk=pk).delete()
        elif row_fp != fp:
            raise ApiError("idempotency_key_reused")
        else:
            return Replay(
                status=response_status or 200,
                body=response_body,
                content_type=response_type or "application/json",
            )
    return Claim(owner=owner, key=key, fingerprint=fp, method=method.upper()[:8], path=path[:300])


def _row(c: Claim, *, status: int, body: str, content_type: str, now: datetime) -> IdempotencyKey:
    return IdempotencyKey(
        owner=c.owner,
        key=c.key,
        fingerprint=c.fingerprint,
        method=c.method,
        path=c.path,
        status=IdempotencyStatus.COMPLETED,
        response_status=status,
        response_body=body,
        response_type=content_type[:100],
        created_at=now,
        expires_at=now + _ttl(),
    )


def record(c: Claim, *, status: int, body: str, content_type: str) -> None:
    """Store the answer inside the work's transaction (the key's lock is held)."""
    # The key is locked and unanswered (``claim``), so this cannot hit the unique key: it may go
    # with the next round trip (tongqi.sql.write).
    _insert.write(
        [_row(c, status=status, body=body, content_type=content_type, now=timezone.now())]
    )


_insert = Insert(IdempotencyKey)  # every API write stores its answer (tongqi.sql says why)


def record_after(c: Claim, *, status: int, body: str, content_type: str) -> bool:
    """Store a client error's answer once its work has rolled back (a transaction of its own).

    Skipped when another request holds the key by now, or has answered it: that answer stands.
    """
    with transaction.atomic():
        locked, row = _lock_and_read(c.owner, c.key)
        if not locked or row is not None:
            return False
        now = timezone.now()
        IdempotencyKey.objects.bulk_create(
            [_row(c, status=status, body=body, content_type=content_type, now=now)],
            ignore_conflicts=True,
        )
    return True


def should_store(status: int) -> bool:
    return status not in RELEASED_STATUSES


def purge(now: datetime | None = None) -> int:
    """Delete expired keys (a periodic job)."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
