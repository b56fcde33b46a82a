"""The signed portal channel: the guide's fixed vector through the Django auth path, then every
way a request is refused (wrong signature, stale, reused nonce, revoked, wrong address)."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from tongqi.api.auth import gov_auth
from tongqi.integration import services, signatures
from tongqi.integration.choices import SignatureAlgorithm
from tongqi.integration.errors import ApiError
from tongqi.integration.models import ApiClient, ClientNonce

from .conftest import VECTOR_APP_KEY, VECTOR_SECRET, signed_headers

pytestmark = pytest.mark.django_db

# The worked example of docs/guides/integration.md (the same as core/tests/test_signing.py).
VECTOR_BODY = '{"enterprise_name":"武汉示例餐饮有限公司"}'.encode()
VECTOR_HMAC_SHA256 = "fd3c7e18910962081d2d8199a4b173671d8036babfba318d21cf9fb56968ba4b"
VECTOR_HMAC_SM3 = "920cda561e8d8fad5b674aa1048e8b38be38b1ca3e0f0c45b37557c4c2fdd70f"
VECTOR_NOW = datetime(2026, 1, 1, 0, 2, tzinfo=UTC)  # the timestamp 1767225600 + 120 s
SM3 = "sm3" in hashlib.algorithms_available


def _vector_request(signature: str, **extra):
    return RequestFactory().post(
        "/api/v1/gov/applications?channel=gov",
        data=VECTOR_BODY,
        content_type="application/json",
        HTTP_X_TQ_APPKEY=VECTOR_APP_KEY,
        HTTP_X_TQ_TIMESTAMP="1767225600",
        HTTP_X_TQ_NONCE="5f2c1a9e8b7d4c3a",
        HTTP_X_TQ_SIGNATURE=signature,
        **extra,
    )


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: VECTOR_NOW)
    return VECTOR_NOW


def test_published_vector_is_accepted_by_the_django_auth_path(portal, frozen):
    # given the guide's request, signed with HMAC-SHA256, two minutes after its timestamp
    request = _vector_request(VECTOR_HMAC_SHA256, HTTP_X_TQ_SIGNATURE_METHOD="HMAC-SHA256")
    # when the portal authentication runs
    client = gov_auth(request)
    # then it is the demo client, and the nonce is remembered
    assert client == portal and request.api_client == portal
    assert ClientNonce.objects.filter(client=portal, nonce="5f2c1a9e8b7d4c3a").exists()
    # and the same request again is a replay
    with pytest.raises(ApiError) as info:
        gov_auth(_vector_request(VECTOR_HMAC_SHA256))
    assert info.value.code == "nonce_reused" and info.value.status == 401


@pytest.mark.skipif(not SM3, reason="this OpenSSL has no SM3")
def test_published_sm3_vector_is_accepted_for_an_sm3_client(portal, people, frozen):
    services.api_client_update(
        client=portal, actor=people.sysadmin, algorithm=SignatureAlgorithm.HMAC_SM3
    )
    assert gov_auth(_vector_request(VECTOR_HMAC_SM3)) == portal


def test_vector_with_a_changed_byte_is_refused(portal, frozen):
    with pytest.raises(ApiError) as info:
        gov_auth(_vector_request(VECTOR_HMAC_SHA256[:-1] + "0"))
    assert info.value.code == "bad_signature"
    assert not ClientNonce.objects.exists()  # an unauthenticated request burns no nonce


def test_the_method_header_must_match_the_client(portal, frozen):
    with pytest.raises(ApiError) as info:
        gov_auth(_vector_request(VECTOR_HMAC_SHA256, HTTP_X_TQ_SIGNATURE_METHOD="HMAC-SM3"))
    assert info.value.code == "bad_algorithm"


def _ping(**headers):
    return Client().get("/api/v1/gov/ping", **headers)


def test_signed_ping_end_to_end(portal):
    resp = _ping(**signed_headers(method="GET", path="/api/v1/gov/ping"))
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["app_key"] == VECTOR_APP_KEY and data["client"] == portal.name
    assert abs(data["timestamp"] - time.time()) < 5
    portal.refresh_from_db()
    assert portal.last_used_at is not None


def _refused(resp, status: int, code: str):
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert body["code"] == code and body["message"] and body["fields"] == {}


def test_wrong_signature_is_refused(portal):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping")
    headers["HTTP_X_TQ_SIGNATURE"] = "0" * 64
    _refused(_ping(**headers), 401, "bad_signature")


def test_signature_of_another_path_or_query_is_refused(portal):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping", query={"a": "1"})
    _refused(_ping(**headers), 401, "bad_signature")


def test_wrong_secret_is_refused(portal):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping", secret="not-the-secret")
    _refused(_ping(**headers), 401, "bad_signature")


# a margin beyond 300 s: a request on a loaded machine may take seconds to reach the check
@pytest.mark.parametrize("skew", [320, -320, 3600])
def test_stale_timestamp_is_refused(portal, skew):
    ts = str(int(time.time()) - skew)
    _refused(
        _ping(**signed_headers(method="GET", path="/api/v1/gov/ping", timestamp=ts)), 401, "stale"
    )


def test_timestamp_within_the_window_is_accepted(portal):
    ts = str(int(time.time()) - 250)
    assert (
        _ping(**signed_headers(method="GET", path="/api/v1/gov/ping", timestamp=ts)).status_code
        == 200
    )


def test_reused_nonce_is_refused(portal):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping", nonce="fixed-nonce-0123456789")
    assert _ping(**headers).status_code == 200
    _refused(_ping(**headers), 401, "nonce_reused")
    # even correctly re-signed with a new timestamp, within the window
    again = signed_headers(
        method="GET",
        path="/api/v1/gov/ping",
        nonce="fixed-nonce-0123456789",
        timestamp=str(int(time.time()) + 1),
    )
    _refused(_ping(**again), 401, "nonce_reused")


def test_nonce_is_free_again_after_twice_the_window_and_purged(portal):
    old = timezone.now() - timedelta(seconds=601)
    ClientNonce.objects.create(client=portal, nonce="old-nonce-0123456789", seen_at=old)
    headers = signed_headers(method="GET", path="/api/v1/gov/ping", nonce="old-nonce-0123456789")
    assert _ping(**headers).status_code == 200
    ClientNonce.objects.create(client=portal, nonce="older-nonce-012345678", seen_at=old)
    assert signatures.purge_nonces() == 1
    assert set(ClientNonce.objects.values_list("nonce", flat=True)) == {"old-nonce-0123456789"}


@pytest.mark.parametrize(
    "drop", ["HTTP_X_TQ_APPKEY", "HTTP_X_TQ_TIMESTAMP", "HTTP_X_TQ_NONCE", "HTTP_X_TQ_SIGNATURE"]
)
def test_missing_header_is_refused(portal, drop):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping")
    del headers[drop]
    _refused(_ping(**headers), 401, "missing_headers")


@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        ("HTTP_X_TQ_TIMESTAMP", "soon", "bad_timestamp"),
        ("HTTP_X_TQ_NONCE", "short", "bad_nonce"),
        ("HTTP_X_TQ_APPKEY", "tq-nobody", "unknown_app_key"),
    ],
)
def test_malformed_headers_are_refused(portal, header, value, code):
    headers = signed_headers(method="GET", path="/api/v1/gov/ping")
    headers[header] = value
    _refused(_ping(**headers), 401, code)


def test_revoked_client_is_refused(portal, people):
    services.api_client_revoke(client=portal, actor=people.sysadmin)
    _refused(_ping(**signed_headers(method="GET", path="/api/v1/gov/ping")), 401, "unknown_app_key")


def test_allowed_ips(portal, people):
    services.api_client_update(client=portal, actor=people.sysadmin, allowed_ips="10.0.0.0/8")
    headers = signed_headers(method="GET", path="/api/v1/gov/ping")
    _refused(_ping(**headers), 403, "ip_not_allowed")
    services.api_client_update(
        client=portal, actor=people.sysadmin, allowed_ips="10.0.0.0/8\n127.0.0.1"
    )
    assert _ping(**signed_headers(method="GET", path="/api/v1/gov/ping")).status_code == 200


def test_rotation_keeps_the_old_secret_for_the_grace_period(portal, people):
    new_secret = services.api_client_rotate(client=portal, actor=people.sysadmin)
    assert new_secret != VECTOR_SECRET
    for secret in (VECTOR_SECRET, new_secret):
        headers = signed_headers(method="GET", path="/api/v1/gov/ping", secret=secret)
        assert _ping(**headers).status_code == 200
    # after the grace period only the new secret works
    ApiClient.objects.filter(pk=portal.pk).update(
        previous_valid_until=timezone.now() - timedelta(seconds=1)
    )
    old = signed_headers(method="GET", path="/api/v1/gov/ping", secret=VECTOR_SECRET)
    _refused(_ping(**old), 401, "bad_signature")
    new = signed_headers(method="GET", path="/api/v1/gov/ping", secret=new_secret)
    assert _ping(**new).status_code == 200


def test_secret_is_encrypted_at_rest(portal):
    row = ApiClient.objects.values("secret_encrypted").get(pk=portal.pk)
    assert VECTOR_SECRET not in row["secret_encrypted"]
    assert VECTOR_SECRET.encode().hex() not in row["secret_encrypted"]


def test_session_and_token_do_not_open_the_portal_channel(portal, people):
    c = Client()
    c.force_login(people.customer)
    _refused(c.get("/api/v1/gov/ping"), 401, "missing_headers")


def test_portal_signature_does_not_open_user_operations(portal):
    headers = signed_headers(method="GET", path="/api/v1/me")
    resp = Client().get("/api/v1/me", **headers)
    assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"
