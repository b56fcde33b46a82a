"""Session policy: idle and absolute time-outs, forced second factor, password rotation."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .roles import SECOND_FACTOR_ROLES

LOGIN_AT = "_tq_login_at"
SEEN_AT = "_tq_seen_at"
SEEN_WRITE_EVERY = 30  # seconds: do not write the session on every request

EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/", "/accounts/logout/", "/api/")


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in SECOND_FACTOR_ROLES and settings.TONGQI_REQUIRE_2FA:
        return True
    # Staff who enrolled a device voluntarily use it too.
    return user.is_staff_member and getattr(user, "otp_device", None) is None and _has_device(user)


def _has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            response = self._enforce(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request, user):
        now = int(time.time())
        session = request.session
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
            messages.info(request, _("Your session has ended. Please sign in again."))
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if LOGIN_AT not in session:
            session[LOGIN_AT] = now
        if now - seen_at >= SEEN_WRITE_EVERY or SEEN_AT not in session:
            session[SEEN_AT] = now

        if request.path.startswith(EXEMPT_PREFIXES) or request.path.startswith("/accounts/otp"):
            return None
        if needs_second_factor(user) and not user.is_verified():
            return redirect(f"{reverse('accounts:otp')}?next={request.path}")
        max_age = settings.TONGQI_STAFF_PASSWORD_MAX_AGE_DAYS
        if (
            max_age
            and user.is_staff_member
            and user.has_usable_password()
            and (timezone.now() - user.password_changed_at).days >= max_age
            and not request.path.startswith("/accounts/password")
        ):
            messages.warning(
                request,
                _("Your password is older than {days} days. Please change it.").format(
                    days=max_age
                ),
            )
            return redirect("accounts:password_change")
        return None
