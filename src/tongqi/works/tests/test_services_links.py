"""Linking applications to projects and the clock rule: pending approvals pause the linked
clocks (where the administrator lets external approvals stop the clock), granting resumes
them, only our own pauses are resumed, and every run is idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tongqi.applications import services as app_svc
from tongqi.applications.choices import Category
from tongqi.applications.models import ApplicationEvent
from tongqi.sla.choices import PauseCode
from tongqi.sla.models import ClockEvent, PauseReason
from tongqi.works import services as svc
from tongqi.works.models import ProjectLink

from .helpers import external_application, fresh, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def project(org, people):
    return make_project(org, people.engineer_a, approvals_needed=["road_excavation", "planning"])


@pytest.fixture
def app(org, people):
    return external_application(org, people)


def apply(project, actor, kind="road_excavation", **kw):
    today = timezone.localdate()
    return svc.approval_save(
        project=project, actor=actor, kind=kind, applied_on=today - timedelta(days=2), **kw
    )


def grant(project, actor, kind="road_excavation"):
    today = timezone.localdate()
    return svc.approval_save(
        project=project,
        actor=actor,
        kind=kind,
        applied_on=today - timedelta(days=2),
        granted_on=today,
        reference="挖字〔2026〕01号",
    )


def test_linking_needs_the_with_external_works_category(org, people, project):
    other = external_application(org, people, category=Category.NO_EXTERNAL_WORKS)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_link_application(project=project, application=other, actor=people.engineer_a)
    assert "external works" in str(exc.value.fields["application"][0])


def test_an_application_links_to_exactly_one_project(org, people, project, app):
    second = make_project(org, people.engineer_a, name="第二个项目")
    svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    # again to the same project: nothing changes
    svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    assert ProjectLink.objects.filter(application=app).count() == 1
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_link_application(project=second, application=app, actor=people.engineer_a)
    assert "already linked" in str(exc.value.fields["application"][0])
    # a project links many
    app2 = external_application(org, people, n=2)
    svc.project_link_application(project=project, application=app2, actor=people.engineer_a)
    assert project.links.count() == 2


def test_an_application_out_of_the_engineers_scope_is_not_found(org, people, make_user, app):
    eng_b = make_user("engineer", org.sub_b)
    project_b = make_project(org, eng_b, unit=org.sub_b)
    with pytest.raises(svc.NotFound):
        svc.project_link_application(project=project_b, application=app, actor=eng_b)


def test_a_pending_approval_pauses_the_linked_clock_and_granting_resumes_it(
    org, people, project, app
):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    assert not fresh(app).clock.paused
    _approval, result = apply(project, eng)
    assert [a.pk for a in result.paused] == [app.pk]
    clock = fresh(app).clock
    assert clock.paused and clock.pause_reason == PauseCode.ADMIN_APPROVAL
    assert ProjectLink.objects.get(application=app).paused_by_works
    ev = ApplicationEvent.objects.filter(application=app, action="pause").get()
    # the customer reads the reason: it is written in the site language (Chinese)
    assert ev.actor == eng and "城市道路挖掘许可" in ev.reason
    # a second pending approval changes nothing
    _approval, result = apply(project, eng, kind="planning")
    assert not result.paused and not result.resumed
    # one granted, one still pending: still paused
    grant(project, eng)
    assert fresh(app).clock.paused
    # all granted: resumed
    _approval, result = grant(project, eng, kind="planning")
    assert [a.pk for a in result.resumed] == [app.pk]
    assert not fresh(app).clock.paused
    assert not ProjectLink.objects.get(application=app).paused_by_works


def test_linking_to_a_project_that_awaits_approvals_pauses_at_once(org, people, project, app):
    apply(project, people.engineer_a)
    link = svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    assert link.paused_by_works and fresh(app).clock.paused


def test_sync_is_idempotent(org, people, project, app):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    apply(project, eng)
    before = ClockEvent.objects.count()
    version = fresh(app).version
    for _ in range(3):
        result = svc.project_sync_clocks(project=project, actor=eng)
        assert not (result.paused or result.resumed or result.skipped)
    assert ClockEvent.objects.count() == before
    assert fresh(app).version == version


def test_no_pause_when_the_administrator_says_approvals_do_not_stop_the_clock(
    org, people, project, app
):
    PauseReason.objects.create(code=PauseCode.ADMIN_APPROVAL, stops_clock=False)
    svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    _approval, result = apply(project, people.engineer_a)
    assert not result.paused and not fresh(app).clock.paused


def test_changing_the_setting_later_is_picked_up_by_the_next_sync(org, people, project, app):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    apply(project, eng)
    assert fresh(app).clock.paused
    PauseReason.objects.create(code=PauseCode.ADMIN_APPROVAL, stops_clock=False)
    result = svc.project_sync_clocks(project=project, actor=eng)
    assert [a.pk for a in result.resumed] == [app.pk] and not fresh(app).clock.paused


def test_a_pause_for_the_customers_documents_is_never_resumed_here(org, people, project, app):
    eng = people.engineer_a
    app_svc.application_pause(
        application=app,
        actor=people.am_a,
        reason_code=PauseCode.CUSTOMER_DOCUMENTS,
        reason="等待补正材料",
    )
    svc.project_link_application(project=project, application=app, actor=eng)
    apply(project, eng)
    link = ProjectLink.objects.get(application=app)
    assert not link.paused_by_works  # not ours
    grant(project, eng)
    clock = fresh(app).clock
    assert clock.paused and clock.pause_reason == PauseCode.CUSTOMER_DOCUMENTS


def test_an_existing_pause_for_an_approval_is_adopted_and_resumed_with_ours(
    org, people, project, app
):
    eng = people.engineer_a
    app_svc.application_pause(
        application=app,
        actor=people.am_a,
        reason_code=PauseCode.ADMIN_APPROVAL,
        reason="等待道路挖掘许可",
    )
    apply(project, eng)
    link = svc.project_link_application(project=project, application=app, actor=eng)
    assert link.paused_by_works
    grant(project, eng)
    assert not fresh(app).clock.paused


def test_unlinking_resumes_our_pause(org, people, project, app):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    apply(project, eng)
    svc.project_unlink_application(project=project, application=app, actor=eng)
    assert not ProjectLink.objects.filter(application=app).exists()
    assert not fresh(app).clock.paused


def test_cancelling_the_project_resumes_the_clocks(org, people, project, app):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    apply(project, eng)
    svc.project_transition(project=project, action="cancel", actor=eng, reason="规划调整")
    assert not fresh(app).clock.paused


def test_a_closed_application_is_left_alone(org, people, project, app):
    eng = people.engineer_a
    svc.project_link_application(project=project, application=app, actor=eng)
    app_svc.application_cancel(application=fresh(app), actor=people.am_a, reason="不再用气")
    _approval, result = apply(project, eng)
    assert not result.paused and not fresh(app).clock.paused


def test_approval_dates_are_checked(org, people, project):
    eng = people.engineer_a
    today = timezone.localdate()
    cases = [
        (dict(applied_on=today + timedelta(days=1)), "applied_on"),
        (dict(granted_on=today, reference="x"), "applied_on"),
        (dict(applied_on=today, granted_on=today - timedelta(days=1), reference="x"), "granted_on"),
        (dict(applied_on=today - timedelta(days=3), granted_on=today), "reference"),
        (dict(applied_on=today, expected_on=today - timedelta(days=1)), "expected_on"),
        (dict(kind="bribe", applied_on=today), "kind"),
    ]
    for kwargs, field in cases:
        kind = kwargs.pop("kind", "road_excavation")
        with pytest.raises(svc.InvalidInput) as exc:
            svc.approval_save(project=project, actor=eng, kind=kind, **kwargs)
        assert field in exc.value.fields, (kwargs, exc.value.fields)


def test_approvals_required_by_the_investment_cannot_be_removed(org, people):
    from decimal import Decimal

    p = make_project(org, people.engineer_a, investment=Decimal("900000"))
    with pytest.raises(svc.IllegalTransition):
        svc.approval_remove(project=p, actor=people.engineer_a, kind="construction_permit")
    q = make_project(org, people.engineer_a, approvals_needed=["greening"])
    svc.approval_remove(project=q, actor=people.engineer_a, kind="greening")
    assert not q.approvals.exists()
