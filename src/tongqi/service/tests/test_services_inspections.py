"""Inspections: findings, rectifications with owners and due dates, verification, overdue
detection, reminders and accountability."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tongqi.integration.models import Notification
from tongqi.service import services as svc
from tongqi.service.choices import (
    InspectionForm,
    InspectionLevel,
    InspectionStatus,
    Measure,
    RectificationStatus,
    Severity,
)
from tongqi.service.models import Rectification
from tongqi.service.selectors import overdue_rectifications

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture
def inspection(org, people):
    return svc.inspection_create(
        actor=people.service,
        level=InspectionLevel.COMPANY,
        form=InspectionForm.UNANNOUNCED,
        title="营业厅四不两直检查",
        target_unit=org.sub_a,
        inspected_on=date(2026, 11, 1),
        inspectors="检查组",
    )


@pytest.fixture
def finding(inspection, people):
    return svc.finding_add(
        actor=people.service,
        inspection=inspection,
        description="窗口人员未佩戴工牌",
        severity=Severity.MINOR,
    )


def _rect(finding, people, due, owner=None):
    return svc.rectification_add(
        actor=people.service,
        finding=finding,
        task="整改",
        owner=owner or people.counter_a,
        due_date=due,
    )


def test_overdue_detection(finding, people):
    # given rectifications due yesterday, today and tomorrow, one reported done late, one verified
    yesterday = _rect(finding, people, TODAY - timedelta(days=1))
    due_today = _rect(finding, people, TODAY)
    _rect(finding, people, TODAY + timedelta(days=1))
    reported = _rect(finding, people, TODAY - timedelta(days=5))
    svc.rectification_submit(actor=people.counter_a, rectification=reported, note="已培训")
    sent_back = _rect(finding, people, TODAY - timedelta(days=3))
    svc.rectification_submit(actor=people.counter_a, rectification=sent_back, note="已整改")
    svc.rectification_verify(
        actor=people.service, rectification=sent_back, passed=False, note="仍未佩戴"
    )
    verified = _rect(finding, people, TODAY - timedelta(days=4))
    svc.rectification_submit(actor=people.counter_a, rectification=verified, note="已整改")
    svc.rectification_verify(actor=people.service, rectification=verified, passed=True)
    # then overdue = still open (or sent back) after the end of its due date
    overdue = set(
        overdue_rectifications(Rectification.objects.all(), TODAY).values_list("pk", flat=True)
    )
    assert overdue == {yesterday.pk, sent_back.pk}
    assert {r.pk for r in Rectification.objects.all() if r.is_overdue(TODAY)} == overdue
    assert not due_today.is_overdue(TODAY) and due_today.is_overdue(TODAY + timedelta(days=1))
    sent_back.refresh_from_db()
    assert sent_back.rejections == 1 and sent_back.completed_at is None


def test_reminders_before_and_after_the_due_date_each_once(escalation, finding, people):
    soon = _rect(finding, people, TODAY + timedelta(days=2))
    late = _rect(finding, people, TODAY - timedelta(days=1))
    Notification.objects.all().delete()
    assert svc.rectification_reminders(today=TODAY) == 2
    assert (
        Notification.objects.filter(
            user=people.counter_a, topic="service.rectification.due_soon"
        ).count()
        == 1
    )
    told_late = set(
        Notification.objects.filter(topic="service.rectification.overdue").values_list(
            "user__username", flat=True
        )
    )
    # the owner, the nearest escalation contact of the owner's unit, the inspection's recorder
    assert told_late == {
        people.counter_a.username,
        people.leader_a.username,
        people.service.username,
    }
    assert svc.rectification_reminders(today=TODAY) == 0
    soon.refresh_from_db()
    late.refresh_from_db()
    assert soon.reminded_soon and late.reminded_overdue


def test_only_the_owner_or_service_management_reports_done(finding, people):
    r = _rect(finding, people, TODAY)
    with pytest.raises(svc.Forbidden):
        svc.rectification_submit(actor=people.am_a, rectification=r, note="x")
    with pytest.raises(svc.InvalidInput):
        svc.rectification_submit(actor=people.counter_a, rectification=r, note=" ")
    svc.rectification_submit(actor=people.counter_a, rectification=r, note="done")
    with pytest.raises(svc.Forbidden):  # the owner cannot verify his own work
        svc.rectification_verify(actor=people.counter_a, rectification=r, passed=True)
    with pytest.raises(svc.InvalidInput):  # sending back needs a reason
        svc.rectification_verify(actor=people.service, rectification=r, passed=False)
    with pytest.raises(svc.Conflict):
        svc.rectification_verify(
            actor=people.service, rectification=r, passed=True, expected_version=1
        )
    svc.rectification_verify(actor=people.service, rectification=r, passed=True)
    assert r.status == RectificationStatus.VERIFIED and r.verified_by == people.service


def test_an_inspection_closes_only_when_everything_is_verified(inspection, finding, people):
    r = _rect(finding, people, TODAY)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.inspection_close(actor=people.service, inspection=inspection)
    assert exc.value.code == "rectifications_pending"
    svc.rectification_submit(actor=people.counter_a, rectification=r, note="done")
    svc.rectification_verify(actor=people.service, rectification=r, passed=True)
    svc.inspection_close(actor=people.service, inspection=inspection)
    assert inspection.status == InspectionStatus.CLOSED
    with pytest.raises(svc.IllegalTransition):
        svc.finding_add(
            actor=people.service, inspection=inspection, description="x", severity=Severity.MINOR
        )


def test_bad_input_is_reported_by_field(org, people, finding):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.inspection_create(
            actor=people.service,
            level="planet",
            form="",
            title="",
            target_unit=None,
            inspected_on=date(2999, 1, 1),
            inspectors="",
        )
    assert {"level", "form", "title", "target_unit", "inspected_on", "inspectors"} <= set(
        exc.value.fields
    )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.rectification_add(
            actor=people.service,
            finding=finding,
            task="",
            owner=people.customer,
            due_date=date(2026, 10, 1),
        )
    assert {"task", "owner", "due_date"} <= set(exc.value.fields)
    with pytest.raises(svc.Forbidden):
        svc.inspection_create(
            actor=people.am_a,
            level="team",
            form="video",
            title="t",
            target_unit=org.sub_a,
            inspected_on=TODAY,
            inspectors="x",
        )


def test_accountability_is_recorded_with_its_basis(inspection, finding, org, people):
    a = svc.accountability_add(
        actor=people.service,
        inspection=inspection,
        finding=finding,
        unit=org.sub_a,
        person=people.counter_a,
        measure=Measure.NOTICE,
        basis="《服务管理办法》第十条",
        decided_on=TODAY,
    )
    assert a.decided_by == people.service and a.get_measure_display()
    with pytest.raises(svc.InvalidInput) as exc:
        svc.accountability_add(
            actor=people.service,
            inspection=inspection,
            unit=None,
            measure="jail",
            basis="",
            decided_on=None,
        )
    assert {"unit", "measure", "basis", "decided_on"} <= set(exc.value.fields)
