"""The monthly briefing: each figure equals the one computed directly from the rows (applications
and the working-day calendar, survey answers, callbacks, complaints, inspections, the plan)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from tongqi.accounts.choices import Role
from tongqi.accounts.scoping import visible_unit_ids
from tongqi.applications.choices import Category, Status
from tongqi.applications.models import Application
from tongqi.core.workdays import DAY, accrual_origin
from tongqi.service import services as svc
from tongqi.service.briefing import briefing_figures
from tongqi.service.choices import (
    OPEN_COMPLAINT_STATUSES,
    CallbackStatus,
    Feedback,
    InspectionForm,
    InspectionLevel,
    RectificationStatus,
    Severity,
    Source,
    TaskStatus,
)
from tongqi.service.models import (
    Callback,
    Complaint,
    Finding,
    Inspection,
    PlanOccurrence,
    PlanTask,
    Rectification,
    SurveyResponse,
)
from tongqi.service.seed import seed_plan
from tongqi.sla.calendar import current_calendar

from .conftest import gas_on, sh

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)
START, END = sh(2026, 10, 1, 0), sh(2026, 11, 1, 0)
TODAY = date(2026, 11, 27)
TWO = Decimal("0.01")


@pytest.fixture
def october(org, people, make_user, make_complaint, escalation):
    """A month of activity in two subsidiaries, with rows just outside the month."""
    eng_b = make_user(Role.ENGINEER, org.sub_b)
    apps = {
        "a1": gas_on(
            org, people, n=1, accepted_at=sh(2026, 10, 12, 10), gas_on_at=sh(2026, 10, 14, 15)
        ),
        "a2": gas_on(
            org, people, n=2, accepted_at=sh(2026, 10, 19, 10), gas_on_at=sh(2026, 10, 27, 11)
        ),
        "a3": gas_on(
            org,
            people,
            n=3,
            category=Category.NO_EXTERNAL_WORKS,
            accepted_at=sh(2026, 10, 9, 9),
            gas_on_at=sh(2026, 10, 20, 10),
        ),
        "a4": gas_on(org, people, n=4, accepted_at=sh(2026, 10, 28, 10), stop_before=True),
        "a5": gas_on(
            org, people, n=5, accepted_at=sh(2026, 9, 21, 10), gas_on_at=sh(2026, 9, 24, 10)
        ),
        "b1": gas_on(
            org,
            people,
            n=6,
            accepted_at=sh(2026, 10, 13, 10),
            gas_on_at=sh(2026, 10, 15, 9),
            district=org.district_b,
            am=people.am_b,
            engineer=eng_b,
        ),
    }
    for a in apps.values():
        a.refresh_from_db()
        Application.objects.filter(pk=a.pk).update(submitted_at=a.accepted_at - timedelta(hours=2))
    # surveys and callbacks
    for key, when, overall in (
        ("a1", sh(2026, 10, 16), 5),
        ("a2", sh(2026, 10, 29), 3),
        ("a3", sh(2026, 11, 2), 4),
        ("b1", sh(2026, 10, 20), 4),
    ):
        app = Application.objects.get(pk=apps[key].pk)
        svc.callback_create_after_gas_on(application_id=app.pk)
        survey = svc.survey_ensure(application=app)
        svc.survey_answer(
            survey=survey,
            scores={
                "overall": overall,
                "speed": overall,
                "attitude": 5,
                "professional": 4,
                "transparency": 5,
                "convenience": overall - 1,
            },
            now=when,
        )
    cb1 = Callback.objects.get(application=apps["a1"])
    svc.callback_record(
        callback=cb1, actor=people.service, reached=True, summary="满意", now=sh(2026, 10, 17)
    )
    cb2 = Callback.objects.get(application=apps["a2"])
    for d in (28, 29, 30):
        svc.callback_record(callback=cb2, actor=people.service, reached=False, now=sh(2026, 10, d))
    # complaints (arrival in Shanghai: 23:00 UTC on 30 Sep is 07:00 on 1 Oct)
    c_first = make_complaint(
        datetime(2026, 9, 30, 23, 0, tzinfo=UTC), source=Source.HOTLINE_12345, ticket="T1"
    )
    c_same = make_complaint(sh(2026, 10, 12, 10), source=Source.HOTLINE_12319, ticket="T2")
    c_late = make_complaint(sh(2026, 10, 13, 10), source=Source.WECHAT, ticket="T3")
    make_complaint(sh(2026, 10, 14, 10))  # still open
    c_b = make_complaint(sh(2026, 10, 15, 10), assignee=people.am_b)
    make_complaint(sh(2026, 11, 2, 10))  # November
    make_complaint(sh(2026, 9, 29, 10))  # September
    for c, when in (
        (c_first, sh(2026, 10, 8, 16)),
        (c_same, sh(2026, 10, 12, 16)),
        (c_late, sh(2026, 10, 14, 16)),
        (c_b, sh(2026, 10, 15, 17)),
    ):
        who = people.am_b if c is c_b else people.am_a
        svc.complaint_answer(complaint=c, actor=who, reply="答复", now=when)
        svc.complaint_close(
            complaint=c, actor=people.service, feedback=Feedback.SATISFIED, now=when
        )
    # inspections
    insp = svc.inspection_create(
        actor=people.service,
        level=InspectionLevel.COMPANY,
        form=InspectionForm.VIDEO,
        title="视频检查",
        target_unit=org.sub_a,
        inspected_on=date(2026, 10, 10),
        inspectors="甲",
    )
    f1 = svc.finding_add(
        actor=people.service, inspection=insp, description="问题一", severity=Severity.MINOR
    )
    f2 = svc.finding_add(
        actor=people.service, inspection=insp, description="问题二", severity=Severity.MAJOR
    )
    svc.rectification_add(
        actor=people.service,
        finding=f1,
        task="整改一",
        owner=people.counter_a,
        due_date=date(2026, 10, 20),
    )
    r2 = svc.rectification_add(
        actor=people.service,
        finding=f2,
        task="整改二",
        owner=people.counter_a,
        due_date=date(2026, 12, 20),
    )
    svc.rectification_submit(actor=people.counter_a, rectification=r2, note="已改")
    svc.rectification_verify(actor=people.service, rectification=r2, passed=True)
    insp_b = svc.inspection_create(
        actor=people.service,
        level=InspectionLevel.GROUP,
        form=InspectionForm.MYSTERY,
        title="暗访",
        target_unit=org.sub_b,
        inspected_on=date(2026, 10, 20),
        inspectors="乙",
    )
    svc.finding_add(
        actor=people.service, inspection=insp_b, description="问题三", severity=Severity.MINOR
    )
    svc.inspection_create(
        actor=people.service,
        level=InspectionLevel.TEAM,
        form=InspectionForm.ROUTINE,
        title="九月",
        target_unit=org.sub_a,
        inspected_on=date(2026, 9, 30),
        inspectors="丙",
    )
    # the plan
    plan = seed_plan(org.company)
    svc.plan_progress_add(
        actor=people.service, task=plan.tasks.get(seq=2), text="已召开", status=TaskStatus.DONE
    )
    svc.plan_progress_add(
        actor=people.service,
        task=plan.tasks.get(seq=20),
        text="试运行",
        status=TaskStatus.IN_PROGRESS,
    )
    for m in (date(2026, 10, 1), date(2026, 11, 1)):
        svc.plan_monthly_occurrences(month=m)
    occ = PlanOccurrence.objects.filter(period="2026-10").first()
    svc.plan_progress_add(
        actor=people.service, task=occ.task, occurrence=occ, text="十月完成", status=TaskStatus.DONE
    )
    return apps


def q2(x) -> Decimal | None:
    return None if x is None else Decimal(x).quantize(TWO, rounding=ROUND_HALF_UP)


def pct(a, b):
    return (
        None if not b else (Decimal(a) * 100 / b).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    )


def expected(unit_ids=None):
    """Every figure by walking the rows, with the calendar instead of the clocks."""
    cal = current_calendar()

    def mine(unit_id):
        return unit_ids is None or unit_id in unit_ids

    apps = [a for a in Application.objects.exclude(status=Status.DRAFT) if mine(a.org_unit_id)]
    in_month = lambda t: t is not None and START <= t < END  # noqa: E731
    gas = [a for a in apps if a.status == Status.GAS_ON and in_month(a.gas_on_at)]
    days = {
        a.pk: Decimal(cal.working_seconds(accrual_origin(a.accepted_at), a.gas_on_at)) / DAY
        for a in gas
    }
    on_time = {a.pk: a.gas_on_at <= cal.due(a.accepted_at, a.limit_days) for a in gas}
    by_cat = {}
    for cat in Category:
        rows = [a for a in gas if a.category == cat]
        by_cat[cat.value] = (
            len(rows),
            q2(sum(days[a.pk] for a in rows) / len(rows)) if rows else None,
            sum(on_time[a.pk] for a in rows),
        )
    answers = [
        r
        for r in SurveyResponse.objects.select_related("survey")
        if in_month(r.answered_at) and mine(r.survey.org_unit_id)
    ]
    callbacks = [c for c in Callback.objects.all() if mine(c.org_unit_id)]
    complaints = [
        c
        for c in Complaint.objects.all()
        if OCT <= c.arrival_date < date(2026, 11, 1) and mine(c.org_unit_id)
    ]
    inspections = [
        i
        for i in Inspection.objects.all()
        if OCT <= i.inspected_on < date(2026, 11, 1) and mine(i.target_unit_id)
    ]
    rects = [
        r
        for r in Rectification.objects.select_related("finding__inspection")
        if mine(r.finding.inspection.target_unit_id)
    ]
    tasks = list(PlanTask.objects.all())
    occs = list(PlanOccurrence.objects.all())
    return {
        "submitted": sum(in_month(a.submitted_at) for a in apps),
        "submitted_online": sum(in_month(a.submitted_at) and a.channel != "counter" for a in apps),
        "accepted": sum(in_month(a.accepted_at) for a in apps),
        "gas_on": len(gas),
        "average_days": q2(sum(days.values()) / len(days)) if days else None,
        "on_time": sum(on_time.values()),
        "by_category": by_cat,
        "answers": len(answers),
        "satisfaction": q2(Decimal(sum(r.overall for r in answers)) / len(answers))
        if answers
        else None,
        "speed": q2(Decimal(sum(r.speed for r in answers)) / len(answers)) if answers else None,
        "callbacks_done": sum(
            c.status == CallbackStatus.DONE and in_month(c.completed_at) for c in callbacks
        ),
        "callbacks_unreachable": sum(
            c.status == CallbackStatus.UNREACHABLE and in_month(c.completed_at) for c in callbacks
        ),
        "callbacks_open": sum(c.status == CallbackStatus.OPEN for c in callbacks),
        "arrived": len(complaints),
        "same_day": sum(c.closed_on is not None and c.closed_on <= c.due_date for c in complaints),
        "complaints_open": sum(c.status in OPEN_COMPLAINT_STATUSES for c in complaints),
        "inspections": len(inspections),
        "findings": sum(Finding.objects.filter(inspection=i).count() for i in inspections),
        "rect_open": sum(r.status != RectificationStatus.VERIFIED for r in rects),
        "rect_overdue": sum(
            r.status == RectificationStatus.OPEN and r.due_date < TODAY for r in rects
        ),
        "plan_tasks": len(tasks),
        "plan_done": sum(t.status == TaskStatus.DONE for t in tasks),
        "plan_in_progress": sum(t.status == TaskStatus.IN_PROGRESS for t in tasks),
        "plan_due_in_month": sum(OCT <= o.due_date < date(2026, 11, 1) for o in occs),
        "plan_done_in_month": sum(
            OCT <= o.due_date < date(2026, 11, 1) and o.status == TaskStatus.DONE for o in occs
        ),
        "plan_overdue": sum(o.status != TaskStatus.DONE and o.due_date < TODAY for o in occs),
    }


def _compare(b, e):
    assert (b.submitted, b.submitted_online, b.accepted, b.gas_on) == (
        e["submitted"],
        e["submitted_online"],
        e["accepted"],
        e["gas_on"],
    )
    assert b.average_days == e["average_days"] and b.on_time == e["on_time"]
    assert {c.category: (c.gas_on, c.average_days, c.on_time) for c in b.by_category} == e[
        "by_category"
    ]
    assert (b.answers, b.satisfaction, b.aspects["speed"]) == (
        e["answers"],
        e["satisfaction"],
        e["speed"],
    )
    assert (b.callbacks_done, b.callbacks_unreachable, b.callbacks_open) == (
        e["callbacks_done"],
        e["callbacks_unreachable"],
        e["callbacks_open"],
    )
    assert (b.complaints.arrived, b.complaints.same_day, b.complaints_open) == (
        e["arrived"],
        e["same_day"],
        e["complaints_open"],
    )
    assert b.complaints.rate == pct(e["same_day"], e["arrived"])
    assert (b.inspections, b.findings, b.rectifications_open, b.rectifications_overdue) == (
        e["inspections"],
        e["findings"],
        e["rect_open"],
        e["rect_overdue"],
    )
    assert (b.plan_tasks, b.plan_done, b.plan_in_progress) == (
        e["plan_tasks"],
        e["plan_done"],
        e["plan_in_progress"],
    )
    assert (b.plan_due_in_month, b.plan_done_in_month, b.plan_overdue) == (
        e["plan_due_in_month"],
        e["plan_done_in_month"],
        e["plan_overdue"],
    )


def test_company_figures_equal_the_direct_computation(october):
    b = briefing_figures(OCT, today=TODAY)
    e = expected()
    _compare(b, e)
    # and the data really exercises each figure
    assert (b.gas_on, b.accepted, b.answers, b.complaints.arrived, b.complaints.same_day) == (
        4,
        5,
        3,
        5,
        3,
    )
    assert b.on_time == 3 and b.satisfaction == Decimal("4.00")
    assert (b.inspections, b.findings, b.rectifications_overdue) == (2, 3, 1)


def test_a_subsidiary_leader_sees_the_figures_of_the_subsidiary(october, people):
    ids = visible_unit_ids(people.leader_a)
    b = briefing_figures(OCT, unit_ids=ids, today=TODAY)
    _compare(b, expected(ids))
    assert b.gas_on == 3 and b.complaints.arrived == 4


def test_the_page_and_the_pdf_show_the_same_figures(october, people):
    b = briefing_figures(OCT, today=TODAY)
    client = Client()
    client.force_login(people.service)
    html = client.get("/service/briefing/?month=2026-10").content.decode()
    assert f'id="fig-gas-on">{b.gas_on}<' in html and f'id="fig-submitted">{b.submitted}<' in html
    assert f"{b.complaints.rate}%" in html and f"{b.satisfaction} / 5" in html
    resp = client.get("/service/briefing/2026-10.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "2026年10月" in text
    assert f"当日办结率 {b.complaints.rate}%" in text
    assert f"总体满意度 {b.satisfaction} / 5" in text
    assert f"{b.gas_on} 件，按时 {b.on_time} 件" in text
    assert client.get("/service/briefing/2026-13.pdf").status_code == 404
