"""Verifying a signed request of the government portal (一网通办) against a stored client.

The canonical request and the signers are the pure core (tongqi.core.signing); this module adds
what needs the database: the client and its (encrypted) secret, the previous secret during a
rotation's grace period, the IP allow-list and the nonce store. Headers (docs/guides/integration.md):

    X-TQ-AppKey            the client's app key
    X-TQ-Timestamp         Unix seconds
    X-TQ-Nonce             16-64 characters of [A-Za-z0-9_-], fresh per request
    X-TQ-Signature         lower-case hex signature of the canonical request
    X-TQ-Signature-Method  optional; must equal the client's configured algorithm
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongqi.core import signing

from . import crypto
from .choices import ClientStatus
from .errors import ApiError
from .models import ApiClient, ClientNonce

log = logging.getLogger("tongqi.integration.signatures")

HEADER_APP_KEY = "X-TQ-AppKey"
HEADER_TIMESTAMP = "X-TQ-Timestamp"
HEADER_NONCE = "X-TQ-Nonce"
HEADER_SIGNATURE = "X-TQ-Signature"
HEADER_METHOD = "X-TQ-Signature-Method"
LAST_USED_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers, taken from an HTTP request."""

    method: str
    path: str
    query: object  # a QueryDict or anything tongqi.core.signing.canonical_query accepts
    body: bytes
    app_key: str
    timestamp: str
    nonce: str
    signature: str
    algorithm: str = ""
    ip: str | None = None

    @classmethod
    def from_django(cls, request) -> SignedRequest:
        h = request.headers
        return cls(
            method=request.method,
            path=request.path,
            query=request.GET,
            body=request.body,
            app_key=h.get(HEADER_APP_KEY, ""),
            timestamp=h.get(HEADER_TIMESTAMP, ""),
            nonce=h.get(HEADER_NONCE, ""),
            signature=h.get(HEADER_SIGNATURE, ""),
            algorithm=h.get(HEADER_METHOD, ""),
            ip=request.META.get("REMOTE_ADDR") or None,
        )


def ip_allowed(allowed: str, ip: str | None) -> bool:
    """``allowed`` is one address or CIDR network a line; empty allows every address."""
    entries = [e.strip() for e in allowed.replace(",", "\n").splitlines() if e.strip()]
    if not entries:
        return True
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in entries:
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _secrets(client: ApiClient, now: datetime) -> list[str]:
    out = [crypto.decrypt(client.secret_encrypted)]
    if (
        client.previous_secret_encrypted
        and client.previous_valid_until
        and client.previous_valid_until > now
    ):
        out.append(crypto.decrypt(client.previous_secret_encrypted))
    return out


def remember_nonce(client: ApiClient, nonce: str, now: datetime, window: int) -> None:
    """Record the nonce; ``nonce_reused`` when it was seen within twice the skew window.

    An unauthenticated request never gets here (the signature is checked first), so nobody can
    fill the table or burn a client's nonces without its secret.
    """
    try:
        with transaction.atomic():
            ClientNonce.objects.create(client=client, nonce=nonce, seen_at=now)
        return
    except IntegrityError:
        pass
    # Seen before: a replay unless so long ago that its timestamp could no longer pass.
    reclaimed = ClientNonce.objects.filter(
        client=client, nonce=nonce, seen_at__lt=now - timedelta(seconds=2 * window)
    ).update(seen_at=now)
    if not reclaimed:
        raise ApiError("nonce_reused")


def verify(req: SignedRequest, *, now: datetime | None = None) -> ApiClient:
    """The active client that signed ``req``, or :class:`ApiError` with a stable code."""
    now = now or timezone.now()
    window = settings.TONGQI_API_MAX_SKEW
    if not (req.app_key and req.timestamp and req.nonce and req.signature):
        raise ApiError("missing_headers")
    client = ApiClient.objects.filter(app_key=req.app_key[:64]).first()
    if client is None or client.status != ClientStatus.ACTIVE:
        raise ApiError("unknown_app_key")
    if not ip_allowed(client.allowed_ips, req.ip):
        log.warning("portal client %s refused from %s (not allowed)", client.app_key, req.ip)
        raise ApiError("ip_not_allowed")
    if req.algorithm and req.algorithm != client.algorithm:
        raise ApiError("bad_algorithm")
    try:
        candidates = _secrets(client, now)
    except crypto.SecretUnreadable:
        log.error("portal client %s: secret unreadable; reissue it", client.app_key)
        raise ApiError("internal_error") from None
    rejection: signing.SignatureRejected | None = None
    for secret in candidates:
        try:
            signing.verify_request(
                secret=secret,
                method=req.method,
                path=req.path,
                query=req.query,
                timestamp=req.timestamp,
                nonce=req.nonce,
                body=req.body,
                signature=req.signature,
                now=now,
                max_skew=window,
                algorithm=client.algorithm,
            )
        except signing.SignatureRejected as exc:
            rejection = exc
            if exc.code != "bad_signature":
                break  # shape, staleness or algorithm: another secret cannot help
            continue
        except signing.SignerUnavailable:
            log.error(
                "portal client %s: %s is not available here", client.app_key, client.algorithm
            )
            raise ApiError("bad_algorithm") from None
        rejection = None
        break
    if rejection is not None:
        raise ApiError(rejection.code)
    remember_nonce(client, req.nonce, now, window)
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_EVERY:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def purge_nonces(now: datetime | None = None) -> int:
    """Forget nonces older than twice the skew window (their timestamps can no longer pass)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=2 * settings.TONGQI_API_MAX_SKEW)
    deleted, _ = ClientNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
