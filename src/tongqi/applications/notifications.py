"""What each action tells whom, in the recipient's language (Chinese by default)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

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
    notify_many([n for e in events for n in notices_for(e)])


def notices_for(event: ApplicationEvent) -> list[Notice]:
    """The messages an event calls for, rendered in the platform's language."""
    app = event.application
    notices = []
    with translation.override(settings.LANGUAGE_CODE):
        number = app.number or ""
        customer_msgs = {
            "submit": (
                _("Application {number} received").format(number=number),
                _("Your account manager {name} will contact you shortly.").format(
                    name=app.account_manager.display_name if app.account_manager else ""
                ),
            ),
            "accept": (
                _("Application {number} accepted").format(number=number),
                _("Time limit: {days} working days from the next working day.").format(
                    days=app.limit_days or ""
                ),
            ),
            "reject": (
                _("Application {number} not accepted").format(number=number),
                _("Reason: {reason}").format(reason=event.reason),
            ),
            "quote": (
                _("Plan and quote ready for {number}").format(number=number),
                _("Please review and confirm the plan and quote online."),
            ),
            "acceptance_passed": (
                _("Gas is on: {number}").format(number=number),
                _("Your gas supply is connected. Please rate our service."),
            ),
            "acceptance_failed": (
                _("Acceptance of {number} not passed").format(number=number),
                _("Please rectify: {items}").format(items=event.reason),
            ),
            "pause": (
                _("Time limit of {number} paused").format(number=number),
                _("Reason: {reason}").format(reason=event.reason),
            ),
            "resume": (_("Time limit of {number} resumed").format(number=number), ""),
        }
        staff_msgs = {
            "submit": _("New application {number} from {enterprise}"),
            "confirm_quote": _("{enterprise} confirmed the plan and quote of {number}"),
            "request_acceptance": _("{enterprise} requests acceptance of {number}"),
            "cancel": _("{enterprise} cancelled {number}"),
            "commitment_fulfilled": _("{enterprise} supplied the missing documents of {number}"),
            "assign": _("Application {number} of {enterprise} was assigned to you"),
        }
        if event.action in customer_msgs:
            title, body = customer_msgs[event.action]
            notice = Notice(
                users=_customer_recipients(app),
                title=title,
                body=body,
                link=_portal_link(app),
                topic=f"application.{event.action}",
                channels=(Channel.INAPP, Channel.SMS),
                dedupe_key=f"event:{event.pk}:c",
            )
            notices.append(notice)
        if event.action in staff_msgs and app.account_manager_id:
            title = staff_msgs[event.action].format(number=number, enterprise=app.enterprise.name)
            notice = Notice(
                users=[app.account_manager],
                title=title,
                link=_staff_link(app),
                topic=f"application.{event.action}",
                channels=(Channel.INAPP,),
                dedupe_key=f"event:{event.pk}:s",
            )
            notices.append(notice)
    return notices
