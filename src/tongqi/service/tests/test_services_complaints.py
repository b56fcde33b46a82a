"""日清日结: the due day of a complaint (calendar-aware, Asia/Shanghai, the cut-off), the
end-of-day check that escalates exactly what is still open, once a day, and the closure rate.

Dates are in the 2025 calendar: Tue 30 Sep works, 1–8 Oct are the National Day holidays,
Thu 9 and Fri 10 Oct work, Sat 11 Oct is a make-up working day, Sun 12 Oct is not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from tongqi.integration import outbox
from tongqi.integration.models import Notification
from tongqi.service import services as svc
from tongqi.service.choices import ComplaintStatus, Feedback, Source
from tongqi.service.models import Complaint, ComplaintEscalation, ComplaintEvent
from tongqi.service.selectors import closure_rate
from tongqi.service.services.complaints import due_date_for

from .conftest import sh

pytestmark = pytest.mark.django_db


# --- the due day -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (sh(2025, 9, 30, 10), date(2025, 9, 30)),  # a working day before the cut-off
        (sh(2025, 9, 30, 17, 29), date(2025, 9, 30)),
        (sh(2025, 9, 30, 17, 30), date(2025, 10, 9)),  # at the cut-off: next working day
        (sh(2025, 9, 30, 17, 45), date(2025, 10, 9)),  # after it, across the holidays
        (sh(2025, 10, 3, 10), date(2025, 10, 9)),  # on a public holiday
        (sh(2025, 10, 11, 10), date(2025, 10, 11)),  # a Saturday make-up working day
        (sh(2025, 10, 12, 10), date(2025, 10, 13)),  # an ordinary Sunday
        # the arrival date is Shanghai's: 23:30 UTC on Fri 10 Oct is 07:30 on Sat 11 Oct
        (datetime(2025, 10, 10, 23, 30, tzinfo=UTC), date(2025, 10, 11)),
        # 10:00 UTC on Thu 9 Oct is 18:00 in Shanghai: after the cut-off
        (datetime(2025, 10, 9, 10, 0, tzinfo=UTC), date(2025, 10, 10)),
    ],
)
def test_due_day_follows_the_working_day_calendar_in_shanghai(received, due):
    assert due_date_for(received) == due


def test_the_cut_off_is_a_setting(settings):
    settings.TONGQI_COMPLAINT_CUTOFF = "18:00"
    assert due_date_for(sh(2025, 9, 30, 17, 45)) == date(2025, 9, 30)


def test_registration_stores_arrival_and_due_day(org, people, make_complaint):
    c = make_complaint(datetime(2025, 10, 10, 23, 30, tzinfo=UTC))
    assert c.arrival_date == date(2025, 10, 11) and c.due_date == date(2025, 10, 11)
    assert c.number.startswith("SQ20251011")
    assert c.status == ComplaintStatus.ASSIGNED and c.org_unit == org.grid_a.unit


def test_end_of_day_job_runs_at_the_cut_off():
    from tongqi.service import tasks  # noqa: F401 - registers the job

    job = outbox.PERIODIC["service.complaints_end_of_day"]
    assert job.daily_at == time(17, 30)
    assert job.period_key(sh(2025, 10, 9, 17, 29)) is None
    assert job.period_key(sh(2025, 10, 9, 17, 30)) == "2025-10-09"


# --- the end-of-day check ----------------------------------------------------------------------


@pytest.fixture
def day_of_complaints(escalation, people, make_complaint):
    """The complaints around Thursday 9 October 2025, the first working day after the holidays."""
    c = {}
    c["today_open"] = make_complaint(sh(2025, 10, 9, 10))
    c["today_closed"] = make_complaint(sh(2025, 10, 9, 11))
    svc.complaint_answer(
        complaint=c["today_closed"], actor=people.am_a, reply="已处理", now=sh(2025, 10, 9, 15)
    )
    svc.complaint_close(
        complaint=c["today_closed"],
        actor=people.service,
        feedback=Feedback.SATISFIED,
        now=sh(2025, 10, 9, 16),
    )
    c["after_cutoff"] = make_complaint(sh(2025, 10, 9, 18))
    c["holiday"] = make_complaint(sh(2025, 10, 3, 10))  # due on the 9th
    c["late"] = make_complaint(sh(2025, 9, 30, 10))  # due on 30 Sep, one working day late
    c["answered_not_closed"] = make_complaint(sh(2025, 9, 30, 11))
    svc.complaint_answer(
        complaint=c["answered_not_closed"],
        actor=people.am_a,
        reply="已答复",
        now=sh(2025, 9, 30, 16),
    )
    # 20:00 UTC on 8 Oct is 04:00 on 9 Oct in Shanghai: arrives on the 9th
    c["utc_yesterday"] = make_complaint(datetime(2025, 10, 8, 20, 0, tzinfo=UTC))
    # 10:00 UTC on 9 Oct is 18:00 in Shanghai: after the cut-off, due on the 10th
    c["utc_today_after_cutoff"] = make_complaint(datetime(2025, 10, 9, 10, 0, tzinfo=UTC))
    c["other_unit"] = make_complaint(sh(2025, 10, 9, 9), assignee=people.am_b)
    return c


def test_end_of_day_escalates_exactly_the_complaints_still_open_that_day(day_of_complaints):
    c = day_of_complaints
    report = svc.complaints_end_of_day(day=date(2025, 10, 9), now=sh(2025, 10, 9, 17, 30))
    expected = {
        "today_open",
        "holiday",
        "late",
        "answered_not_closed",
        "utc_yesterday",
        "other_unit",
    }
    assert report.working_day
    assert set(report.escalated) == {c[k].pk for k in expected}
    rows = {e.complaint_id: e for e in ComplaintEscalation.objects.filter(day=date(2025, 10, 9))}
    assert set(rows) == {c[k].pk for k in expected}
    assert rows[c["late"].pk].days_late == 1 and rows[c["today_open"].pk].days_late == 0
    assert ComplaintEvent.objects.filter(action="escalate").count() == len(expected)


def test_escalation_goes_to_the_nearest_contact_then_up_the_chain(day_of_complaints, people):
    c = day_of_complaints
    svc.complaints_end_of_day(day=date(2025, 10, 9), now=sh(2025, 10, 9, 17, 30))

    def told(complaint):
        return set(
            Notification.objects.filter(
                topic="service.complaint.escalated", link__endswith=f"/{complaint.pk}/"
            ).values_list("user__username", flat=True)
        )

    # due today: the handler and the nearest escalation contact (甲公司's leader)
    assert told(c["today_open"]) == {people.am_a.username, people.leader_a.username}
    # past its day: the whole chain up to the company
    assert told(c["late"]) == {
        people.am_a.username,
        people.leader_a.username,
        people.leader.username,
    }
    assert (
        Notification.objects.filter(user=people.service, topic="service.complaint.eod").count() == 1
    )


def test_a_second_run_the_same_day_escalates_nothing_again(day_of_complaints):
    first = svc.complaints_end_of_day(day=date(2025, 10, 9), now=sh(2025, 10, 9, 17, 30))
    notes = Notification.objects.count()
    again = svc.complaints_end_of_day(day=date(2025, 10, 9), now=sh(2025, 10, 9, 18))
    assert again.escalated == [] and set(again.already) == set(first.escalated)
    assert ComplaintEscalation.objects.count() == len(first.escalated)
    assert Notification.objects.count() == notes


def test_next_working_day_escalates_what_is_still_open_again(day_of_complaints, people):
    c = day_of_complaints
    svc.complaints_end_of_day(day=date(2025, 10, 9), now=sh(2025, 10, 9, 17, 30))
    svc.complaint_answer(
        complaint=c["today_open"], actor=people.am_a, reply="好", now=sh(2025, 10, 10, 9)
    )
    svc.complaint_close(
        complaint=c["today_open"],
        actor=people.service,
        feedback=Feedback.SATISFIED,
        now=sh(2025, 10, 10, 9, 30),
    )
    report = svc.complaints_end_of_day(day=date(2025, 10, 10), now=sh(2025, 10, 10, 17, 30))
    assert c["today_open"].pk not in report.escalated
    assert c["after_cutoff"].pk in report.escalated  # its day has come
    assert c["utc_today_after_cutoff"].pk in report.escalated
    late = ComplaintEscalation.objects.get(complaint=c["late"], day=date(2025, 10, 10))
    assert late.days_late == 2


def test_nothing_is_escalated_on_a_non_working_day(day_of_complaints):
    report = svc.complaints_end_of_day(day=date(2025, 10, 4), now=sh(2025, 10, 4, 17, 30))
    assert not report.working_day and report.escalated == []
    assert not ComplaintEscalation.objects.exists()
    # the Saturday make-up working day is a working day
    assert svc.complaints_end_of_day(
        day=date(2025, 10, 11), now=sh(2025, 10, 11, 17, 30)
    ).working_day


def test_the_periodic_job_escalates_today(day_of_complaints, monkeypatch):
    from tongqi.service import tasks

    monkeypatch.setattr(
        "tongqi.service.services.complaints.timezone.localdate", lambda *a: date(2025, 10, 9)
    )
    assert tasks.complaints_end_of_day(None) == 6


# --- the closure rate ----------------------------------------------------------------------------


def test_same_day_closure_rate_counts_closure_by_the_due_day(people, make_complaint):
    a = make_complaint(sh(2025, 10, 9, 10))
    b = make_complaint(sh(2025, 10, 9, 11))
    late = make_complaint(sh(2025, 10, 9, 12))
    after_cut = make_complaint(sh(2025, 10, 9, 18))  # due on the 10th
    for c, when in (
        (a, sh(2025, 10, 9, 16)),
        (b, sh(2025, 10, 9, 23, 59)),
        (late, sh(2025, 10, 10, 9)),
        (after_cut, sh(2025, 10, 10, 11)),
    ):
        svc.complaint_answer(complaint=c, actor=people.am_a, reply="答复", now=when)
        svc.complaint_close(
            complaint=c, actor=people.service, feedback=Feedback.SATISFIED, now=when
        )
    make_complaint(sh(2025, 10, 9, 13))  # still open
    rate = closure_rate(Complaint.objects.filter(arrival_date=date(2025, 10, 9)))
    assert (rate.arrived, rate.same_day) == (5, 3) and str(rate.rate) == "60.0"
    assert a.closed_same_day and not late.closed_same_day and after_cut.closed_same_day


def test_reopening_undoes_the_same_day_closure(people, make_complaint):
    c = make_complaint(sh(2025, 10, 9, 10))
    svc.complaint_answer(complaint=c, actor=people.am_a, reply="答复", now=sh(2025, 10, 9, 11))
    svc.complaint_close(
        complaint=c, actor=people.service, feedback=Feedback.DISSATISFIED, now=sh(2025, 10, 9, 12)
    )
    svc.complaint_reopen(complaint=c, actor=people.service, reason="12345 退单：诉求人不满意")
    c.refresh_from_db()
    assert (
        c.status == ComplaintStatus.INVESTIGATING and c.closed_on is None and not c.closed_same_day
    )
    assert closure_rate(Complaint.objects.all()).same_day == 0


# --- registration and the state machine ---------------------------------------------------------


def test_same_ticket_registers_once(people, make_complaint):
    first = make_complaint(sh(2025, 10, 9, 10), source=Source.HOTLINE_12345, ticket="WH1")
    again = make_complaint(sh(2025, 10, 9, 10), source=Source.HOTLINE_12345, ticket="WH1")
    assert first.pk == again.pk and Complaint.objects.count() == 1


def test_bad_input_gives_field_errors_and_saves_nothing(people):
    data = svc.ComplaintInput(
        source=Source.HOTLINE_12345,
        title=" ",
        content="",
        complainant_phone="12345",
        application_number="TQ-NOPE",
    )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.complaint_register(data=data, actor=people.service)
    assert {"title", "content", "external_id", "complainant_phone", "application_number"} <= set(
        exc.value.fields
    )
    assert not Complaint.objects.exists()


def test_future_receipt_is_refused(people):
    data = svc.ComplaintInput(
        source=Source.PHONE, title="t", content="c", received_at=sh(2099, 1, 1)
    )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.complaint_register(data=data, actor=people.service)
    assert "received_at" in exc.value.fields


def test_illegal_steps_are_refused_with_a_stable_code(people, make_complaint):
    c = make_complaint(sh(2025, 10, 9, 10))
    with pytest.raises(svc.IllegalTransition) as exc:
        svc.complaint_close(complaint=c, actor=people.service, feedback=Feedback.SATISFIED)
    assert exc.value.code == "illegal_transition"
    with pytest.raises(svc.Forbidden):  # another grid's account manager
        svc.complaint_answer(complaint=c, actor=people.am_b, reply="x")
    with pytest.raises(svc.Forbidden):  # the handler may answer but not close
        svc.complaint_close(complaint=c, actor=people.am_a, feedback=Feedback.SATISFIED)


def test_a_stale_version_is_a_conflict(people, make_complaint):
    c = make_complaint(sh(2025, 10, 9, 10))
    seen = c.version
    svc.complaint_investigate(
        complaint=c, actor=people.am_a, findings="上门核实", expected_version=seen
    )
    with pytest.raises(svc.Conflict):
        svc.complaint_answer(complaint=c, actor=people.am_a, reply="答复", expected_version=seen)


def test_answered_on_the_spot_is_closed_at_once(people):
    c, created = svc.complaint_register(
        actor=people.service,
        data=svc.ComplaintInput(
            source=Source.COUNTER,
            kind="enquiry",
            title="咨询容缺受理",
            content="缺租赁合同能否受理",
            answer="可以容缺受理，承诺期限内补交。",
            feedback=Feedback.SATISFIED,
        ),
    )
    assert created and c.status == ComplaintStatus.CLOSED and c.closed_same_day
    assert list(c.events.values_list("action", flat=True)) == ["register", "answer", "close"]


def test_revealing_the_phone_is_audited(people, make_complaint):
    from tongqi.audit.models import AuditRecord

    c = make_complaint(sh(2025, 10, 9, 10), phone="13912345678")
    assert svc.complaint_reveal_phone(complaint=c, actor=people.service) == "13912345678"
    assert AuditRecord.objects.filter(action="view_pii", object_id=str(c.pk)).count() == 1
    with pytest.raises(svc.Forbidden):
        svc.complaint_reveal_phone(complaint=c, actor=people.marketing)  # no PII_FULL
    creation = AuditRecord.objects.filter(action="create", object_type="service.complaint").get()
    assert "13912345678" not in str(creation.changes) and "139****5678" in str(creation.changes)
