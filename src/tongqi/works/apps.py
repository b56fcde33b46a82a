from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    """Gas-source works and the municipal report."""

    name = "tongqi.works"
    label = "works"
    verbose_name = _("Gas-source works and the municipal report")
