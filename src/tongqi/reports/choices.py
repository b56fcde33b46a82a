"""Vocabularies of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Targets of the getting-gas indicators (获得用气: 2 steps, 1 material, 0 visits, 0 cost).
TARGET_STEPS = 2
TARGET_MATERIALS = 1
TARGET_VISITS = 0


class Sla(models.TextChoices):
    """Time-limit compliance of an application, from its SLA clock."""

    NOT_STARTED = "none", _("Clock not started")
    ON_TIME = "on_time", _("On time")
    WARNED = "warned", _("Warned")
    OVERDUE = "overdue", _("Overdue")


SLA_COLOUR = {
    Sla.NOT_STARTED: "grey",
    Sla.ON_TIME: "green",
    Sla.WARNED: "amber",
    Sla.OVERDUE: "red",
}
