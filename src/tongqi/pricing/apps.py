from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    """Packages, quotes, receivables and customer documents."""

    name = "tongqi.pricing"
    label = "pricing"
    verbose_name = _("Packages, quotes, receivables and customer documents")
