"""Who is calling the API: a browser session, a personal bearer token, or a signed portal client.

- :class:`TokenAuth` — ``Authorization: Bearer tq_…`` (a token a user made on
  /integration/tokens/): staff and customers from scripts and apps. No CSRF (no cookie).
- :class:`SessionAuth` — the signed-in browser (the portal's and workbench's own pages). CSRF is
  checked for unsafe methods; the session's idle limit and the second factor apply as on pages.
- :class:`GovSignatureAuth` — the government portal (一网通办): app key + HMAC signature over
  the canonical request, clock skew ≤ 300 s, nonce never reused (tongqi.integration.signatures).

``request.auth`` is the user (token or session) or the ``ApiClient`` (portal). For tokens and
sessions ``request.user`` is that user too, and the audit context (who, from where, channel) is
updated, so services called by handlers record the right actor.
"""

from __future__ import annotations

import time
from dataclasses import replace

from django.conf import settings
from django.contrib.auth import logout
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle
from ninja.utils import check_csrf

from tongqi.accounts.middleware import LOGIN_AT, SEEN_AT, SEEN_WRITE_EVERY, needs_second_factor
from tongqi.core import context
from tongqi.integration import services, signatures
from tongqi.integration.errors import ApiError
from tongqi.integration.models import ApiClient

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def principal(auth) -> str | None:
    """A stable key for whoever ``request.auth`` is: ``user:12`` or ``client:3``."""
    if auth is None:
        return None
    if isinstance(auth, ApiClient):
        return auth.principal
    pk = getattr(auth, "pk", None)
    return f"user:{pk}" if pk is not None else None


def _act_as(request, *, user=None, channel: str | None = None) -> None:
    ctx = context.current()
    changes = {}
    if user is not None:
        changes["user"] = user
    if channel:
        changes["channel"] = channel
    context.set_current(replace(ctx, **changes))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a token that is wrong, expired or revoked is a 401
    (never silently ignored in favour of a session)."""

    openapi_description = "A personal API token created on /integration/tokens/ (tq_…)."

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str):
        user = services.token_authenticate(token, ip=request.META.get("REMOTE_ADDR"))
        if user is None:
            raise ApiError("token_invalid")
        request.user = user
        _act_as(request, user=user)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie, with the same rules as pages (the session middleware leaves
    /api/ alone): idle time-out, staff maximum session length, second factor, and CSRF on
    unsafe methods (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The browser session of a signed-in user; unsafe methods need X-CSRFToken."
    )

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once a session user is found

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        self._check_session_age(request, user)
        if needs_second_factor(user) and not user.is_verified():
            raise ApiError("second_factor_required")
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise ApiError("csrf_failed")
        _act_as(request, user=user)
        return user

    @staticmethod
    def _check_session_age(request, user) -> None:
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT) or now
        seen_at = session.get(SEEN_AT) or now
        idle = (
            settings.TONGQI_CUSTOMER_IDLE_SECONDS
            if user.is_customer
            else settings.TONGQI_STAFF_IDLE_SECONDS
        )
        if now - seen_at > idle or (
            user.is_staff_member and now - login_at > settings.TONGQI_STAFF_MAX_SECONDS
        ):
            logout(request)
            raise ApiError("session_expired")
        if now - seen_at >= SEEN_WRITE_EVERY or SEEN_AT not in session:
            session[SEEN_AT] = now


class GovSignatureAuth(APIKeyHeader):
    """A signed request of the government portal; see docs/guides/integration.md."""

    param_name = signatures.HEADER_APP_KEY
    openapi_description = (
        "Government portal (一网通办) clients: headers X-TQ-AppKey, X-TQ-Timestamp (Unix "
        "seconds), X-TQ-Nonce (16-64 of [A-Za-z0-9_-]), X-TQ-Signature (hex HMAC-SHA256 or "
        "HMAC-SM3 of the canonical request) and optionally X-TQ-Signature-Method. "
        "See docs/guides/integration.md."
    )

    def __call__(self, request):
        return self.authenticate(request, request.headers.get(self.param_name))

    def authenticate(self, request, key):
        client = signatures.verify(signatures.SignedRequest.from_django(request))
        request.api_client = client
        _act_as(request, channel="gov")
        return client


# ---------------------------------------------------------------------------------------------
# Rate limits (per process; a deployment with many workers multiplies them): 429 when exceeded.


class PrincipalRateThrottle(SimpleRateThrottle):
    """One bucket per user or per portal client (``kind`` is "user" or "client")."""

    def __init__(self, kind: str):
        self.kind = kind
        self.scope = kind
        super().__init__(settings.TONGQI_API_RATES.get(kind))

    def get_cache_key(self, request):
        who = principal(getattr(request, "auth", None))
        if who is None or not who.startswith(f"{self.kind}:"):
            return None
        return self.cache_format % {"scope": "tq", "ident": who}


def default_throttles() -> list:
    return [
        PrincipalRateThrottle("user"),
        PrincipalRateThrottle("client"),
        AnonRateThrottle(settings.TONGQI_API_RATES.get("anon")),
    ]


token_auth = TokenAuth()
session_auth = SessionAuth()
gov_auth = GovSignatureAuth()

# Customers and staff: a bearer token first (so a script never needs CSRF), else the session.
USER_AUTH = [token_auth, session_auth]
