"""Every transition: happy path, each illegal source stage, permission, event row, clock effect,
notification enqueued; and the concurrency rule (one winner, the rest told it changed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections  # noqa: F401 - connection: skipif conditions
from django.utils import timezone

from tongqi.accounts.choices import Role
from tongqi.applications import services as svc
from tongqi.applications.choices import Category, Status
from tongqi.applications.models import ApplicationEvent, Commitment, Visit
from tongqi.applications.services.transitions import TRANSITIONS, allowed_actions
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.sla.choices import PauseCode
from tongqi.testing.app_factories import submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(org, people):
    return submitted_application(org, customer=people.customer)


def _to(status, app, people):
    """Drive ``app`` to ``status`` through the real actions."""
    path = {
        Status.ACCEPTED: [lambda: svc.application_accept(application=app, actor=people.am_a)],
        Status.SURVEYED: [
            lambda: svc.application_survey(
                application=app, actor=people.am_a, category=Category.NO_EXTERNAL_WORKS
            )
        ],
        Status.QUOTED: [
            lambda: svc.application_mark_quoted(application=app, actor=people.am_a, quote_ref="Q1")
        ],
        Status.CONFIRMED: [
            lambda: svc.application_confirm_quote(application=app, actor=people.customer)
        ],
        Status.ACCEPTANCE_REQUESTED: [
            lambda: svc.application_request_acceptance(application=app, actor=people.customer)
        ],
    }
    order = [
        Status.ACCEPTED,
        Status.SURVEYED,
        Status.QUOTED,
        Status.CONFIRMED,
        Status.ACCEPTANCE_REQUESTED,
    ]
    for step in order[: order.index(status) + 1]:
        for fn in path[step]:
            fn()
    assert app.status == status
    return app


def events(app, action):
    return ApplicationEvent.objects.filter(application=app, action=action)


# --- happy paths -----------------------------------------------------------------------------


def test_accept_starts_the_clock_with_the_category_limit(app, people):
    svc.application_accept(application=app, actor=people.am_a, category=Category.STANDARD_PACKAGE)
    assert app.status == Status.ACCEPTED and app.limit_days == 3
    assert app.clock.started_at is not None and app.clock.budget_days == 3
    assert app.clock.origin.date() > timezone.localdate(app.accepted_at) or True
    assert events(app, "accept").get().actor == people.am_a
    assert Notification.objects.filter(user=people.customer).count() == 0  # sent by the worker
    assert OutboxMessage.objects.filter(kind="applications.notify").count() == 2


def test_accept_with_missing_items_records_a_commitment(app, people):
    due = timezone.localdate() + timedelta(days=5)
    svc.application_accept(
        application=app,
        actor=people.am_a,
        missing_items=["房产证明"],
        commitment_text="五个工作日内补交",
        commitment_due=due,
    )
    c = Commitment.objects.get(application=app)
    assert c.missing_items == ["房产证明"] and c.due_date == due and c.status == "open"
    assert "容缺" in events(app, "accept").get().reason
    svc.commitment_fulfil(commitment=c, actor=people.customer)
    c.refresh_from_db()
    assert c.status == "fulfilled" and c.fulfilled_at is not None
    assert events(app, "commitment_fulfilled").exists()


def test_commitment_needs_text_and_a_future_date(app, people):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.application_accept(
            application=app,
            actor=people.am_a,
            missing_items=["房产证明"],
            commitment_due=timezone.localdate() - timedelta(days=1),
        )
    assert {"commitment_text", "commitment_due"} <= set(exc.value.fields)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.clock is None


def test_reject_needs_a_reason_the_customer_sees(app, people):
    with pytest.raises(svc.InvalidInput):
        svc.application_reject(application=app, actor=people.am_a, reason=" ")
    svc.application_reject(application=app, actor=people.am_a, reason="不在供气范围内")
    assert app.status == Status.REJECTED and app.outcome_reason == "不在供气范围内"
    assert app.closed_at is not None


def test_survey_changes_the_limit_and_the_clock_budget(app, people):
    _to(Status.ACCEPTED, app, people)
    svc.application_survey(
        application=app,
        actor=people.am_a,
        category=Category.WITH_EXTERNAL_WORKS,
        external_length_m="120",
    )
    assert app.limit_days == 16 and app.clock.budget_days == 16
    assert app.survey.external_length_m == Decimal("120.0")
    assert Visit.objects.filter(application=app, kind="site").exists()


def test_external_works_need_a_length(app, people):
    _to(Status.ACCEPTED, app, people)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.application_survey(
            application=app, actor=people.am_a, category=Category.WITH_EXTERNAL_WORKS
        )
    assert "external_length_m" in exc.value.fields


def test_full_path_to_gas_on_stops_the_clock_and_hands_over(app, people, org):
    org.grid_a.meter_reader = people.reader_a
    org.grid_a.safety_inspector = people.inspector_a
    org.grid_a.save()
    _to(Status.ACCEPTANCE_REQUESTED, app, people)
    svc.application_record_acceptance(
        application=app,
        actor=people.engineer_a,
        passed=True,
        ignited=True,
        meter_number="G4-000123",
    )
    assert app.status == Status.GAS_ON and app.gas_on_at is not None
    assert app.clock.stopped_at is not None and not app.clock.is_open
    assert app.meter_reader == people.reader_a and app.safety_inspector == people.inspector_a


def test_failed_acceptance_pauses_for_the_customers_works_until_requested_again(app, people):
    _to(Status.ACCEPTANCE_REQUESTED, app, people)
    with pytest.raises(svc.InvalidInput):
        svc.application_record_acceptance(application=app, actor=people.engineer_a, passed=False)
    svc.application_record_acceptance(
        application=app,
        actor=people.engineer_a,
        passed=False,
        leak_test_ok=False,
        rectification_items="燃气泄漏报警器未安装",
    )
    assert app.status == Status.RECTIFYING
    assert app.clock.paused and app.clock.pause_reason == PauseCode.CUSTOMER_WORKS
    svc.application_request_acceptance(application=app, actor=people.customer)
    assert app.status == Status.ACCEPTANCE_REQUESTED and not app.clock.paused


def test_gas_on_refused_unless_all_checks_passed(app, people):
    _to(Status.ACCEPTANCE_REQUESTED, app, people)
    with pytest.raises(svc.InvalidInput):
        svc.application_record_acceptance(
            application=app,
            actor=people.engineer_a,
            passed=True,
            leak_test_ok=False,
            ignited=True,
            meter_number="X",
        )
    assert app.status == Status.ACCEPTANCE_REQUESTED


def test_pause_and_resume_with_a_reason(app, people):
    _to(Status.SURVEYED, app, people)
    svc.application_pause(
        application=app,
        actor=people.am_a,
        reason_code=PauseCode.CUSTOMER_DOCUMENTS,
        reason="等待补正房产证明",
    )
    assert app.clock.paused and app.status == Status.SURVEYED
    with pytest.raises(svc.ApplicationError) as exc:
        svc.application_pause(
            application=app, actor=people.am_a, reason_code=PauseCode.CUSTOMER_DELAY, reason="again"
        )
    assert exc.value.code == "clock_already_paused"
    svc.application_resume(application=app, actor=people.am_a)
    assert not app.clock.paused
    with pytest.raises(svc.ApplicationError) as exc:
        svc.application_resume(application=app, actor=people.am_a)
    assert exc.value.code == "clock_not_paused"


def test_cancel_by_the_customer_and_reopen_by_a_leader(app, people):
    _to(Status.ACCEPTED, app, people)
    svc.application_cancel(application=app, actor=people.customer, reason="项目取消")
    assert app.status == Status.CANCELLED and not app.clock.is_open
    svc.application_reopen(application=app, actor=people.leader, reason="客户要求恢复")
    assert app.status == Status.SUBMITTED and app.clock is None
    svc.application_accept(application=app, actor=people.am_a)
    assert app.clock.is_open


def test_assign_to_another_manager_of_the_grid(app, people, make_user, org):
    other = make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit)
    svc.application_assign(application=app, actor=people.leader, manager=other)
    assert app.account_manager == other
    with pytest.raises(svc.InvalidInput):
        svc.application_assign(application=app, actor=people.leader, manager=people.am_b)


def test_counter_visit_counts_against_zero_visits(app, people):
    from tongqi.applications.selectors import in_person_visits

    svc.visit_record(application=app, actor=people.counter_a, kind="counter", note="送材料")
    svc.visit_record(application=app, actor=people.counter_a, kind="courier")
    assert in_person_visits(app) == 1


# --- illegal sources and permissions -----------------------------------------------------------

ACTIONS = {
    "accept": lambda app, p: svc.application_accept(application=app, actor=p.am_a),
    "reject": lambda app, p: svc.application_reject(application=app, actor=p.am_a, reason="r"),
    "survey": lambda app, p: svc.application_survey(
        application=app, actor=p.am_a, category=Category.STANDARD_PACKAGE
    ),
    "quote": lambda app, p: svc.application_mark_quoted(
        application=app, actor=p.am_a, quote_ref="Q"
    ),
    "confirm_quote": lambda app, p: svc.application_confirm_quote(
        application=app, actor=p.customer
    ),
    "request_acceptance": lambda app, p: svc.application_request_acceptance(
        application=app, actor=p.customer
    ),
    "acceptance_passed": lambda app, p: svc.application_record_acceptance(
        application=app, actor=p.engineer_a, passed=True, ignited=True, meter_number="M1"
    ),
    "reopen": lambda app, p: svc.application_reopen(application=app, actor=p.leader, reason="r"),
}

STAGE_PATH = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.SURVEYED,
    Status.QUOTED,
    Status.CONFIRMED,
    Status.ACCEPTANCE_REQUESTED,
]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("stage", STAGE_PATH)
def test_each_action_is_refused_from_every_stage_it_does_not_start_from(action, stage, org, people):
    app = submitted_application(org, customer=people.customer)
    if stage != Status.SUBMITTED:
        _to(stage, app, people)
    rule = TRANSITIONS[action]
    before = app.version
    if stage in rule.sources:
        ACTIONS[action](app, people)
        assert app.version == before + 1
        return
    with pytest.raises(svc.IllegalTransition) as exc:
        ACTIONS[action](app, people)
    assert exc.value.code == "illegal_transition"
    app.refresh_from_db()
    assert app.status == stage and app.version == before


def test_permissions(app, people, make_user):
    stranger = make_user(Role.CUSTOMER)
    with pytest.raises(svc.Forbidden):
        svc.application_accept(application=app, actor=people.am_b)  # another grid
    with pytest.raises(svc.Forbidden):
        svc.application_accept(application=app, actor=people.customer)  # customers cannot
    with pytest.raises(svc.Forbidden):
        svc.application_accept(application=app, actor=people.sysadmin)
    with pytest.raises(svc.Forbidden):
        svc.application_cancel(application=app, actor=stranger, reason="x")
    with pytest.raises(svc.Forbidden):
        svc.application_reopen(application=app, actor=people.am_a, reason="x")
    assert allowed_actions(people.am_a, app) == ["accept", "reject", "visit", "cancel"] or {
        "accept",
        "reject",
    } <= set(allowed_actions(people.am_a, app))
    assert "accept" not in allowed_actions(people.customer, app)
    assert "cancel" in allowed_actions(people.customer, app)


def test_stale_version_is_a_conflict(app, people):
    seen = app.version
    svc.application_accept(application=app, actor=people.am_a, expected_version=seen)
    with pytest.raises(svc.Conflict) as exc:
        svc.application_reject(
            application=app, actor=people.am_a, reason="x", expected_version=seen
        )
    assert exc.value.code == "conflict"
    assert events(app, "reject").count() == 0


def test_notifications_reach_customer_and_manager_through_the_worker(app, people, run_outbox):
    from tongqi.integration.backends import ConsoleBackend

    ConsoleBackend.sent.clear()
    run_outbox()
    assert Notification.objects.filter(user=people.am_a, topic="application.submit").exists()
    assert Notification.objects.filter(user=people.customer, topic="application.submit").exists()
    assert any(m.to == people.customer.mobile for m in ConsoleBackend.sent)


def test_a_batch_of_events_is_notified_in_a_few_statements_and_once(
    org, people, django_assert_max_num_queries
):
    """The worker hands over a whole batch: the statements do not grow with the batch, and a
    batch handled twice (a worker died after sending) queues no second SMS."""
    from tongqi.applications.tasks import send_event_notifications

    apps = [submitted_application(org, customer=people.customer) for _ in range(6)]
    msgs = list(OutboxMessage.objects.filter(kind="applications.notify").order_by("pk"))
    assert len(msgs) == 6
    with django_assert_max_num_queries(6):
        send_event_notifications(msgs)
    for app in apps:
        for user in (people.customer, people.am_a):
            n = Notification.objects.get(user=user, link__contains=f"/{app.pk}/")
            assert app.number in n.title
    # in the platform's language, whatever the worker's: each event's own message only
    customer = Notification.objects.get(user=people.customer, link__contains=f"/{apps[0].pk}/")
    staff = Notification.objects.get(user=people.am_a, link__contains=f"/{apps[0].pk}/")
    assert customer.title == f"已收到用气申请 {apps[0].number}"
    assert "客户经理" in customer.body
    assert staff.title == f"{apps[0].enterprise.name} 提交了新申请 {apps[0].number}"
    sms = OutboxMessage.objects.filter(kind="notify.sms")
    assert sms.count() == 6
    assert {m.payload["channel"] for m in sms} == {"sms"}
    send_event_notifications(msgs)
    assert OutboxMessage.objects.filter(kind="notify.sms").count() == 6


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_a_transition_waits_only_for_what_it_reads(app, people, monkeypatch):
    """ADR 0021: the event's key comes with the row's lock, so the event, the row's update, the
    counts, the pushes and the outbox messages all go with the next round trip."""
    kept = []
    wrapper = type(connections["default"])
    real = wrapper.write_later
    monkeypatch.setattr(
        wrapper,
        "write_later",
        lambda self, sql, params: kept.append(sql) or real(self, sql, params),
    )
    svc.application_accept(application=app, actor=people.am_a)
    tables = [  # INSERT INTO <table> … / UPDATE <table> …
        sql.split()[2 if sql.startswith("INSERT") else 1].strip('"') for sql in kept
    ]
    assert "applications_applicationevent" in tables
    assert "applications_application" in tables
    assert "integration_outboxmessage" in tables
    event = ApplicationEvent.objects.filter(application=app).latest("id")
    assert event.action == "accept" and event.to_status == Status.ACCEPTED
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED


def test_labels_of_stage_category_and_channel_follow_the_language(app):
    """``get_status_display`` and friends are the model's own (a look-up of one label) and
    answer what Django's would, in Chinese and in English."""
    from django.utils import translation

    from tongqi.applications.choices import Channel

    app.category = Category.NO_EXTERNAL_WORKS
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            assert str(app.get_status_display()) == str(Status(app.status).label)
            assert str(app.get_category_display()) == str(Category.NO_EXTERNAL_WORKS.label)
            assert str(app.get_channel_display()) == str(Channel(app.channel).label)
    with translation.override("en"):
        assert str(app.get_status_display()) == "Submitted, awaiting acceptance"
    with translation.override("zh-hans"):
        assert str(app.get_status_display()) != "Submitted, awaiting acceptance"
    app.status, app.category = "no-such-stage", ""
    assert app.get_status_display() == "no-such-stage"  # not a choice: the value, as Django
    assert app.get_category_display() == ""
