from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Getting-gas applications and their lifecycle."""

    name = "tongqi.applications"
    label = "applications"
    verbose_name = _("Getting-gas applications and their lifecycle")

    def ready(self):
        from . import panels

        panels.discover()
