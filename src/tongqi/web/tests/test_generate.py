"""``tongqi generate``: synthetic data the services would have produced, fast, deterministic."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.models import Grid, OrgUnit, User
from tongqi.applications.choices import FINAL_STATUSES, Status
from tongqi.applications.models import Application, ApplicationEvent, Commitment, Enterprise
from tongqi.applications.services.transitions import TRANSITIONS
from tongqi.core import clock as core
from tongqi.core.validators import (
    validate_mainland_mobile,
    validate_resident_id,
    validate_uscc,
)
from tongqi.pricing.models import Quote, Receivable
from tongqi.service.models import Callback, Complaint
from tongqi.service.models import Survey as SatisfactionSurvey
from tongqi.sla.models import Clock, ClockEvent
from tongqi.sla.services import clock_state, recompute_open_clocks
from tongqi.testing.app_factories import submitted_application
from tongqi.web import synthetic
from tongqi.web.models import SyntheticRun
from tongqi.web.synthetic import RealDataPresent, generate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def generated(people):
    return generate(applications=80, seed=7, batch=30, now=NOW)


def test_counts_and_every_stage(generated):
    # then: what was asked, and every stage of the state machine at least once
    assert Application.objects.count() == 80 == generated.applications
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    assert generated.rows["app"] == 80
    assert generated.rows["event"] == ApplicationEvent.objects.count() > 80 * 3
    assert generated.rows["clock_event"] == ClockEvent.objects.count()
    run = SyntheticRun.objects.get()
    assert run.applications == 80 and run.finished_at is not None
    assert run.rows == generated.rows
    # gas-on implies the services' after-effects: receivable, callback, satisfaction survey
    gas_on = Application.objects.filter(status=Status.GAS_ON)
    assert gas_on.exists()
    for app in gas_on:
        assert app.gas_on_at and app.closed_at
        assert app.meter_reader_id == app.grid.meter_reader_id
        assert Receivable.objects.filter(application=app).exists()
        assert Callback.objects.filter(application=app, kind="after_gas_on").count() == 1
        assert SatisfactionSurvey.objects.filter(application=app).exists()
    # quotes wherever the stage implies one; confirmed when the customer confirmed
    for app in Application.objects.filter(
        status__in=[Status.QUOTED, Status.CONFIRMED, Status.ACCEPTANCE_REQUESTED, Status.GAS_ON]
    ):
        assert app.quotes.exclude(status="superseded").count() == 1
        if app.status != Status.QUOTED:
            assert app.quotes.filter(status="confirmed").exists()
    for q in Quote.objects.all():
        assert isinstance(q.customer_total, Decimal) and q.customer_total >= 0
        assert q.lines.exists()
        assert q.number.startswith(q.application.number)
    assert Complaint.objects.exists()


def test_every_application_followed_the_state_machine(generated):
    events = defaultdict(list)
    for e in ApplicationEvent.objects.order_by("at", "id"):
        events[e.application_id].append(e)
    for app in Application.objects.all():
        status = Status.DRAFT
        last = None
        for e in events[app.pk]:
            rule = TRANSITIONS[e.action]
            assert e.from_status == status, (app.pk, e.action)
            assert status in rule.sources, (app.pk, e.action, status)
            status = rule.target or status
            assert e.to_status == status
            assert e.at.tzinfo is not None
            assert last is None or e.at >= last
            last = e.at
        assert app.status == status
        assert app.version == 1 + len(events[app.pk])
        if app.status == Status.DRAFT:
            assert app.number is None and not events[app.pk]
        else:
            assert app.number and app.submitted_at and app.grid_id and app.account_manager_id
        assert (app.closed_at is not None) == (app.status in FINAL_STATUSES)


def test_clocks_derive_a_deadline_and_the_cached_columns_are_what_a_recompute_gives(generated):
    clocks = Clock.objects.all()
    assert clocks.exists()
    for c in clocks:
        state = clock_state(c, now=NOW)
        kinds = list(c.events.order_by("seq").values_list("kind", flat=True))
        assert kinds[0] == core.START
        if state.deadline is not None:
            assert c.deadline == state.deadline
        else:
            assert state.paused  # no deadline only while a clock-stopping pause is open
        assert c.is_open == (state.stopped_at is None)
    # open clocks of working applications; every pause has a reason
    for app in Application.objects.filter(status__in=[Status.ACCEPTED, Status.CONFIRMED]):
        assert app.clock.is_open
    assert not ClockEvent.objects.filter(kind=core.PAUSE, reason="").exists()
    assert ClockEvent.objects.filter(kind=core.PAUSE).exists()
    # the checkpoint and cached results are what the bulk recompute derives from them
    report = recompute_open_clocks(now=NOW)
    assert report.moved == 0


def test_identifiers_are_valid(generated):
    ents = list(Enterprise.objects.all())
    assert ents
    for e in ents:
        assert validate_uscc(e.uscc) == e.uscc
        assert validate_mainland_mobile(e.contact_mobile) == e.contact_mobile
        if e.id_number:
            assert validate_resident_id(e.id_number) == e.id_number
    assert len({e.uscc for e in ents}) == len(ents)
    customers = User.objects.filter(role="customer", password="!synthetic")
    assert customers.exists()
    assert not any(u.has_usable_password() for u in customers)
    for c in Commitment.objects.all():
        assert c.missing_items and c.due_date


def test_the_workbench_lists_and_shows_the_generated_data(generated, people):
    c = Client()
    c.force_login(people.leader)
    resp = c.get(reverse("applications:workbench"), {"queue": "all"})
    assert resp.status_code == 200
    some = Application.objects.exclude(number=None).order_by("-submitted_at").first()
    assert some.number in resp.content.decode()
    for app in Application.objects.exclude(status=Status.DRAFT)[:40]:
        assert c.get(reverse("applications:detail", args=[app.pk])).status_code == 200


def test_applications_with_external_works_have_their_gas_source_project(people):
    generated = generate(applications=400, seed=7, batch=200, now=NOW)
    from django.utils import timezone

    from tongqi.applications.choices import Category
    from tongqi.works.choices import ProjectStatus as PS
    from tongqi.works.models import Project, ProjectLink
    from tongqi.works.services.projects import TRANSITIONS as PROJECT_TRANSITIONS
    from tongqi.works.services.projects import missing_approvals

    links = list(ProjectLink.objects.select_related("project", "application__clock"))
    assert links and generated.rows["project"] == Project.objects.count() == len(links)
    # every application with external works whose customer confirmed the quote has one
    confirmed = Application.objects.filter(
        category=Category.WITH_EXTERNAL_WORKS,
        events__action="confirm_quote",
    ).distinct()
    assert {link.application_id for link in links} == set(confirmed.values_list("pk", flat=True))
    seen = set()
    for link in links:
        app, project = link.application, link.project
        seen.add(project.status)
        assert project.number == f"QY{timezone.localdate(project.created_at).year}-{project.pk:05d}"
        assert app.number in project.reason and project.grid_id == app.grid_id
        assert project.investment > 0 and project.length_m > 0
        assert project.min_lat <= project.latitude <= project.max_lat
        # the application's gas needs the project's gas first
        if app.status == Status.GAS_ON:
            assert project.status in (PS.GAS_AVAILABLE, PS.CLOSED)
            gas_on_day = timezone.localdate(app.gas_on_at)
            assert project.actual_start <= project.actual_gas_on <= gas_on_day
        if app.status == Status.CANCELLED:
            assert project.status == PS.CANCELLED and project.closed_at
        approvals = list(project.approvals.all())
        assert approvals
        for approval in approvals:
            if approval.granted_on:
                assert approval.applied_on <= approval.granted_on
                assert project.actual_start is None or approval.granted_on <= project.actual_start
        if project.status in (PS.CONSTRUCTION, PS.GAS_AVAILABLE, PS.CLOSED):
            assert missing_approvals(project) == []
        # the link holds the application's clock exactly while the approvals pause it
        last = app.clock.events.order_by("-seq").first()
        holding = last.kind == core.PAUSE and last.reason == core.ADMIN_APPROVAL
        assert link.paused_by_works == holding
        # the project's record walks its transitions
        status = PS.PLANNED
        for e in project.events.order_by("at", "id"):
            if e.action in PROJECT_TRANSITIONS:
                rule = PROJECT_TRANSITIONS[e.action]
                assert e.from_status == status and status in rule.sources, (project.pk, e.action)
                status = rule.target
        assert status == project.status
    assert len(seen) >= 3 and PS.CLOSED in seen  # projects in several stages
    # the engineering pages show them
    c = Client()
    c.force_login(people.leader)
    page = c.get(reverse("works:list"))
    assert page.status_code == 200
    newest = Project.objects.order_by("-created_at").first()
    assert c.get(reverse("works:detail", args=[newest.pk])).status_code == 200


def _snapshot():
    """The data without its keys (PostgreSQL sequences are not rolled back with the test)."""
    return (
        [
            ((n or "")[:10], st, at)
            for n, st, at in Application.objects.order_by("pk").values_list(
                "number", "status", "submitted_at"
            )
        ],
        list(ApplicationEvent.objects.order_by("pk").values_list("action", "at", "actor_label")),
        list(Enterprise.objects.order_by("pk").values_list("uscc", "contact_mobile", "name")),
        list(Quote.objects.order_by("pk").values_list("version", "customer_total")),
        list(ClockEvent.objects.order_by("pk").values_list("kind", "at", "reason")),
    )


def test_the_same_seed_gives_the_same_data(people):
    snaps = []
    for _ in range(2):
        with transaction.atomic():
            generate(applications=40, seed=3, batch=15, now=NOW)
            snaps.append(_snapshot())
            transaction.set_rollback(True)
    assert snaps[0] == snaps[1]
    with transaction.atomic():
        generate(applications=40, seed=4, batch=15, now=NOW)
        other = _snapshot()
        transaction.set_rollback(True)
    assert other != snaps[0]


def test_it_refuses_to_mix_with_real_data_unless_forced(org, people):
    submitted_application(org)
    with pytest.raises(RealDataPresent):
        generate(applications=5, seed=1, now=NOW)
    with pytest.raises(CommandError, match="--force"):
        call_command("generate", applications=5)
    assert Application.objects.count() == 1
    generate(applications=15, seed=1, now=NOW, force=True)
    assert Application.objects.count() == 16
    assert Application.objects.count() == 16


def test_a_second_run_adds_to_the_first(generated):
    # no --force needed over generated data; identifiers carry on from the first run
    generate(applications=15, seed=7, now=NOW)
    assert Application.objects.count() == 95
    assert SyntheticRun.objects.count() == 2
    assert Enterprise.objects.values("uscc").distinct().count() == Enterprise.objects.count()
    assert User.objects.values("username").distinct().count() == User.objects.count()


def test_an_empty_database_gets_a_provincial_organisation(db):
    report = generate(applications=20, seed=2, batch=10, now=NOW)
    assert OrgUnit.objects.filter(kind=UnitKind.SUBSIDIARY).count() >= 20
    assert Grid.objects.count() >= 60
    assert report.setup["accounts.Grid"] == Grid.objects.count()
    assert Application.objects.count() == 20
    assert not User.objects.exclude(role="customer").filter(password__startswith="pbkdf").exists()
    # the applications spread over several subsidiaries
    subs = {a.org_unit.parent_id for a in Application.objects.exclude(org_unit=None)}
    assert len(subs) > 3


def test_the_command_prints_a_summary(people, capsys):
    call_command("generate", applications=12, seed=5, batch=5)
    out = capsys.readouterr().out
    assert "12/12 applications" in out
    assert "rows written:" in out and "event" in out
    assert "applications/s" in out and "rows/s" in out
    assert Counter(Application.objects.values_list("status", flat=True))[Status.DRAFT] >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_postgresql_writes_with_copy(org, people, monkeypatch):
    calls = Counter()
    real_copy = synthetic.writer._copy

    def copy(table, batch):
        calls[table.name] += batch.rows
        return real_copy(table, batch)

    monkeypatch.setattr(synthetic.writer, "_copy", copy)
    monkeypatch.setattr(synthetic.writer, "_bulk", lambda *a: pytest.fail("bulk_create used"))
    report = generate(applications=60, seed=9, batch=25, now=NOW)
    assert calls["app"] == 60 == Application.objects.count()
    assert calls["event"] == ApplicationEvent.objects.count() == report.rows["event"]
    # the keys came from the sequences: a row created afterwards by the ORM does not collide
    app = submitted_application(org, n=99)
    assert app.pk not in set(Application.objects.exclude(pk=app.pk).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer thread is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_postgresql_writes_in_a_second_thread_outside_a_transaction(org, people):
    import threading

    seen = set()
    real_write = synthetic.writer.write

    def write(tables, rows):
        seen.add(threading.current_thread().name)
        return real_write(tables, rows)

    synthetic.writer.write, saved = write, synthetic.writer.write
    try:
        report = generate(applications=30, seed=11, batch=10, now=NOW, jobs=1)
    finally:
        synthetic.writer.write = saved
    assert seen == {"generate-writer"}
    assert Application.objects.count() == 30 == report.applications
    run = SyntheticRun.objects.get()
    assert run.applications == 30 and run.rows == report.rows


def test_runs_are_listed_read_only_for_the_administrator(generated, people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    c = Client()
    c.force_login(people.sysadmin)
    resp = c.get(reverse("admin:web_syntheticrun_changelist"))
    assert resp.status_code == 200
    run = SyntheticRun.objects.get()
    assert c.get(reverse("admin:web_syntheticrun_change", args=[run.pk])).status_code == 200
    assert c.get(reverse("admin:web_syntheticrun_add")).status_code == 403


def _digest() -> str:
    """Every column the simulation fills, of every table it writes, keys included (staff
    accounts aside: the organisation is created with the time of the run)."""
    import hashlib

    h = hashlib.sha256()
    for name, (_label, fields) in synthetic.writer.TABLES.items():
        rows = synthetic.writer.model_for(name).objects.order_by("pk")
        if name == "user":
            rows = rows.filter(role="customer")
        for row in rows.values_list(*fields):
            h.update(repr((name, row)).encode())
    return h.hexdigest()


def _empty_database() -> None:
    """No rows and every sequence back to 1: two runs start from the same database."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_data_does_not_depend_on_the_number_of_processes():
    # given: the same seed and batch plan, made in this process and by two worker processes
    digests, reports = [], []
    for jobs in (1, 2):
        _empty_database()
        reports.append(generate(applications=70, seed=13, batch=20, now=NOW, jobs=jobs))
        digests.append(_digest())
    # then: the same rows, keys included; the second run did fork two workers
    assert [r.jobs for r in reports] == [1, 2]
    assert reports[0].rows == reports[1].rows and reports[0].statuses == reports[1].statuses
    assert digests[0] == digests[1]
    assert SyntheticRun.objects.get().options["jobs"] == 2
    assert Application.objects.count() == 70


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_with_workers_leaves_whole_batches(monkeypatch):
    real_write = synthetic.writer.write
    calls = []

    def write(tables, rows):
        calls.append(1)
        if len(calls) == 3:
            real_write(tables, rows)  # the rows reach the database, then the run breaks
            raise KeyboardInterrupt
        return real_write(tables, rows)

    monkeypatch.setattr(synthetic.writer, "write", write)
    with pytest.raises(KeyboardInterrupt):
        generate(applications=100, seed=2, batch=20, now=NOW, jobs=2)
    # the third batch's transaction was rolled back: two whole batches, as the run records
    run = SyntheticRun.objects.get()
    assert Application.objects.count() == 40 == run.applications
    assert run.finished_at is None
    assert not ApplicationEvent.objects.exclude(application__in=Application.objects.all()).exists()


def test_in_a_transaction_or_on_sqlite_the_rows_are_made_in_this_process(people):
    # inside the test's transaction workers are not used; the data is what one process makes
    with transaction.atomic():
        report = generate(applications=25, seed=6, batch=10, now=NOW, jobs=1)
        one = _snapshot()
        transaction.set_rollback(True)
    with transaction.atomic():
        again = generate(applications=25, seed=6, batch=10, now=NOW, jobs=4)
        four = _snapshot()
        transaction.set_rollback(True)
    assert report.jobs == again.jobs == 1
    assert one == four


def test_a_batch_cannot_take_more_keys_than_it_was_handed():
    from tongqi.web.synthetic.lifecycle import IdPool

    pool = IdPool("quote", [7, 9])
    assert (pool.take(), pool.take()) == (7, 9)
    with pytest.raises(RuntimeError, match="KEYS_PER_APPLICATION"):
        pool.take()


def test_the_command_checks_the_number_of_processes(people):
    with pytest.raises(CommandError, match="--jobs"):
        call_command("generate", applications=5, jobs=0)
    assert not Application.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_fails_the_run_and_leaves_whole_batches(monkeypatch):
    import os
    from concurrent.futures.process import BrokenProcessPool

    from tongqi.web.synthetic import batches

    real_make = batches.make

    def make(ctx, batch):
        if batch.number == 2:
            os._exit(9)  # as if killed (out of memory, kill -9)
        return real_make(ctx, batch)

    monkeypatch.setattr(batches, "make", make)  # the forked workers inherit it
    with pytest.raises(BrokenProcessPool):
        generate(applications=100, seed=2, batch=20, now=NOW, jobs=2)
    run = SyntheticRun.objects.get()
    assert Application.objects.count() == run.applications
    assert run.applications in (0, 20, 40) and run.finished_at is None
