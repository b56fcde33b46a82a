"""SLA clocks and the calendar: every write goes through here.

Clock writes take the caller's transaction (the application's transition), lock the clock row,
append to the ledger after the pure core has validated the new event, and refresh the
checkpoint and cached results. Calendar changes bump the calendar version, recompute every open
clock in bulk (vectorised) and are logged in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core import clock as core
from tongqi.core.workdays import from_epoch, to_epoch

from .calendar import current_calendar, invalidate
from .choices import Level, PauseCode
from .models import CalendarOverride, CalendarState, Clock, ClockEvent, ConfirmedYear, PauseReason


class ClockError(Exception):
    """A clock event the ledger refuses; ``code`` is the core's stable code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


LEDGER_MESSAGES = {
    core.NOT_STARTED: gettext_lazy("The time-limit clock has not been started."),
    core.ALREADY_STARTED: gettext_lazy("The time-limit clock has already been started."),
    core.ALREADY_PAUSED: gettext_lazy("The time-limit clock is already paused."),
    core.NOT_PAUSED: gettext_lazy("The time-limit clock is not paused."),
    core.ALREADY_STOPPED: gettext_lazy("The time-limit clock has already been stopped."),
    core.OUT_OF_ORDER: gettext_lazy("A clock event cannot be earlier than the previous one."),
    core.UNKNOWN_REASON: gettext_lazy("Choose a pause reason."),
    core.NAIVE_DATETIME: gettext_lazy("Event times must carry a time zone."),
    core.UNKNOWN_KIND: gettext_lazy("Unknown clock event."),
}


def stopping_reasons() -> frozenset[str]:
    """Pause reasons configured to stop the clock (default: all four)."""
    configured = dict(PauseReason.objects.values_list("code", "stops_clock"))
    return frozenset(code for code in PauseCode.values if configured.get(code, True))


def customer_side_reasons() -> frozenset[str]:
    """Pause reasons on the customer's side, netted out of the getting-gas indicator (reports).

    Unconfigured: every reason but external administrative approval (as the demo seeds them)."""
    configured = dict(PauseReason.objects.values_list("code", "customer_side"))
    return frozenset(
        code for code in PauseCode.values if configured.get(code, code != PauseCode.ADMIN_APPROVAL)
    )


def ledger(clock: Clock) -> tuple[core.ClockEvent, ...]:
    return tuple(
        core.ClockEvent(kind=e.kind, at=e.at, reason=e.reason) for e in clock.events.order_by("seq")
    )


def clock_create(*, budget_days: int) -> Clock:
    return Clock.objects.create(budget_days=budget_days)


def _refresh(clock: Clock, events, now: datetime | None = None, reasons=None) -> None:
    """Recompute the checkpoint and cached results of one clock from its ledger."""
    cal = current_calendar()
    now = now or timezone.now()
    reasons = stopping_reasons() if reasons is None else reasons
    if not events:
        clock.origin = clock.anchor = clock.crossed_at = clock.deadline = None
        clock.accrued_seconds, clock.running, clock.level = 0, False, Level.NONE
        clock.provisional = False
        return
    cp = core.checkpoint(events, cal, clock.budget_days, reasons)
    state = core.evaluate(events, cal, clock.budget_days, max(now, events[-1].at), reasons)
    clock.origin, clock.anchor = cp.origin, cp.anchor
    clock.accrued_seconds, clock.running, clock.crossed_at = (
        cp.accrued_seconds,
        cp.running,
        cp.crossed_at,
    )
    clock.deadline = state.deadline
    clock.level = state.level
    clock.provisional = state.provisional
    clock.paused = state.paused
    clock.pause_reason = state.pause_reason
    clock.stopped_at = state.stopped_at
    clock.is_open = state.stopped_at is None


def clock_record(
    *,
    clock: Clock,
    kind: str,
    at: datetime | None = None,
    reason: str = "",
    note: str = "",
    actor=None,
) -> Clock:
    """Append one event to a clock's ledger (start / pause / resume / stop)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Clock.objects.select_for_update().get(pk=clock.pk)
        events = ledger(locked)
        new = core.ClockEvent(kind=kind, at=at, reason=reason)
        try:
            events = core.append(events, new)
        except core.LedgerError as exc:
            raise ClockError(exc.code, str(LEDGER_MESSAGES.get(exc.code, exc))) from None
        ClockEvent.objects.create(
            clock=locked,
            seq=len(events),
            kind=kind,
            at=at,
            reason=reason,
            note=note[:300],
            actor=actor,
        )
        if kind == core.START:
            locked.started_at = at
        _refresh(locked, events, now=at)
        locked.calendar_version = _version()
        locked.save()
    clock.refresh_from_db()
    return clock


def clock_set_budget(*, clock: Clock, budget_days: int) -> Clock:
    """Change the time limit (the project category was set or changed at the survey)."""
    with transaction.atomic():
        locked = Clock.objects.select_for_update().get(pk=clock.pk)
        locked.budget_days = budget_days
        _refresh(locked, ledger(locked))
        locked.save()
    clock.refresh_from_db()
    return clock


def clock_state(clock: Clock, now: datetime | None = None) -> core.ClockState:
    """Everything about one clock as of ``now`` (detail pages), from its ledger."""
    now = now or timezone.now()
    events = ledger(clock)
    if not events:
        return core.ClockState(budget_days=clock.budget_days)
    return core.evaluate(
        events, current_calendar(), clock.budget_days, max(now, events[-1].at), stopping_reasons()
    )


def _version() -> int:
    return CalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


# --- bulk ------------------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    clocks: int
    moved: int
    seconds: float


def recompute_open_clocks(
    *, now: datetime | None = None, since: date | None = None, batch: int = 20000
) -> RecomputeReport:
    """Recompute the deadline, level and provisional flag of every open clock, vectorised.

    ``since``: the earliest date the calendar change touched; clocks anchored on or after it get
    a fresh checkpoint from their ledger first (their accrual so far used the changed days).
    """
    import time as _time

    started = _time.perf_counter()
    cal = current_calendar(fresh=True)
    now_epoch = to_epoch(now or timezone.now())
    version = _version()
    reasons = stopping_reasons()
    total = moved = 0
    if since is not None:
        qs = Clock.objects.filter(is_open=True, origin__isnull=False).order_by("pk")
        since_instant = timezone.make_aware(datetime.combine(since, datetime.min.time()))
        for c in qs.filter(anchor__gte=since_instant).iterator(chunk_size=500):
            events = ledger(c)
            cp = core.checkpoint(events, cal, c.budget_days, reasons)
            Clock.objects.filter(pk=c.pk).update(
                origin=cp.origin,
                anchor=cp.anchor,
                accrued_seconds=cp.accrued_seconds,
                running=cp.running,
                crossed_at=cp.crossed_at,
            )
    from django.db import connection

    # Instants are read as epoch seconds by the database itself: parsing 10^5 datetimes in
    # Python costs more than the whole vectorised evaluation.
    if connection.vendor == "postgresql":

        def epoch(col):
            # floored, as core.workdays.to_epoch: a cast alone rounds 10:00:00.7 up to :01
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM {col})) AS BIGINT)"
    else:

        def epoch(col):
            return f"CAST(strftime('%%s', {col}) AS INTEGER)"

    none = core.NO_DEADLINE
    sql = (
        f"SELECT id, {epoch('origin')}, {epoch('anchor')}, accrued_seconds, running, budget_days, "
        f"COALESCE({epoch('crossed_at')}, {none}), COALESCE({epoch('deadline')}, {none}), level, "
        f"provisional FROM {Clock._meta.db_table} "
        f"WHERE is_open AND origin IS NOT NULL AND id > %s ORDER BY id LIMIT %s"
    )
    level_code = {name: i for i, name in enumerate(core.LEVELS)}
    last_pk = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last_pk, batch])
            rows = cursor.fetchall()
        if not rows:
            break
        last_pk = rows[-1][0]
        a = np.array([r[:8] for r in rows], dtype=np.int64)
        old_level = np.array([level_code.get(r[8], 0) for r in rows], dtype=np.uint8)
        old_prov = np.array([bool(r[9]) for r in rows], dtype=bool)
        state = core.evaluate_many(
            cal,
            origin=a[:, 1],
            anchor=a[:, 2],
            accrued=a[:, 3],
            running=a[:, 4].astype(bool),
            budget_days=a[:, 5],
            now=now_epoch,
            crossed_at=a[:, 6],
        )
        moved_mask = (
            (state.deadline != a[:, 7])
            | (state.level != old_level)
            | (state.provisional != old_prov)
        )
        changed = [
            (
                None if dl == none else from_epoch(int(dl)),
                core.LEVELS[int(lv)],
                bool(pv),
                version,
                int(pk),
            )
            for pk, dl, lv, pv in zip(
                a[moved_mask, 0],
                state.deadline[moved_mask],
                state.level[moved_mask],
                state.provisional[moved_mask],
                strict=True,
            )
        ]
        _write_back(changed)
        moved += len(changed)
        total += len(rows)
    return RecomputeReport(clocks=total, moved=moved, seconds=_time.perf_counter() - started)


def _write_back(rows: list[tuple]) -> None:
    """Write (deadline, level, provisional, version, pk) rows back in as few statements as the
    database allows: one UPDATE … FROM unnest(arrays) per batch on PostgreSQL, one prepared
    UPDATE executed many times on SQLite (bulk_update's CASE chains are far slower on both)."""
    if not rows:
        return
    from django.db import connection

    table = Clock._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            deadlines, levels, provs, versions, pks = (list(c) for c in zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {table} AS c SET deadline = v.deadline, level = v.level, "
                f"provisional = v.prov, calendar_version = %s "
                f"FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[], %s::boolean[]) "
                f"AS v(id, deadline, level, prov) WHERE c.id = v.id",
                [versions[0], pks, deadlines, levels, provs],
            )
            return
        # Django keeps SQLite datetimes as naive UTC text; deadlines are whole seconds.
        params = [
            (
                dl.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if dl else None,
                level,
                prov,
                version,
                pk,
            )
            for dl, level, prov, version, pk in rows
        ]
        cursor.executemany(
            f"UPDATE {table} SET deadline = %s, level = %s, provisional = %s, "
            f"calendar_version = %s WHERE id = %s",
            params,
        )


# --- calendar ---------------------------------------------------------------------------------


class CalendarImportError(Exception):
    """The file was refused as a whole; ``errors`` lists (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"line {n}: {m}" for n, m in errors))
        self.errors = errors


def _bump(actor, reason: str, changes: dict) -> None:
    state, _created = CalendarState.objects.select_for_update().get_or_create(pk=1)
    state.version += 1
    state.changed_at = timezone.now()
    state.save()
    transaction.on_commit(invalidate)
    audit_record(
        action=AuditAction.CONFIG,
        object_type="sla.calendar",
        object_id=state.version,
        object_repr=reason[:200],
        changes=changes,
        actor=actor,
    )


def calendar_set_overrides(
    *,
    rows: Iterable[tuple[date, bool, str]],
    actor=None,
    reason: str = "",
) -> RecomputeReport:
    """Record overrides (date, working?, notice) and recompute every open deadline."""
    rows = list(rows)
    if not rows:
        return RecomputeReport(0, 0, 0.0)
    with transaction.atomic():
        changes = {}
        for d, is_workday, note in rows:
            old = CalendarOverride.objects.filter(date=d).first()
            CalendarOverride.objects.update_or_create(
                date=d,
                defaults={
                    "is_workday": is_workday,
                    "note": note[:300],
                    "created_by": actor,
                    "created_at": timezone.now(),
                },
            )
            changes[d.isoformat()] = [None if old is None else old.is_workday, is_workday]
        _bump(actor, reason or _("calendar override"), changes)
    invalidate()
    return recompute_open_clocks(since=min(r[0] for r in rows))


def calendar_remove_override(*, day: date, actor=None) -> RecomputeReport:
    with transaction.atomic():
        deleted, _n = CalendarOverride.objects.filter(date=day).delete()
        if not deleted:
            return RecomputeReport(0, 0, 0.0)
        _bump(actor, _("override removed"), {day.isoformat(): ["override", None]})
    invalidate()
    return recompute_open_clocks(since=day)


def calendar_confirm_year(*, year: int, notice: str, actor=None) -> RecomputeReport:
    """Mark a year's official schedule as confirmed: its deadlines are no longer provisional."""
    with transaction.atomic():
        ConfirmedYear.objects.update_or_create(
            year=year,
            defaults={
                "notice": notice[:300],
                "confirmed_by": actor,
                "confirmed_at": timezone.now(),
            },
        )
        _bump(actor, _("year {year} confirmed").format(year=year), {"confirmed": [None, year]})
    invalidate()
    return recompute_open_clocks()


TRUE_VALUES = {"1": True, "0": False}


def parse_override_csv(text: str) -> list[tuple[date, bool, str]]:
    """Validate the whole file (header ``date,is_workday,note``) before anything is imported."""
    errors: list[tuple[int, str]] = []
    rows: list[tuple[date, bool, str]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != ["date", "is_workday", "note"]:
        raise CalendarImportError([(1, _("the header must be: date,is_workday,note"))])
    seen: dict[date, int] = {}
    cal = current_calendar()
    for lineno, raw in enumerate(reader, start=2):
        if not raw or all(not c.strip() for c in raw):
            continue
        if len(raw) != 3:
            errors.append((lineno, _("expected 3 columns, found {n}").format(n=len(raw))))
            continue
        d_raw, w_raw, note = (c.strip() for c in raw)
        try:
            d = date.fromisoformat(d_raw)
        except ValueError:
            errors.append((lineno, _("{value!r} is not a date (YYYY-MM-DD)").format(value=d_raw)))
            continue
        if not cal.first <= d <= cal.last:
            errors.append(
                (
                    lineno,
                    _("{value} is outside the calendar {a}–{b}").format(
                        value=d, a=cal.first, b=cal.last
                    ),
                )
            )
            continue
        if w_raw not in TRUE_VALUES:
            errors.append(
                (lineno, _("is_workday must be 1 or 0, not {value!r}").format(value=w_raw))
            )
            continue
        if not note:
            errors.append((lineno, _("the note (source notice) is required")))
            continue
        if d in seen:
            errors.append(
                (lineno, _("{value} already appears on line {line}").format(value=d, line=seen[d]))
            )
            continue
        seen[d] = lineno
        rows.append((d, TRUE_VALUES[w_raw], note))
    if errors:
        raise CalendarImportError(errors)
    return rows


def calendar_import_csv(
    *, text: str, actor=None, filename: str = ""
) -> tuple[int, RecomputeReport]:
    rows = parse_override_csv(text)
    report = calendar_set_overrides(
        rows=rows, actor=actor, reason=_("imported {file}").format(file=filename or "CSV")
    )
    return len(rows), report
