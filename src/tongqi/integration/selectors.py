"""Reads of the integration app: a user's notifications and tokens, licence lookups, dead letters.

Views and API handlers call these same functions (one set of reads behind both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from tongqi.core.validators import validate_uscc

from .choices import OutboxStatus
from .licence import EnterpriseRecord, LicenceUnavailable, get_provider
from .models import ApiToken, Notification, NotificationPreference, OutboxMessage

log = logging.getLogger("tongqi.integration.licence")


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another's)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_preferences(user) -> NotificationPreference:
    """The user's channel choices (all on when never set); not saved by reading."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def tokens_for(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def dead_letters() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxStatus.DEAD).order_by("-id")


@dataclass(frozen=True)
class LicenceAnswer:
    """``found`` with a record, ``not_found``, or ``unavailable`` (the user types the data)."""

    status: str
    uscc: str
    record: EnterpriseRecord | None = None

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "uscc": self.uscc,
            "enterprise": self.record.as_dict() if self.record else None,
        }


def licence_lookup(uscc: str) -> LicenceAnswer:
    """Look an enterprise up by USCC through the configured provider, with a cache.

    Raises ``ValidationFailure`` for a malformed code (never sent to the provider). Answers are
    cached (``TONGQI_LICENCE_CACHE_SECONDS``; "unknown" for a tenth of that); an outage is not
    cached, so the next keystroke tries again.
    """
    code = validate_uscc(uscc)
    key = f"tongqi:licence:{code}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    provider = get_provider()
    try:
        record = provider.lookup(code)
    except LicenceUnavailable as exc:
        log.warning("licence lookup of %s failed (%s): %s", code, provider.name, exc)
        return LicenceAnswer(status="unavailable", uscc=code)
    except Exception:  # a provider bug must not break the form either
        log.exception("licence provider %s crashed on %s", provider.name, code)
        return LicenceAnswer(status="unavailable", uscc=code)
    ttl = getattr(settings, "TONGQI_LICENCE_CACHE_SECONDS", 3600)
    if record is None:
        answer = LicenceAnswer(status="not_found", uscc=code)
        cache.set(key, answer, max(ttl // 10, 1))
    else:
        answer = LicenceAnswer(status="found", uscc=code, record=record)
        cache.set(key, answer, ttl)
    return answer
