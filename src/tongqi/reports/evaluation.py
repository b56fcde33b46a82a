"""The evaluation export (考核评价): each application with its indicator values and the evidence
an evaluator asks for — the ledger of pauses with their reasons and spans in working days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongqi.applications.choices import Category, Channel, Status
from tongqi.core import clock as core
from tongqi.core.masking import mask_mobile
from tongqi.core.workdays import DAY
from tongqi.sla.calendar import current_calendar
from tongqi.sla.choices import PauseCode
from tongqi.sla.models import ClockEvent
from tongqi.sla.services import customer_side_reasons

from .choices import Sla

HEADERS = [
    gettext_lazy("Application number"),
    gettext_lazy("Enterprise"),
    gettext_lazy("Contact mobile number"),
    gettext_lazy("Subsidiary"),
    gettext_lazy("Grid"),
    gettext_lazy("Channel"),
    gettext_lazy("Project category"),
    gettext_lazy("Stage"),
    gettext_lazy("Submitted"),
    gettext_lazy("Accepted"),
    gettext_lazy("Gas on"),
    gettext_lazy("Customer-facing steps"),
    gettext_lazy("Working days used (net of customer-side pauses)"),
    gettext_lazy("Time limit (working days)"),
    gettext_lazy("Within the time limit"),
    gettext_lazy("Time-limit compliance"),
    gettext_lazy("Working days in customer-side pauses"),
    gettext_lazy("Pauses (reason, from → to, working days)"),
    gettext_lazy("Customer's cost outside the red line (yuan)"),
    gettext_lazy("Customer's total inside the red line (yuan)"),
    gettext_lazy("Application materials"),
    gettext_lazy("In-person visits"),
    gettext_lazy("Overall satisfaction"),
    gettext_lazy("Open commitments (容缺)"),
    gettext_lazy("Outstanding receivable (yuan)"),
]

CHUNK = 1000


def _fmt(t) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""


def pause_evidence(events: list[core.ClockEvent], calendar, customer_side, now) -> str:
    """One line per pause: reason, from → to, working days, and whether it was netted out."""
    if not events:
        return ""
    try:
        state = core.evaluate(events, calendar, 1, max(now, events[-1].at), customer_side)
    except (core.LedgerError, ValueError):
        return _("clock ledger damaged")
    origin = core.accrual_origin(events[0].at)
    end = state.stopped_at or max(now, events[-1].at)
    reasons = dict(PauseCode.choices)
    lines = []
    for p in state.pauses:
        a, b = max(p.paused_at, origin), max(p.resumed_at or end, origin)
        seconds = calendar.working_seconds(a, b) if b > a else 0
        line = _("{reason}: {start} → {end}, {days} working days").format(
            reason=reasons.get(p.reason, p.reason),
            start=_fmt(p.paused_at),
            end=_fmt(p.resumed_at) if p.resumed_at else _("still paused"),
            days=f"{seconds / DAY:.2f}",
        )
        if not p.counted:
            line += _(" (not the customer's side: counted)")
        lines.append(line)
    return "\n".join(lines)


def _chunks(it: Iterable, n: int) -> Iterator[list]:
    it = iter(it)
    while chunk := list(islice(it, n)):
        yield chunk


def evaluation_rows(qs) -> Iterator[tuple]:
    """Rows of the export, streamed: one query for the indicators and one for the ledgers per
    thousand applications. Phone numbers are masked (PIPL)."""
    calendar = current_calendar()
    customer_side = customer_side_reasons()
    now = timezone.now()
    channels, categories = dict(Channel.choices), dict(Category.choices)
    statuses, slas = dict(Status.choices), dict(Sla.choices)
    yes, no = _("yes"), _("no")
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        clock_ids = [i.application.clock_id for i in chunk if i.application.clock_id]
        ledgers: dict[int, list[core.ClockEvent]] = defaultdict(list)
        for clock_id, kind, at, reason in (
            ClockEvent.objects.filter(clock_id__in=clock_ids)
            .order_by("clock_id", "seq")
            .values_list("clock_id", "kind", "at", "reason")
        ):
            ledgers[clock_id].append(core.ClockEvent(kind, at, reason))
        for i in chunk:
            a = i.application
            yield (
                a.number,
                a.enterprise.name,
                mask_mobile(a.enterprise.contact_mobile),
                i.subsidiary.name if i.subsidiary_id else "",
                i.grid.unit.name if i.grid_id else "",
                channels.get(i.channel, i.channel),
                categories.get(i.category, ""),
                statuses.get(i.status, i.status),
                i.submitted_at,
                a.accepted_at,
                a.gas_on_at,
                i.customer_steps,
                i.elapsed_days,
                i.limit_days,
                "" if i.within_limit is None else (yes if i.within_limit else no),
                slas.get(i.sla, ""),
                round(i.paused_seconds / DAY, 2),
                pause_evidence(ledgers.get(a.clock_id, []), calendar, customer_side, now),
                i.customer_cost,
                i.customer_total,
                i.materials,
                i.visits,
                i.satisfaction,
                i.open_commitments,
                i.receivable,
            )
