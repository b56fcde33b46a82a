"""Django's PostgreSQL backend, and writes sent with the transaction's next round trip.

A submission writes several rows whose statements nobody waits for: the outbox messages, the
audit records, the stored idempotency answer, a manager's count. Sent one by one, each costs a
round trip, and under load each round trip costs both processes a sleep and a wake-up.
``write_later`` keeps such a statement on the connection instead; it goes out in one pipeline
(psycopg's pipeline mode: several statements, one round trip) with the next statement the
transaction sends, or with its COMMIT. The order of the statements is kept, so every later
read in the transaction sees the write.

It also answers Django's per-request health check without a round trip when it can
(``is_usable``).

The one difference a caller can see: an error of a kept statement is raised by the statement
that sent it, later in the same transaction. Only statements that are not meant to fail on
their own go this way (``tongqi.sql.write`` says which).
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction


def _send(conn: psycopg.Connection, pending: list) -> None:
    """Send the kept statements into the open pipeline (the caller syncs it), with Django's
    cursor of the same binding as they were written for (not ours: it would send them again)."""
    writes = list(pending)
    pending.clear()  # a failure must not send them again
    with _PLAIN.get(conn.cursor_factory, psycopg.Cursor)(conn) as cur:
        for sql, params in writes:
            cur.execute(sql, params)


class _Flushing:
    """A cursor that sends the connection's kept writes with its own statement."""

    def execute(self, query, params=None, **kwargs):
        pending = getattr(self.connection, "tongqi_later", None)
        if not pending:
            return super().execute(query, params, **kwargs)
        with self.connection.pipeline():
            _send(self.connection, pending)
            super().execute(query, params, **kwargs)
        return self

    def executemany(self, query, params_seq, **kwargs):
        pending = getattr(self.connection, "tongqi_later", None)
        if pending:
            with self.connection.pipeline():
                _send(self.connection, pending)
        return super().executemany(query, params_seq, **kwargs)


class ServerBindingCursor(_Flushing, base.ServerBindingCursor):
    pass


class Cursor(_Flushing, base.Cursor):
    pass


_PLAIN = {ServerBindingCursor: base.ServerBindingCursor, Cursor: base.Cursor}


def _readable(fd: int) -> bool:
    """Whether the socket has something to read now (poll: any descriptor number; select()
    only below 1024, where poll is missing)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = (
            ServerBindingCursor if params["cursor_factory"] is base.ServerBindingCursor else Cursor
        )
        return params

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.tongqi_later = []
        return conn

    def is_usable(self) -> bool:
        """Whether the connection still works, without a round trip when it plainly does.

        Django asks this at the start of every request (``CONN_HEALTH_CHECKS``) and answers it
        with ``SELECT 1``: a round trip on every request. Between statements the server has
        nothing to say, so a connection with nothing to read is taken as working; something to
        read means the server has said goodbye (a terminated backend or a restarted server
        sends an error and closes the socket), or sent a notice: then ``SELECT 1`` decides."""
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            readable = _readable(conn.fileno())
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True

    def write_later(self, sql: str, params) -> bool:
        """Keep a write for the transaction's next round trip; False when it must go now
        (outside a transaction, or where something watches each statement)."""
        conn = self.connection
        if conn is None or not self.in_atomic_block or self.needs_rollback or self.execute_wrappers:
            return False
        if self.queries_logged:  # counted where it was written, as if it had been sent
            self.queries_log.append({"sql": sql, "time": "0.000", "kept": True})
        conn.tongqi_later.append((sql, params))
        return True

    def create_cursor(self, name=None):
        if name and self.connection.tongqi_later:  # a server-side cursor: send them first
            with self.wrap_database_errors, self.connection.pipeline():
                _send(self.connection, self.connection.tongqi_later)
        return super().create_cursor(name)

    def _commit(self):
        conn = self.connection
        if conn is not None and conn.tongqi_later:
            with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
                with conn.pipeline():
                    _send(conn, conn.tongqi_later)
                    conn.commit()
            return None
        return super()._commit()

    def _rollback(self):
        if self.connection is not None:
            self.connection.tongqi_later.clear()
        return super()._rollback()

    def _close(self):
        if self.connection is not None:
            self.connection.tongqi_later.clear()
        return super()._close()
