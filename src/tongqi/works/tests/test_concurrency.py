"""Engineers acting on one project at once: exactly one wins; the clock is paused once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tongqi.applications.models import ApplicationEvent
from tongqi.works import services as svc
from tongqi.works.models import Project, ProjectLink

from .helpers import external_application, make_project


def _race(n, fn):
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait(timeout=30)
            try:
                fn(i)
                result = "ok"
            except svc.Conflict:
                result = "conflict"
            except svc.InvalidInput:
                result = "invalid"
            except Exception as exc:  # noqa: BLE001 - report anything unexpected
                result = f"error:{type(exc).__name__}:{exc}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises them)")


@pytest.mark.django_db(transaction=True)
def test_ten_stage_changes_from_one_page_one_wins(postgres, org, people):
    p = make_project(org, people.engineer_a)
    outcomes = _race(
        10,
        lambda i: svc.project_transition(
            project=Project.objects.get(pk=p.pk),
            action="cancel",
            actor=people.engineer_a,
            reason=f"r{i}",
            expected_version=1,
        ),
    )
    assert outcomes == ["conflict"] * 9 + ["ok"], outcomes
    assert p.events.filter(action="cancel").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_application_linked_to_two_projects_at_once_gets_one_link(postgres, org, people):
    p1 = make_project(org, people.engineer_a, name="一")
    p2 = make_project(org, people.engineer_a, name="二")
    app = external_application(org, people)
    outcomes = _race(
        8,
        lambda i: svc.project_link_application(
            project=(p1, p2)[i % 2], application=app, actor=people.engineer_a
        ),
    )
    assert ProjectLink.objects.filter(application=app).count() == 1
    assert "ok" in outcomes and all(o in ("ok", "invalid") for o in outcomes), outcomes


@pytest.mark.django_db(transaction=True)
def test_approvals_recorded_at_once_pause_the_clock_once(postgres, org, people):
    kinds = ["road_excavation", "road_occupation", "planning", "traffic"]
    p = make_project(org, people.engineer_a, approvals_needed=kinds)
    app = external_application(org, people)
    svc.project_link_application(project=p, application=app, actor=people.engineer_a)
    applied = timezone.localdate() - timedelta(days=1)
    outcomes = _race(
        4,
        lambda i: svc.approval_save(
            project=Project.objects.get(pk=p.pk),
            actor=people.engineer_a,
            kind=kinds[i],
            applied_on=applied,
        ),
    )
    assert outcomes == ["ok"] * 4, outcomes
    assert ApplicationEvent.objects.filter(application=app, action="pause").count() == 1
