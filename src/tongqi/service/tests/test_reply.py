"""Answers flow back to the source platform through the outbox: an adapter per channel, fake by
default, HTTP for 12345/12319 configured by settings; retries, then a failed status."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tongqi.integration.choices import OutboxStatus
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.service import services as svc
from tongqi.service.choices import ReplyStatus, Source
from tongqi.service.reply import FakeReplyAdapter, HotlineHttpAdapter, adapter_for

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_an_answer_goes_back_to_12345(people, make_complaint, run_outbox):
    c = make_complaint(sh(2026, 11, 2, 10), source=Source.HOTLINE_12345, ticket="WH-77")
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="已上门检修，压力恢复正常。")
    assert c.reply_status == ReplyStatus.PENDING
    assert OutboxMessage.objects.filter(kind="service.reply.12345").count() == 1
    run_outbox()
    [sent] = FakeReplyAdapter.sent
    assert (sent.source, sent.ticket, sent.answer) == (
        "12345",
        "WH-77",
        "已上门检修，压力恢复正常。",
    )
    assert sent.unit == c.org_unit.name and sent.delivery_id
    c.refresh_from_db()
    assert c.reply_status == ReplyStatus.SENT and c.reply_sent_at is not None
    assert c.events.filter(action="reply_sent").exists()


def test_phone_and_counter_complaints_have_no_reply_channel(people, make_complaint, run_outbox):
    c = make_complaint(sh(2026, 11, 2, 10), source=Source.PHONE)
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="电话回复")
    run_outbox()
    assert c.reply_status == ReplyStatus.NONE and FakeReplyAdapter.sent == []


def test_a_platform_that_is_down_gets_the_answer_later(people, make_complaint, run_outbox):
    from django.utils import timezone

    c = make_complaint(sh(2026, 11, 2, 10), source=Source.HOTLINE_12319, ticket="CG-1")
    FakeReplyAdapter.fail_next = 1
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="已恢复路面")
    run_outbox()
    msg = OutboxMessage.objects.get(kind="service.reply.12319")
    assert msg.status == OutboxStatus.PENDING and "unavailable" in msg.last_error
    OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
    run_outbox()
    c.refresh_from_db()
    assert c.reply_status == ReplyStatus.SENT and len(FakeReplyAdapter.sent) == 1


def test_the_last_failed_attempt_marks_the_reply_failed(people, make_complaint, run_outbox):
    c = make_complaint(sh(2026, 11, 2, 10), source=Source.CHANGJIANG, ticket="CJ-1")
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="答复")
    OutboxMessage.objects.filter(kind="service.reply.changjiang").update(max_attempts=1)
    FakeReplyAdapter.fail_next = 1
    run_outbox()
    c.refresh_from_db()
    assert c.reply_status == ReplyStatus.FAILED
    assert OutboxMessage.objects.get(kind="service.reply.changjiang").status == OutboxStatus.DEAD
    assert Notification.objects.filter(
        user=people.service, topic="service.complaint.reply_failed"
    ).exists()


def test_portal_complaints_are_answered_to_the_customer(people, run_outbox):
    c, _ = svc.complaint_register(
        actor=people.customer,
        data=svc.ComplaintInput(source=Source.PORTAL, title="咨询", content="何时验收"),
    )
    svc.complaint_answer(complaint=c, actor=people.service, reply="明天上午")
    assert Notification.objects.filter(
        user=people.customer, topic="service.complaint.answered"
    ).exists()


class _Hotline(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hotline.received.append((dict(self.headers), json.loads(body)))
        self.send_response(_Hotline.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ref": "GD-2026-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def hotline():
    _Hotline.received.clear()
    _Hotline.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Hotline)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/reply"
    server.shutdown()
    server.server_close()


def test_the_http_adapter_is_configured_by_settings(
    settings, hotline, people, make_complaint, run_outbox
):
    settings.TONGQI_COMPLAINT_REPLY_ADAPTERS = {
        "12345": {
            "class": "tongqi.service.reply.HotlineHttpAdapter",
            "options": {"url": hotline, "token": "s3cret", "timeout": 3},
        },
    }
    assert isinstance(adapter_for("12345"), HotlineHttpAdapter)
    assert isinstance(adapter_for("12319"), FakeReplyAdapter)
    c = make_complaint(sh(2026, 11, 2, 10), source=Source.HOTLINE_12345, ticket="WH-88")
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="已处理")
    run_outbox()
    [(headers, body)] = _Hotline.received
    assert headers["Authorization"] == "Bearer s3cret" and headers["Idempotency-Key"]
    assert body["ticket"] == "WH-88" and body["answer"] == "已处理"
    c.refresh_from_db()
    assert c.reply_status == ReplyStatus.SENT
    assert c.events.get(action="reply_sent").note == "GD-2026-1"


def test_the_http_adapter_raises_on_an_error_answer(hotline):
    import urllib.error

    from tongqi.service.reply import ReplyMessage

    _Hotline.status = 500
    adapter = HotlineHttpAdapter("12345", url=hotline)
    msg = ReplyMessage("12345", "T", "SQ1", "t", "a", "", "", "u", "h", "d")
    with pytest.raises(urllib.error.HTTPError):
        adapter.send(msg)
    with pytest.raises(ValueError, match="url must be"):
        HotlineHttpAdapter("12345", url="ftp://x")
