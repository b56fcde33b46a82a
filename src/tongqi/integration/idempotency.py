"""Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header, as Stripe runs them).

The storage side; ``tongqi.api.idempotency.idempotent`` wires it into ninja operations. The
semantics, decided in docs/adr/0007-idempotency.md:

- ``reserve`` inserts the key *in its own committed transaction* before the work starts, so a
  concurrent duplicate sees the row: same request still running → 409
  ``idempotency_key_in_use``; different request (fingerprint = method + path + body hash) → 422
  ``idempotency_key_reused``; finished → the stored response is replayed.
- ``complete`` runs *inside the work's transaction*, guarded by the reservation's token, so
  "the work committed" and "the key holds its response" are one fact: a crash before the commit
  leaves neither, and a retry after the lease runs the work once more, never twice.
- ``release`` forgets the key when the outcome must not be replayed (a server error, a conflict,
  a rate limit): the client may retry with the same key.
- ``hold`` locks the key's row for the length of the work's transaction. On PostgreSQL a
  duplicate that finds the key in progress probes that lock (``SKIP LOCKED``): when nobody holds
  it, the holder died (a killed worker's transaction is rolled back and its locks released), so
  the duplicate takes the key over at once instead of waiting for the lease to run out.
- Keys live ``TONGQI_IDEMPOTENCY_TTL`` (at least 24 hours); ``purge`` deletes expired ones.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .choices import IdempotencyStatus
from .errors import ApiError
from .models import IdempotencyKey

LEASE = timedelta(minutes=2)  # longer than any request may run (gunicorn's timeout is 60 s)
# A reservation younger than this is never probed: its holder may not have locked it yet.
PROBE_AFTER = timedelta(seconds=2)
MIN_TTL = timedelta(hours=24)
# Outcomes the client may retry with the same key (nothing was done, or it may succeed later).
RELEASED_STATUSES = frozenset({408, 409, 423, 425, 429}) | frozenset(range(500, 600))


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


def _ttl() -> timedelta:
    return max(getattr(settings, "TONGQI_IDEMPOTENCY_TTL", MIN_TTL), MIN_TTL)


@dataclass(frozen=True)
class Replay:
    """The stored answer of a finished request."""

    status: int
    body: str
    content_type: str


@dataclass(frozen=True)
class Reservation:
    """This request holds the key (``token`` proves it) and must complete or release it."""

    pk: int
    token: str


def reserve(
    *, owner: str, key: str, method: str, path: str, body: bytes, now: datetime | None = None
) -> Reservation | Replay:
    """Take the key for this request, or answer from it (see the module docstring)."""
    fp = fingerprint(method, path, body)
    for _attempt in range(3):
        now = now or timezone.now()
        token = uuid.uuid4().hex
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    owner=owner,
                    key=key,
                    fingerprint=fp,
                    method=method.upper()[:8],
                    path=path[:300],
                    status=IdempotencyStatus.IN_PROGRESS,
                    lock_token=token,
                    created_at=now,
                    locked_until=now + LEASE,
                    expires_at=now + _ttl(),
                )
            return Reservation(pk=row.pk, token=token)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if existing is None:
            continue  # released in between: try to take it again
        if existing.expires_at <= now:
            IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fp:
            raise ApiError("idempotency_key_reused")
        if existing.status == IdempotencyStatus.COMPLETED:
            return Replay(
                status=existing.response_status or 200,
                body=existing.response_body,
                content_type=existing.response_type or "application/json",
            )
        if existing.locked_until is not None and existing.locked_until < now:
            # The holder died (its transaction rolled back with it): take the key over.
            taken = IdempotencyKey.objects.filter(
                pk=existing.pk,
                status=IdempotencyStatus.IN_PROGRESS,
                lock_token=existing.lock_token,
            ).update(lock_token=token, locked_until=now + LEASE)
            if taken:
                return Reservation(pk=existing.pk, token=token)
            continue
        if _abandoned(existing, now) and _take_over(existing, token, now):
            return Reservation(pk=existing.pk, token=token)
        raise ApiError("idempotency_key_in_use")
    raise ApiError("idempotency_key_in_use")


def _abandoned(existing: IdempotencyKey, now: datetime) -> bool:
    """Worth probing: the database can tell a live holder's row lock, and the holder had time
    to take it."""
    if not connection.features.has_select_for_update_skip_locked:
        return False  # SQLite: the lease alone decides
    return existing.locked_until is not None and existing.locked_until - LEASE < now - PROBE_AFTER


def _take_over(existing: IdempotencyKey, token: str, now: datetime) -> bool:
    """Take the key when no transaction holds its row (the holder is gone)."""
    with transaction.atomic():
        row = (
            IdempotencyKey.objects.select_for_update(skip_locked=True)
            .filter(
                pk=existing.pk,
                status=IdempotencyStatus.IN_PROGRESS,
                lock_token=existing.lock_token,
            )
            .only("pk")
            .first()
        )
        if row is None:
            return False  # locked: the holder is alive and working (or it just finished)
        IdempotencyKey.objects.filter(pk=row.pk).update(lock_token=token, locked_until=now + LEASE)
    return True


def hold(reservation: Reservation) -> None:
    """Lock the key's row until the work's transaction ends (call first thing inside it): a
    duplicate then knows this holder is alive. Raises LostReservation if another request took
    the key over in between."""
    held = (
        IdempotencyKey.objects.select_for_update()
        .filter(
            pk=reservation.pk,
            status=IdempotencyStatus.IN_PROGRESS,
            lock_token=reservation.token,
        )
        .values_list("pk", flat=True)
    )
    if not list(held):
        raise LostReservation


class LostReservation(Exception):
    """Another request took the key over (this one outlived its lease): roll the work back."""


def complete(reservation: Reservation, *, status: int, body: str, content_type: str) -> None:
    """Store the response; call inside the work's transaction (see the module docstring)."""
    done = IdempotencyKey.objects.filter(
        pk=reservation.pk,
        status=IdempotencyStatus.IN_PROGRESS,
        lock_token=reservation.token,
    ).update(
        status=IdempotencyStatus.COMPLETED,
        response_status=status,
        response_body=body,
        response_type=content_type[:100],
        lock_token="",
        locked_until=None,
    )
    if not done:
        raise LostReservation


def release(reservation: Reservation) -> None:
    """Forget the key so the client may retry with it."""
    IdempotencyKey.objects.filter(
        pk=reservation.pk, status=IdempotencyStatus.IN_PROGRESS, lock_token=reservation.token
    ).delete()


def should_store(status: int) -> bool:
    return status not in RELEASED_STATUSES


def purge(now: datetime | None = None) -> int:
    """Delete expired keys (a periodic job)."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
