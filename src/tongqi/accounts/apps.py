from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Organisation, people, roles and sign-in."""

    name = "tongqi.accounts"
    label = "accounts"
    verbose_name = _("Organisation and people")

    def ready(self):
        # Sign-in events come from Django and django-axes as signals; we only write them to the
        # audit log (no business logic lives in signal handlers).
        from . import receivers  # noqa: F401
