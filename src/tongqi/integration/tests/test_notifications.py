"""Notifications: the centre page, marking read, the header bell, channel preferences, the
backends (SMS/WeChat over HTTP with timeouts, e-mail through Django) and the API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory

from tongqi.integration import backends, services
from tongqi.integration.backends import (
    ConsoleBackend,
    EmailBackend,
    GatewayError,
    Message,
    SmsBackend,
    WechatTemplateBackend,
)
from tongqi.integration.choices import Channel
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.integration.notify import notify
from tongqi.testing.matrix import assert_matrix

from .conftest import free_port

pytestmark = pytest.mark.django_db


def _signed_in(user):
    c = Client()
    c.force_login(user)
    return c


def _some(user, n=3):
    return [
        notify(users=[user], title=f"消息{i}", body="正文", channels=(Channel.INAPP,))[0]
        for i in range(n)
    ]


def test_centre_lists_only_my_messages(people):
    mine = _some(people.customer, 2)
    notify(users=[people.am_a], title="别人的消息", channels=(Channel.INAPP,))
    resp = _signed_in(people.customer).get("/integration/notifications/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert all(n.title in html for n in mine)
    assert "别人的消息" not in html
    assert_matrix("/integration/notifications/", allowed=people.customer)
    assert_matrix("/integration/notifications/", allowed=people.am_b)


def test_list_query_count_is_bounded(people, django_assert_max_num_queries):
    _some(people.customer, 30)
    c = _signed_in(people.customer)
    with django_assert_max_num_queries(12):
        resp = c.get("/integration/notifications/")
    assert resp.status_code == 200


def test_open_marks_read_and_follows_only_local_links(people):
    [n] = notify(
        users=[people.customer], title="报价待确认", link="/portal/x", channels=(Channel.INAPP,)
    )
    c = _signed_in(people.customer)
    resp = c.post(f"/integration/notifications/{n.pk}/open")
    assert resp.status_code == 302 and resp["Location"] == "/portal/x"
    n.refresh_from_db()
    assert n.read_at is not None
    [evil] = notify(
        users=[people.customer], title="x", link="https://evil.example/", channels=(Channel.INAPP,)
    )
    resp = c.post(f"/integration/notifications/{evil.pk}/open")
    assert resp["Location"] == "/integration/notifications/"


def test_another_users_message_is_404(people):
    [theirs] = notify(users=[people.am_a], title="x", channels=(Channel.INAPP,))
    c = _signed_in(people.customer)
    assert c.post(f"/integration/notifications/{theirs.pk}/open").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    api = c.post(f"/api/v1/notifications/{theirs.pk}/read")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_read_all(people):
    _some(people.customer, 3)
    c = _signed_in(people.customer)
    assert c.post("/integration/notifications/read-all").status_code == 302
    assert not Notification.objects.filter(user=people.customer, read_at__isnull=True).exists()


def test_get_does_not_change_state(people):
    [n] = notify(users=[people.customer], title="x", channels=(Channel.INAPP,))
    c = _signed_in(people.customer)
    assert c.get(f"/integration/notifications/{n.pk}/open").status_code == 405
    assert c.get("/integration/notifications/read-all").status_code == 405


def test_bell_shows_the_unread_count(people):
    _some(people.customer, 3)
    request = RequestFactory().get("/")
    request.user = people.customer
    html = Template("{% load integration_tags %}{% notification_bell %}").render(
        Context({"request": request})
    )
    assert "tag tag-red no-icon" in html and ">3<" in html
    services.notification_mark_read(user=people.customer)
    html = Template("{% load integration_tags %}{% notification_bell %}").render(
        Context({"request": request})
    )
    assert "tag-red" not in html and "/integration/notifications/" in html


def test_preferences_switch_channels_off(people, run_outbox):
    c = _signed_in(people.customer)
    resp = c.post("/integration/notifications/preferences", {"wechat": "on"})
    assert resp.status_code == 302
    ConsoleBackend.sent.clear()
    [n] = notify(
        users=[people.customer],
        title="受理通知",
        channels=(Channel.INAPP, Channel.SMS, Channel.WECHAT),
    )
    assert n.channels == [Channel.INAPP, Channel.WECHAT]
    assert [
        m.payload["channel"] for m in OutboxMessage.objects.filter(kind__startswith="notify.")
    ] == ["wechat"]
    run_outbox()
    assert [m.channel for m in ConsoleBackend.sent] == ["wechat"]


def test_preferences_api(people):
    c = _signed_in(people.customer)
    assert c.get("/api/v1/notifications/preferences").json() == {
        "sms": True,
        "wechat": True,
        "email": True,
    }
    resp = c.put(
        "/api/v1/notifications/preferences",
        data=json.dumps({"sms": False, "wechat": True, "email": False}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["sms"] is False
    assert c.get("/api/v1/notifications/preferences").json()["email"] is False


def test_api_list_is_paginated_and_filtered(people):
    _some(people.customer, 25)
    services.notification_mark_read(
        user=people.customer,
        ids=list(
            Notification.objects.filter(user=people.customer).values_list("pk", flat=True)[:5]
        ),
    )
    c = _signed_in(people.customer)
    page = c.get("/api/v1/notifications?limit=10&offset=20").json()
    assert page["count"] == 25 and page["limit"] == 10 and page["offset"] == 20
    assert len(page["items"]) == 5
    unread = c.get("/api/v1/notifications?unread=true&limit=100").json()
    assert unread["count"] == 20 and all(i["unread"] for i in unread["items"])
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 20}
    assert c.post("/api/v1/notifications/read-all").json() == {"marked": 20}


# --- backends


class _Gateway:
    def __init__(self, status=200, delay=0.0):
        self.status, self.delay, self.bodies = status, delay, []
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length", "0"))
                gw.bodies.append((json.loads(self.rfile.read(n)), dict(self.headers)))
                if gw.delay:
                    import time

                    time.sleep(gw.delay)
                try:
                    self.send_response(gw.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/send"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = _Gateway()
    yield g
    g.close()


MSG = Message(
    channel="sms", to="13800000000", title="受理通知", body="已受理", link="/p/1", delivery_id="d-1"
)


def test_sms_backend_posts_signed_text(gateway):
    SmsBackend(url=gateway.url, token="t0k", sign="武汉燃气").send(MSG)
    body, headers = gateway.bodies[0]
    assert body == {
        "to": "13800000000",
        "text": "【武汉燃气】受理通知：已受理",
        "delivery_id": "d-1",
    }
    assert headers["Authorization"] == "Bearer t0k" and headers["Idempotency-Key"] == "d-1"


def test_wechat_backend_posts_a_template_message(gateway):
    WechatTemplateBackend(url=gateway.url, template_id="TPL1").send(
        Message(channel="wechat", to="openid-1", title="受理通知", body="已受理", link="/p/1")
    )
    body, _h = gateway.bodies[0]
    assert body["touser"] == "openid-1" and body["template_id"] == "TPL1" and body["url"] == "/p/1"
    assert body["data"]["keyword2"] == {"value": "已受理"}


def test_gateway_error_raises_so_the_outbox_retries(gateway):
    gateway.status = 500
    with pytest.raises(GatewayError):
        SmsBackend(url=gateway.url).send(MSG)


def test_gateway_timeout_raises():
    g = _Gateway(delay=1.0)
    try:
        with pytest.raises(GatewayError, match="unreachable"):
            SmsBackend(url=g.url, timeout=0.2).send(MSG)
    finally:
        g.close()


def test_email_backend_uses_django_mail():
    EmailBackend().send(
        Message(
            channel="email", to="a@example.com", title="受理通知", body="已受理", link="http://x/1"
        )
    )
    assert mail.outbox[-1].subject == "受理通知" and "http://x/1" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["a@example.com"]


def test_backend_for_follows_settings(settings, gateway):
    settings.TONGQI_NOTIFY_BACKENDS = {
        "sms": {"class": "tongqi.integration.backends.SmsBackend", "options": {"url": gateway.url}}
    }
    assert isinstance(backends.backend_for("sms"), SmsBackend)
    assert isinstance(backends.backend_for("wechat"), ConsoleBackend)
    settings.TONGQI_NOTIFY_BACKENDS = {}
    assert isinstance(backends.backend_for("sms"), ConsoleBackend)


def test_sms_through_the_outbox_to_a_gateway(settings, gateway, people, run_outbox):
    settings.TONGQI_NOTIFY_BACKENDS = {
        "sms": {"class": "tongqi.integration.backends.SmsBackend", "options": {"url": gateway.url}}
    }
    notify(users=[people.customer], title="受理通知", body="已受理", channels=(Channel.SMS,))
    run_outbox()
    [(body, headers)] = gateway.bodies
    msg = OutboxMessage.objects.get(kind="notify.sms")
    assert body["to"] == people.customer.mobile and headers["Idempotency-Key"] == str(
        msg.delivery_id
    )
