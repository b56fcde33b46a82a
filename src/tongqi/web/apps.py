from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Shared presentation: layout, navigation, middleware, health and error pages."""

    name = "tongqi.web"
    label = "web"
    verbose_name = _("Web")
