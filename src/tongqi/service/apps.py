from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Service supervision: callbacks, surveys, complaints, inspections, plan, windows."""

    name = "tongqi.service"
    label = "service"
    verbose_name = _(
        "Service supervision: callbacks, surveys, complaints, inspections, plan, windows"
    )
