"""Helpers the reports tests share: applications with hand-made clock ledgers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tongqi.applications.models import Application, Visit
from tongqi.sla.models import Clock, ClockEvent
from tongqi.testing.app_factories import submitted_application

SH = ZoneInfo("Asia/Shanghai")


def t(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def with_ledger(app: Application, ledger, *, category="", limit=None, status=None) -> Application:
    """Replace the application's clock ledger by ``ledger``: [(kind, at, reason), …]."""
    clock = Clock.objects.create(budget_days=limit or 8)
    for seq, (kind, at, reason) in enumerate(ledger, start=1):
        ClockEvent.objects.create(clock=clock, seq=seq, kind=kind, at=at, reason=reason)
    fields = {"clock": clock, "category": category, "limit_days": limit}
    if ledger:
        fields["accepted_at"] = ledger[0][1]
    if status:
        fields["status"] = status
    Application.objects.filter(pk=app.pk).update(**fields)
    app.refresh_from_db()
    return app


def application(org, n=1, **kw) -> Application:
    return submitted_application(org, n=n, **kw)


def visit(app, kind="counter"):
    return Visit.objects.create(application=app, kind=kind)
