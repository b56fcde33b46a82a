"""Health, security headers, navigation, kiosk mode, error pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tongqi.accounts.choices import Role

pytestmark = pytest.mark.django_db


def test_healthz_answers_when_the_database_answers():
    resp = Client().get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_is_gone():
    saved = dict(connection.settings_dict)
    connection.close()
    try:
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-dir/tongqi/gone.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"  # nothing listens there
            connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
        resp = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert resp.status_code == 503
    assert resp.json()["status"] == "error"


def test_pages_carry_a_strict_csp_and_no_inline_script():
    resp = Client().get(reverse("accounts:login"))
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    html = resp.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts, "expected external scripts"
    assert all("src=" in attrs for attrs in scripts), "inline <script> found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"
    assert not re.search(
        r"https?://(?!127\.0\.0\.1|localhost|testserver)", html.replace("http://www.w3.org", "")
    ), "a page references an external host"


def test_signed_in_pages_are_not_cached(people):
    client = Client()
    client.force_login(people.am_a)
    resp = client.get(reverse("accounts:workbench"))
    assert "no-store" in resp["Cache-Control"]


def test_language_switch_to_english(people):
    client = Client()
    resp = client.get(reverse("accounts:login"))
    assert "登录" in resp.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    resp = client.get(reverse("accounts:login"))
    assert "Sign in" in resp.content.decode()


def test_navigation_shows_only_what_the_role_may_open(people):
    from tongqi.web.nav import items_for

    auditor_urls = {i.url_name for i in items_for(people.auditor)}
    assert "audit:list" in auditor_urls and "admin:index" not in auditor_urls
    admin_urls = {i.url_name for i in items_for(people.sysadmin)}
    assert "admin:index" in admin_urls and "audit:list" not in admin_urls
    customer_urls = {i.url_name for i in items_for(people.customer)}
    assert not customer_urls & {"audit:list", "admin:index"}


def test_kiosk_mode_switches_on_and_off():
    client = Client()
    resp = client.post(reverse("web:kiosk"), {"on": "1", "next": "/"})
    assert resp.status_code == 302 and client.cookies["tongqi_kiosk"].value == "1"
    html = client.get("/").content.decode()
    assert 'class="kiosk' in html and "data-kiosk-reset" in html
    client.post(reverse("web:kiosk"), {"on": "0", "next": "https://evil.example/"})
    assert 'class="kiosk' not in client.get("/").content.decode()


def test_unknown_page_is_a_friendly_404():
    resp = Client().get("/no/such/page/")
    assert resp.status_code == 404
    assert "找不到" in resp.content.decode() or "not found" in resp.content.decode().lower()


def test_admin_is_for_the_administrator_only(people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    for user in (people.leader, people.auditor, people.am_a):
        client = Client()
        client.force_login(user)
        resp = client.get(reverse("admin:index"))
        assert resp.status_code == 302 and "login" in resp["Location"], user.role
    client = Client()
    client.force_login(people.sysadmin)
    assert client.get(reverse("admin:index")).status_code == 200
    # separation of duties: the administrator sees no audit log
    assert client.get(reverse("audit:list")).status_code == 403
    assert people.sysadmin.role == Role.SYSADMIN


def test_chinese_unless_the_user_switches_even_for_an_english_browser():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in" in client.get(reverse("accounts:login")).content.decode()
