"""What each action tells whom, in the recipient's language (Chinese by default)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongqi.integration.choices import Channel
from tongqi.integration.notify import Notice, notify_many

from .models import Application, ApplicationEvent


def _customer_recipients(app: Application) -> list:
    users = list(app.enterprise.members.all())
    if app.applicant_id and all(u.pk != app.applicant_id for u in users):
        users.append(app.applicant)
    return users


def _portal_link(app: Application) -> str:
    return reverse("applications:portal_detail", args=[app.pk])


def _staff_link(app: Application) -> str:
    return reverse("applications:detail", args=[app.pk])


def notify_events(events: Iterable[ApplicationEvent]) -> None:
    """Send the notifications the events call for (customer: SMS + in-app; staff: in-app), in a
    few statements however many events there are (the worker hands over whole batches)."""
    with translation.override(settings.LANGUAGE_CODE):
        notices = [n for e in events for n in _notices(e)]
    notify_many(notices)


# What the customer is told of each action: the title ({number}; translated when rendered) and
# what renders the body, only for the action an event calls for (not every message for each).
_CUSTOMER = {
    "submit": (
        gettext_noop("Application {number} received"),
        lambda app, ev: _("Your account manager {name} will contact you shortly.").format(
            name=app.account_manager.display_name if app.account_manager else ""
        ),
    ),
    "accept": (
        gettext_noop("Application {number} accepted"),
        lambda app, ev: _("Time limit: {days} working days from the next working day.").format(
            days=app.limit_days or ""
        ),
    ),
    "reject": (
        gettext_noop("Application {number} not accepted"),
        lambda app, ev: _("Reason: {reason}").format(reason=ev.reason),
    ),
    "quote": (
        gettext_noop("Plan and quote ready for {number}"),
        lambda app, ev: _("Please review and confirm the plan and quote online."),
    ),
    "acceptance_passed": (
        gettext_noop("Gas is on: {number}"),
        lambda app, ev: _("Your gas supply is connected. Please rate our service."),
    ),
    "acceptance_failed": (
        gettext_noop("Acceptance of {number} not passed"),
        lambda app, ev: _("Please rectify: {items}").format(items=ev.reason),
    ),
    "pause": (
        gettext_noop("Time limit of {number} paused"),
        lambda app, ev: _("Reason: {reason}").format(reason=ev.reason),
    ),
    "resume": (gettext_noop("Time limit of {number} resumed"), lambda app, ev: ""),
}

# What the account manager is told ({number}, {enterprise}); translated when rendered.
_STAFF = {
    "submit": gettext_noop("New application {number} from {enterprise}"),
    "confirm_quote": gettext_noop("{enterprise} confirmed the plan and quote of {number}"),
    "request_acceptance": gettext_noop("{enterprise} requests acceptance of {number}"),
    "cancel": gettext_noop("{enterprise} cancelled {number}"),
    "commitment_fulfilled": gettext_noop("{enterprise} supplied the missing documents of {number}"),
    "assign": gettext_noop("Application {number} of {enterprise} was assigned to you"),
}


def _notices(event: ApplicationEvent) -> list[Notice]:
    """The messages an event calls for, in the language active (the platform's: see
    ``notify_events``)."""
    app = event.application
    notices = []
    number = app.number or ""
    if event.action in _CUSTOMER:
        title, body = _CUSTOMER[event.action]
        notices.append(
            Notice(
                users=_customer_recipients(app),
                title=_(title).format(number=number),
                body=body(app, event),
                link=_portal_link(app),
                topic=f"application.{event.action}",
                channels=(Channel.INAPP, Channel.SMS),
                dedupe_key=f"event:{event.pk}:c",
            )
        )
    if event.action in _STAFF and app.account_manager_id:
        title = _(_STAFF[event.action]).format(number=number, enterprise=app.enterprise.name)
        notices.append(
            Notice(
                users=[app.account_manager],
                title=title,
                link=_staff_link(app),
                topic=f"application.{event.action}",
                channels=(Channel.INAPP,),
                dedupe_key=f"event:{event.pk}:s",
            )
        )
    return notices
