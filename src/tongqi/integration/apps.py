from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    """Outbox queue, notifications, status push, licence sharing, API clients."""

    name = "tongqi.integration"
    label = "integration"
    verbose_name = _("Outbox queue, notifications, status push, licence sharing, API clients")

    def ready(self):
        # Every app's tasks.py registers its handlers and event subscribers; web processes
        # need the subscriber lists to emit domain events, workers need the handlers.
        from . import outbox

        outbox.discover()
