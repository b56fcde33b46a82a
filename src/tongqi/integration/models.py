"""The transactional outbox (our background queue), in-app notifications, API tokens, portal
clients and their nonces, idempotency keys and status-push subscriptions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    Channel,
    ClientStatus,
    IdempotencyStatus,
    OutboxStatus,
    SignatureAlgorithm,
    SubscriptionScope,
)


class OutboxMessage(models.Model):
    """One unit of background work, written in the same transaction as the change that caused
    it, so nothing is sent for a rolled-back change and nothing is lost for a committed one.

    Workers claim rows with a lease (``locked_until``); a worker killed between claim and send
    leaves the lease to expire and another worker sends again with the same ``delivery_id``, which
    receivers use to drop duplicates (at-least-once delivery).
    """

    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    delivery_id = models.UUIDField(
        _("delivery id"), default=uuid.uuid4, unique=True, editable=False
    )
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=8)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # equality only: a plain index (db_index on a text column adds a LIKE one too)
            models.Index(fields=["kind"], name="outbox_kind_idx"),
            # the worker's claim: pending messages in the order they are due, and running ones
            # by lease, each only its own rows (delivered messages are most of the table)
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            ),
            models.Index(
                fields=["locked_until", "id"],
                condition=models.Q(status="running"),
                name="outbox_running_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Notification(models.Model):
    """An in-app message for a user (the bell), also the record of what was sent elsewhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the (user, read_at, created_at) index leads with it
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    channels = models.JSONField(_("channels"), default=list)
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"]),
            # equality only: a plain index (db_index on a text column adds a LIKE one too)
            models.Index(fields=["topic"], name="notification_topic_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which channels besides the in-app bell a user wants messages on (all of them by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    sms = models.BooleanField(_("SMS"), default=True)
    wechat = models.BooleanField(_("WeChat template message"), default=True)
    email = models.BooleanField(_("E-mail"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def allows(self, channel: str) -> bool:
        return channel == Channel.INAPP or bool(getattr(self, channel, True))


class ApiToken(models.Model):
    """A personal bearer token for the REST API. Only a SHA-256 digest is stored: the token is
    shown once, when it is created (a 240-bit random value needs no slow hash)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("token prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ApiClient(models.Model):
    """A machine client of the government portal (一网通办) with an app key and a shared secret.

    The secret is encrypted at rest (integration.crypto); after a rotation the previous secret
    stays valid until ``previous_valid_until`` so the portal can switch without downtime.
    """

    name = models.CharField(_("name"), max_length=100)
    app_key = models.SlugField(_("app key"), max_length=64, unique=True)
    algorithm = models.CharField(
        _("signature algorithm"),
        max_length=20,
        choices=SignatureAlgorithm.choices,
        default=SignatureAlgorithm.HMAC_SHA256,
    )
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_valid_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    allowed_ips = models.TextField(
        _("allowed IP addresses"),
        blank=True,
        help_text=_(
            "One address or network (CIDR) per line, e.g. 10.1.2.3 or 10.1.0.0/16. "
            "Empty: any address."
        ),
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("submits into organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Optional. Empty: applications are routed to a grid by their address."),
    )
    contact = models.CharField(_("operator contact"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal API client")
        verbose_name_plural = _("portal API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.app_key})"

    @property
    def is_active(self) -> bool:
        return self.status == ClientStatus.ACTIVE

    @property
    def principal(self) -> str:
        return f"client:{self.pk}"


class ClientNonce(models.Model):
    """A nonce a client used, remembered for twice the allowed clock skew (replay refusal)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("client nonce")
        verbose_name_plural = _("client nonces")
        constraints = [
            models.UniqueConstraint(fields=["client", "nonce"], name="client_nonce_unique")
        ]

    def __str__(self) -> str:
        return self.nonce


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one principal (user or portal client): the request it was first
    used with (fingerprint) and, once finished, the response replayed to every retry.

    The row is written with the answer, in the work's own transaction; while the work runs, a
    transaction-level advisory lock on the key tells a concurrent duplicate to come back (409).
    *In progress* is only found on rows an older release reserved before its work (ADR 0018):
    the next request with the key takes such a row over.
    """

    owner = models.CharField(_("owner"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=IdempotencyStatus.choices,
        default=IdempotencyStatus.COMPLETED,
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class Subscription(models.Model):
    """An endpoint that receives status pushes (webhooks) for some topics.

    Linked to a portal client, the callbacks are signed with that client's secret and algorithm;
    a stand-alone subscription has its own secret (HMAC-SHA256), shown once when created.
    """

    name = models.CharField(_("name"), max_length=100)
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("portal API client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    url = models.URLField(_("callback URL"), max_length=500)
    topics = models.JSONField(
        _("topics"),
        default=list,
        help_text=_('Event names, e.g. ["application.status_changed"]; ["*"] for every event.'),
    )
    scope = models.CharField(
        _("which applications"),
        max_length=8,
        choices=SubscriptionScope.choices,
        default=SubscriptionScope.OWN,
    )
    secret_encrypted = models.TextField(editable=False, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("status-push subscription")
        verbose_name_plural = _("status-push subscriptions")
        ordering = ["name"]
        indexes = [models.Index(fields=["active", "client"])]

    def __str__(self) -> str:
        return self.name


class DeadLetter(OutboxMessage):
    """Outbox messages that failed their last attempt (a proxy, for the administrator's page)."""

    class Meta:
        proxy = True
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")


__all__ = [
    "ApiClient",
    "DeadLetter",
    "ApiToken",
    "Channel",
    "ClientNonce",
    "IdempotencyKey",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "OutboxStatus",
    "Subscription",
]
