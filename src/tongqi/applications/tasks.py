"""Background work of the applications app: notifications, SLA warnings, commitment reminders."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongqi.integration import outbox
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify
from tongqi.sla.choices import LEVEL_ORDER, Level
from tongqi.sla.models import Clock
from tongqi.sla.services import recompute_open_clocks

from .choices import OPEN_STATUSES, CommitmentStatus
from .models import Application, ApplicationEvent, Commitment
from .notifications import notify_events


@outbox.subscriber("application.changed", "applications.notify", batch=True)
def send_event_notifications(messages) -> None:
    """The notifications of a batch of events: a few statements for the whole batch."""
    events = (
        ApplicationEvent.objects.select_related(
            "application__enterprise", "application__account_manager", "application__applicant"
        )
        .prefetch_related("application__enterprise__members")
        .filter(pk__in=[m.payload["event"] for m in messages])
        .order_by("pk")
    )
    notify_events(events)


def escalation_chain(unit) -> list:
    """The unit's escalation contact, then each parent's, up to the company (no repeats)."""
    people, seen = [], set()
    while unit is not None:
        if (
            unit.escalation_to_id
            and unit.escalation_to_id not in seen
            and unit.escalation_to.is_active
        ):
            seen.add(unit.escalation_to_id)
            people.append(unit.escalation_to)
        unit = unit.parent
    return people


WARNING_TITLES = {
    Level.WARN50: gettext_noop(
        "Half the time limit of {number} is used ({used} of {limit} working days)"
    ),
    Level.WARN80: gettext_noop(
        "80 per cent of the time limit of {number} is used ({used} of {limit} working days)"
    ),
    Level.OVERDUE: gettext_noop("Application {number} is overdue ({limit} working days)"),
}


@outbox.periodic("applications.sla_warnings", every=timedelta(minutes=5))
def sla_warnings(message) -> int:
    """Refresh every open clock's level, then warn once per level: 50 % → the account manager,
    80 % → also the unit's escalation contact, overdue → the whole escalation chain."""
    from .selectors import clock_view

    recompute_open_clocks()
    sent = 0
    candidates = (
        Application.objects.filter(status__in=OPEN_STATUSES, clock__is_open=True)
        .exclude(clock__level=Level.NONE)
        .select_related(
            "clock", "account_manager", "org_unit__escalation_to", "org_unit__parent__escalation_to"
        )
    )
    for app in candidates.iterator(chunk_size=500):
        clock = app.clock
        if LEVEL_ORDER[clock.level] <= LEVEL_ORDER[clock.warned_level]:
            continue
        with transaction.atomic():
            locked = Clock.objects.select_for_update().get(pk=clock.pk)
            if LEVEL_ORDER[locked.level] <= LEVEL_ORDER[locked.warned_level]:
                continue
            recipients = [app.account_manager] if app.account_manager_id else []
            chain = escalation_chain(app.org_unit) if app.org_unit_id else []
            if locked.level == Level.WARN80:
                recipients += chain[:1]
            elif locked.level == Level.OVERDUE:
                recipients += chain
            view = clock_view(app)
            with translation.override(settings.LANGUAGE_CODE):
                title = _(WARNING_TITLES[locked.level]).format(
                    number=app.number, used=view.used_days if view else "", limit=locked.budget_days
                )
            notify(
                users=recipients,
                title=title,
                link=reverse("applications:detail", args=[app.pk]),
                topic=f"sla.{locked.level}",
                channels=(Channel.INAPP, Channel.SMS)
                if locked.level == Level.OVERDUE
                else (Channel.INAPP,),
                dedupe_key=f"sla:{locked.pk}:{locked.level}",
            )
            locked.warned_level = locked.level
            locked.save(update_fields=["warned_level"])
            sent += 1
    return sent


@outbox.periodic("applications.commitment_reminders", daily_at=time(9, 0))
def commitment_reminders(message) -> int:
    """容缺: remind the customer two days before the due date, then the day after it passes
    (the account manager too)."""
    today = timezone.localdate()
    sent = 0
    soon = Commitment.objects.filter(
        status=CommitmentStatus.OPEN,
        reminded_soon=False,
        due_date__lte=today + timedelta(days=2),
        due_date__gte=today,
    )
    late = Commitment.objects.filter(
        status=CommitmentStatus.OPEN, reminded_overdue=False, due_date__lt=today
    )
    with translation.override(settings.LANGUAGE_CODE):
        for c in soon.select_related("application__enterprise", "application__applicant"):
            app = c.application
            users = list(app.enterprise.members.all()) or ([app.applicant] if app.applicant else [])
            notify(
                users=users,
                title=_("Please supply {items} for {number} by {date}").format(
                    items="、".join(c.missing_items), number=app.number, date=c.due_date.isoformat()
                ),
                link=reverse("applications:portal_detail", args=[app.pk]),
                topic="commitment.due_soon",
                channels=(Channel.INAPP, Channel.SMS),
                dedupe_key=f"commitment:{c.pk}:soon",
            )
            Commitment.objects.filter(pk=c.pk).update(reminded_soon=True)
            sent += 1
        for c in late.select_related(
            "application__enterprise", "application__account_manager", "application__applicant"
        ):
            app = c.application
            users = list(app.enterprise.members.all()) or ([app.applicant] if app.applicant else [])
            title = _("The documents promised for {number} are overdue: {items}").format(
                number=app.number, items="、".join(c.missing_items)
            )
            notify(
                users=users,
                title=title,
                link=reverse("applications:portal_detail", args=[app.pk]),
                topic="commitment.overdue",
                channels=(Channel.INAPP, Channel.SMS),
                dedupe_key=f"commitment:{c.pk}:late:c",
            )
            if app.account_manager_id:
                notify(
                    users=[app.account_manager],
                    title=title,
                    link=reverse("applications:detail", args=[app.pk]),
                    topic="commitment.overdue",
                    channels=(Channel.INAPP,),
                    dedupe_key=f"commitment:{c.pk}:late:s",
                )
            Commitment.objects.filter(pk=c.pk).update(reminded_overdue=True)
            sent += 1
    return sent
