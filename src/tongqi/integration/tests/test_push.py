"""Status push: publish in the caller's transaction, deliver signed to a real local receiver,
nothing lost when the receiver or a worker is down, duplicates dropped by delivery id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tongqi.integration import outbox, push, services
from tongqi.integration.choices import OutboxStatus, SubscriptionScope, Topic
from tongqi.integration.models import OutboxMessage

from .conftest import VECTOR_SECRET

pytestmark = pytest.mark.django_db

TOPIC = Topic.APPLICATION_STATUS_CHANGED


def _subscribe(portal, people, url, **kwargs):
    sub, secret = services.subscription_create(
        name="回调", url=url, actor=people.sysadmin, client=portal, **kwargs
    )
    assert secret == ""  # a client's subscription is signed with the client's own secret
    return sub


def _publish(n=1, portal=None, subject="GQ202600001"):
    for i in range(n):
        push.publish(
            topic=TOPIC,
            subject=f"{subject}-{i}" if n > 1 else subject,
            payload={"status": "accepted", "status_label": "已受理", "step": 1},
            client=portal,
        )


def _due_now():
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())


def test_publish_writes_one_message_per_matching_subscription(portal, people, receiver):
    own = _subscribe(portal, people, receiver.url)
    every, _s = services.subscription_create(
        name="监管", url=receiver.url, actor=people.sysadmin, scope=SubscriptionScope.ALL
    )
    _other_topic = _subscribe(portal, people, receiver.url, topics=["other.topic"])
    _inactive = _subscribe(portal, people, receiver.url, active=False)
    # an event of the portal's own application reaches its own and the "all" subscription
    assert push.publish(topic=TOPIC, subject="GQ1", payload={}, client=portal) == 2
    # an event of a walk-in application reaches only the "all" subscription
    assert push.publish(topic=TOPIC, subject="GQ2", payload={}) == 1
    targets = sorted(m.payload["subscription"] for m in OutboxMessage.objects.all())
    assert targets == sorted([own.pk, every.pk, every.pk])


def test_publish_is_part_of_the_callers_transaction(portal, people, receiver):
    _subscribe(portal, people, receiver.url)

    def change_that_fails():
        with transaction.atomic():
            _publish(portal=portal)
            raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxMessage.objects.exists()


def test_publishing_the_same_event_twice_queues_it_once(portal, people, receiver):
    _subscribe(portal, people, receiver.url)
    counts = [
        push.publish(topic=TOPIC, subject="GQ1", payload={}, client=portal, event_id="ev-42")
        for _ in range(2)
    ]
    assert counts == [1, 0]
    push.publish(topic=TOPIC, subject="GQ1", payload={}, client=portal, event_id="ev-43")
    assert sorted(m.payload["event_id"] for m in OutboxMessage.objects.all()) == ["ev-42", "ev-43"]


def test_publish_refuses_a_payload_that_is_not_json():
    with pytest.raises(TypeError):
        push.publish(topic=TOPIC, subject="GQ1", payload={"x": object()})


def test_delivery_is_signed_with_the_clients_secret(portal, people, receiver, run_outbox):
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    run_outbox()
    assert len(receiver.hits) == 1
    delivery, verified, headers = receiver.hits[0]
    assert verified, "the receiver could not verify the signature"
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.DONE and delivery == str(msg.delivery_id)
    assert headers["x-tq-event"] == TOPIC and headers["x-tq-appkey"] == portal.app_key
    body = receiver.seen[delivery]
    assert body["id"] == delivery and body["subject"] == "GQ202600001"
    assert body["data"] == {"status": "accepted", "status_label": "已受理", "step": 1}
    assert body["topic"] == TOPIC and body["occurred_at"]


def test_standalone_subscription_has_its_own_secret(people, receiver, run_outbox):
    sub, secret = services.subscription_create(
        name="监管", url=receiver.url, actor=people.sysadmin, scope=SubscriptionScope.ALL
    )
    assert secret.startswith("whsec_")
    receiver.secret = secret
    _publish()
    run_outbox()
    assert [ok for _d, ok, _h in receiver.hits] == [True]


def test_receiver_down_then_up_loses_nothing(portal, people, down_receiver, run_outbox):
    # given ten state changes while the receiver is down (connection refused)
    _subscribe(portal, people, down_receiver.url)
    _publish(10, portal=portal)
    run_outbox()
    msgs = OutboxMessage.objects.filter(kind=push.KIND)
    assert msgs.count() == 10
    assert all(m.status == OutboxStatus.PENDING and m.attempts == 1 for m in msgs)
    assert all(
        "Connection refused" in m.last_error or "refused" in m.last_error.lower() for m in msgs
    )
    assert all(m.next_attempt_at > timezone.now() for m in msgs)  # backed off, not hammering
    # when the receiver comes back and the backoff has passed
    down_receiver.start()
    _due_now()
    run_outbox()
    # then every event arrives, once, verified
    assert msgs.filter(status=OutboxStatus.DONE).count() == 10
    assert len(down_receiver.seen) == 10
    assert {b["subject"] for b in down_receiver.seen.values()} == {
        f"GQ202600001-{i}" for i in range(10)
    }
    assert all(ok for _d, ok, _h in down_receiver.hits)


def test_receiver_answering_500_is_retried_then_dead_lettered_then_replayed(
    portal, people, receiver, run_outbox
):
    receiver.status = 503
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    msg = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=msg.pk).update(max_attempts=3)
    for _ in range(3):
        _due_now()
        run_outbox()
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DEAD and msg.attempts == 3
    assert "503" in msg.last_error
    assert len(receiver.hits) == 3 and not receiver.seen
    # the administrator replays the dead letter once the receiver is fixed
    receiver.status = 200
    assert services.outbox_replay(actor=people.sysadmin, ids=[msg.pk]) == 1
    run_outbox()
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DONE
    assert list(receiver.seen) == [str(msg.delivery_id)]


def test_worker_killed_between_claim_and_send_is_delivered_by_another(portal, people, receiver):
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    outbox.discover()
    claimed = outbox.claim("worker-killed", lease=timedelta(seconds=30))
    assert len(claimed) == 1
    # the worker dies before sending; nobody else may take it while the lease holds
    assert outbox.claim("worker-2") == []
    OutboxMessage.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert outbox.run_once("worker-2", schedule=False) == 1
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.DONE and msg.attempts == 2
    assert [d for d, _ok, _h in receiver.hits] == [str(msg.delivery_id)]


def test_worker_killed_after_send_before_ack_is_redelivered_and_deduplicated(
    portal, people, receiver
):
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    outbox.discover()
    # a worker claims and sends, then dies before recording success
    [msg] = outbox.claim("worker-killed", lease=timedelta(seconds=30))
    push.deliver(msg)
    assert len(receiver.hits) == 1
    # its lease runs out; another worker delivers the same message again
    OutboxMessage.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert outbox.run_once("worker-2", schedule=False) == 1
    # the receiver saw the same delivery id twice and kept it once
    ids = [d for d, _ok, _h in receiver.hits]
    assert ids == [str(msg.delivery_id)] * 2
    assert list(receiver.seen) == [str(msg.delivery_id)]
    # and the dead worker's late completion cannot overwrite the new owner's result
    assert not outbox._finish(msg, "worker-killed", status=OutboxStatus.PENDING)


def test_revoked_client_stops_its_pushes(portal, people, receiver, run_outbox):
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    services.api_client_revoke(client=portal, actor=people.sysadmin)
    run_outbox()
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.DEAD and "revoked" in msg.last_error
    assert receiver.hits == []
    assert push.publish(topic=TOPIC, subject="GQ9", payload={}, client=portal) == 0


def test_redirects_are_not_followed(portal, people, receiver, run_outbox):
    receiver.status = 302
    _subscribe(portal, people, receiver.url)
    _publish(portal=portal)
    run_outbox()
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.PENDING and "302" in msg.last_error


def test_subscription_validation(portal, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.subscription_create(
            name="x", url="http://127.0.0.1:9/x", actor=people.sysadmin, scope=SubscriptionScope.OWN
        )
    assert "scope" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.subscription_create(
            name="x", url="not a url", actor=people.sysadmin, client=portal
        )
    assert "url" in info.value.message_dict


def test_signature_matches_the_documented_scheme(portal, people):
    sub = _subscribe(portal, people, "http://127.0.0.1:9/cb?b=2&a=1")
    push.publish(topic=TOPIC, subject="GQ1", payload={"n": 1}, client=portal)
    msg = OutboxMessage.objects.get()
    request = push.build_request(msg, sub, now=1767225600)
    from tongqi.core import signing

    headers = {k.title(): v for k, v in request.header_items()}
    expected = signing.sign_request(
        secret=VECTOR_SECRET,
        method="POST",
        path="/cb",
        query={"a": "1", "b": "2"},
        timestamp="1767225600",
        nonce=headers["X-Tq-Nonce"],
        body=request.data,
        algorithm="HMAC-SHA256",
    )
    assert headers["X-Tq-Signature"] == expected and headers["X-Tq-Timestamp"] == "1767225600"
