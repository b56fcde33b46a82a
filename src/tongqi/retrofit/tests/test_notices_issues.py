"""Notices of rights and duties (generation, delivery, void, PDF) and the issue log."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from tongqi.retrofit import selectors, services
from tongqi.retrofit.choices import (
    Body,
    DeliveryMethod,
    HouseholdStatus,
    IssueStatus,
    NoticeStatus,
)
from tongqi.retrofit.documents import render_notices
from tongqi.retrofit.errors import ConflictError, RetrofitError
from tongqi.retrofit.models import RightsNotice
from tongqi.web.pdf import read_token

pytestmark = pytest.mark.django_db
H = HouseholdStatus


def test_batch_generation_covers_eligible_households_without_a_notice(
    project, people, add_household
):
    # given households in building 1 and 2, some declined or withdrawn
    a = add_household(project, building="1", status=H.WILLING)
    b = add_household(project, building="1", status=H.PENDING)
    add_household(project, building="1", status=H.DECLINED)
    c = add_household(project, building="2", status=H.WILLING)
    services.household_withdraw(
        household=c, actor=people.engineer_a, expected_version=None, reason="x"
    )
    d = add_household(project, building="2", status=H.WILLING)
    # when building 1 is issued, then the rest
    first = services.notices_generate_batch(project=project, actor=people.engineer_a, building="1")
    rest = services.notices_generate_batch(project=project, actor=people.engineer_a)
    # then each eligible household has exactly one notice, numbered in sequence
    assert [n.household_id for n in first] == [a.pk, b.pk]
    assert [n.household_id for n in rest] == [d.pk]
    numbers = [n.number for n in first + rest]
    assert numbers == [f"QY{project.number[2:]}-{i:04d}" for i in (1, 2, 3)]
    with pytest.raises(RetrofitError) as exc:
        services.notices_generate_batch(project=project, actor=people.engineer_a)
    assert exc.value.code == "nothing_to_generate"


def test_a_household_has_one_valid_notice_until_it_is_voided(project, people, add_household):
    h = add_household(project, status=H.WILLING)
    n = services.notice_generate(household=h, actor=people.engineer_a)
    assert n.household_label == h.label and n.addressee == h.contact_name and n.sections
    with pytest.raises(RetrofitError) as exc:
        services.notice_generate(household=h, actor=people.engineer_a)
    assert exc.value.code == "notice_exists"
    services.notice_void(notice=n, actor=people.engineer_a, expected_version=1, reason="姓名有误")
    again = services.notice_generate(household=h, actor=people.engineer_a)
    assert again.number != n.number
    declined = add_household(project, status=H.DECLINED)
    with pytest.raises(RetrofitError) as exc:
        services.notice_generate(household=declined, actor=people.engineer_a)
    assert exc.value.code == "household_not_eligible"


def test_delivery_is_recorded_once_with_who_when_and_how(project, people, add_household):
    h = add_household(project, status=H.WILLING)
    n = services.notice_generate(household=h, actor=people.engineer_a)
    with pytest.raises(RetrofitError) as exc:
        services.notice_deliver(
            notice=n,
            actor=people.engineer_a,
            expected_version=n.version,
            delivered_at=timezone.now() + timedelta(hours=2),
        )
    assert exc.value.code == "date_in_future"
    with pytest.raises(RetrofitError) as exc:
        services.notice_deliver(
            notice=n,
            actor=people.engineer_a,
            expected_version=n.version,
            delivered_at=timezone.now() - timedelta(days=2),
        )
    assert exc.value.code == "date_before_generation"
    d = services.notice_deliver(
        notice=n,
        actor=people.engineer_a,
        expected_version=n.version,
        method=DeliveryMethod.COMMUNITY,
        receipt_signed=True,
        recipient="张三之子",
    )
    assert d.status == NoticeStatus.DELIVERED and d.delivered_by == people.engineer_a
    assert d.delivery_method == DeliveryMethod.COMMUNITY and d.receipt_signed
    with pytest.raises(ConflictError):  # a second recorder working from the same page
        services.notice_deliver(notice=n, actor=people.engineer_a, expected_version=n.version)
    with pytest.raises(RetrofitError) as exc:
        services.notice_deliver(notice=d, actor=people.engineer_a, expected_version=d.version)
    assert exc.value.code == "illegal_transition"


def test_the_notice_text_is_kept_as_issued(project, people, add_household):
    h = add_household(project, status=H.WILLING, contact_name="张桂英")
    n = services.notice_generate(household=h, actor=people.engineer_a)
    services.household_update(
        household=h,
        actor=people.engineer_a,
        expected_version=None,
        building=h.building,
        unit=h.unit,
        room=h.room,
        contact_name="李建华",
        phone=h.phone,
    )
    n.refresh_from_db()
    assert n.addressee == "张桂英" and "张桂英" in n.sections[0][1]


def test_notice_pdf_has_the_text_the_household_and_a_verifiable_qr(project, people, add_household):
    a = add_household(project, status=H.WILLING, building="3", unit="2", room="502")
    b = add_household(project, status=H.WILLING, building="3", unit="2", room="601")
    notices = services.notices_generate_batch(project=project, actor=people.engineer_a)
    pdf = render_notices(notices)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for s in (
        "管道天然气用户权益告知书",
        "3栋2单元502",
        "3栋2单元601",
        "城镇燃气管理条例",
        "签收回执",
    ):
        assert s in text
    assert notices[0].number in text and notices[1].number in text
    assert len(reader.pages) >= 2  # each notice starts on its own page
    from tongqi.retrofit.documents import notice_token

    data = read_token(notice_token(notices[0]))
    assert data["n"] == notices[0].number and data["s"]["住户"] == a.label
    assert "张三" not in str(data)  # no personal data in the QR
    assert b.pk


def test_notices_are_the_teams_to_issue(project, people, add_household):
    h = add_household(project, status=H.WILLING)
    with pytest.raises(PermissionDenied):
        services.notice_generate(household=h, actor=people.leader)
    assert not RightsNotice.objects.exists()


def test_issue_resolve_and_reopen(project, people):
    issue = services.issue_create(
        project=project,
        actor=people.engineer_a,
        title="违建压占管位",
        responsible_body=Body.STREET_OFFICE,
        responsible_name="测试街道办事处",
    )
    assert issue.stage == project.stage and issue.status == IssueStatus.OPEN
    with pytest.raises(RetrofitError) as exc:
        services.issue_resolve(
            issue=issue, actor=people.engineer_a, expected_version=1, resolution=" "
        )
    assert exc.value.code == "reason_required"
    issue = services.issue_resolve(
        issue=issue, actor=people.engineer_a, expected_version=1, resolution="街道组织拆除"
    )
    assert issue.status == IssueStatus.RESOLVED and issue.resolved_by == people.engineer_a
    with pytest.raises(RetrofitError) as exc:
        services.issue_resolve(
            issue=issue, actor=people.engineer_a, expected_version=2, resolution="x"
        )
    assert exc.value.code == "illegal_transition"
    issue = services.issue_reopen(
        issue=issue, actor=people.engineer_a, expected_version=2, reason="复建"
    )
    assert issue.status == IssueStatus.OPEN and issue.resolved_at is None


def test_summary_counts_households_and_open_issues_by_body(
    project, other_project, people, add_household, engineer_b
):
    # given two projects, the second out of 甲公司's scope
    for status in (H.WILLING, H.WILLING, H.PENDING):
        add_household(project, status=status)
    today = timezone.localdate()
    for body, due in (
        (Body.STREET_OFFICE, today - timedelta(days=1)),
        (Body.STREET_OFFICE, None),
        (Body.RESIDENTS, None),
    ):
        services.issue_create(
            project=project, actor=people.engineer_a, title="x", responsible_body=body, due_date=due
        )
    resolved = services.issue_create(
        project=project, actor=people.engineer_a, title="y", responsible_body=Body.RESIDENTS
    )
    services.issue_resolve(
        issue=resolved, actor=people.engineer_a, expected_version=None, resolution="ok"
    )
    services.issue_create(
        project=other_project, actor=engineer_b, title="z", responsible_body=Body.PROPERTY
    )
    # when 甲公司's leader and the company's leader look
    mine = selectors.summary(people.leader_a)
    everyone = selectors.summary(people.leader)
    # then
    assert [p.pk for p in mine.projects] == [project.pk]
    assert (mine.households_total, mine.registered, mine.signed, mine.connected) == (40, 3, 2, 0)
    assert mine.issues_by_body[0][0] == Body.STREET_OFFICE
    assert {(b, n, o) for b, _l, n, o in mine.issues_by_body} == {
        (Body.STREET_OFFICE, 2, 1),
        (Body.RESIDENTS, 1, 0),
    }
    assert mine.open_issues == 3 and mine.overdue_issues == 1
    assert len(everyone.projects) == 2 and everyone.open_issues == 4
    assert round(mine.signed_rate, 1) == 5.0


def test_morning_reminder_names_overdue_issues_and_a_stage_behind_plan(project, people):
    from tongqi.integration.models import Notification
    from tongqi.retrofit.tasks import overdue_reminders

    today = timezone.localdate()
    services.issue_create(
        project=project,
        actor=people.engineer_a,
        title="x",
        responsible_body=Body.STREET_OFFICE,
        due_date=today - timedelta(days=2),
    )
    services.issue_create(project=project, actor=people.engineer_a, title="not due yet")
    record = project.stages.get(stage=project.stage)
    services.stage_update(
        record=record,
        actor=people.engineer_a,
        expected_version=None,
        planned_end=today - timedelta(days=1),
    )
    assert overdue_reminders(today) == 1
    n = Notification.objects.get(user=people.engineer_a)
    assert "1 个问题" in n.title and "阶段" in n.title
    overdue_reminders(today)  # the same day again: no second message
    assert Notification.objects.filter(user=people.engineer_a).count() == 1
