"""The outbox queue: transactional enqueue, leases, retries with backoff, dead letters, replay,
periodic jobs once per period."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tongqi.integration import outbox
from tongqi.integration.choices import OutboxStatus
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.integration.notify import notify

pytestmark = pytest.mark.django_db

CALLS: list = []


@pytest.fixture(autouse=True)
def _handlers():
    CALLS.clear()
    saved = dict(outbox.HANDLERS), dict(outbox.PERIODIC)
    outbox.PERIODIC.clear()  # other apps' periodic jobs would add messages to these counts

    @outbox.handler("test.ok")
    def ok(msg):
        CALLS.append(("ok", msg.payload))

    @outbox.handler("test.fail")
    def fail(msg):
        CALLS.append(("fail", msg.attempts))
        raise RuntimeError("receiver down")

    @outbox.handler("test.bad")
    def bad(msg):
        raise outbox.PermanentError("bad payload")

    yield
    outbox.HANDLERS.clear()
    outbox.HANDLERS.update(saved[0])
    outbox.PERIODIC.clear()
    outbox.PERIODIC.update(saved[1])


def _change_that_fails():
    with transaction.atomic():
        outbox.enqueue("test.ok", {"n": 1})
        raise RuntimeError("the business change failed")


def test_nothing_is_sent_for_a_rolled_back_change():
    with pytest.raises(RuntimeError):
        _change_that_fails()
    assert OutboxMessage.objects.count() == 0
    assert outbox.run_once("w1", schedule=False) == 0


def test_committed_message_is_delivered_once():
    msg = outbox.enqueue("test.ok", {"n": 1})
    assert outbox.run_once("w1", schedule=False) == 1
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DONE and msg.attempts == 1 and msg.done_at
    assert CALLS == [("ok", {"n": 1})]
    assert outbox.run_once("w1", schedule=False) == 0


def test_failure_is_retried_with_growing_backoff_then_dead_lettered():
    msg = outbox.enqueue("test.fail", {}, max_attempts=3)
    delays = []
    for _ in range(3):
        OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        outbox.run_once("w1", schedule=False)
        msg.refresh_from_db()
        if msg.status == OutboxStatus.PENDING:
            delays.append((msg.next_attempt_at - before).total_seconds())
    assert msg.status == OutboxStatus.DEAD and msg.attempts == 3
    assert "receiver down" in msg.last_error
    assert len(delays) == 2 and delays[1] > delays[0] * 1.5
    assert outbox.replay() == 1
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 0


def test_permanent_error_goes_straight_to_dead_letter():
    msg = outbox.enqueue("test.bad", {})
    outbox.run_once("w1", schedule=False)
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DEAD and msg.attempts == 1


def test_a_worker_killed_after_claiming_leaves_the_message_to_another():
    msg = outbox.enqueue("test.ok", {"n": 2})
    claimed = outbox.claim("dead-worker", lease=timedelta(seconds=30))
    assert [m.pk for m in claimed] == [msg.pk]
    # the worker dies here: no other worker may take it while the lease holds
    assert outbox.claim("w2") == []
    OutboxMessage.objects.filter(pk=msg.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    again = outbox.claim("w2")
    assert [m.pk for m in again] == [msg.pk]
    assert again[0].delivery_id == claimed[0].delivery_id  # receivers dedupe on this
    outbox.process(again[0], "w2")
    # the dead worker's late completion cannot overwrite the new owner's result
    assert not outbox._finish(claimed[0], "dead-worker", status=OutboxStatus.PENDING)
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DONE and msg.attempts == 2


def test_a_restarted_worker_takes_back_what_its_killed_run_claimed_at_once(monkeypatch):
    """bench faults found it: a queue worker killed with kill -9 and restarted by its supervisor
    left the messages it had claimed untouched for the whole two-minute lease."""
    msg = outbox.enqueue("test.ok", {"n": 3})
    spent = outbox.enqueue("test.ok", {"n": 4}, max_attempts=1)
    other = outbox.enqueue("test.ok", {"n": 5})
    assert len(outbox.claim("host-1", limit=2)) == 2  # msg and spent; then it is killed
    assert [m.pk for m in outbox.claim("host-2", limit=5)] == [other.pk]  # a live worker's
    # the supervisor starts host-1 again: before its first claim, it releases its own messages
    assert outbox.release_own("host-1") == 2
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.PENDING and not msg.locked_by and msg.attempts == 1
    spent.refresh_from_db()  # it may be what killed the worker: no endless retries
    assert spent.status == OutboxStatus.DEAD and "died" in spent.last_error
    other.refresh_from_db()
    assert other.status == OutboxStatus.RUNNING and other.locked_by == "host-2"
    # and the worker command does it when it starts
    outbox.claim("host-1")
    from django.core.management import call_command

    from tongqi.integration.management.commands import worker

    monkeypatch.setattr(outbox, "discover", lambda: None)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # the test's connection
    call_command("worker", "--once", "--id", "host-1")
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DONE and ("ok", {"n": 3}) in CALLS
    # host-2 holds no heartbeat (no worker runs under that id): on PostgreSQL the worker sees it
    # is dead and takes its claim back too (test_liveness); on SQLite its lease must run out.
    other.refresh_from_db()
    if connection.vendor == "postgresql":
        assert other.status == OutboxStatus.DONE and ("ok", {"n": 5}) in CALLS
    else:
        assert other.status == OutboxStatus.RUNNING and len(CALLS) == 1


def test_periodic_job_runs_once_per_period_across_workers(django_assert_num_queries):
    @outbox.periodic("test.tick", every=timedelta(minutes=5))
    def tick(msg):
        CALLS.append(("tick", msg.payload["period"]))

    now = timezone.now()
    assert outbox.schedule_due(now) >= 1
    with django_assert_num_queries(1):  # every job has its run: one read, no insert
        assert outbox.schedule_due(now) == 0  # a second worker in the same period adds nothing
    assert OutboxMessage.objects.filter(kind="periodic.test.tick").count() == 1
    outbox.run_once("w1", schedule=False)
    assert [c for c in CALLS if c[0] == "tick"] == [("tick", str(int(now.timestamp()) // 300))]


def test_daily_job_waits_for_its_time():
    job = outbox.Periodic(name="eod", daily_at=time(17, 30))
    morning = timezone.make_aware(timezone.datetime(2026, 11, 27, 9, 0))
    evening = timezone.make_aware(timezone.datetime(2026, 11, 27, 18, 0))
    assert job.period_key(morning) is None
    assert job.period_key(evening) == "2026-11-27"


def test_notify_writes_inapp_now_and_sms_through_the_outbox(people, run_outbox):
    from tongqi.integration.backends import ConsoleBackend

    ConsoleBackend.sent.clear()
    notify(users=[people.customer], title="受理通知", body="您的申请已受理", topic="test")
    assert Notification.objects.filter(user=people.customer, title="受理通知").exists()
    assert ConsoleBackend.sent == []
    run_outbox()
    assert [(m.channel, m.to) for m in ConsoleBackend.sent] == [("sms", people.customer.mobile)]


def test_a_batch_of_sms_is_one_read_and_a_failure_stays_with_its_message(
    people, monkeypatch, django_assert_max_num_queries
):
    from tongqi.integration import tasks  # noqa: F401 - registers the delivery handlers
    from tongqi.integration.backends import ConsoleBackend

    ConsoleBackend.sent.clear()
    users = [people.customer, people.am_a, people.am_b, people.engineer_a, people.counter_a]
    users.append(people.leader)
    for u in users:
        notify(users=[u], title=f"通知{u.pk}", channels=("inapp", "sms"))
    original = ConsoleBackend.send

    def flaky(self, message):
        if message.to == people.am_a.mobile:
            raise RuntimeError("gateway timeout")
        original(self, message)

    monkeypatch.setattr(ConsoleBackend, "send", flaky)
    # claim (6 with the test's savepoints: the due messages, then any whose lease ran out, the
    # update, the read), one read of the notifications (3), one "done" for the five sent, one
    # retry for the sixth; one by one it would be 18
    with django_assert_max_num_queries(11):
        assert outbox.run_once("w1", schedule=False) == 6
    assert sorted(m.to for m in ConsoleBackend.sent) == sorted(
        u.mobile for u in users if u != people.am_a
    )
    rows = {m.payload["notification"]: m for m in OutboxMessage.objects.filter(kind="notify.sms")}
    by_user = {n.user_id: rows[n.pk] for n in Notification.objects.filter(pk__in=rows)}
    assert by_user[people.am_a.pk].status == OutboxStatus.PENDING
    assert "gateway timeout" in by_user[people.am_a.pk].last_error
    assert {by_user[u.pk].status for u in users if u != people.am_a} == {OutboxStatus.DONE}
    # the retry sends the failed one only: nobody gets a message twice
    monkeypatch.setattr(ConsoleBackend, "send", original)
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())
    assert outbox.run_once("w1", schedule=False) == 1
    assert sorted(m.to for m in ConsoleBackend.sent) == sorted(u.mobile for u in users)


@pytest.fixture
def batch_kind():
    """A batch subscriber: records each call's payloads; fails on a payload with "bad"."""
    saved = dict(outbox.BATCH_HANDLERS), {k: list(v) for k, v in outbox.SUBSCRIBERS.items()}

    @outbox.subscriber("test.changed", "test.batch", batch=True)
    def handle(msgs):
        if any(m.payload.get("bad") for m in msgs):
            raise outbox.PermanentError("bad payload")
        CALLS.append(("batch", sorted(m.payload["n"] for m in msgs)))

    yield
    outbox.BATCH_HANDLERS.clear()
    outbox.BATCH_HANDLERS.update(saved[0])
    outbox.SUBSCRIBERS.clear()
    outbox.SUBSCRIBERS.update(saved[1])


def test_a_batch_subscriber_gets_the_claimed_messages_in_one_call(batch_kind):
    for n in range(5):
        outbox.emit("test.changed", {"n": n})
    outbox.enqueue("test.ok", {"n": 99})
    assert outbox.run_once("w1", schedule=False) == 6
    assert ("batch", [0, 1, 2, 3, 4]) in CALLS
    assert len([c for c in CALLS if c[0] == "batch"]) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DONE}


def test_a_failing_batch_falls_back_to_one_at_a_time(batch_kind):
    outbox.emit("test.changed", {"n": 1})
    outbox.emit("test.changed", {"n": 2, "bad": True})
    outbox.emit("test.changed", {"n": 3})
    outbox.run_once("w1", schedule=False)
    assert [c for c in CALLS if c[0] == "batch"] == [("batch", [1]), ("batch", [3])]
    statuses = dict(OutboxMessage.objects.values_list("payload__n", "status"))
    assert statuses == {1: OutboxStatus.DONE, 2: OutboxStatus.DEAD, 3: OutboxStatus.DONE}


def test_an_event_with_several_subscribers_is_one_insert_and_a_message_each(
    batch_kind, django_assert_num_queries
):
    @outbox.subscriber("test.changed", "test.ok")
    def _also(msg):  # a second subscriber of the same event
        CALLS.append(("also", msg.payload))

    with django_assert_num_queries(1):
        assert outbox.emit("test.changed", {"n": 7}) == 2
    msgs = OutboxMessage.objects.order_by("kind")
    assert [(m.kind, m.payload, m.max_attempts) for m in msgs] == [
        ("test.batch", {"event": "test.changed", "n": 7}, 10),
        ("test.ok", {"event": "test.changed", "n": 7}, 10),
    ]
    assert len({m.delivery_id for m in msgs}) == 2
    assert outbox.run_once("w1", schedule=False) == 2
