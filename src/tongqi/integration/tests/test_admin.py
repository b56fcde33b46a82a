"""The administrator's pages: portal clients (create → secret shown once, rotate, revoke),
callbacks, dead letters with replay, and everyone's API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongqi.audit.models import AuditRecord
from tongqi.integration import crypto, outbox, services
from tongqi.integration.choices import ClientStatus, OutboxStatus
from tongqi.integration.models import ApiClient, ApiToken, OutboxMessage, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    c = Client()
    c.force_login(people.sysadmin)
    return c


def test_only_the_administrator_reaches_the_pages(people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    for url in (
        "/config/integration/apiclient/",
        "/config/integration/deadletter/",
        "/config/integration/subscription/",
        "/config/integration/apitoken/",
    ):
        c = Client()
        c.force_login(people.leader)
        resp = c.get(url)
        assert resp.status_code == 302 and "/config/login/" in resp["Location"], url
        c.force_login(people.sysadmin)
        assert c.get(url).status_code == 200, url


def test_create_client_shows_the_secret_once_and_stores_it_encrypted(admin_client, org):
    resp = admin_client.post(
        "/config/integration/apiclient/add/",
        {
            "name": "政务服务网",
            "app_key": "",
            "algorithm": "HMAC-SHA256",
            "allowed_ips": "10.1.0.0/16",
            "org_unit": org.sub_a.pk,
            "contact": "张工",
        },
    )
    assert resp.status_code == 200
    client = ApiClient.objects.get(name="政务服务网")
    secret = resp.context["secret"]
    assert len(secret) >= 40 and secret in resp.content.decode()
    assert client.app_key.startswith("tq-") and client.allowed_ips == "10.1.0.0/16"
    assert (
        secret not in client.secret_encrypted and crypto.decrypt(client.secret_encrypted) == secret
    )
    assert AuditRecord.objects.filter(object_type="integration.apiclient", action="config").exists()
    page = admin_client.get(f"/config/integration/apiclient/{client.pk}/change/").content.decode()
    assert secret not in page and f"/{client.pk}/rotate/" in page


def test_bad_ip_list_is_a_field_error(admin_client):
    resp = admin_client.post(
        "/config/integration/apiclient/add/",
        {"name": "x", "app_key": "", "algorithm": "HMAC-SHA256", "allowed_ips": "10.1.2.300"},
    )
    assert resp.status_code == 200 and not ApiClient.objects.exists()
    assert "10.1.2.300" in resp.content.decode()


def test_rotate_and_revoke(admin_client, people):
    client, old = services.api_client_create(name="门户", actor=people.sysadmin)
    confirm = admin_client.get(f"/config/integration/apiclient/{client.pk}/rotate/")
    assert confirm.status_code == 200
    resp = admin_client.post(f"/config/integration/apiclient/{client.pk}/rotate/")
    new = resp.context["secret"]
    client.refresh_from_db()
    assert new != old and crypto.decrypt(client.secret_encrypted) == new
    assert crypto.decrypt(client.previous_secret_encrypted) == old
    assert client.previous_valid_until is not None
    resp = admin_client.post(f"/config/integration/apiclient/{client.pk}/revoke/")
    assert resp.status_code == 302
    client.refresh_from_db()
    assert client.status == ClientStatus.REVOKED and client.previous_secret_encrypted == ""
    assert (
        AuditRecord.objects.filter(object_type="integration.apiclient", action="security").count()
        == 2
    )


def test_client_callbacks_are_saved_through_the_services(admin_client, people):
    client, _ = services.api_client_create(name="门户", actor=people.sysadmin)
    url = f"/config/integration/apiclient/{client.pk}/change/"
    data = {
        "name": "门户",
        "algorithm": "HMAC-SHA256",
        "allowed_ips": "",
        "org_unit": "",
        "contact": "",
        "subscriptions-TOTAL_FORMS": "1",
        "subscriptions-INITIAL_FORMS": "0",
        "subscriptions-MIN_NUM_FORMS": "0",
        "subscriptions-MAX_NUM_FORMS": "1000",
        "subscriptions-0-name": "状态回调",
        "subscriptions-0-url": "https://portal.example.gov.cn/callback",
        "subscriptions-0-topics": ["application.status_changed"],
        "subscriptions-0-scope": "own",
        "subscriptions-0-active": "on",
    }
    resp = admin_client.post(url, data)
    assert resp.status_code == 302, resp.context["errors"] if resp.context else resp
    sub = Subscription.objects.get()
    assert sub.client == client and sub.topics == ["application.status_changed"]
    assert AuditRecord.objects.filter(object_type="integration.subscription").exists()


def test_standalone_subscription_secret_shown_once(admin_client):
    resp = admin_client.post(
        "/config/integration/subscription/add/",
        {
            "name": "监管平台",
            "client": "",
            "url": "https://regulator.example.gov.cn/hook",
            "topics": ["*"],
            "scope": "all",
            "active": "on",
        },
    )
    assert resp.status_code == 200
    secret = resp.context["secret"]
    assert secret.startswith("whsec_")
    sub = Subscription.objects.get()
    assert crypto.decrypt(sub.secret_encrypted) == secret


def test_own_scope_without_client_is_a_form_error(admin_client):
    resp = admin_client.post(
        "/config/integration/subscription/add/",
        {
            "name": "x",
            "client": "",
            "url": "https://regulator.example.gov.cn/hook",
            "topics": ["*"],
            "scope": "own",
            "active": "on",
        },
    )
    assert resp.status_code == 200 and not Subscription.objects.exists()
    assert resp.context["adminform"].form.errors["scope"]


def _dead(n=2):
    msgs = []
    for i in range(n):
        m = outbox.enqueue("webhook.deliver", {"subject": f"GQ{i}"})
        OutboxMessage.objects.filter(pk=m.pk).update(
            status=OutboxStatus.DEAD, last_error="HTTP 503"
        )
        msgs.append(m)
    outbox.enqueue("webhook.deliver", {"subject": "alive"})
    return msgs


def test_dead_letters_listed_and_replayed_one_by_one(admin_client):
    a, b = _dead()
    page = admin_client.get("/config/integration/deadletter/").content.decode()
    assert "GQ0" in page and "GQ1" in page and "alive" not in page
    resp = admin_client.post(
        "/config/integration/deadletter/",
        {"action": "replay_selected", "_selected_action": [a.pk]},
    )
    assert resp.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == OutboxStatus.PENDING and a.attempts == 0
    assert b.status == OutboxStatus.DEAD


def test_dead_letters_replay_all(admin_client):
    msgs = _dead(3)
    assert admin_client.get("/config/integration/deadletter/replay-all/").status_code == 403
    resp = admin_client.post("/config/integration/deadletter/replay-all/")
    assert resp.status_code == 302
    assert not OutboxMessage.objects.filter(status=OutboxStatus.DEAD).exists()
    assert all(OutboxMessage.objects.get(pk=m.pk).status == OutboxStatus.PENDING for m in msgs)
    assert AuditRecord.objects.filter(object_type="integration.outboxmessage").exists()


def test_administrator_revokes_a_leaked_token(admin_client, people):
    token, raw = services.token_create(user=people.customer, name="泄露", days=7)
    page = admin_client.get("/config/integration/apitoken/").content.decode()
    assert token.prefix in page and raw not in page
    admin_client.post(
        "/config/integration/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_second_factor_is_required_for_the_administrator(people):
    c = Client()
    c.force_login(people.sysadmin)
    resp = c.get("/config/integration/apiclient/")
    assert resp.status_code == 302 and "/accounts/otp" in resp["Location"]
    assert not TOTPDevice.objects.filter(user=people.sysadmin, confirmed=True).exists()
