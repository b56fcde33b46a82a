"""Sign-in, sign-out, registration, second factor and each role's home."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.middleware import client_ip

from . import services
from .choices import Role
from .forms import LoginForm, OtpForm, RegisterForm
from .middleware import LOGIN_AT, SEEN_AT

# Where each role lands after signing in. An app that is not installed yet falls back to the
# generic workbench, which lists what the role can open.
ROLE_HOME = {
    Role.CUSTOMER: "applications:portal_home",
    Role.ACCOUNT_MANAGER: "applications:workbench",
    Role.ENGINEER: "applications:workbench",
    Role.COUNTER_CLERK: "applications:counter",
    Role.SERVICE_MANAGER: "service:home",
    Role.MARKETING: "pricing:home",
    Role.METER_READER: "applications:workbench",
    Role.SAFETY_INSPECTOR: "applications:workbench",
    Role.LEADER: "reports:dashboard",
    Role.SYSADMIN: "admin:index",
    Role.AUDITOR: "audit:list",
}


def _start_session(request, user) -> None:
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if not request.session.session_key:
        request.session.save()
    services.session_register(
        user=user, session_key=request.session.session_key, ip=client_ip(request)
    )
    audit_record(action=AuditAction.LOGIN, obj=user, actor=user)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _start_session(self.request, form.get_user())
        return response


def _end_session(request) -> None:
    user = request.user
    if user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, obj=user, actor=user)
        key = request.session.session_key
        from .models import UserSession

        UserSession.objects.filter(session_key=key).delete()
    from django.contrib.auth import logout

    logout(request)


@require_http_methods(["POST"])
def logout_view(request):
    _end_session(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


@require_http_methods(["POST"])
def kiosk_reset(request):
    """Kiosk: the terminal was left alone. Whoever used it is signed out before the start page
    comes back, so the next person cannot see their applications (the page posts this after
    two idle minutes; the kiosk cookie stays)."""
    if request.user.is_authenticated:
        _end_session(request)
        messages.info(
            request, _("The terminal was left unused, so you were signed out to protect your data.")
        )
    return redirect("web:index")


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name is locked after repeated failures."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
def home(request):
    target = ROLE_HOME.get(request.user.role)
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    return redirect("accounts:workbench")


@login_required
def workbench(request):
    """The generic staff home: the role's menu as cards."""
    return render(request, "accounts/workbench.html")


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = services.user_create(
                username=form.cleaned_data["mobile"],
                password=form.cleaned_data["password1"],
                role=Role.CUSTOMER,
                full_name=form.cleaned_data["full_name"],
                mobile=form.cleaned_data["mobile"],
            )
        auth_login(request, user, backend="tongqi.accounts.backends.UsernameOrMobileBackend")
        _start_session(request, user)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("accounts:home")
    return render(request, "accounts/register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def otp(request):
    """Second factor: enrol a TOTP device on first use, then verify a code at each sign-in."""
    user = request.user
    nxt = request.GET.get("next") or reverse("accounts:home")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("accounts:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False
        ).first() or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    action=AuditAction.SECURITY, obj=user, changes={"second_factor": ["", "TOTP"]}
                )
            otp_login(request, device)
            return redirect(nxt)
        form.add_error("token", _("The code is wrong or has expired. Try the current code."))
        audit_record(action=AuditAction.LOGIN_FAILED, obj=user, reason="second factor")
    ctx = {"form": form, "enrolling": enrolling, "next": nxt}
    if enrolling:
        import base64

        secret = base64.b32encode(device.bin_key).decode()
        ctx["secret"] = secret
        ctx["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/otp.html", ctx)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response
