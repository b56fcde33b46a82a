from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being delivered")
    DONE = "done", _("Delivered")
    DEAD = "dead", _("Failed (dead letter)")


class Channel(models.TextChoices):
    """Notification channels. In-app messages are written at once; the rest go via the outbox."""

    INAPP = "inapp", _("In-app message")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")
    EMAIL = "email", _("E-mail")


class ClientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


CLIENT_STATUS_COLOURS = {ClientStatus.ACTIVE: "green", ClientStatus.REVOKED: "grey"}


class SignatureAlgorithm(models.TextChoices):
    """Names as in tongqi.core.signing.SIGNERS (an SM2 signer would add one more)."""

    HMAC_SHA256 = "HMAC-SHA256", "HMAC-SHA256"
    HMAC_SM3 = "HMAC-SM3", _("HMAC-SM3 (Chinese commercial cryptography)")


class IdempotencyStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Topic(models.TextChoices):
    """Events a subscription can receive. ``*`` in a subscription's topics means every one."""

    APPLICATION_STATUS_CHANGED = "application.status_changed", _("Application status changed")


class SubscriptionScope(models.TextChoices):
    OWN = "own", _("Only applications this client submitted")
    ALL = "all", _("Every application")
