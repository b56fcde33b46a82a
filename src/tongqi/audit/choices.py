from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What happened. Business state changes use TRANSITION; reads of personal data VIEW_PII."""

    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("State change")
    VIEW_PII = "view_pii", _("Viewed personal data")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKOUT = "lockout", _("Locked out")
    SECURITY = "security", _("Security setting")
    CONFIG = "config", _("Configuration")
