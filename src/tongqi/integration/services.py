"""Writes of the integration app: API tokens, portal clients, subscriptions, notifications.

Each action is one transaction that ends with an audit record; secrets are returned once to the
caller (to show) and stored only as a digest (tokens) or encrypted (client and callback secrets).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tongqi.accounts.models import OrgUnit, User
from tongqi.accounts.roles import SECOND_FACTOR_ROLES, Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.sql import Rows, cache_related

from . import crypto, outbox
from .choices import ClientStatus, OutboxStatus, SignatureAlgorithm, SubscriptionScope
from .models import (
    ApiClient,
    ApiToken,
    Notification,
    NotificationPreference,
    OutboxMessage,
    Subscription,
)

TOKEN_PREFIX = "tq_"
TOKEN_DAYS_CHOICES = (7, 30, 90, 180, 365)
TOKEN_MAX_ACTIVE = 10
TOKEN_LAST_USED_EVERY = timedelta(seconds=60)


# ---------------------------------------------------------------------------------------------
# Personal API tokens


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(*, user, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``; the token itself is returned once, never stored.

    Administrators and auditors sign in with a second factor, which a bearer token would
    bypass, and the API offers them nothing: they get no tokens.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the program using it.")]})
    if days not in TOKEN_DAYS_CHOICES:
        raise ValidationError({"days": [_("Choose one of the offered validity periods.")]})
    if not user.is_active or user.role in SECOND_FACTOR_ROLES:
        raise PermissionDenied(_("API tokens are not available to this role."))
    now = timezone.now()
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        if active.count() >= TOKEN_MAX_ACTIVE:
            raise ValidationError(
                {
                    "name": [
                        _("You already have {n} active tokens; revoke one first.").format(
                            n=TOKEN_MAX_ACTIVE
                        )
                    ]
                }
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
        token = ApiToken.objects.create(
            user=user,
            name=name[:60],
            prefix=raw[:10],
            digest=token_digest(raw),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit_record(
            action=AuditAction.SECURITY,
            obj=token,
            actor=user,
            changes={"api_token": [None, token.prefix], "expires_at": [None, token.expires_at]},
        )
    return token, raw


def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token at once (its owner, or an administrator)."""
    if token.user_id != actor.pk and not actor.can(Cap.USERS_MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                action=AuditAction.SECURITY,
                obj=locked,
                actor=actor,
                changes={"revoked_at": [None, locked.revoked_at]},
            )
    return locked


_TOKEN_ROWS = Rows((ApiToken, "t"), (User, "u"), (OrgUnit, "o"))


@functools.cache
def _token_sql(vendor: str) -> str:
    return (
        f"SELECT {_TOKEN_ROWS.select} FROM {ApiToken._meta.db_table} t"
        f" JOIN {User._meta.db_table} u ON u.id = t.user_id"
        f" LEFT JOIN {OrgUnit._meta.db_table} o ON o.id = u.org_unit_id"
        " WHERE t.digest = %s"
    )


def _token_with_user(digest: str) -> ApiToken | None:
    """The token with its user and the user's unit (``select_related("user", "user__org_unit")``
    as one statement written once: every API request asks this; tongqi.sql says why)."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    token, user, unit = _TOKEN_ROWS.read(row)
    cache_related(user, "org_unit", unit)
    cache_related(token, "user", user)
    return token


def token_authenticate(raw: str, *, ip: str | None = None):
    """The active user a bearer token belongs to, or None (unknown, expired or revoked)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    token = _token_with_user(token_digest(raw))
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.user.role in SECOND_FACTOR_ROLES:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.user._tq_api_token = token
    return token.user


# ---------------------------------------------------------------------------------------------
# Portal API clients (一网通办)


def clean_allowed_ips(value: str) -> str:
    """One address or CIDR network a line, normalised; a bad entry is a field error."""
    out = []
    for entry in (value or "").replace(",", "\n").splitlines():
        entry = entry.strip()
        if not entry:
            continue
        try:
            out.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ValidationError(
                {"allowed_ips": [_("{entry} is not an IP address or network.").format(entry=entry)]}
            ) from None
    return "\n".join(out)


def _new_app_key(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:30] or "portal"
    return f"tq-{base}-{secrets.token_hex(4)}"


def api_client_create(
    *,
    name: str,
    actor,
    algorithm: str = SignatureAlgorithm.HMAC_SHA256,
    allowed_ips: str = "",
    org_unit=None,
    contact: str = "",
    app_key: str = "",
    secret: str = "",
) -> tuple[ApiClient, str]:
    """Register a portal client; returns it and its secret, shown once.

    ``app_key`` and ``secret`` may be given (the demo's published example does); otherwise they
    are generated (a 256-bit random secret).
    """
    if algorithm not in SignatureAlgorithm.values:
        raise ValidationError({"algorithm": [_("Choose a signature algorithm.")]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    secret = secret or crypto.new_secret()
    with transaction.atomic():
        client = ApiClient(
            name=name[:100],
            app_key=app_key or _new_app_key(name),
            algorithm=algorithm,
            secret_encrypted=crypto.encrypt(secret),
            allowed_ips=clean_allowed_ips(allowed_ips),
            org_unit=org_unit,
            contact=contact[:100],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        client.full_clean(exclude=["secret_encrypted", "created_by"])
        client.save()
        audit_record(
            action=AuditAction.CONFIG,
            obj=client,
            actor=actor,
            changes={"app_key": [None, client.app_key], "algorithm": [None, algorithm]},
        )
    return client, secret


def api_client_rotate(*, client: ApiClient, actor, grace: timedelta | None = None) -> str:
    """Issue a new secret; the old one stays valid for ``grace`` (default 24 h). Returns the
    new secret, shown once."""
    grace = settings.TONGQI_API_SECRET_GRACE if grace is None else grace
    secret = crypto.new_secret()
    now = timezone.now()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.status != ClientStatus.ACTIVE:
            raise ValidationError(_("A revoked client cannot get a new secret."))
        locked.previous_secret_encrypted = locked.secret_encrypted if grace else ""
        locked.previous_valid_until = now + grace if grace else None
        locked.secret_encrypted = crypto.encrypt(secret)
        locked.rotated_at = now
        locked.save(
            update_fields=[
                "previous_secret_encrypted",
                "previous_valid_until",
                "secret_encrypted",
                "rotated_at",
            ]
        )
        audit_record(
            action=AuditAction.SECURITY,
            obj=locked,
            actor=actor,
            changes={
                "secret_rotated_at": [None, now],
                "previous_valid_until": [None, locked.previous_valid_until],
            },
        )
    client.refresh_from_db()
    return secret


def api_client_revoke(*, client: ApiClient, actor, reason: str = "") -> ApiClient:
    """Refuse every further request of the client at once (both secrets) and stop its pushes."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.status == ClientStatus.REVOKED:
            return locked
        locked.status = ClientStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.previous_secret_encrypted = ""
        locked.previous_valid_until = None
        locked.save(
            update_fields=[
                "status",
                "revoked_at",
                "previous_secret_encrypted",
                "previous_valid_until",
            ]
        )
        audit_record(
            action=AuditAction.SECURITY,
            obj=locked,
            actor=actor,
            changes={"status": [ClientStatus.ACTIVE, ClientStatus.REVOKED]},
            reason=reason,
        )
    return locked


def api_client_update(*, client: ApiClient, actor, **fields) -> ApiClient:
    """Change a client's settings (name, algorithm, allowed IPs, org unit, contact)."""
    allowed = {"name", "algorithm", "allowed_ips", "org_unit", "contact"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    if "allowed_ips" in fields:
        fields["allowed_ips"] = clean_allowed_ips(fields["allowed_ips"])
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = {k: getattr(locked, k) for k in fields}
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.full_clean(exclude=["secret_encrypted", "created_by"])
        locked.save(update_fields=list(fields))
        changes = {
            k: [before[k], getattr(locked, k)] for k in fields if before[k] != getattr(locked, k)
        }
        if changes:
            audit_record(action=AuditAction.CONFIG, obj=locked, actor=actor, changes=changes)
    return locked


# ---------------------------------------------------------------------------------------------
# Status-push subscriptions


def clean_subscription(*, client, scope: str, topics: list) -> list[str]:
    if scope not in SubscriptionScope.values:
        raise ValidationError({"scope": [_("Choose which applications to push.")]})
    if scope == SubscriptionScope.OWN and client is None:
        raise ValidationError(
            {
                "scope": [
                    _(
                        "Only a subscription of a portal client can be limited to its own applications."
                    )
                ]
            }
        )
    if (
        not isinstance(topics, list)
        or not topics
        or not all(isinstance(t, str) and t for t in topics)
    ):
        raise ValidationError({"topics": [_('List at least one event, or "*" for every event.')]})
    return sorted(set(topics))


def subscription_create(
    *,
    name: str,
    url: str,
    actor,
    topics: list | None = None,
    scope: str = SubscriptionScope.OWN,
    client: ApiClient | None = None,
    active: bool = True,
) -> tuple[Subscription, str]:
    """Add a callback endpoint. Returns the subscription and, for a stand-alone one, its new
    signing secret (shown once; a client's subscription is signed with the client's secret)."""
    from .choices import Topic

    topics = clean_subscription(
        client=client, scope=scope, topics=topics or [Topic.APPLICATION_STATUS_CHANGED]
    )
    secret = "" if client else crypto.new_secret("whsec_")
    with transaction.atomic():
        sub = Subscription(
            name=(name or "").strip()[:100],
            url=url,
            topics=topics,
            scope=scope,
            client=client,
            active=active,
            secret_encrypted=crypto.encrypt(secret) if secret else "",
        )
        sub.full_clean(exclude=["secret_encrypted"])
        sub.save()
        audit_record(
            action=AuditAction.CONFIG,
            obj=sub,
            actor=actor,
            changes={"url": [None, url], "topics": [None, topics], "scope": [None, scope]},
        )
    return sub, secret


def subscription_update(*, subscription: Subscription, actor, **fields) -> Subscription:
    """Change a subscription (name, url, topics, scope, active)."""
    allowed = {"name", "url", "topics", "scope", "active"}
    if set(fields) - allowed:
        raise TypeError(f"cannot update {sorted(set(fields) - allowed)}")
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update()
            .select_related("client")
            .get(pk=subscription.pk)
        )
        before = {k: getattr(locked, k) for k in fields}
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.topics = clean_subscription(
            client=locked.client, scope=locked.scope, topics=locked.topics
        )
        locked.full_clean(exclude=["secret_encrypted"])
        locked.save(update_fields=list(fields))
        changes = {
            k: [before[k], getattr(locked, k)] for k in fields if before[k] != getattr(locked, k)
        }
        if changes:
            audit_record(action=AuditAction.CONFIG, obj=locked, actor=actor, changes=changes)
    return locked


def subscription_rotate_secret(*, subscription: Subscription, actor) -> str:
    """A new signing secret for a stand-alone subscription (shown once)."""
    if subscription.client_id:
        raise ValidationError(
            _("This subscription is signed with its client's secret; rotate that.")
        )
    secret = crypto.new_secret("whsec_")
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(
            secret_encrypted=crypto.encrypt(secret)
        )
        audit_record(
            action=AuditAction.SECURITY,
            obj=subscription,
            actor=actor,
            changes={"secret_rotated_at": [None, timezone.now()]},
        )
    return secret


# ---------------------------------------------------------------------------------------------
# Dead letters


def outbox_replay(*, actor, ids: Iterable[int] | None = None) -> int:
    """Put dead letters back in the queue (the given ones, or all of them)."""
    id_list = None if ids is None else [int(i) for i in ids]
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
        if id_list is not None:
            qs = qs.filter(id__in=id_list)
        replayed = list(qs.values_list("id", flat=True)[:10000])
        n = outbox.replay(replayed)
        if n:
            audit_record(
                action=AuditAction.CONFIG,
                object_type="integration.outboxmessage",
                object_repr=_("{n} dead letters replayed").format(n=n),
                actor=actor,
                changes={"replayed": [None, replayed[:200]]},
            )
    return n


# ---------------------------------------------------------------------------------------------
# In-app notifications


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all). Only the reader's own view
    state changes, so no audit record is written for it."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    return qs.update(read_at=timezone.now())


def notification_preferences_set(
    *, user, sms: bool, wechat: bool, email: bool
) -> NotificationPreference:
    """Which channels besides the in-app bell the user wants (SMS, WeChat, e-mail)."""
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        before = {"sms": pref.sms, "wechat": pref.wechat, "email": pref.email}
        after = {"sms": bool(sms), "wechat": bool(wechat), "email": bool(email)}
        if before != after:
            pref.sms, pref.wechat, pref.email = after["sms"], after["wechat"], after["email"]
            pref.updated_at = timezone.now()
            pref.save(update_fields=["sms", "wechat", "email", "updated_at"])
            audit_record(
                action=AuditAction.UPDATE,
                obj=pref,
                actor=user,
                changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            )
    return pref
