"""Projects: registration and its checks, edits, every stage change (happy path, illegal
sources, guards, version conflicts), the event and audit rows, the 零审批 permits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tongqi.audit.models import AuditRecord
from tongqi.integration.models import Notification
from tongqi.works import services as svc
from tongqi.works.choices import ApprovalKind, ProjectStatus
from tongqi.works.models import Project, ProjectEvent

from .helpers import external_application, make_project, project_input

pytestmark = pytest.mark.django_db
S = ProjectStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_create_numbers_the_project_and_records_event_and_audit(org, people):
    p = make_project(org, people.engineer_a)
    assert p.number == f"QY{timezone.localdate().year}-{p.pk:05d}"
    assert p.status == S.PLANNED and p.version == 1
    assert p.geometry_wkt.startswith("LINESTRING") and p.min_lat < p.max_lat
    assert p.investment == Decimal("250000.00")
    ev = ProjectEvent.objects.get(project=p)
    assert ev.action == "created" and ev.actor == people.engineer_a
    audit = AuditRecord.objects.filter(object_type="works.project", object_id=str(p.pk)).get()
    assert audit.action == "create" and "investment" in audit.changes


def test_zero_approval_limit_adds_the_permits_above_300000(org, people):
    small = make_project(org, people.engineer_a, investment=Decimal("300000"))
    assert not small.approvals.exists()
    big = make_project(org, people.engineer_a, investment=Decimal("300000.01"))
    kinds = set(big.approvals.values_list("kind", flat=True))
    assert kinds == {ApprovalKind.QUALITY_SUPERVISION, ApprovalKind.CONSTRUCTION_PERMIT}


def test_approvals_needed_are_listed_at_registration(org, people):
    p = make_project(org, people.engineer_a, approvals_needed=["road_excavation", "planning"])
    assert set(p.approvals.values_list("kind", flat=True)) == {"road_excavation", "planning"}
    assert all(a.state == "not_applied" for a in p.approvals.all())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"location": "30.5, 114.4"}, "location"),
        ({"location_desc": ""}, "location_desc"),
        ({"reason_kind": "because"}, "reason_kind"),
        ({"investment": "-1"}, "investment"),
        ({"investment": "abc"}, "investment"),
        ({"forecast_load": "1e20"}, "forecast_load"),
        ({"expected_gas_on": timezone.localdate() - timedelta(days=30)}, "expected_gas_on"),
        ({"approvals_needed": ["teleport"]}, "approvals_needed"),
    ],
)
def test_bad_input_is_reported_on_its_field_and_nothing_is_saved(org, people, changes, field):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_create(actor=people.engineer_a, data=project_input(org, **changes))
    assert field in exc.value.fields
    assert not Project.objects.exists()


def test_grid_must_belong_to_the_subsidiary(org, people):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_create(
            actor=people.engineer_a, data=project_input(org, unit=org.sub_a, grid=org.grid_b)
        )
    assert "grid" in exc.value.fields


def test_an_engineer_cannot_register_for_another_subsidiary(org, people):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_create(actor=people.engineer_a, data=project_input(org, unit=org.sub_b))
    assert "org_unit" in exc.value.fields


@pytest.mark.parametrize("who", ["am_a", "leader", "customer", "sysadmin"])
def test_only_engineering_staff_register_projects(org, people, who):
    with pytest.raises(svc.Forbidden):
        svc.project_create(actor=getattr(people, who), data=project_input(org))


def test_update_changes_data_bumps_version_and_audits_the_difference(org, people):
    p = make_project(org, people.engineer_a)
    svc.project_update(
        project=p,
        actor=people.engineer_a,
        data=project_input(org, name="光谷大道延伸二期", investment=Decimal("500000")),
        expected_version=1,
    )
    p.refresh_from_db()
    assert p.name == "光谷大道延伸二期" and p.version == 2
    # the raised investment now needs the permits
    assert p.approvals.filter(kind=ApprovalKind.CONSTRUCTION_PERMIT).exists()
    audit = AuditRecord.objects.filter(object_type="works.project", action="update").last()
    assert set(audit.changes) >= {"name", "investment"}


def test_update_with_a_stale_version_is_a_conflict(org, people):
    p = make_project(org, people.engineer_a)
    svc.project_update(
        project=p, actor=people.engineer_a, data=project_input(org), expected_version=1
    )
    with pytest.raises(svc.Conflict):
        svc.project_update(
            project=p, actor=people.engineer_a, data=project_input(org), expected_version=1
        )


def test_the_whole_life_of_a_project(org, people, run_outbox):
    eng = people.engineer_a
    today = timezone.localdate()
    p = make_project(org, eng, approvals_needed=["road_excavation"])
    app = external_application(org, people)
    svc.project_link_application(project=p, application=app, actor=eng)
    svc.project_transition(project=p, action="submit_approvals", actor=eng)
    assert p.status == S.APPROVALS
    svc.approval_save(
        project=p,
        actor=eng,
        kind="road_excavation",
        applied_on=today - timedelta(days=5),
        granted_on=today - timedelta(days=1),
        reference="洪城管挖字〔2026〕001号",
    )
    svc.project_transition(
        project=p, action="start_construction", actor=eng, on=today - timedelta(days=1)
    )
    assert p.status == S.CONSTRUCTION and p.actual_start == today - timedelta(days=1)
    svc.project_transition(project=p, action="gas_available", actor=eng, on=today)
    assert p.status == S.GAS_AVAILABLE and p.actual_gas_on == today
    # the account manager of the open linked application is told that gas is available
    assert Notification.objects.filter(user=people.am_a, topic="works.gas_available").exists()
    svc.project_transition(project=p, action="close", actor=eng)
    assert p.status == S.CLOSED and p.closed_at is not None
    actions = list(ProjectEvent.objects.filter(project=p).values_list("action", flat=True))
    for a in ("submit_approvals", "start_construction", "gas_available", "close", "approval"):
        assert a in actions
    transitions = AuditRecord.objects.filter(object_type="works.project", action="transition")
    assert transitions.count() == 4


@pytest.mark.parametrize(
    ("action", "bad"),
    [
        ("submit_approvals", [S.APPROVALS, S.CONSTRUCTION, S.GAS_AVAILABLE]),
        ("start_construction", [S.CONSTRUCTION, S.GAS_AVAILABLE]),
        ("gas_available", [S.PLANNED, S.APPROVALS, S.GAS_AVAILABLE]),
        ("close", [S.PLANNED, S.APPROVALS, S.CONSTRUCTION]),
        ("cancel", [S.GAS_AVAILABLE]),
    ],
)
def test_illegal_sources_are_refused(org, people, action, bad):
    for status in bad:
        p = make_project(org, people.engineer_a)
        Project.objects.filter(pk=p.pk).update(status=status)
        p.refresh_from_db()
        with pytest.raises(svc.IllegalTransition):
            svc.project_transition(project=p, action=action, actor=people.engineer_a, reason="x")
        p.refresh_from_db()
        assert p.status == status and p.version == 1


def test_works_cannot_start_before_every_approval_is_granted(org, people):
    eng = people.engineer_a
    p = make_project(org, eng, approvals_needed=["road_excavation"])
    svc.approval_save(project=p, actor=eng, kind="road_excavation", applied_on=timezone.localdate())
    with pytest.raises(svc.IllegalTransition) as exc:
        svc.project_transition(project=p, action="start_construction", actor=eng)
    assert "Road excavation permit" in str(exc.value.message)


def test_works_above_300000_need_the_construction_permit_granted(org, people):
    eng = people.engineer_a
    p = make_project(org, eng, investment=Decimal("800000"))
    with pytest.raises(svc.IllegalTransition) as exc:
        svc.project_transition(project=p, action="start_construction", actor=eng)
    assert "Construction permit" in str(exc.value.message)
    assert svc.missing_approvals(p) == [
        "Construction quality supervision registration",
        "Construction permit",
    ]


def test_submit_approvals_needs_an_approval_listed(org, people):
    p = make_project(org, people.engineer_a)
    with pytest.raises(svc.IllegalTransition):
        svc.project_transition(project=p, action="submit_approvals", actor=people.engineer_a)


def test_dates_of_stage_changes_cannot_be_in_the_future(org, people):
    p = make_project(org, people.engineer_a)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.project_transition(
            project=p,
            action="start_construction",
            actor=people.engineer_a,
            on=timezone.localdate() + timedelta(days=1),
        )
    assert "on" in exc.value.fields


def test_cancel_needs_a_reason(org, people):
    p = make_project(org, people.engineer_a)
    with pytest.raises(svc.InvalidInput):
        svc.project_transition(project=p, action="cancel", actor=people.engineer_a, reason=" ")
    svc.project_transition(project=p, action="cancel", actor=people.engineer_a, reason="规划调整")
    assert p.status == S.CANCELLED
    assert ProjectEvent.objects.get(project=p, action="cancel").note == "规划调整"


def test_two_engineers_from_the_same_page_cannot_both_win(org, people, make_user):
    p = make_project(org, people.engineer_a)
    other = make_user("engineer", org.sub_a)
    svc.project_transition(
        project=p, action="cancel", actor=people.engineer_a, reason="a", expected_version=1
    )
    with pytest.raises(svc.Conflict):
        svc.project_transition(
            project=p, action="cancel", actor=other, reason="b", expected_version=1
        )


def test_another_subsidiarys_engineer_may_not_act(org, people, make_user):
    p = make_project(org, people.engineer_a)
    eng_b = make_user("engineer", org.sub_b)
    with pytest.raises(svc.Forbidden):
        svc.project_transition(project=p, action="cancel", actor=eng_b, reason="x")
    with pytest.raises(svc.Forbidden):
        svc.project_note(project=p, actor=eng_b, text="x")


def test_progress_notes(org, people):
    p = make_project(org, people.engineer_a)
    with pytest.raises(svc.InvalidInput):
        svc.project_note(project=p, actor=people.engineer_a, text="")
    with pytest.raises(svc.InvalidInput):
        svc.project_note(project=p, actor=people.engineer_a, text="x" * 2001)
    svc.project_note(project=p, actor=people.engineer_a, text="管沟开挖完成70%")
    assert ProjectEvent.objects.filter(project=p, action="note").get().note == "管沟开挖完成70%"


def test_late_is_active_and_past_the_expected_gas_on(org, people):
    today = timezone.localdate()
    p = make_project(
        org,
        people.engineer_a,
        planned_start=today - timedelta(days=60),
        expected_gas_on=today - timedelta(days=1),
    )
    assert p.is_late(today)
    assert not p.is_late(today - timedelta(days=1))
    svc.project_transition(project=p, action="cancel", actor=people.engineer_a, reason="x")
    assert not p.is_late(today)
