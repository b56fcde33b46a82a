"""Notification backends: one interface, pluggable implementations chosen in settings.

``TONGQI_NOTIFY_BACKENDS = {"sms": "dotted.path.Class" | {"class": ..., "options": {...}}, ...}``
(settings.base builds it from ``TONGQI_SMS_URL``, ``TONGQI_WECHAT_URL`` and ``TONGQI_EMAIL_URL``).
A channel without a backend uses the console backend, which writes each message to the log:
what a demo or a test wants. Every backend raises on failure, so the outbox retries with backoff
and finally dead-letters the message; each request carries the outbox delivery id as its
``Idempotency-Key`` so a gateway can drop a redelivery.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("tongqi.notify")


@dataclass(frozen=True)
class Message:
    channel: str
    to: str  # phone number, openid, e-mail address
    title: str
    body: str
    link: str = ""
    delivery_id: str = ""


class Backend:
    channel = ""

    def send(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(Backend):
    sent: list[Message] = []  # kept for tests and the demo's log view

    def send(self, message: Message) -> None:
        ConsoleBackend.sent.append(message)
        del ConsoleBackend.sent[:-500]
        log.info("[%s → %s] %s: %s", message.channel, message.to, message.title, message.body)


class EmailBackend(Backend):
    """E-mail through Django's configured mail backend (SMTP from ``TONGQI_EMAIL_URL``)."""

    def send(self, message: Message) -> None:
        body = message.body + (f"\n\n{message.link}" if message.link else "")
        send_mail(message.title, body, settings.DEFAULT_FROM_EMAIL, [message.to])


class GatewayError(RuntimeError):
    """The gateway refused or failed the message (the outbox retries it)."""


class HttpJsonBackend(Backend):
    """A generic client of an HTTP gateway: POSTs JSON to ``url`` with a bearer token and a
    timeout; any answer but 2xx, a timeout or a refused connection raises."""

    def __init__(self, url: str, token: str = "", timeout: float = 5.0):
        self.url, self.token, self.timeout = url, token, float(timeout)

    def payload(self, message: Message) -> dict:
        return {
            "channel": message.channel,
            "to": message.to,
            "title": message.title,
            "body": message.body,
            "link": message.link,
            "delivery_id": message.delivery_id,
        }

    def send(self, message: Message) -> None:
        data = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if message.delivery_id:
            headers["Idempotency-Key"] = message.delivery_id
        req = urllib.request.Request(self.url, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                status = resp.status
        except urllib.error.HTTPError as exc:
            exc.close()
            raise GatewayError(f"{self.url} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
            raise GatewayError(f"{self.url} unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise GatewayError(f"{self.url} answered HTTP {status}")


class SmsBackend(HttpJsonBackend):
    """An SMS gateway: ``{"to": mobile, "text": "【sign】title：body", "delivery_id"}``.

    The sign (签名) is the company name unless ``sign`` is given; carriers require one.
    """

    channel = "sms"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0, sign: str = ""):
        super().__init__(url, token, timeout)
        self.sign = sign or getattr(settings, "TONGQI_COMPANY_NAME", "")

    def payload(self, message: Message) -> dict:
        text = f"{message.title}：{message.body}" if message.body else message.title
        if self.sign:
            text = f"【{self.sign}】{text}"
        return {"to": message.to, "text": text[:500], "delivery_id": message.delivery_id}


class WechatTemplateBackend(HttpJsonBackend):
    """The utility's WeChat relay for official-account template messages (模板消息).

    Sends ``{"touser", "template_id", "url", "data": {"first", "keyword1", "keyword2",
    "remark"}}`` as the WeChat API expects; the relay holds the access token.
    """

    channel = "wechat"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0, template_id: str = ""):
        super().__init__(url, token, timeout)
        self.template_id = template_id

    def payload(self, message: Message) -> dict:
        return {
            "touser": message.to,
            "template_id": self.template_id,
            "url": message.link,
            "data": {
                "first": {"value": message.title[:100]},
                "keyword1": {"value": message.title[:100]},
                "keyword2": {"value": message.body[:200]},
                "remark": {"value": ""},
            },
            "delivery_id": message.delivery_id,
        }


@cache
def _backend(channel: str, conf_key: str) -> Backend:
    conf = getattr(settings, "TONGQI_NOTIFY_BACKENDS", {}).get(channel)
    if not conf:
        return ConsoleBackend()
    if isinstance(conf, str):
        return import_string(conf)()
    return import_string(conf["class"])(**conf.get("options", {}))


def backend_for(channel: str) -> Backend:
    """The backend configured for ``channel`` (built once per configuration)."""
    conf = getattr(settings, "TONGQI_NOTIFY_BACKENDS", {}).get(channel)
    return _backend(channel, json.dumps(conf, sort_keys=True, default=str))
