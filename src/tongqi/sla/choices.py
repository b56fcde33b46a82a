from django.db import models
from django.utils.translation import gettext_lazy as _

from tongqi.core import clock as core


class EventKind(models.TextChoices):
    START = core.START, _("Started")
    PAUSE = core.PAUSE, _("Paused")
    RESUME = core.RESUME, _("Resumed")
    STOP = core.STOP, _("Stopped")


class PauseCode(models.TextChoices):
    """The four pause reasons of SPEC §3; each is configurable as stopping the clock or not."""

    CUSTOMER_DOCUMENTS = core.CUSTOMER_DOCUMENTS, _("Waiting for the customer's documents")
    CUSTOMER_WORKS = core.CUSTOMER_WORKS, _("Customer's own works")
    CUSTOMER_DELAY = core.CUSTOMER_DELAY, _("Delay requested by the customer")
    ADMIN_APPROVAL = core.ADMIN_APPROVAL, _("External administrative approval")


class Level(models.TextChoices):
    NONE = core.LEVEL_NONE, _("On time")
    WARN50 = core.LEVEL_WARN50, _("Half the time used")
    WARN80 = core.LEVEL_WARN80, _("80 per cent of the time used")
    OVERDUE = core.LEVEL_OVERDUE, _("Overdue")


LEVEL_ORDER = {Level.NONE: 0, Level.WARN50: 1, Level.WARN80: 2, Level.OVERDUE: 3}
LEVEL_COLOUR = {
    Level.NONE: "green",
    Level.WARN50: "amber",
    Level.WARN80: "amber",
    Level.OVERDUE: "red",
}
