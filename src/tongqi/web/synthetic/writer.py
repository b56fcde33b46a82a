"""Writing the rows: PostgreSQL ``COPY … FROM STDIN`` (psycopg 3), ``bulk_create`` elsewhere.

Each table is a model and the fields the simulation fills, in the order of its tuples; every
other concrete field gets its default once per run (a COPY bypasses Django's defaults, which
live in Python, not in the database). Primary keys that other rows point to are reserved up
front: from the table's sequence on PostgreSQL (``nextval`` over ``generate_series``, so a
concurrent writer can never be handed the same key) and from ``max(id)`` on SQLite, whose single
writer is this process.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

# name → (model, fields filled by the simulation, in tuple order); write order respects FKs
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "user": (
        "accounts.User",
        (
            "id",
            "username",
            "password",
            "role",
            "full_name",
            "mobile",
            "date_joined",
            "password_changed_at",
        ),
    ),
    "enterprise": (
        "applications.Enterprise",
        (
            "id",
            "name",
            "uscc",
            "legal_representative",
            "registered_address",
            "contact_name",
            "contact_mobile",
            "id_number",
            "licence_source",
            "created_at",
        ),
    ),
    "member": ("applications.Enterprise_members", ("enterprise_id", "user_id")),
    "clock": (
        "sla.Clock",
        (
            "id",
            "budget_days",
            "started_at",
            "stopped_at",
            "paused",
            "pause_reason",
            "origin",
            "anchor",
            "accrued_seconds",
            "running",
            "crossed_at",
            "deadline",
            "level",
            "provisional",
            "calendar_version",
            "warned_level",
            "is_open",
        ),
    ),
    "clock_event": (
        "sla.ClockEvent",
        ("clock_id", "seq", "kind", "at", "reason", "note", "actor_id", "created_at"),
    ),
    "app": (
        "applications.Application",
        (
            "id",
            "number",
            "enterprise_id",
            "applicant_id",
            "created_by_id",
            "channel",
            "api_client_id",
            "status",
            "version",
            "district_id",
            "street",
            "address_detail",
            "latitude",
            "longitude",
            "coord_system",
            "usage_type",
            "peak_load",
            "annual_consumption",
            "desired_gas_on_date",
            "note",
            "grid_id",
            "org_unit_id",
            "account_manager_id",
            "meter_reader_id",
            "safety_inspector_id",
            "category",
            "limit_days",
            "clock_id",
            "privacy_notice_version",
            "outcome_reason",
            "created_at",
            "submitted_at",
            "accepted_at",
            "gas_on_at",
            "closed_at",
            "updated_at",
        ),
    ),
    "project": (
        "works.Project",
        (
            "id",
            "number",
            "name",
            "org_unit_id",
            "district_id",
            "grid_id",
            "location_desc",
            "geometry_wkt",
            "latitude",
            "longitude",
            "min_lat",
            "max_lat",
            "min_lng",
            "max_lng",
            "reason_kind",
            "reason",
            "pressure_level",
            "length_m",
            "forecast_load",
            "forecast_annual_volume",
            "planned_start",
            "actual_start",
            "expected_gas_on",
            "actual_gas_on",
            "investment",
            "engineer_id",
            "status",
            "version",
            "created_by_id",
            "created_at",
            "closed_at",
        ),
    ),
    "project_approval": (
        "works.ProjectApproval",
        (
            "project_id",
            "kind",
            "authority",
            "applied_on",
            "expected_on",
            "granted_on",
            "reference",
            "updated_by_id",
        ),
    ),
    "project_link": (
        "works.ProjectLink",
        ("project_id", "application_id", "linked_at", "linked_by_id", "paused_by_works"),
    ),
    "project_event": (
        "works.ProjectEvent",
        (
            "project_id",
            "at",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_label",
            "note",
            "data",
        ),
    ),
    "appliance": ("applications.Appliance", ("application_id", "name", "rated_flow", "count")),
    "event": (
        "applications.ApplicationEvent",
        (
            "application_id",
            "at",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_label",
            "channel",
            "reason",
            "data",
            "public",
        ),
    ),
    "commitment": (
        "applications.Commitment",
        (
            "application_id",
            "missing_items",
            "text",
            "due_date",
            "status",
            "created_by_id",
            "created_at",
            "fulfilled_at",
            "reminded_soon",
            "reminded_overdue",
        ),
    ),
    "survey": (
        "applications.Survey",
        (
            "application_id",
            "surveyed_at",
            "surveyor_id",
            "category",
            "pipe_length_m",
            "external_length_m",
            "meter_rating",
            "gas_source_available",
            "findings",
            "safety_conditions_ok",
        ),
    ),
    "visit": ("applications.Visit", ("application_id", "kind", "at", "recorded_by_id", "note")),
    "acceptance": (
        "applications.AcceptanceRecord",
        (
            "application_id",
            "at",
            "inspector_id",
            "passed",
            "pressure_test_ok",
            "leak_test_ok",
            "appliances_ok",
            "meter_number",
            "meter_reading",
            "ignited",
            "rectification_items",
            "note",
        ),
    ),
    "quote": (
        "pricing.Quote",
        (
            "id",
            "application_id",
            "version",
            "number",
            "status",
            "kind",
            "package_id",
            "price_list_id",
            "priced_on",
            "peak_load",
            "usage_type",
            "pipe_length_m",
            "external_length_m",
            "included_length_m",
            "extra_unit_m",
            "extra_units",
            "own_works_estimate",
            "customer_total",
            "utility_investment",
            "approval_exempt",
            "approval_needs",
            "approval_threshold",
            "approval_document",
            "note",
            "change_request",
            "lock_version",
            "created_by_id",
            "created_at",
            "updated_at",
            "issued_by_id",
            "issued_at",
            "confirmed_by_id",
            "confirmed_at",
        ),
    ),
    "quote_line": (
        "pricing.QuoteLine",
        (
            "quote_id",
            "position",
            "section",
            "kind",
            "description",
            "unit",
            "quantity",
            "unit_price",
            "amount",
            "unit_cost",
            "cost",
        ),
    ),
    "receivable": (
        "pricing.Receivable",
        (
            "id",
            "application_id",
            "quote_id",
            "amount",
            "paid_amount",
            "status",
            "gas_on_at",
            "due_date",
            "reminded_soon_at",
            "reminded_overdue_at",
            "created_at",
            "settled_at",
        ),
    ),
    "payment": (
        "pricing.Payment",
        (
            "receivable_id",
            "amount",
            "method",
            "reference",
            "paid_on",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
    ),
    "complaint": (
        "service.Complaint",
        (
            "id",
            "number",
            "source",
            "external_id",
            "kind",
            "topic",
            "title",
            "content",
            "complainant_name",
            "complainant_phone",
            "address",
            "application_id",
            "enterprise_id",
            "raised_by_id",
            "org_unit_id",
            "assignee_id",
            "status",
            "version",
            "received_at",
            "arrival_date",
            "due_date",
            "findings",
            "reply",
            "answered_at",
            "reply_status",
            "reply_sent_at",
            "feedback",
            "closed_at",
            "closed_on",
            "registered_by_id",
            "created_at",
        ),
    ),
    "complaint_event": (
        "service.ComplaintEvent",
        (
            "complaint_id",
            "at",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_label",
            "note",
            "data",
        ),
    ),
    "callback": (
        "service.Callback",
        (
            "application_id",
            "kind",
            "period",
            "status",
            "org_unit_id",
            "account_manager_id",
            "due_date",
            "attempts",
            "last_attempt_at",
            "reached",
            "summary",
            "issues",
            "completed_at",
            "completed_by_id",
            "complaint_id",
            "version",
            "created_at",
        ),
    ),
    "csurvey": (
        "service.Survey",
        (
            "id",
            "application_id",
            "org_unit_id",
            "account_manager_id",
            "created_at",
            "expires_at",
            "sent_at",
        ),
    ),
    "csurvey_response": (
        "service.SurveyResponse",
        (
            "survey_id",
            "channel",
            "overall",
            "speed",
            "attitude",
            "professional",
            "transparency",
            "convenience",
            "comment",
            "answered_at",
            "recorded_by_id",
        ),
    ),
}

# tables whose keys other rows point to: their ids are reserved before the rows are made
KEYED = (
    "user",
    "enterprise",
    "clock",
    "app",
    "quote",
    "receivable",
    "complaint",
    "csurvey",
    "project",
)


def model_for(name: str) -> type[models.Model]:
    label, _fields = TABLES[name]
    if label == "applications.Enterprise_members":
        return apps.get_model("applications", "Enterprise").members.through
    return apps.get_model(label)


@dataclass
class Table:
    name: str
    model: type[models.Model]
    fields: tuple[str, ...]  # attnames filled by the simulation
    rest: tuple[str, ...]  # other concrete attnames, filled with their defaults
    rest_values: tuple
    columns: tuple[str, ...]
    json_at: tuple[int, ...]  # positions of JSON columns (dumped for COPY)


def prepare() -> dict[str, Table]:
    now = timezone.now()
    out = {}
    for name, (_label, fields) in TABLES.items():
        model = model_for(name)
        concrete = [f for f in model._meta.concrete_fields]
        by_att = {f.attname: f for f in concrete}
        missing = [f for f in fields if f not in by_att]
        if missing:
            raise RuntimeError(f"{model._meta.label} has no field(s) {missing}")
        rest, values = [], []
        for f in concrete:
            if f.attname in fields or f.primary_key:
                continue
            rest.append(f.attname)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                values.append(now)
            elif f.has_default():
                values.append(f.get_default())
            elif f.null:
                values.append(None)
            elif f.empty_strings_allowed and f.blank:
                values.append("")
            else:
                raise RuntimeError(f"{model._meta.label}.{f.attname} needs a value")
        all_fields = [*fields, *rest]
        out[name] = Table(
            name=name,
            model=model,
            fields=tuple(fields),
            rest=tuple(rest),
            rest_values=tuple(values),
            columns=tuple(by_att[a].column for a in all_fields),
            json_at=tuple(
                i for i, a in enumerate(all_fields) if isinstance(by_att[a], models.JSONField)
            ),
        )
    return out


def reserve_ids(name: str, tables: dict[str, Table]):
    """A function giving ``n`` fresh primary keys of the table (see the module docstring)."""
    table = tables[name].model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]

        def take(n: int) -> list[int]:
            # the sequence named once: pg_get_serial_sequence per row costs ten times as much
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
                )
                return [r[0] for r in cur.fetchall()]

        return take
    state = {"next": None}

    def take_local(n: int) -> range:
        if state["next"] is None:
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
                state["next"] = cur.fetchone()[0] + 1
        start = state["next"]
        state["next"] += n
        return range(start, start + n)

    return take_local


def skip_triggers() -> None:
    """PostgreSQL only, for the rest of the transaction: no per-row foreign-key trigger checks
    (``session_replication_role = replica``, which needs a superuser). The rows are consistent
    by construction; the checks are what makes a bulk load slow."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")


# json.dumps(value, ensure_ascii=False), without building an encoder for every value
_json = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Encoded:
    """The rows of one table as COPY text data, ready to send."""

    rows: int
    data: bytes


def copy_context():
    """The psycopg connection under Django's (opened if need be): ``encode`` formats with its
    adapters and client encoding. Formatting does no I/O, so a forked worker may use the copy
    of it that it inherited."""
    connection.ensure_connection()
    return connection.connection


def encode(tables: dict[str, Table], rows: dict[str, Sequence], context) -> dict[str, Encoded]:
    """PostgreSQL: the rows of a batch as COPY data (psycopg's own formatting, into memory),
    so that whoever made the rows also does this work, and the writer only sends bytes."""
    from psycopg.copy import Copy, FileWriter

    out = {}
    for name, table in tables.items():
        batch = rows.get(name)
        if not batch:
            continue
        buffer = io.BytesIO()
        rest = table.rest_values
        with Copy(context.cursor(), binary=False, writer=FileWriter(buffer)) as copy:
            if table.json_at:
                for row in batch:
                    full = [*row, *rest]
                    for i in table.json_at:
                        full[i] = _json(full[i])
                    copy.write_row(full)
            else:
                for row in batch:
                    copy.write_row((*row, *rest))
        out[name] = Encoded(rows=len(batch), data=buffer.getvalue())
    return out


def write(tables: dict[str, Table], rows: dict) -> dict[str, int]:
    """Write one batch (the caller holds the transaction). Returns rows written per table.

    ``rows``: per table, a list of tuples, or on PostgreSQL ``Encoded`` data."""
    written = {}
    postgresql = connection.vendor == "postgresql"
    for name, table in tables.items():
        batch = rows.get(name)
        if not batch:
            continue
        if postgresql:
            if not isinstance(batch, Encoded):
                batch = encode({name: table}, {name: batch}, copy_context())[name]
            _copy(table, batch)
            written[name] = batch.rows
        else:
            _bulk(table, batch)
            written[name] = len(batch)
    return written


def _copy(table: Table, batch: Encoded) -> None:
    cols = ", ".join(f'"{c}"' for c in table.columns)
    sql = f'COPY "{table.model._meta.db_table}" ({cols}) FROM STDIN'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(sql) as copy:
            copy.write(batch.data)


def _bulk(table: Table, batch: Sequence) -> None:
    model = table.model
    names = (*table.fields, *table.rest)
    rest = table.rest_values
    objs = [model(**dict(zip(names, (*row, *rest), strict=True))) for row in batch]
    model.objects.bulk_create(objs, batch_size=500)
