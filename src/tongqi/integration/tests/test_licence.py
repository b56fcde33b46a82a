"""Licence sharing (证照共享): the fake provider, the HTTP provider against a local server
(found, unknown, outage, timeout, malformed), the cache, and the page/API that prefill forms."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from tongqi.integration import licence, selectors
from tongqi.integration.licence import (
    FakeLicenceProvider,
    HttpLicenceProvider,
    LicenceProvider,
    LicenceUnavailable,
)
from tongqi.testing.matrix import assert_matrix

from .conftest import free_port

NAMED = "91420106MA4K00CF5J"
ANY_VALID = "91420102MA4KXY812K"
UNKNOWN = "91420106MA4K100007"  # body ends 0000: the fake registry does not know it
DOWN = "91420106MA4K19999G"  # body ends 9999: the fake service is "down"


def test_fake_provider_is_deterministic_and_knows_named_enterprises():
    p = FakeLicenceProvider()
    assert isinstance(p, LicenceProvider)
    named = p.lookup(NAMED)
    assert named.name == "武汉示例餐饮有限公司" and named.legal_representative == "王建国"
    a, b = p.lookup(ANY_VALID), p.lookup(ANY_VALID)
    assert a == b and a.uscc == ANY_VALID and a.name.startswith("武汉") and a.source == "fake"
    assert p.lookup(UNKNOWN) is None
    with pytest.raises(LicenceUnavailable):
        p.lookup(DOWN)


class _Registry:
    """A licence service on 127.0.0.1 whose answer the test chooses."""

    def __init__(self):
        self.status = 200
        self.payload: object = {}
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                registry.requests.append((self.path, self.headers.get("Authorization", "")))
                if registry.delay:
                    time.sleep(registry.delay)
                raw = (
                    registry.payload
                    if isinstance(registry.payload, bytes)
                    else json.dumps(registry.payload).encode()
                )
                try:
                    self.send_response(registry.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def provider(self, timeout=2.0, url=None):
        return HttpLicenceProvider(
            url=url or f"http://127.0.0.1:{self.port}/enterprises/{{uscc}}",
            token="s3cret",
            timeout=timeout,
        )


@pytest.fixture
def registry():
    r = _Registry()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_http_provider_maps_the_documented_json(registry):
    registry.payload = {
        "data": {
            "uscc": ANY_VALID,
            "name": "武汉楚天热力有限公司",
            "legal_representative": "张三",
            "address": "武汉市江岸区",
            "enterprise_type": "有限责任公司",
            "registered_capital": "500万元",
            "established_on": "2015-03-02",
            "business_scope": "供暖",
            "status": "存续",
        }
    }
    rec = registry.provider().lookup(ANY_VALID)
    assert rec.name == "武汉楚天热力有限公司" and rec.established_on == date(2015, 3, 2)
    assert rec.source == "http"
    assert registry.requests == [(f"/enterprises/{ANY_VALID}", "Bearer s3cret")]


def test_http_provider_query_url(registry):
    registry.payload = {"name": "甲"}
    registry.provider(url=f"http://127.0.0.1:{registry.port}/lookup?v=2").lookup(ANY_VALID)
    assert registry.requests[0][0] == f"/lookup?v=2&uscc={ANY_VALID}"


def test_http_provider_unknown_is_none(registry):
    registry.status = 404
    assert registry.provider().lookup(ANY_VALID) is None


@pytest.mark.parametrize(
    ("status", "payload"),
    [(500, {}), (503, {}), (200, b"<html>oops"), (200, {"data": {"uscc": "x"}}), (200, [1, 2])],
)
def test_http_provider_outage_or_junk_is_unavailable(registry, status, payload):
    registry.status, registry.payload = status, payload
    with pytest.raises(LicenceUnavailable):
        registry.provider().lookup(ANY_VALID)


def test_http_provider_times_out(registry):
    # The registry would answer after 20 s; the provider gives up long before that, with room to
    # spare for a loaded CI machine.
    registry.payload, registry.delay = {"name": "甲"}, 20.0
    started = time.monotonic()
    with pytest.raises(LicenceUnavailable):
        registry.provider(timeout=0.3).lookup(ANY_VALID)
    assert time.monotonic() - started < 10


def test_http_provider_unreachable():
    port = free_port()
    with pytest.raises(LicenceUnavailable):
        HttpLicenceProvider(url=f"http://127.0.0.1:{port}/{{uscc}}", timeout=1).lookup(ANY_VALID)


def test_selector_caches_answers_but_not_outages(monkeypatch):
    calls = []

    class Counting(FakeLicenceProvider):
        def lookup(self, uscc):
            calls.append(uscc)
            return super().lookup(uscc)

    monkeypatch.setattr(licence, "get_provider", lambda: Counting())
    monkeypatch.setattr(selectors, "get_provider", lambda: Counting())
    assert selectors.licence_lookup(ANY_VALID).status == "found"
    assert selectors.licence_lookup(ANY_VALID.lower()).status == "found"  # normalised, cached
    assert calls == [ANY_VALID]
    assert selectors.licence_lookup(DOWN).status == "unavailable"
    assert selectors.licence_lookup(DOWN).status == "unavailable"
    assert calls.count(DOWN) == 2
    assert selectors.licence_lookup(UNKNOWN).status == "not_found"


def test_selector_survives_a_crashing_provider(monkeypatch):
    class Broken:
        name = "broken"

        def lookup(self, uscc):
            raise KeyError("bug")

    monkeypatch.setattr(selectors, "get_provider", lambda: Broken())
    assert selectors.licence_lookup(ANY_VALID).status == "unavailable"


def test_provider_from_settings(settings):
    licence._provider.cache_clear()
    settings.TONGQI_LICENCE_PROVIDER = "none"
    with pytest.raises(LicenceUnavailable):
        licence.get_provider().lookup(ANY_VALID)
    settings.TONGQI_LICENCE_PROVIDER = "fake"
    assert licence.get_provider().name == "fake"
    licence._provider.cache_clear()


# --- the page fragment and the API


@pytest.mark.django_db
def test_licence_fragment_permission_matrix(people, settings):
    settings.TONGQI_REQUIRE_2FA = False  # the administrator's role lacks the capability
    assert_matrix(
        f"/integration/licence/{NAMED}", allowed=people.customer, wrong_role=people.sysadmin
    )
    assert_matrix(f"/integration/licence/{NAMED}", allowed=people.counter_a)


@pytest.mark.django_db
def test_licence_fragment_found(people):
    c = Client()
    c.force_login(people.customer)
    resp = c.get(f"/integration/licence/{NAMED}", HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'data-licence-field="name">武汉示例餐饮有限公司<' in html
    assert "<html" not in html  # a fragment, not a page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uscc", "status", "text"),
    [
        (UNKNOWN, 200, "type the enterprise data yourself"),
        (DOWN, 200, "not answering right now"),
        ("12345", 422, "not a valid unified social credit code"),
    ],
)
def test_licence_fragment_other_answers(people, uscc, status, text):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(people.customer)
    c.cookies["tongqi_language"] = "en"
    resp = c.get(f"/integration/licence/{uscc}")
    assert resp.status_code == status
    assert text in resp.content.decode()


@pytest.mark.django_db
def test_licence_json_for_the_form(people):
    c = Client()
    c.force_login(people.am_a)
    data = c.get(f"/integration/licence/{NAMED}?format=json").json()
    assert data["status"] == "found" and data["enterprise"]["legal_representative"] == "王建国"
    bad = c.get("/integration/licence/123?format=json")
    assert bad.status_code == 422 and bad.json()["code"] == "uscc_invalid"


@pytest.mark.django_db
def test_licence_api(people, settings):
    c = Client()
    c.force_login(people.customer)
    resp = c.get(f"/api/v1/licence/{ANY_VALID}")
    assert resp.status_code == 200 and resp.json()["enterprise"]["uscc"] == ANY_VALID
    assert c.get(f"/api/v1/licence/{DOWN}").json() == {
        "status": "unavailable",
        "uscc": DOWN,
        "enterprise": None,
    }
    bad = c.get("/api/v1/licence/91420106MA4K00CF5A")  # wrong check character
    assert bad.status_code == 422 and bad.json()["code"] == "uscc_invalid"
    assert bad.json()["fields"] == {"uscc": [bad.json()["message"]]}
    short = c.get("/api/v1/licence/not-a-code")  # refused by the declared pattern
    assert short.status_code == 422 and short.json()["code"] == "invalid"
    assert list(short.json()["fields"]) == ["uscc"]
    auditor = Client()
    auditor.force_login(people.auditor)
    resp = auditor.get(f"/api/v1/licence/{ANY_VALID}")
    assert resp.status_code == 403 and resp.json()["code"] == "second_factor_required"
    settings.TONGQI_REQUIRE_2FA = False
    resp = auditor.get(f"/api/v1/licence/{ANY_VALID}")
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
