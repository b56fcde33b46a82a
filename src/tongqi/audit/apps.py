from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Tamper-evident audit log."""

    name = "tongqi.audit"
    label = "audit"
    verbose_name = _("Tamper-evident audit log")
