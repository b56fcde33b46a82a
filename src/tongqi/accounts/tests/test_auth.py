"""Sign-in, role homes, lock-out, sessions, second factor, passwords."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongqi.accounts import services
from tongqi.accounts.choices import Role
from tongqi.accounts.middleware import LOGIN_AT, SEEN_AT
from tongqi.accounts.models import UserSession
from tongqi.audit.models import AuditRecord
from tongqi.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def verify_otp(client: Client, user) -> None:
    resp = client.get(reverse("accounts:otp"))
    assert resp.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    resp = client.post(reverse("accounts:otp"), {"token": f"{code:06d}"})
    assert resp.status_code == 302, resp.content.decode()[:500]


@pytest.mark.parametrize(
    "role_attr",
    [
        "customer",
        "am_a",
        "engineer_a",
        "counter_a",
        "service",
        "marketing",
        "reader_a",
        "inspector_a",
        "leader",
        "sysadmin",
        "auditor",
    ],
)
def test_every_role_signs_in_and_lands_on_its_home(people, role_attr):
    # given
    user = getattr(people, role_attr)
    client = Client()
    # when
    resp = login(client, user.username)
    # then
    assert resp.status_code == 302
    if user.role in (Role.SYSADMIN, Role.AUDITOR):
        home = client.get(reverse("accounts:home"), follow=True)
        assert home.redirect_chain[-1][0].startswith(reverse("accounts:otp"))
        verify_otp(client, user)
    resp = client.get(reverse("accounts:home"), follow=True)
    assert resp.status_code == 200
    final = resp.redirect_chain[-1][0] if resp.redirect_chain else reverse("accounts:home")
    assert "/accounts/login/" not in final
    assert "/accounts/otp/" not in final
    body = resp.content.decode()
    assert user.display_name in body
    assert AuditRecord.objects.filter(action="login", actor=user).exists()


def test_login_by_mobile_number(people):
    client = Client()
    resp = login(client, people.customer.mobile)
    assert resp.status_code == 302
    assert client.session.get("_auth_user_id") == str(people.customer.pk)


def test_wrong_password_is_refused_with_a_message(people):
    resp = login(Client(), people.customer.username, "wrong-password")
    assert resp.status_code == 200
    assert "_auth_user_id" not in resp.client.session
    assert AuditRecord.objects.filter(action="login_failed").exists()


def test_lockout_after_five_failures_even_with_the_right_password(people, settings):
    client = Client()
    user = people.am_a
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "wrong-password")
    resp = login(client, user.username, PASSWORD)
    assert resp.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="lockout", object_repr=user.username).exists()


def test_staff_session_ends_after_idle_time(people, settings):
    client = Client()
    client.force_login(people.am_a)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 60
    session[SEEN_AT] = int(time.time()) - settings.TONGQI_STAFF_IDLE_SECONDS - 5
    session.save()
    resp = client.get(reverse("accounts:workbench"))
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]
    assert "_auth_user_id" not in client.session


def test_staff_session_ends_after_absolute_time_even_when_active(people, settings):
    client = Client()
    client.force_login(people.am_a)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.TONGQI_STAFF_MAX_SECONDS - 5
    session[SEEN_AT] = int(time.time())
    session.save()
    resp = client.get(reverse("accounts:workbench"))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_active_staff_session_continues(people):
    client = Client()
    client.force_login(people.am_a)
    assert client.get(reverse("accounts:workbench")).status_code == 200


def test_logout_ends_the_session_on_the_server(people):
    client = Client()
    login(client, people.customer.username)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    resp = client.post(reverse("accounts:logout"))
    assert resp.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()


def test_an_idle_kiosk_signs_its_user_out(people):
    """The kiosk's idle reset posts here: the next person must not find the last one's
    applications behind the start page."""
    from tongqi.audit.models import AuditRecord

    client = Client()
    client.cookies["tongqi_kiosk"] = "1"
    login(client, people.customer.username)
    key = client.session.session_key
    page = client.get(reverse("applications:portal_home")).content.decode()
    assert 'id="kiosk-reset"' in page and reverse("accounts:kiosk_reset") in page
    resp = client.post(reverse("accounts:kiosk_reset"))
    assert resp.status_code == 302 and resp["Location"] == reverse("web:index")
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert AuditRecord.objects.filter(action="logout", object_id=str(people.customer.pk)).exists()
    landing = client.get(reverse("web:index"))
    assert landing.status_code == 200 and "data-kiosk-reset" in landing.content.decode()
    # nobody signed in: back to the start page, nothing else
    assert client.post(reverse("accounts:kiosk_reset"))["Location"] == reverse("web:index")
    assert client.get(reverse("accounts:kiosk_reset")).status_code == 405


def test_disabling_a_user_ends_all_their_sessions(people):
    c1, c2 = Client(), Client()
    login(c1, people.am_a.username)
    login(c2, people.am_a.username)
    assert UserSession.objects.filter(user=people.am_a).count() == 2
    services.user_set_active(user=people.am_a, active=False, reason="left the company")
    assert UserSession.objects.filter(user=people.am_a).count() == 0
    assert c1.get(reverse("accounts:workbench")).status_code == 302
    assert c2.get(reverse("accounts:workbench")).status_code == 302


def test_second_factor_required_for_administrator(people):
    client = Client()
    login(client, people.sysadmin.username)
    resp = client.get(reverse("admin:index"))
    assert resp.status_code == 302 and reverse("accounts:otp") in resp["Location"]
    bad = client.post(reverse("accounts:otp"), {"token": "000000"})
    assert bad.status_code == 200
    assert "token" in bad.context["form"].errors
    # django-otp throttles after a failure; let the throttle window pass
    TOTPDevice.objects.filter(user=people.sysadmin).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    verify_otp(client, people.sysadmin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_password_expires_under_the_dengbao_profile(people, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.TONGQI_STAFF_PASSWORD_MAX_AGE_DAYS = 90
    user = people.am_a
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    client = Client()
    client.force_login(user)
    resp = client.get(reverse("accounts:workbench"))
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_change")
    # customers are not forced to rotate
    customer = people.customer
    customer.password_changed_at = timezone.now() - timedelta(days=400)
    customer.save()
    c2 = Client()
    c2.force_login(customer)
    assert c2.get(reverse("accounts:workbench")).status_code == 200


def test_customer_registration_validates_fields(db):
    client = Client()
    resp = client.post(
        reverse("accounts:register"),
        {
            "full_name": "张三",
            "mobile": "12345",
            "password1": "x",
            "password2": "y",
        },
    )
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert "mobile" in errors and "accept_notice" in errors
    resp = client.post(
        reverse("accounts:register"),
        {
            "full_name": "张三",
            "mobile": "138 1234 5678",
            "password1": "Gas-supply-2026",
            "password2": "Gas-supply-2026",
            "accept_notice": "on",
        },
    )
    assert resp.status_code == 302
    from tongqi.accounts.models import User

    user = User.objects.get(username="13812345678")
    assert user.role == Role.CUSTOMER and user.mobile == "13812345678"


def test_any_staff_member_may_enrol_a_second_factor_and_then_must_use_it(people):
    user = people.am_a
    client = Client()
    login(client, user.username)
    assert client.get(reverse("accounts:workbench")).status_code == 200  # not required yet
    verify_otp(client, user)  # enrols on first use
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    fresh = Client()
    login(fresh, user.username)
    resp = fresh.get(reverse("accounts:workbench"))
    assert resp.status_code == 302 and reverse("accounts:otp") in resp["Location"]
