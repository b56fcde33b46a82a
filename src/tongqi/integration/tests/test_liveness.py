"""Queue workers' liveness on PostgreSQL: a killed worker's claimed messages go back at once
(``outbox.reclaim_dead``), a live worker's stay with it, and a worker id is one worker's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tongqi.integration import liveness, outbox
from tongqi.integration.choices import OutboxStatus
from tongqi.integration.models import OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def claimed_by(worker_id: str, n: int = 2) -> list[int]:
    now = timezone.now()
    return [
        OutboxMessage.objects.create(
            kind="test.ok",
            status=OutboxStatus.RUNNING,
            locked_by=worker_id,
            locked_until=now + timedelta(minutes=2),
            attempts=1,
        ).pk
        for _ in range(n)
    ]


def statuses(ids) -> set[str]:
    return set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True))


def test_the_claims_of_a_dead_worker_go_back_and_a_live_ones_stay():
    dead = claimed_by("host:111")
    live_ids = claimed_by("host:222")
    own = claimed_by("me:1")
    beat = liveness.Heartbeat("host:222")
    assert beat.ensure()
    try:
        assert outbox.reclaim_dead("me:1") == 2
        assert statuses(dead) == {OutboxStatus.PENDING}
        assert statuses(live_ids) == {OutboxStatus.RUNNING}
        assert statuses(own) == {OutboxStatus.RUNNING}  # the caller's own are left alone
    finally:
        beat.close()
    # the live one is gone now (it stopped and released its id)
    assert outbox.reclaim_dead("me:1") == 2
    assert statuses(live_ids) == {OutboxStatus.PENDING}


def test_a_worker_id_belongs_to_one_running_worker():
    first = liveness.Heartbeat("host-1")
    assert first.ensure()
    try:
        started = time.monotonic()
        with pytest.raises(liveness.IdInUse):
            liveness.Heartbeat("host-1").ensure(grace=0.3)
        assert time.monotonic() - started >= 0.3  # it waited for a predecessor to end first
        assert first.ensure()  # still held, on the same connection
    finally:
        first.close()
    again = liveness.Heartbeat("host-1")
    assert again.ensure(grace=0)  # a stopped worker releases its id at once
    again.close()


def test_a_worker_restarted_at_once_waits_for_its_predecessors_session_to_end():
    """A killed worker's lock goes when PostgreSQL has ended its session: soon, not at once."""
    predecessor = liveness.Heartbeat("host-2")
    assert predecessor.ensure()
    predecessor._conn.close()  # the connection drops, as when the process is killed: no unlock
    successor = liveness.Heartbeat("host-2")
    try:
        assert successor.ensure()  # within the grace period, instead of "id in use"
        with pytest.raises(liveness.IdInUse):
            liveness.Heartbeat("host-2").ensure(grace=0)
    finally:
        successor.close()


def test_a_killed_worker_process_is_recognised_at_once(settings):
    """A real ``tongqi worker`` holds its heartbeat; kill -9 drops it with the connection."""
    env = {**os.environ, "DATABASE_URL": _url(), "DJANGO_SETTINGS_MODULE": "tongqi.settings"}
    env.pop("TONGQI_ENV", None)
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongqi", "worker", "--id", "victim:1", "--sleep", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)  # never wait for ever on a worker that hangs
    watchdog.start()
    try:
        # "ready": it holds its id and has put back what an earlier run had claimed; claims made
        # before that line would be put back by the worker itself
        said = []
        for line in proc.stdout:
            said.append(line)
            if "victim:1: ready" in line:
                break
        assert proc.poll() is None, "".join(said)
        assert liveness.alive(["victim:1"]) == {"victim:1"}
        ids = claimed_by("victim:1")
        assert outbox.reclaim_dead("me:1") == 0  # alive: its claims stay
        assert statuses(ids) == {OutboxStatus.RUNNING}
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10  # the server notices the closed socket at once
        while liveness.alive(["victim:1"]):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # ours, and whatever periodic jobs it had claimed itself when it died
        assert outbox.reclaim_dead("me:1") >= 2
        assert statuses(ids) == {OutboxStatus.PENDING}
        assert not OutboxMessage.objects.filter(status=OutboxStatus.RUNNING).exists()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
