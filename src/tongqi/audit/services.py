"""Writing to the audit log. ``audit_record`` is the only way in; nothing updates or deletes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from tongqi.core import context
from tongqi.core.masking import mask
from tongqi.sql import Insert, next_key_sql, write

from .models import AuditHead, AuditRecord

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def changes_between(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    *,
    pii: Mapping[str, str] | None = None,
) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ, personal data masked.

    ``pii`` maps a field name to its masking kind ("mobile", "id_number", "name").
    """
    old = old or {}
    pii = pii or {}
    out: dict[str, list[Any]] = {}
    for key, after in new.items():
        before = old.get(key)
        if before == after and key in old:
            continue
        if key in pii:
            before = mask(pii[key], before) if before else before
            after = mask(pii[key], after) if after else after
        out[key] = [_plain(before), _plain(after)]
    return out


def canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def record_fields(rec: AuditRecord) -> dict[str, Any]:
    """What the chain covers: every column but the hash itself."""
    return {
        "seq": rec.seq,
        "at": rec.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": rec.actor_id,
        "actor_label": rec.actor_label,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "changes": rec.changes,
        "reason": rec.reason,
        "ip": rec.ip,
        "channel": rec.channel,
        "prev_hash": rec.prev_hash,
    }


def compute_hash(rec: AuditRecord) -> str:
    key = settings.TONGQI_AUDIT_KEY.encode()
    return hmac.new(key, canonical(record_fields(rec)), hashlib.sha256).hexdigest()


def _object_ref(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:200]


# Records waiting to be chained at the end of the current unit of work (see ``deferred``).
_pending: ContextVar[list[AuditRecord] | None] = ContextVar("tongqi_audit_pending", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the audit records of a unit of work and chain them all at its end.

    Chaining takes a lock on the chain head that is held until the transaction commits, so a
    record appended early in a long transaction would serialise every other writer behind it.
    Inside ``deferred()`` records are built at once (time, actor, changes) but appended together,
    as the last statements before the block ends, and the lock is held for a moment only.
    Nested blocks join the outermost one; on an exception nothing is appended (the transaction
    rolls back anyway).
    """
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        records = _pending.get()
    finally:
        _pending.reset(token)
    if records:
        _append(records)


def _lock_head(keys: int = 0) -> tuple[int, str, list[int]]:
    """Lock the chain's head until the transaction ends; its sequence number and hash, and
    (PostgreSQL) ``keys`` new record keys drawn from the records' sequence in the same statement.

    Plain SQL: every writer queues on this lock, so the statements between taking it and the
    commit are kept few and cheap (no query building while others wait)."""
    table = AuditHead._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cur:
        if keys:
            cur.execute(
                f"SELECT seq, hash, ARRAY(SELECT {next_key_sql(AuditRecord)}"  # noqa: S608
                f" FROM generate_series(1, %s)) FROM {table} WHERE id = 1{lock}",
                [keys],
            )
        else:
            cur.execute(f"SELECT seq, hash FROM {table} WHERE id = 1{lock}")  # noqa: S608
        row = cur.fetchone()
    if row is None:  # the very first record
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return _lock_head(keys) if keys else (head.seq, head.hash, [])
    return int(row[0]), row[1], list(row[2]) if keys else []


# Written once: the records are inserted while every other writer waits for the head's lock.
_insert = Insert(AuditRecord)
_insert_keyed = Insert(AuditRecord, with_key=True)


def _append(records: list[AuditRecord]) -> None:
    # No savepoint: nothing here is meant to fail on its own and be caught by the caller.
    with transaction.atomic(savepoint=False):
        postgres = connection.vendor == "postgresql"
        seq, prev, keys = _lock_head(len(records) if postgres else 0)
        for rec in records:
            seq += 1
            rec.seq, rec.prev_hash = seq, prev
            rec.hash = compute_hash(rec)
            prev = rec.hash
        head = f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1"  # noqa: S608
        if postgres:
            # The keys came with the lock; the records and the head go in one statement, sent
            # with the COMMIT (tongqi.sql.write; the head is locked and the keys are new, so
            # neither can conflict): while every other writer waits for the lock, one round trip.
            _insert_keyed.saved(records, keys)
            write(
                f"WITH ins AS ({_insert_keyed.sql(len(records), returning=False)}) {head}",
                [*_insert_keyed.params(records), seq, prev],
            )
        else:
            _insert(records)
            with connection.cursor() as cur:
                cur.execute(head, [seq, prev])


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
    channel: str | None = None,
    ip: str | None = None,
) -> AuditRecord:
    """Append one record, chained to the previous one, inside the caller's transaction.

    Actor, IP and channel default to the current request/command context. Inside
    ``deferred()`` the record is chained when the block ends; otherwise at once.
    """
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    otype, oid, orepr = _object_ref(obj)
    rec = AuditRecord(
        at=timezone.now(),
        actor=actor,
        actor_label=(actor.get_username() if actor is not None else "system")[:150],
        action=action,
        object_type=object_type or otype,
        object_id=str(object_id or oid),
        object_repr=(object_repr or orepr)[:200],
        changes=_plain(dict(changes or {})),
        reason=reason[:500],
        ip=ip if ip is not None else ctx.ip,
        channel=(channel or ctx.channel)[:16],
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(rec)
    else:
        _append([rec])
    return rec


def audit_many(entries: Iterable[Mapping[str, Any]]) -> list[AuditRecord]:
    return [audit_record(**entry) for entry in entries]
