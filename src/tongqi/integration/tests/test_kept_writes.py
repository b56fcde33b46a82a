"""tongqi.sql.write and the PostgreSQL backend that keeps such writes for the next round trip
(tongqi/db/postgresql/base.py): order, commit, rollback, errors and counting as if sent at once."""

from __future__ import annotations

import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tongqi.integration.models import OutboxMessage
from tongqi.sql import Insert, write

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="writes are kept on PostgreSQL only"
)

_insert = Insert(OutboxMessage)


def _kept() -> list:
    return getattr(connection.connection, "tongqi_later", [])


def _message(kind: str, dedupe_key: str | None = None) -> OutboxMessage:
    return OutboxMessage(kind=kind, payload={"n": 1}, dedupe_key=dedupe_key)


@pytest.mark.django_db
def test_a_written_row_is_seen_by_the_next_read_in_the_transaction():
    with transaction.atomic():
        _insert.write([_message("kept.a"), _message("kept.b")])
        write(
            f"UPDATE {OutboxMessage._meta.db_table} SET attempts = 3 WHERE kind = %s",  # noqa: S608
            ["kept.b"],
        )
        rows = dict(
            OutboxMessage.objects.filter(kind__startswith="kept.").values_list("kind", "attempts")
        )
    assert rows == {"kept.a": 0, "kept.b": 3}  # both statements, in their order
    assert _kept() == []


@postgres_only
@pytest.mark.django_db
def test_on_postgresql_the_write_waits_for_the_next_statement():
    with transaction.atomic():
        _insert.write([_message("kept.wait")])
        assert len(_kept()) == 1  # not sent yet
        assert OutboxMessage.objects.filter(kind="kept.wait").count() == 1
        assert _kept() == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_write_goes_with_the_commit_and_is_dropped_on_rollback():
    with transaction.atomic():
        _insert.write([_message("kept.commit")])
        assert len(_kept()) == 1
    assert _kept() == []
    assert OutboxMessage.objects.filter(kind="kept.commit").count() == 1

    def failing_unit():
        with transaction.atomic():
            _insert.write([_message("kept.rollback")])
            raise RuntimeError("the unit of work fails")

    with pytest.raises(RuntimeError):
        failing_unit()
    assert _kept() == []
    assert not OutboxMessage.objects.filter(kind="kept.rollback").exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_error_is_raised_by_the_statement_that_sends_it():
    OutboxMessage.objects.create(kind="kept.first", dedupe_key="kept-dup")

    def unit():
        with transaction.atomic():
            _insert.write([_message("kept.second", dedupe_key="kept-dup")])
            OutboxMessage.objects.count()  # sends it: the unique key's error comes from here

    with pytest.raises(IntegrityError, match="dedupe_key"):
        unit()
    # the unit of work rolled back whole; the connection works on
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["kept.first"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_error_sent_with_the_commit_rolls_the_unit_back():
    OutboxMessage.objects.create(kind="kept.first", dedupe_key="kept-dup")

    def unit():
        with transaction.atomic():
            OutboxMessage.objects.create(kind="kept.before")
            _insert.write([_message("kept.second", dedupe_key="kept-dup")])

    with pytest.raises(IntegrityError):  # from the COMMIT that sends it
        unit()
    assert _kept() == []
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["kept.first"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_runs_at_once():
    _insert.write([_message("kept.autocommit")])
    assert _kept() == []
    assert OutboxMessage.objects.filter(kind="kept.autocommit").exists()


@pytest.mark.django_db
def test_a_kept_write_is_counted_where_it_was_written():
    with CaptureQueriesContext(connection) as q:
        _insert.write([_message("kept.count")])
    assert len(q.captured_queries) == 1
    assert "INSERT INTO" in q.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_an_execute_wrapper_sees_the_write_at_once():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        _insert.write([_message("kept.wrapped")])
    assert len(seen) == 1 and seen[0].startswith("INSERT INTO")
    assert _kept() == []


@postgres_only
@pytest.mark.django_db
def test_on_postgresql_the_health_check_needs_no_round_trip_until_the_server_hangs_up(
    monkeypatch,
):
    """Django checks a reused connection at the start of each request (CONN_HEALTH_CHECKS)."""
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

    other = connections.create_connection("default")
    other.ensure_connection()
    try:
        pid = other.connection.info.backend_pid
        asked = []
        real = DjangoWrapper.is_usable
        monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: asked.append(1) or real(self))
        assert other.is_usable() is True
        assert asked == []  # nothing to read: no SELECT 1

        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other.is_usable() is False  # the server said goodbye: asked, and it failed
        assert asked
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_write_inside_a_savepoint_that_rolls_back_is_undone():
    def inner():
        with transaction.atomic():  # a savepoint
            _insert.write([_message("kept.inner")])
            raise RuntimeError("the inner step fails")

    with transaction.atomic():
        _insert.write([_message("kept.outer")])
        with pytest.raises(RuntimeError):
            inner()
    kinds = set(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == {"kept.outer"}


@pytest.mark.django_db
def test_a_server_side_cursor_and_executemany_see_the_writes_before_them():
    with transaction.atomic():
        _insert.write([_message("kept.iter")])
        assert [m.kind for m in OutboxMessage.objects.filter(kind="kept.iter").iterator()] == [
            "kept.iter"
        ]
        _insert.write([_message("kept.many")])
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {OutboxMessage._meta.db_table} SET attempts = %s WHERE kind = %s",  # noqa: S608
                [(5, "kept.many"), (6, "kept.iter")],
            )
        assert dict(
            OutboxMessage.objects.filter(kind__in=["kept.iter", "kept.many"]).values_list(
                "kind", "attempts"
            )
        ) == {"kept.iter": 6, "kept.many": 5}
