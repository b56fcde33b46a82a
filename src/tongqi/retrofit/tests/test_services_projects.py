"""Project actions and the stage state machine: happy paths, illegal sources, guards, events,
audit, concurrency, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongqi.audit.choices import AuditAction
from tongqi.audit.models import AuditRecord
from tongqi.retrofit import services
from tongqi.retrofit.choices import (
    STAGE_ORDER,
    Body,
    HouseholdStatus,
    ProjectAction,
    ProjectStatus,
    Stage,
)
from tongqi.retrofit.errors import ConflictError, RetrofitError
from tongqi.retrofit.models import Project, ProjectEvent, StageRecord

from .conftest import advance_to

pytestmark = pytest.mark.django_db


def test_create_numbers_the_project_and_opens_every_stage(project, people):
    today = timezone.localdate()
    assert project.number == f"MX-{today.year}-{project.pk:05d}"
    assert project.stage == Stage.SURVEY and project.status == ProjectStatus.ACTIVE
    records = {r.stage: r for r in project.stages.all()}
    assert set(records) == set(STAGE_ORDER)
    assert records[Stage.SURVEY].actual_start == today
    assert all(records[s].actual_start is None for s in STAGE_ORDER[1:])
    event = ProjectEvent.objects.get(project=project)
    assert event.action == ProjectAction.CREATE and event.actor == people.engineer_a
    assert AuditRecord.objects.filter(
        action=AuditAction.CREATE, object_type="retrofit.project", object_id=str(project.pk)
    ).exists()


def test_create_refuses_a_unit_out_of_scope_and_non_managers(make_project, org, people):
    with pytest.raises(PermissionDenied):
        make_project(unit=org.sub_b)  # 甲公司's engineer cannot open a project for 乙公司
    with pytest.raises(PermissionDenied):
        make_project(actor=people.leader)  # leaders read, the special team writes
    assert not Project.objects.exists()


def test_advance_walks_every_stage_and_records_dates(project, people, add_household):
    # given a household signed up (coordination needs one)
    add_household(project, status=HouseholdStatus.WILLING)
    today = timezone.localdate()
    # when the project is advanced through every stage
    p = project
    for expected in STAGE_ORDER[1:]:
        p = services.project_advance(project=p, actor=people.engineer_a, expected_version=p.version)
        assert p.stage == expected
    # then each finished stage has its end date and the next its start date
    records = {r.stage: r for r in StageRecord.objects.filter(project=project)}
    for stage in STAGE_ORDER[:-1]:
        assert records[stage].actual_end == today
    assert records[Stage.GAS_ON].actual_start == today and records[Stage.GAS_ON].actual_end is None
    assert p.version == 1 + len(STAGE_ORDER) - 1
    events = ProjectEvent.objects.filter(project=project, action=ProjectAction.ADVANCE)
    assert events.count() == len(STAGE_ORDER) - 1
    first = events.order_by("at", "id").first()
    assert (first.from_stage, first.to_stage) == (Stage.SURVEY, Stage.COORDINATION)
    assert (
        AuditRecord.objects.filter(
            action=AuditAction.TRANSITION, object_id=str(project.pk), object_type="retrofit.project"
        ).count()
        == len(STAGE_ORDER) - 1
    )


def test_coordination_needs_a_first_sign_up(project, people, add_household):
    p = services.project_advance(project=project, actor=people.engineer_a, expected_version=None)
    add_household(p, status=HouseholdStatus.DECLINED)
    with pytest.raises(RetrofitError) as exc:
        services.project_advance(project=p, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "no_signups"
    assert Project.objects.get(pk=p.pk).stage == Stage.COORDINATION


def test_an_open_blocking_issue_holds_the_stage(project, people):
    issue = services.issue_create(
        project=project,
        actor=people.engineer_a,
        title="居民反对",
        responsible_body=Body.RESIDENTS,
        blocking=True,
    )
    with pytest.raises(RetrofitError) as exc:
        services.project_advance(project=project, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "blocking_issues"
    services.issue_resolve(
        issue=issue, actor=people.engineer_a, expected_version=None, resolution="已协调"
    )
    p = services.project_advance(project=project, actor=people.engineer_a, expected_version=None)
    assert p.stage == Stage.COORDINATION


def test_a_non_blocking_issue_does_not_hold_the_stage(project, people):
    services.issue_create(project=project, actor=people.engineer_a, title="小问题")
    p = services.project_advance(project=project, actor=people.engineer_a, expected_version=None)
    assert p.stage == Stage.COORDINATION


def test_skip_only_for_road_permit_and_demolition_and_needs_a_reason(
    project, people, add_household
):
    add_household(project, status=HouseholdStatus.WILLING)
    with pytest.raises(RetrofitError) as exc:
        services.project_skip_stage(
            project=project, actor=people.engineer_a, expected_version=None, reason="不需要"
        )
    assert exc.value.code == "illegal_transition"  # the survey is never skipped
    p = advance_to(project, Stage.ROAD_PERMIT, people.engineer_a)
    with pytest.raises(RetrofitError) as exc:
        services.project_skip_stage(
            project=p, actor=people.engineer_a, expected_version=None, reason="  "
        )
    assert exc.value.code == "reason_required"
    p = services.project_skip_stage(
        project=p, actor=people.engineer_a, expected_version=None, reason="无市政道路开挖"
    )
    assert p.stage == Stage.DEMOLITION
    record = StageRecord.objects.get(project=p, stage=Stage.ROAD_PERMIT)
    assert record.skipped and record.actual_end is None and "无市政道路开挖" in record.note
    p = services.project_skip_stage(
        project=p, actor=people.engineer_a, expected_version=None, reason="无违建"
    )
    assert p.stage == Stage.CONSTRUCTION


def test_complete_needs_gas_on_stage_and_a_connected_household(
    project, people, add_household, at_stage
):
    with pytest.raises(RetrofitError) as exc:
        services.project_complete(project=project, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "illegal_transition"
    p = at_stage(project, Stage.CONSTRUCTION)
    h = project.households.get(status=HouseholdStatus.WILLING)
    services.household_install(household=h, actor=people.engineer_a, expected_version=None)
    p = advance_to(p, Stage.GAS_ON, people.engineer_a)
    with pytest.raises(RetrofitError) as exc:
        services.project_complete(project=p, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "none_connected"
    services.household_connect(household=h, actor=people.engineer_a, expected_version=None)
    p = services.project_complete(project=p, actor=people.engineer_a, expected_version=None)
    assert p.status == ProjectStatus.COMPLETED and p.completed_at is not None
    assert StageRecord.objects.get(project=p, stage=Stage.GAS_ON).actual_end is not None
    with pytest.raises(RetrofitError):
        services.project_advance(project=p, actor=people.engineer_a, expected_version=None)


def test_advance_from_gas_on_is_not_a_transition(project, at_stage, people):
    p = at_stage(project, Stage.GAS_ON)
    with pytest.raises(RetrofitError) as exc:
        services.project_advance(project=p, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "illegal_transition"


def test_suspend_resume_cancel(project, people):
    with pytest.raises(RetrofitError) as exc:
        services.project_suspend(
            project=project, actor=people.engineer_a, expected_version=None, reason=""
        )
    assert exc.value.code == "reason_required"
    p = services.project_suspend(
        project=project, actor=people.engineer_a, expected_version=None, reason="冬季停工"
    )
    assert p.status == ProjectStatus.SUSPENDED
    # while suspended, the stage does not move and it cannot be suspended again
    for fn, kwargs in (
        (services.project_advance, {}),
        (services.project_suspend, {"reason": "again"}),
    ):
        with pytest.raises(RetrofitError) as exc:
            fn(project=p, actor=people.engineer_a, expected_version=None, **kwargs)
        assert exc.value.code == "illegal_transition"
    p = services.project_resume(project=p, actor=people.engineer_a, expected_version=None)
    assert p.status == ProjectStatus.ACTIVE
    with pytest.raises(RetrofitError):
        services.project_resume(project=p, actor=people.engineer_a, expected_version=None)
    p = services.project_cancel(
        project=p, actor=people.engineer_a, expected_version=None, reason="居民意愿不足"
    )
    assert p.status == ProjectStatus.CANCELLED
    for fn in (services.project_resume, services.project_advance):
        with pytest.raises(RetrofitError):
            fn(project=p, actor=people.engineer_a, expected_version=None)
    event = ProjectEvent.objects.filter(project=p).order_by("-at", "-id").first()
    assert event.action == ProjectAction.CANCEL and event.reason == "居民意愿不足"
    assert (event.from_status, event.to_status) == (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED)


def test_a_stale_version_loses(project, people):
    # given two people who loaded the same page (version 1)
    stale = project.version
    services.project_advance(project=project, actor=people.engineer_a, expected_version=stale)
    # when the second submits from the stale page
    with pytest.raises(ConflictError) as exc:
        services.project_suspend(
            project=project, actor=people.engineer_a, expected_version=stale, reason="x"
        )
    # then it is refused and nothing changed
    assert exc.value.code == "conflict"
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACTIVE


def test_dates_cannot_be_in_the_future_or_before_the_stage_started(project, people):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(RetrofitError) as exc:
        services.project_advance(
            project=project, actor=people.engineer_a, expected_version=None, on_date=tomorrow
        )
    assert exc.value.code == "date_in_future"
    with pytest.raises(RetrofitError) as exc:
        services.project_advance(
            project=project,
            actor=people.engineer_a,
            expected_version=None,
            on_date=timezone.localdate() - timedelta(days=1),
        )
    assert exc.value.code == "date_before_start"


def test_transitions_check_role_and_scope(project, people, engineer_b):
    for actor in (people.leader, people.am_a, engineer_b):
        with pytest.raises(PermissionDenied):
            services.project_advance(project=project, actor=actor, expected_version=None)
    assert Project.objects.get(pk=project.pk).stage == Stage.SURVEY


def test_allowed_actions_follow_the_table(project, people):
    assert set(services.allowed_actions(project)) == {
        ProjectAction.ADVANCE,
        ProjectAction.SUSPEND,
        ProjectAction.CANCEL,
    }
    p = services.project_suspend(
        project=project, actor=people.engineer_a, expected_version=None, reason="x"
    )
    assert set(services.allowed_actions(p)) == {ProjectAction.RESUME, ProjectAction.CANCEL}


def test_update_audits_changes_and_checks_version(project, people):
    p = services.project_update(
        project=project, actor=people.engineer_a, expected_version=1, households_total=55
    )
    assert p.households_total == 55 and p.version == 2
    rec = AuditRecord.objects.filter(action=AuditAction.UPDATE, object_id=str(p.pk)).first()
    assert rec.changes["households_total"] == [40, 55]
    with pytest.raises(ConflictError):
        services.project_update(
            project=project, actor=people.engineer_a, expected_version=1, name="x"
        )


def test_stage_plan_refuses_end_before_start(project, people):
    record = project.stages.get(stage=Stage.CONSTRUCTION)
    today = timezone.localdate()
    with pytest.raises(RetrofitError) as exc:
        services.stage_update(
            record=record,
            actor=people.engineer_a,
            expected_version=record.version,
            planned_start=today,
            planned_end=today - timedelta(days=1),
        )
    assert exc.value.code == "planned_dates"
    r = services.stage_update(
        record=record,
        actor=people.engineer_a,
        expected_version=record.version,
        planned_start=today,
        planned_end=today + timedelta(days=30),
        responsible_body=Body.CONTRACTOR,
        responsible_name="某工程公司",
    )
    assert r.responsible_body == Body.CONTRACTOR and r.version == 2
