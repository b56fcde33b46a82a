from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    """Working-day calendar and SLA clocks."""

    name = "tongqi.sla"
    label = "sla"
    verbose_name = _("Working-day calendar and SLA clocks")
