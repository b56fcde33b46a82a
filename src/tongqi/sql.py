"""Hand-written joins on the hot paths, read into model instances as the ORM would read them.

The ORM builds and compiles its SQL again on every call: for the bearer-token check, a join of
three tables, that was most of a millisecond of Python on every API request. A statement written
once costs a fraction of that. ``Rows`` keeps what such a statement needs: the select list of
each model's columns, and the ORM's own converters for them (so a date read from SQLite, a JSON
column or a decimal comes out as the ORM gives it), and turns a row back into instances with the
related objects cached, as ``select_related`` leaves them.

Use it only where a measurement says the ORM's cost matters; everywhere else, write queries with
the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model
from django.db.models.sql import Query

# Fields whose value the ORM sends as it is when it has exactly this Python type (``get_prep_value``
# of a text column is ``str(value)``, of an integer column ``int(value)``): ``Insert`` passes
# such values through without the field's adapter calls, about a tenth of a submission's Python.
_AS_IS: dict[type, type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}


def _as_is(field) -> type | None:
    """The exact type whose values ``field`` writes unchanged, if any (None otherwise)."""
    if isinstance(field, models.ForeignKey):  # the key of the row it points to
        return _AS_IS.get(type(field.target_field))
    return _AS_IS.get(type(field))


class Rows:
    """The concrete columns of several models, one table alias each, in one select list.

    ``Rows((ApiToken, "t"), (User, "u"))``: ``rows.select`` is ``t."id", t."user_id", …,
    u."id", …``; ``rows.read(row)`` answers ``[token, user]`` (``None`` for a model whose
    columns are all null: the missing side of a left join)."""

    def __init__(self, *parts: tuple[type[Model], str]):
        self.parts = [(model, alias, list(model._meta.concrete_fields)) for model, alias in parts]
        self._converters: dict[str, tuple] = {}

    @property
    def select(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(
            f"{alias}.{qn(f.column)}" for _model, alias, fields in self.parts for f in fields
        )

    def _compiler(self):
        """The compiler and converters for the current database (built once per vendor)."""
        vendor = connection.vendor
        if vendor not in self._converters:
            compiler = connection.ops.compiler("SQLCompiler")(Query(None), connection, None)
            cols = [f.get_col(alias) for _model, alias, fields in self.parts for f in fields]
            self._converters[vendor] = (compiler, compiler.get_converters(cols))
        return self._converters[vendor]

    def read(self, row: Sequence) -> list[Model | None]:
        compiler, converters = self._compiler()
        if converters:
            row = next(iter(compiler.apply_converters([list(row)], converters)))
        out: list[Model | None] = []
        start = 0
        for model, _alias, fields in self.parts:
            values = row[start : start + len(fields)]
            start += len(fields)
            if all(v is None for v in values):
                out.append(None)
            else:
                out.append(model.from_db(connection.alias, [f.attname for f in fields], values))
        return out


def cache_related(instance: Model, field_name: str, related: Model | None) -> None:
    """Leave ``related`` on ``instance`` as ``select_related(field_name)`` would."""
    instance._meta.get_field(field_name).set_cached_value(instance, related)


class Insert:
    """``INSERT … RETURNING id`` of a model's rows, the statement written once per row count.

    What ``bulk_create`` does for plain values (each field's ``pre_save`` and
    ``get_db_prep_save``, the new primary keys set on the objects), without building and
    compiling the query on every call. No signals are sent: like ``bulk_create``.

    ``unless_exists=("uscc",)``: ``ON CONFLICT (uscc) DO NOTHING``, one object a call; the call
    answers whether it was inserted. ``with_key=True``: the key column is written too, from
    objects whose keys were drawn beforehand."""

    def __init__(
        self, model: type[Model], *, unless_exists: Sequence[str] = (), with_key: bool = False
    ):
        self.model = model
        meta = model._meta
        # with_key: the objects carry their keys already (drawn from the sequence beforehand)
        self.fields = [f for f in meta.concrete_fields if with_key or f is not meta.auto_field]
        self._as_is = [_as_is(f) for f in self.fields]
        self.unless_exists = [meta.get_field(name).column for name in unless_exists]
        self._sql: dict[tuple[str, int, bool], str] = {}

    def sql(self, n: int, *, returning: bool = True) -> str:
        key = (connection.vendor, n, returning)
        if key not in self._sql:
            qn = connection.ops.quote_name
            cols = ", ".join(qn(f.column) for f in self.fields)
            row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            conflict = (
                f" ON CONFLICT ({', '.join(qn(c) for c in self.unless_exists)}) DO NOTHING"
                if self.unless_exists
                else ""
            )
            self._sql[key] = (
                f"INSERT INTO {qn(self.model._meta.db_table)} ({cols}) VALUES "
                + ", ".join([row] * n)
                + conflict
                + (f" RETURNING {qn(self.model._meta.pk.column)}" if returning else "")
            )
        return self._sql[key]

    def __call__(
        self, objs: Sequence[Model], *, draw: type[Model] | Sequence[type[Model]] | None = None
    ) -> bool:
        """Insert ``objs`` and set their keys; False when one already existed (``unless_exists``).

        ``draw=Model`` or ``draw=(Model, …)`` (PostgreSQL, one object): the same statement also
        draws a new key of each model from its sequence, left on the object for ``drawn_key``
        (a row the caller will write next can then go without waiting for its key: ``write``).
        Nothing is drawn when the row already existed."""
        if not objs:
            return True
        if self.unless_exists and len(objs) != 1:
            raise ValueError("unless_exists inserts one object a call")
        sql = self.sql(len(objs))
        models_ = () if draw is None else (draw,) if isinstance(draw, type) else tuple(draw)
        nextvals = [next_key_sql(m) for m in models_] if len(objs) == 1 else []
        if nextvals and None not in nextvals:
            sql = f"{sql}, {', '.join(nextvals)}"  # RETURNING id, nextval(…), …
        else:
            nextvals = []
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, self.params(objs))
            rows = cursor.fetchall()
        if not rows and self.unless_exists:
            return False
        self.saved(objs, [r[0] for r in rows])
        for i, model in enumerate(models_[: len(nextvals)], start=1):
            _drawn(objs[0])[model] = rows[0][i]
        return True

    def write(self, objs: Sequence[Model]) -> None:
        """Insert ``objs`` whose keys nobody reads: the statement may wait for the transaction's
        next round trip (``write``), and the objects are left without their keys."""
        if objs:
            write(self.sql(len(objs), returning=False), self.params(objs))

    def params(self, objs: Sequence[Model]) -> list:
        """The statement's parameters for ``objs`` (for a caller that sends it inside another)."""
        # the connection itself, not the proxy: fields ask it for their adapters, and each
        # question through ``django.db.connection`` is a look-up of the thread's connection
        conn = connections[DEFAULT_DB_ALIAS]
        out = []
        for obj in objs:
            for f, as_is in zip(self.fields, self._as_is, strict=True):
                value = f.pre_save(obj, True)
                if as_is is not None and (value is None or type(value) is as_is):
                    out.append(value)
                else:
                    out.append(f.get_db_prep_save(value, conn))
        return out

    @staticmethod
    def saved(objs: Sequence[Model], pks: Sequence) -> None:
        """Mark ``objs`` as the rows with keys ``pks`` (in the same order)."""
        for obj, pk in zip(objs, pks, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = DEFAULT_DB_ALIAS


class Update:
    """``UPDATE … SET <fields> WHERE pk = %s`` for one object: ``save(update_fields=…)``
    with the statement written once per set of fields. No signals are sent."""

    def __init__(self, model: type[Model]):
        self.model = model
        self._sql: dict[tuple[str, tuple[str, ...]], tuple[str, list]] = {}

    def _statement(self, names: tuple[str, ...]):
        key = (connection.vendor, names)
        if key not in self._sql:
            meta, qn = self.model._meta, connection.ops.quote_name
            fields = [meta.get_field(n) for n in names]
            sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
            self._sql[key] = (
                f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s",
                fields,
            )
        return self._sql[key]

    def __call__(self, obj: Model, update_fields: Sequence[str]) -> int:
        """Write ``update_fields`` of ``obj``; the number of rows written (0: it is gone)."""
        sql, params = self._bound(obj, update_fields)
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def write(self, obj: Model, update_fields: Sequence[str]) -> None:
        """Write ``update_fields`` of a row the caller holds locked (so it is there): the
        statement may wait for the transaction's next round trip (``write``)."""
        write(*self._bound(obj, update_fields))

    def _bound(self, obj: Model, update_fields: Sequence[str]) -> tuple[str, list]:
        sql, fields = self._statement(tuple(update_fields))
        conn = connections[DEFAULT_DB_ALIAS]  # not the proxy (see Insert)
        params = [f.get_db_prep_save(f.pre_save(obj, False), conn) for f in fields]
        params.append(obj.pk)
        return sql, params


def write(sql: str, params: Sequence) -> None:
    """Run a write whose result nobody reads.

    On PostgreSQL inside a transaction, the statement is kept on the connection and sent in one
    pipeline with the transaction's next statement or its COMMIT (``tongqi.db.postgresql``): a
    round trip less for each. Use it for statements that are not meant to fail on their own
    (an insert without a unique key a caller could hit, an update of a row the caller holds
    locked): an error would be raised later, by the statement that sends it, in the same
    transaction. Elsewhere the statement runs at once."""
    conn = connections[DEFAULT_DB_ALIAS]
    later = getattr(conn, "write_later", None)
    if later is not None and later(sql, list(params)):
        return
    with conn.cursor() as cursor:
        cursor.execute(sql, params)


# --- keys drawn before the row is written (PostgreSQL) ------------------------------------------

_sequences: dict[tuple[str, str], str] = {}


def next_key_sql(model: type[Model]) -> str | None:
    """``nextval('<model's key sequence>')`` on PostgreSQL, None elsewhere: a new key of
    ``model`` that a statement the caller sends anyway can draw, so that the row can be written
    later without waiting for its key (``Insert(model, with_key=True).write``)."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        return None
    key = (conn.settings_dict["NAME"], model._meta.db_table)
    if key not in _sequences:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            name = cursor.fetchone()[0]
        _sequences[key] = "nextval('" + name.replace("'", "''") + "'::regclass)"
    return _sequences[key]


def _drawn(obj: Model) -> dict:
    return obj.__dict__.setdefault("_tongqi_drawn_keys", {})


def drawn_key(obj: Model, model: type[Model]) -> int | None:
    """The key of ``model`` drawn with ``obj``'s insert or read (None: none was drawn); once."""
    return obj.__dict__.get("_tongqi_drawn_keys", {}).pop(model, None)


def draw_with(obj: Model, model: type[Model], key: int | None) -> None:
    """Leave ``key`` (drawn by a read of ``obj``) for ``drawn_key``."""
    if key is not None:
        _drawn(obj)[model] = key
