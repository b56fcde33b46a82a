from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrofitConfig(AppConfig):
    """Old-community retrofit projects."""

    name = "tongqi.retrofit"
    label = "retrofit"
    verbose_name = _("Old-community retrofit projects")
