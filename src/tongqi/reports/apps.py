from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Indicators, dashboards and exports."""

    name = "tongqi.reports"
    label = "reports"
    verbose_name = _("Indicators, dashboards and exports")
