"""Background work of service supervision: the gas-on callback, answers back to the source
platforms, the end-of-day complaint check, monthly samples, reminders."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from tongqi.core import context
from tongqi.integration import outbox

from . import reply
from .choices import REPLY_SOURCES, ReplyStatus
from .models import Complaint
from .services import complaints as complaint_services
from .services import inspections as inspection_services
from .services import plan as plan_services
from .services import surveys as survey_services


@outbox.subscriber("application.acceptance_passed", "service.create_callback")
def create_callback(message) -> None:
    """Gas is on: a callback task for service management, the survey link for the customer."""
    with context.acting(channel="worker"):
        survey_services.callback_create_after_gas_on(application_id=message.payload["application"])


def deliver_reply(message) -> None:
    """Send a complaint's answer to the platform it came from (``service.reply.<source>``)."""
    c = (
        Complaint.objects.select_related("org_unit", "assignee")
        .filter(pk=message.payload.get("complaint"))
        .first()
    )
    if c is None:
        raise outbox.PermanentError("complaint no longer exists")
    if c.reply_status != ReplyStatus.PENDING or not c.reply:
        return  # answered again or reopened meanwhile: the newer message carries the answer
    msg = reply.ReplyMessage(
        source=c.source,
        ticket=c.external_id,
        number=c.number or "",
        title=c.title,
        answer=c.reply,
        findings=c.findings,
        answered_at=timezone.localtime(c.answered_at).isoformat() if c.answered_at else "",
        unit=c.org_unit.name,
        handler=c.assignee.display_name if c.assignee_id else "",
        delivery_id=str(message.delivery_id),
    )
    try:
        ref = reply.adapter_for(c.source).send(msg)
    except Exception as exc:
        if message.attempts >= message.max_attempts:
            with context.acting(channel="worker"):
                complaint_services.reply_failed(complaint_id=c.pk, error=str(exc))
        raise
    with context.acting(channel="worker"):
        complaint_services.reply_delivered(complaint_id=c.pk, reference=ref)


for _source in sorted(REPLY_SOURCES):
    outbox.handler(f"service.reply.{_source}")(deliver_reply)


@outbox.periodic("service.complaints_end_of_day", daily_at=complaint_services.cutoff())
def complaints_end_of_day(message) -> int:
    """日清日结: at the cut-off on working days, escalate what is still open."""
    with context.acting(channel="worker"):
        report = complaint_services.complaints_end_of_day()
    return len(report.escalated)


def previous_month(today: date) -> str:
    first = today.replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


@outbox.periodic("service.monthly_callbacks", daily_at=time(8, 30))
def monthly_callbacks(message) -> int:
    """Draw last month's supervision callbacks (acts once a month, on the first run)."""
    today = timezone.localdate()
    with context.acting(channel="worker"):
        return len(
            survey_services.callbacks_sample_month(period=previous_month(today), today=today)
        )


@outbox.periodic("service.plan_daily", daily_at=time(8, 0))
def plan_daily(message) -> int:
    """This month's recurring plan deadlines, then reminders before and after each deadline."""
    today = timezone.localdate()
    with context.acting(channel="worker"):
        plan_services.plan_monthly_occurrences(month=today.replace(day=1))
        return plan_services.plan_reminders(today=today)


@outbox.periodic("service.rectification_reminders", daily_at=time(9, 0))
def rectification_reminders(message) -> int:
    with context.acting(channel="worker"):
        return inspection_services.rectification_reminders()
