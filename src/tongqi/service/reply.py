"""Answers flowing back to the platform a complaint came from (12345, 12319, 长江网, 城市留言板,
WeChat): one adapter per channel, chosen in settings, a fake one by default.

``TONGQI_COMPLAINT_REPLY_ADAPTERS = {"12345": {"class": "tongqi.service.reply.HotlineHttpAdapter",
"options": {"url": "https://…", "token": "…", "timeout": 5}}}``. A channel not configured uses
``FakeReplyAdapter``, which keeps what it was given (the demo and the tests read it). The outbox
runs the adapters (``service.reply.<channel>``), so a platform that is down gets the answer later.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import asdict, dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("tongqi.service.reply")


@dataclass(frozen=True)
class ReplyMessage:
    """What a source platform receives: its own ticket number and our answer."""

    source: str
    ticket: str  # the ticket number on the source platform
    number: str  # our complaint number
    title: str
    answer: str
    findings: str
    answered_at: str  # ISO-8601, Asia/Shanghai
    unit: str
    handler: str
    delivery_id: str


class ReplyAdapter:
    """Send an answer; return the platform's reference. Raise to have the outbox retry."""

    def __init__(self, source: str = ""):
        self.source = source

    def send(self, message: ReplyMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class FakeReplyAdapter(ReplyAdapter):
    """Records answers instead of sending them (development, demo, tests).

    ``fail_next`` makes the next sends fail, to exercise the retries.
    """

    sent: ClassVar[list[ReplyMessage]] = []
    fail_next: ClassVar[int] = 0

    def send(self, message: ReplyMessage) -> str:
        if FakeReplyAdapter.fail_next > 0:
            FakeReplyAdapter.fail_next -= 1
            raise ConnectionError(f"{message.source} platform unavailable (fake)")
        FakeReplyAdapter.sent.append(message)
        del FakeReplyAdapter.sent[:-500]
        log.info("[reply → %s] %s %s", message.source, message.ticket, message.answer[:80])
        return f"FAKE-{message.source}-{message.ticket}"


class HotlineHttpAdapter(ReplyAdapter):
    """The 12345 / 12319 work-order platforms: POST the answer as JSON with a bearer token.

    A non-2xx answer or a timeout raises, and the outbox retries with backoff; the platform
    deduplicates on ``Idempotency-Key`` (our delivery id), so a retried send is harmless.
    """

    def __init__(self, source: str = "", *, url: str, token: str = "", timeout: float = 5.0):
        super().__init__(source)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"reply adapter for {source}: url must be http(s), not {url!r}")
        self.url, self.token, self.timeout = url, token, float(timeout)

    def send(self, message: ReplyMessage) -> str:
        data = json.dumps(asdict(message), ensure_ascii=False).encode()
        req = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": message.delivery_id,
            },
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
            if resp.status >= 300:
                raise RuntimeError(f"{self.source} platform answered {resp.status}")
            body = resp.read(65536)
        try:
            return str(json.loads(body or b"{}").get("ref", ""))[:100]
        except (ValueError, AttributeError):
            return ""


def adapter_for(source: str) -> ReplyAdapter:
    conf = getattr(settings, "TONGQI_COMPLAINT_REPLY_ADAPTERS", {}).get(source)
    if not conf:
        return FakeReplyAdapter(source)
    if isinstance(conf, str):
        return import_string(conf)(source)
    return import_string(conf["class"])(source, **conf.get("options", {}))
