"""Two people acting on one application at once: exactly one wins (real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tongqi.applications import services as svc
from tongqi.applications.models import Application, ApplicationEvent
from tongqi.testing.app_factories import submitted_application


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_accepts_one_wins_nineteen_conflicts(org, people):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises them)")
    app = submitted_application(org, customer=people.customer)
    seen = app.version
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        try:
            mine = Application.objects.get(pk=app.pk)
            barrier.wait(timeout=30)
            try:
                svc.application_accept(application=mine, actor=people.am_a, expected_version=seen)
                result = "ok"
            except svc.Conflict:
                result = "conflict"
            except Exception as exc:  # noqa: BLE001 - report anything unexpected
                result = f"error:{type(exc).__name__}:{exc}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 19 + ["ok"], outcomes
    assert ApplicationEvent.objects.filter(application=app, action="accept").count() == 1
    app.refresh_from_db()
    assert app.version == seen + 1 and app.clock is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_sqlite_wait_instead_of_failing(org, people):
    """SQLite with WAL + IMMEDIATE transactions: writers queue, none gets 'database is locked'."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite behaviour")
    apps = [submitted_application(org, n=i) for i in range(8)]
    errors: list[str] = []

    def worker(a):
        try:
            svc.application_accept(application=Application.objects.get(pk=a.pk), actor=people.am_a)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert ApplicationEvent.objects.filter(action="accept").count() == 8
