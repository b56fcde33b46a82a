"""Queue workers' liveness on PostgreSQL: a killed worker's claimed messages go back at once
(``outbox.reclaim_dead``), a live worker's stay with it, and a worker id is one worker's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
    # the live one is gone now (its connection closed as a killed process's would)
    assert outbox.reclaim_dead("me:1") == 2
    assert statuses(live_ids) == {OutboxStatus.PENDING}


def test_a_worker_id_belongs_to_one_running_worker():
    first = liveness.Heartbeat("host-1")
    assert first.ensure()
    try:
        with pytest.raises(liveness.IdInUse):
            liveness.Heartbeat("host-1").ensure()
        assert first.ensure()  # still held, on the same connection
    finally:
        first.close()
    again = liveness.Heartbeat("host-1")
    assert again.ensure()
    again.close()


def test_a_killed_worker_process_is_recognised_at_once(settings):
    """A real ``tongqi worker`` holds its heartbeat; kill -9 drops it with the connection."""
    env = {**os.environ, "DATABASE_URL": _url(), "DJANGO_SETTINGS_MODULE": "tongqi.settings"}
    env.pop("TONGQI_ENV", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongqi", "worker", "--id", "victim:1", "--sleep", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while liveness.alive(["victim:1"]) != {"victim:1"}:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never took its heartbeat"
            time.sleep(0.2)
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
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
