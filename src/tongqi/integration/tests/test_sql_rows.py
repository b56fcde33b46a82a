"""tongqi.sql: the statements written once read and write what the ORM does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.integration.models import OutboxMessage
from tongqi.sql import Insert, Rows, Update

pytestmark = pytest.mark.django_db


def _columns(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_writes_what_bulk_create_writes(django_assert_num_queries):
    now = timezone.now()
    payload = {"event": "application.submitted", "amount": "12.50", "names": ["张三", "李四"]}
    ours = [
        OutboxMessage(kind="test.a", payload=payload, next_attempt_at=now),
        OutboxMessage(kind="test.b", payload={}, dedupe_key="k-1", max_attempts=3),
    ]
    theirs = [
        OutboxMessage(kind="test.a", payload=payload, next_attempt_at=now),
        OutboxMessage(kind="test.b", payload={}, dedupe_key="k-2", max_attempts=3),
    ]
    with django_assert_num_queries(1):  # two rows, one statement
        Insert(OutboxMessage)(ours)
    OutboxMessage.objects.bulk_create(theirs)
    assert all(m.pk and not m._state.adding for m in ours)
    assert ours[1].pk > ours[0].pk  # the keys come back in the order of the objects
    for mine, ref in zip(ours, theirs, strict=True):
        a = _columns(OutboxMessage.objects.get(pk=mine.pk))
        b = _columns(OutboxMessage.objects.get(pk=ref.pk))
        for volatile in ("id", "delivery_id", "created_at", "dedupe_key", "next_attempt_at"):
            a.pop(volatile), b.pop(volatile)
        assert a == b
    stored = OutboxMessage.objects.get(pk=ours[0].pk)
    assert stored.payload == payload and stored.next_attempt_at == now
    assert stored.delivery_id == ours[0].delivery_id  # the default made in Python is the one kept


def test_rows_read_converts_as_the_orm_does():
    msg = OutboxMessage.objects.create(
        kind="test.c", payload={"n": Decimal("1.5").to_eng_string()}, attempts=2
    )
    msg.locked_until = timezone.now() + timedelta(minutes=2)
    msg.save()
    rows = Rows((OutboxMessage, "m"))
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {rows.select} FROM integration_outboxmessage m WHERE m.id = %s", [msg.pk]
        )
        [read] = rows.read(cur.fetchone())
    assert _columns(read) == _columns(OutboxMessage.objects.get(pk=msg.pk))
    assert timezone.is_aware(read.locked_until) and read.payload == {"n": "1.5"}


def test_update_writes_the_named_fields_only(django_assert_num_queries):
    msg = OutboxMessage.objects.create(kind="test.d", payload={"a": 1})
    stale = OutboxMessage.objects.get(pk=msg.pk)
    msg.status, msg.attempts, msg.payload = "running", 3, {"a": 2}
    with django_assert_num_queries(1):
        assert Update(OutboxMessage)(msg, ["status", "attempts"]) == 1
    stored = OutboxMessage.objects.get(pk=msg.pk)
    assert (stored.status, stored.attempts, stored.payload) == ("running", 3, {"a": 1})
    stale.pk = 10**9  # a row that is not there: nothing written, and the caller is told
    assert Update(OutboxMessage)(stale, ["status"]) == 0


def test_insert_adapts_what_is_not_already_the_columns_type():
    """Values of exactly the column's type go as they are; anything else through the field."""
    from django.utils.translation import gettext_lazy

    msg = OutboxMessage(kind=gettext_lazy("test.lazy"), payload=[], attempts="3", max_attempts=True)
    Insert(OutboxMessage)([msg])
    stored = OutboxMessage.objects.get(pk=msg.pk)
    assert (stored.kind, stored.attempts, stored.max_attempts) == ("test.lazy", 3, 1)
