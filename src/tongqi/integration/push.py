"""Status push (SPEC §10): events written to the outbox in the caller's transaction, delivered
to each subscribed endpoint by the worker, signed, retried with backoff, dead-lettered, replayable.

The applications app calls, inside the transaction of every state change::

    push.publish(
        topic="application.status_changed",
        subject=application.number,
        payload={...},                  # JSON-serialisable; what the receiver needs
        client=application.api_client,  # optional: the portal client that submitted it
    )

Each matching subscription gets one outbox message, hence one ``delivery_id`` (a UUID) that stays
the same across retries and redeliveries: receivers drop a delivery id they have already seen.

A callback is ``POST <url>`` with the JSON body::

    {"id": "<delivery id>", "event_id": "...", "topic": "...", "subject": "...",
     "occurred_at": "2026-01-01T08:00:00+08:00", "data": {...}}

signed exactly like the portal's own requests (tongqi.core.signing's canonical request over the
callback URL's path and query, the timestamp, a nonce and the body), with the headers
``X-TQ-Delivery``, ``X-TQ-Event``, ``X-TQ-Timestamp``, ``X-TQ-Nonce``, ``X-TQ-Signature``,
``X-TQ-Signature-Method`` (and ``X-TQ-AppKey`` for a client's subscription). Any 2xx answer is
success; anything else, a timeout or a refused connection is retried.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from tongqi.core import signing
from tongqi.sql import write

from . import crypto, outbox
from .choices import ClientStatus, SubscriptionScope
from .models import ApiClient, OutboxMessage, Subscription

log = logging.getLogger("tongqi.integration.push")

KIND = "webhook.deliver"
MAX_ATTEMPTS = 15  # backoff 10 s doubling to a 1-hour cap: about 10 hours before a dead letter


def publish(
    *,
    topic: str,
    subject: str,
    payload: dict,
    client: ApiClient | int | None = None,
    event_id: str | None = None,
    occurred_at=None,
    count: bool = True,
) -> int | None:
    """Queue ``payload`` for every active subscription to ``topic``; returns how many.

    Call it inside the transaction of the change: the deliveries commit (or roll back) with it.
    ``client`` is the portal client the subject belongs to (it submitted the application);
    subscriptions with scope "own" only receive events of their own client. ``event_id``
    (e.g. the event row's id) makes publishing idempotent: the same event published twice —
    say by an outbox subscriber that ran again after a crash — is queued once per subscription.

    On PostgreSQL the deliveries are one ``INSERT … SELECT`` over the matching subscriptions
    (``_publish_sql``). ``count=False`` (every transition): the caller does not need the number,
    so that statement may go with the transaction's next round trip (tongqi.sql.write; a
    delivery already queued for the event is skipped, not an error) and None is returned.
    """
    client_id = client.pk if isinstance(client, ApiClient) else client
    occurred_at = timezone.localtime(occurred_at).isoformat()
    stable_id = event_id is not None
    event_id = str(event_id) if stable_id else uuid.uuid4().hex
    # Serialised now: a non-serialisable payload fails in the caller, not the worker.
    message = json.dumps(
        {
            "event_id": event_id,
            "topic": topic,
            "subject": subject,
            "occurred_at": occurred_at,
            "data": payload,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    if connection.vendor == "postgresql":
        return _publish_sql(
            topic=topic,
            message=message,
            client_id=client_id,
            dedupe_prefix=f"webhook:%:{topic}:{event_id}" if stable_id else None,
            count=count,
        )
    delivery = json.loads(message)
    queued = 0
    for sub in _subscriptions(client_id):
        topics = sub.topics or []
        if topic not in topics and "*" not in topics:
            continue
        msg = outbox.enqueue(
            KIND,
            {"subscription": sub.pk, **delivery},
            max_attempts=MAX_ATTEMPTS,
            dedupe_key=f"webhook:{sub.pk}:{topic}:{event_id}"[:200] if stable_id else None,
        )
        queued += msg is not None
    return queued


def _publish_sql(
    *, topic: str, message: str, client_id: int | None, dedupe_prefix: str | None, count: bool
) -> int | None:
    """PostgreSQL: one statement queues a delivery for each matching subscription (what the
    loop over ``_subscriptions`` does elsewhere, with the same dedupe key), where a read and an
    insert under a savepoint per subscription took a round trip each."""
    sql, params = (
        _deliveries_sql(),
        [
            KIND,
            message,
            dedupe_prefix,
            MAX_ATTEMPTS,
            timezone.now(),
            ClientStatus.ACTIVE,
            SubscriptionScope.ALL,
            client_id,
            topic,
        ],
    )
    if not count:
        write(sql, params)
        return None
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


@cache
def _deliveries_sql() -> str:
    subs, clients = Subscription._meta.db_table, ApiClient._meta.db_table
    outbox_table = OutboxMessage._meta.db_table
    return (
        f"INSERT INTO {outbox_table} (kind, payload, delivery_id, dedupe_key, status, attempts,"  # noqa: S608
        " max_attempts, next_attempt_at, locked_until, locked_by, last_error, created_at, done_at)"
        " SELECT %s, jsonb_build_object('subscription', s.id) || %s::jsonb, gen_random_uuid(),"
        # the dedupe key as the loop writes it: webhook:<subscription>:<topic>:<event id>
        " left(replace(%s::text, 'webhook:%%:', 'webhook:' || s.id || ':'), 200),"
        " 'pending', 0, %s, x.now, NULL, '', '', x.now, NULL"
        f" FROM {subs} s LEFT JOIN {clients} c ON c.id = s.client_id,"
        " (SELECT %s::timestamptz AS now) x"
        " WHERE s.active AND (s.client_id IS NULL OR c.status = %s)"
        " AND (s.scope = %s OR (s.client_id IS NOT NULL AND s.client_id = %s))"
        " AND (s.topics ? %s OR s.topics ? '*')"
        " ORDER BY s.id ON CONFLICT (dedupe_key) DO NOTHING"
    )


def _subscriptions(client_id: int | None):
    """Active subscriptions that may receive an event of ``client_id``'s subject (pk, topics).

    Every transition asks this (elsewhere than PostgreSQL): one plain statement."""
    subs, clients = Subscription._meta.db_table, ApiClient._meta.db_table
    sql = (
        f"SELECT s.id, s.topics FROM {subs} s LEFT JOIN {clients} c ON c.id = s.client_id"  # noqa: S608
        " WHERE s.active AND (s.client_id IS NULL OR c.status = %s)"
        " AND (s.scope = %s OR (s.client_id IS NOT NULL AND s.client_id = %s)) ORDER BY s.id"
    )
    return Subscription.objects.raw(sql, [ClientStatus.ACTIVE, SubscriptionScope.ALL, client_id])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer we do not follow: the delivery fails and is retried


_opener = urllib.request.build_opener(_NoRedirect)


def signing_material(sub: Subscription) -> tuple[str, str, str]:
    """(secret, algorithm, app key) used to sign this subscription's callbacks."""
    if sub.client_id:
        client = sub.client
        return crypto.decrypt(client.secret_encrypted), client.algorithm, client.app_key
    return crypto.decrypt(sub.secret_encrypted), signing.DEFAULT_ALGORITHM, ""


def build_request(msg: OutboxMessage, sub: Subscription, *, now: int | None = None):
    """The signed HTTP request of one delivery (also what the tests' receiver checks)."""
    p = msg.payload
    body = json.dumps(
        {
            "id": str(msg.delivery_id),
            "event_id": p.get("event_id", ""),
            "topic": p.get("topic", ""),
            "subject": p.get("subject", ""),
            "occurred_at": p.get("occurred_at", ""),
            "data": p.get("data", {}),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    secret, algorithm, app_key = signing_material(sub)
    parts = urlsplit(sub.url)
    timestamp = str(int(now if now is not None else time.time()))
    nonce = uuid.uuid4().hex
    signature = signing.sign_request(
        secret=secret,
        method="POST",
        path=parts.path or "/",
        query=parse_qsl(parts.query, keep_blank_values=True),
        timestamp=timestamp,
        nonce=nonce,
        body=body,
        algorithm=algorithm,
    )
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "TongQi-Webhook/1",
        "X-TQ-Delivery": str(msg.delivery_id),
        "X-TQ-Event": p.get("topic", ""),
        "X-TQ-Timestamp": timestamp,
        "X-TQ-Nonce": nonce,
        "X-TQ-Signature": signature,
        "X-TQ-Signature-Method": algorithm,
    }
    if app_key:
        headers["X-TQ-AppKey"] = app_key
    return urllib.request.Request(sub.url, data=body, method="POST", headers=headers)


@outbox.handler(KIND)
def deliver(msg: OutboxMessage) -> None:
    """POST one delivery; any failure raises so the outbox retries it with backoff."""
    sub = Subscription.objects.select_related("client").filter(pk=msg.payload.get("subscription"))
    sub = sub.first()
    if sub is None:
        raise outbox.PermanentError("the subscription no longer exists")
    if not sub.active or (sub.client_id and sub.client.status != ClientStatus.ACTIVE):
        raise outbox.PermanentError("the subscription is inactive or its client revoked")
    try:
        request = build_request(msg, sub)
    except crypto.SecretUnreadable as exc:
        raise outbox.PermanentError(str(exc)) from exc
    timeout = getattr(settings, "TONGQI_WEBHOOK_TIMEOUT", 10.0)
    try:
        with _opener.open(request, timeout=timeout) as resp:  # noqa: S310 - admin-set URL
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    if not 200 <= status < 300:
        raise RuntimeError(f"{sub.url} answered HTTP {status}")
    log.info("delivered %s %s to %s", msg.payload.get("topic"), msg.delivery_id, sub.url)
