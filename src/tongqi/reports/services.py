"""Writes of the reports app: (re)computing the per-application indicator rows.

The indicator table is derived data (docs/adr/0013-indicator-table.md). ``rebuild_indicators``
recomputes the rows of some or all applications in batches: one query per source table per batch
(applications, clocks and their ledgers, events, visits, commitments, quotes, receivables,
survey answers), the exact working-day arithmetic in Python through the SLA core (the same
``tongqi.core.clock.evaluate`` and calendar the SLA clock uses), and one upsert per batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.models import OrgUnit
from tongqi.applications.choices import (
    CUSTOMER_TRIP_KINDS,
    ONLINE_CHANNELS,
    OPEN_STATUSES,
    CommitmentStatus,
    Status,
)
from tongqi.applications.models import Application, ApplicationEvent, Commitment, Visit
from tongqi.core import clock as core
from tongqi.core.workdays import DAY
from tongqi.pricing.choices import QuoteStatus, Section
from tongqi.pricing.models import Quote, QuoteLine, Receivable
from tongqi.service.models import SurveyResponse
from tongqi.sla.calendar import current_calendar
from tongqi.sla.models import Clock, ClockEvent
from tongqi.sla.services import customer_side_reasons, stopping_reasons

from .choices import Sla
from .models import ApplicationIndicator, IndicatorSummary
from .selectors import MEASURES, PREFIX, summary_annotations

log = logging.getLogger(__name__)

BATCH = 5000
ZERO = Decimal("0")
CENT = Decimal("0.01")

UPDATE_FIELDS = [
    f.name
    for f in ApplicationIndicator._meta.concrete_fields
    if f.name != "application" and not f.primary_key
]


@dataclass(frozen=True)
class _Context:
    """What every batch of one rebuild shares: the calendar, the pause rules, the unit tree."""

    now: datetime
    calendar: object
    stopping: frozenset[str]
    customer_side: frozenset[str]
    subsidiary_of: dict[int, int | None]
    summarise: bool = True  # keep the summary in step batch by batch (a full rebuild: at the end)

    @classmethod
    def load(cls, now: datetime | None = None) -> _Context:
        units = {u[0]: (u[1], u[2]) for u in OrgUnit.objects.values_list("id", "kind", "parent_id")}
        subsidiary_of: dict[int, int | None] = {}
        for uid in units:
            unit: int | None = uid
            while unit is not None and units[unit][0] not in (
                UnitKind.SUBSIDIARY,
                UnitKind.COMPANY,
            ):
                unit = units[unit][1]
            subsidiary_of[uid] = unit
        return cls(
            now=now or timezone.now(),
            calendar=current_calendar(),
            stopping=stopping_reasons(),
            customer_side=customer_side_reasons(),
            subsidiary_of=subsidiary_of,
        )


def _month(at: datetime) -> date:
    return timezone.localtime(at).date().replace(day=1)


def _sla(state: core.ClockState | None) -> str:
    if state is None or state.started_at is None:
        return Sla.NOT_STARTED
    if state.level == core.LEVEL_OVERDUE:
        return Sla.OVERDUE
    if state.level in (core.LEVEL_WARN50, core.LEVEL_WARN80):
        return Sla.WARNED
    return Sla.ON_TIME


def _paused_seconds(state: core.ClockState, calendar, end: datetime) -> int:
    """Working seconds inside the counted (customer-side) pauses, from the clock's origin on."""
    if state.started_at is None:
        return 0
    origin = core.accrual_origin(state.started_at)
    total = 0
    for p in state.pauses:
        if not p.counted:
            continue
        a = max(p.paused_at, origin)
        b = max(p.resumed_at or end, origin)
        if b > a:
            total += calendar.working_seconds(a, b)
    return total


def _counts(qs, key: str = "application_id") -> dict[int, int]:
    return dict(qs.values(key).annotate(n=Count("pk")).values_list(key, "n"))


def _rebuild_batch(app_filter: Q, ctx: _Context, span: tuple[int, int] | None = None):
    """Recompute the rows of the applications matching ``app_filter``; (written, last pk).

    ``span`` (first, last primary key) says that ``app_filter`` is that whole range: related
    rows are then read by range, cheaper than an IN list of thousands of keys."""
    apps = list(
        Application.objects.filter(app_filter)
        .order_by("pk")
        .values(
            "pk",
            "submitted_at",
            "category",
            "limit_days",
            "org_unit_id",
            "grid_id",
            "channel",
            "status",
            "clock_id",
        )
    )
    if not apps:
        return 0, 0
    ids = [a["pk"] for a in apps]
    last_pk = ids[-1]
    gone = [a["pk"] for a in apps if a["submitted_at"] is None]
    apps = [a for a in apps if a["submitted_at"] is not None]
    if gone:
        ApplicationIndicator.objects.filter(application_id__in=gone).delete()
    if not apps:
        return 0, last_pk
    ids = [a["pk"] for a in apps]
    clock_ids = [a["clock_id"] for a in apps if a["clock_id"]]

    def of_apps(prefix: str = "application") -> dict:
        if span is not None:
            return {f"{prefix}_id__gte": span[0], f"{prefix}_id__lte": span[1]}
        return {f"{prefix}_id__in": ids}

    if span is not None:
        of_clocks = {"application__id__gte": span[0], "application__id__lte": span[1]}
        of_ledgers = {
            "clock__application__id__gte": span[0],
            "clock__application__id__lte": span[1],
        }
    else:
        of_clocks, of_ledgers = {"pk__in": clock_ids}, {"clock_id__in": clock_ids}
    budgets = dict(Clock.objects.filter(**of_clocks).values_list("pk", "budget_days"))
    ledgers: dict[int, list[core.ClockEvent]] = defaultdict(list)
    for clock_id, kind, at, reason in (
        ClockEvent.objects.filter(**of_ledgers)
        .order_by("clock_id", "seq")
        .values_list("clock_id", "kind", "at", "reason")
    ):
        ledgers[clock_id].append(core.ClockEvent(kind=kind, at=at, reason=reason))
    acceptance_requests = _counts(
        ApplicationEvent.objects.filter(**of_apps(), to_status=Status.ACCEPTANCE_REQUESTED)
    )
    visits = _counts(Visit.objects.filter(**of_apps(), kind__in=CUSTOMER_TRIP_KINDS))
    commitments = _counts(Commitment.objects.filter(**of_apps(), status=CommitmentStatus.OPEN))
    totals: dict[int, Decimal] = {}
    confirmed_quote: dict[int, int] = {}
    for app_id, quote_id, total in (
        Quote.objects.filter(**of_apps(), status=QuoteStatus.CONFIRMED)
        .order_by("application_id", "confirmed_at", "pk")
        .values_list("application_id", "pk", "customer_total")
    ):
        totals[app_id], confirmed_quote[app_id] = total, quote_id  # the latest confirmed wins
    by_quote = dict(
        QuoteLine.objects.filter(
            **of_apps("quote__application"),
            quote__status=QuoteStatus.CONFIRMED,
            section=Section.GAS_SOURCE,
        )
        .values("quote_id")
        .annotate(s=Sum("amount"))
        .values_list("quote_id", "s")
    )
    out_of_red_line = {app: by_quote.get(q) for app, q in confirmed_quote.items()}
    receivables = {
        app_id: amount - paid
        for app_id, amount, paid in Receivable.objects.filter(**of_apps()).values_list(
            "application_id", "amount", "paid_amount"
        )
    }
    scores = dict(
        SurveyResponse.objects.filter(**of_apps("survey__application")).values_list(
            "survey__application_id", "overall"
        )
    )

    cal, now = ctx.calendar, ctx.now
    diff = ctx.stopping ^ ctx.customer_side
    rows = []
    for a in apps:
        pk = a["pk"]
        events = ledgers.get(a["clock_id"]) if a["clock_id"] else None
        limit = a["limit_days"] or (budgets.get(a["clock_id"]) if a["clock_id"] else None)
        net = official = None
        if events:
            budget = budgets.get(a["clock_id"]) or limit or 1
            as_of = max(now, events[-1].at)
            try:
                net = core.evaluate(events, cal, budget, as_of, ctx.customer_side)
                if any(e.kind == core.PAUSE and e.reason in diff for e in events):
                    official = core.evaluate(events, cal, budget, as_of, ctx.stopping)
                else:
                    official = net
            except (core.LedgerError, ValueError) as exc:  # a damaged ledger: say so, go on
                log.warning("indicator of application %s: clock ledger refused: %s", pk, exc)
                net = official = None
        elapsed = net.accrued_seconds if net else 0
        end = (
            (net.stopped_at if net and net.stopped_at else max(now, events[-1].at)) if net else now
        )
        supplements = (
            sum(1 for e in events if e.kind == core.PAUSE and e.reason == core.CUSTOMER_DOCUMENTS)
            if events
            else 0
        )
        rows.append(
            dict(
                application_id=pk,
                month=_month(a["submitted_at"]),
                submitted_at=a["submitted_at"],
                category=a["category"],
                limit_days=limit,
                org_unit_id=a["org_unit_id"],
                subsidiary_id=ctx.subsidiary_of.get(a["org_unit_id"]),
                grid_id=a["grid_id"],
                channel=a["channel"],
                online=a["channel"] in ONLINE_CHANNELS,
                status=a["status"],
                is_open=a["status"] in OPEN_STATUSES,
                gas_on=a["status"] == Status.GAS_ON,
                customer_steps=1 + acceptance_requests.get(pk, 0),
                elapsed_seconds=elapsed,
                elapsed_days=(Decimal(elapsed) / DAY).quantize(CENT, ROUND_HALF_UP),
                within_limit=None if not limit or net is None else elapsed <= limit * DAY,
                customer_cost=out_of_red_line.get(pk) or ZERO,
                customer_total=totals.get(pk, ZERO),
                materials=1 + supplements,
                visits=visits.get(pk, 0),
                sla=_sla(official),
                pauses=len(net.pauses) if net else 0,
                paused_seconds=_paused_seconds(net, cal, end) if net else 0,
                satisfaction=scores.get(pk),
                open_commitments=commitments.get(pk, 0),
                receivable=receivables.get(pk, ZERO),
                computed_at=now,
            )
        )
    old_keys = _keys_of(ids) if ctx.summarise else set()
    _write(rows)
    if ctx.summarise:
        new_keys = {tuple(r[f] for f in KEY_FIELDS) for r in rows}
        resummarise(old_keys | new_keys)
    return len(rows), last_pk


KEY_FIELDS = ("month", "org_unit_id", "subsidiary_id", "grid_id", "channel", "category")
MANY_KEYS = 300  # beyond this many groups, recomputing the whole summary is cheaper


def _keys_of(ids: list[int]) -> set[tuple]:
    return set(
        ApplicationIndicator.objects.filter(application_id__in=ids)
        .values_list(*KEY_FIELDS)
        .distinct()
    )


def _key_q(keys) -> Q:
    q = Q(pk__in=[])
    for key in keys:
        q |= Q(**dict(zip(KEY_FIELDS, key, strict=True)))
    return q


def resummarise(keys: set[tuple] | None = None) -> int:
    """Recompute the summary rows of the given groups (every group when None) from the
    indicator rows, in one transaction; returns the number of summary rows written."""
    if keys is not None and not keys:
        return 0
    if keys is not None and len(keys) > MANY_KEYS:
        keys = None
    source = ApplicationIndicator.objects.all()
    target = IndicatorSummary.objects.all()
    if keys is not None:
        source, target = source.filter(_key_q(keys)), target.filter(_key_q(keys))
    groups = source.order_by().values(*KEY_FIELDS).annotate(**summary_annotations())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # one writer of the summary at a time: the next one's GROUP BY sees this commit
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK])
        target.delete()
        objs = [
            IndicatorSummary(
                **{f: g[f] for f in KEY_FIELDS},
                **{m: g[PREFIX + m] or 0 for m in MEASURES},
            )
            for g in groups
        ]
        IndicatorSummary.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


SUMMARY_LOCK = 0x7E90_0013


def _write(rows: list[dict]) -> None:
    """Upsert the rows: COPY into a temporary table and one INSERT … ON CONFLICT on PostgreSQL
    (preparing 10^6 model instances costs more than computing them); bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        with transaction.atomic():
            ApplicationIndicator.objects.bulk_create(
                [ApplicationIndicator(**r) for r in rows],
                update_conflicts=True,
                unique_fields=["application"],
                update_fields=UPDATE_FIELDS,
            )
        return
    table = ApplicationIndicator._meta.db_table
    names = list(rows[0])
    columns = [ApplicationIndicator._meta.get_field(n.removesuffix("_id")).column for n in names]
    cols = ", ".join(columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "application_id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS reports_indicator_load "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        # empty even inside a caller's transaction that wrote an earlier batch
        cursor.execute("TRUNCATE reports_indicator_load")
        with cursor.cursor.copy(f"COPY reports_indicator_load ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row([r[n] for n in names])
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM reports_indicator_load "
            f"ON CONFLICT (application_id) DO UPDATE SET {updates}"
        )


def rebuild_indicators(
    *,
    application_ids: Iterable[int] | None = None,
    batch: int = BATCH,
    now: datetime | None = None,
) -> int:
    """(Re)compute the indicator rows of ``application_ids`` (every application when None).

    Returns the number of rows written. Drafts get no row (a row whose application went back
    to draft, which cannot happen today, is deleted). Batched: a million applications take a
    few minutes on PostgreSQL.
    """
    ctx = _Context.load(now)
    written = 0
    if application_ids is None:
        ctx = replace(ctx, summarise=False)
        last = 0
        while True:
            edge = list(
                Application.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[batch - 1 : batch]
            )
            upper = edge[0] if edge else None
            app_filter = Q(pk__gt=last) if upper is None else Q(pk__gt=last, pk__lte=upper)
            n, last_pk = _rebuild_batch(app_filter, ctx, span=(last + 1, upper or 2**62))
            written += n
            if upper is None or not last_pk:
                break
            last = upper
        resummarise()
        return written
    ids = sorted({int(i) for i in application_ids})
    for start in range(0, len(ids), batch):
        n, _last = _rebuild_batch(Q(pk__in=ids[start : start + batch]), ctx)
        written += n
    return written


def refresh_open_indicators(*, now: datetime | None = None) -> int:
    """Recompute the rows whose figures move with time: open applications (their clocks run)."""
    ids = Application.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True)
    return rebuild_indicators(application_ids=list(ids), now=now)
