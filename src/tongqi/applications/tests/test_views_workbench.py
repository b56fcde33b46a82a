"""The staff workbench: queues (scoped, bounded queries), filters, export, the application page,
every action form (happy path, bad input, stale page), the audited view of personal data."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongqi.accounts.choices import Role
from tongqi.applications import services as svc
from tongqi.applications.choices import Category, CommitmentStatus, Status
from tongqi.applications.models import (
    AcceptanceRecord,
    ApplicationEvent,
    Commitment,
    Survey,
    Visit,
)
from tongqi.audit.models import AuditRecord
from tongqi.sla.choices import PauseCode
from tongqi.sla.models import ClockEvent
from tongqi.sla.services import recompute_open_clocks
from tongqi.testing.app_factories import submitted_application
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def html(resp) -> str:
    return resp.content.decode()


def has_error(page: str, field: str) -> bool:
    return bool(re.search(rf'field has-error" id="field-{field}"', page))


@pytest.fixture
def app(org, people):
    return submitted_application(org, customer=people.customer)


def drive(app, people, to: str):
    steps = [
        ("accepted", lambda: svc.application_accept(application=app, actor=people.am_a)),
        (
            "surveyed",
            lambda: svc.application_survey(
                application=app, actor=people.am_a, category=Category.NO_EXTERNAL_WORKS
            ),
        ),
        (
            "quoted",
            lambda: svc.application_mark_quoted(application=app, actor=people.am_a, quote_ref="Q"),
        ),
        ("confirmed", lambda: svc.application_confirm_quote(application=app, actor=None)),
        (
            "acceptance_requested",
            lambda: svc.application_request_acceptance(application=app, actor=None),
        ),
    ]
    for stage, fn in steps:
        fn()
        if stage == to:
            break
    app.refresh_from_db()
    assert app.status == to
    return app


def buttons(page: str) -> list[str]:
    """The action buttons in the header of the application page."""
    block = re.search(r'<div class="app-actions".*?</div>', page, re.S)
    return (
        re.findall(r'href="/workbench/applications/\d+/([a-z_]+)/"', block.group(0))
        if block
        else []
    )


def act_url(app, action: str) -> str:
    return reverse("applications:act", args=[app.pk, action])


# --- the permission matrix ---------------------------------------------------------------------


def test_workbench_pages_go_through_the_matrix(people, app):
    for name in ("workbench", "export"):
        assert_matrix(
            reverse(f"applications:{name}"), allowed=people.am_a, wrong_role=people.customer
        )
    assert_matrix(
        reverse("applications:detail", args=[app.pk]),
        allowed=people.am_a,
        wrong_role=people.customer,
        other_scope=people.am_b,
    )
    assert_matrix(
        reverse("applications:detail", args=[app.pk]),
        allowed=people.reader_a,
        other_scope=people.am_b,
    )
    assert_matrix(
        reverse("applications:reveal_pii", args=[app.pk]),
        allowed=people.am_a,
        wrong_role=people.engineer_a,  # no Cap.PII_FULL
        other_scope=people.am_b,
    )


def test_staff_download_attachments_of_their_area_only(people, app):
    att = svc.attachment_add(
        actor=people.customer,
        application=app,
        kind="site_plan",
        name="plan.png",
        content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    )
    url = reverse("applications:attachment", args=[app.pk, att.pk])
    assert_matrix(url, allowed=people.am_a, wrong_role=people.customer, other_scope=people.am_b)
    resp = client_for(people.am_a).get(url)
    assert resp["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("stage", "action", "who", "wrong"),
    [
        ("submitted", "accept", "am_a", "engineer_a"),
        ("submitted", "reject", "am_a", "counter_a"),
        ("accepted", "survey", "am_a", "counter_a"),
        ("surveyed", "pause", "am_a", "counter_a"),
        ("acceptance_requested", "acceptance", "engineer_a", "am_a"),
        ("submitted", "assign", "leader", "am_a"),
        ("submitted", "visit", "counter_a", "reader_a"),
        ("submitted", "cancel", "am_a", "engineer_a"),
        ("confirmed", "request_acceptance", "am_a", "reader_a"),
    ],
)
def test_every_action_page_goes_through_the_matrix(people, app, stage, action, who, wrong):
    if stage != "submitted":
        drive(app, people, stage)
    assert_matrix(
        act_url(app, action),
        allowed=getattr(people, who),
        wrong_role=getattr(people, wrong),
        other_scope=people.am_b if who != "leader" else None,
    )


def test_reopen_page_is_for_leaders(people, app):
    svc.application_reject(application=app, actor=people.am_a, reason="不在供气范围")
    assert_matrix(
        act_url(app, "reopen"),
        allowed=people.leader_a,
        wrong_role=people.am_a,
        other_scope=people.am_b,
    )


def test_an_action_the_stage_does_not_allow_goes_back_with_a_message(people, app):
    c = client_for(people.am_a)
    resp = c.get(act_url(app, "survey"))  # not accepted yet
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "applications:detail", args=[app.pk]
    )
    assert "不能进行此操作" in html(c.get(resp["Location"]))
    assert client_for(people.am_a).get(act_url(app, "no-such-action")).status_code == 404


# --- queues --------------------------------------------------------------------------------------


@pytest.fixture
def many(org, people):
    """24 applications in grid A (8 accepted, 2 of them overdue-ish), 3 in grid B."""
    apps = [submitted_application(org, n=i) for i in range(24)]
    for a in apps[:8]:
        svc.application_accept(
            application=a,
            actor=people.am_a,
            category=Category.STANDARD_PACKAGE,
            at=timezone.now() - timedelta(days=10),
        )
    for i in range(3):
        submitted_application(org, n=100 + i, district=org.grid_b.district)
    recompute_open_clocks()  # what the periodic SLA job does: the queues read the cached level
    return apps


@pytest.mark.parametrize(
    "queue", ["all", "mine", "new", "due_soon", "overdue", "waiting_customer", "commitments"]
)
def test_queue_pages_have_a_bounded_number_of_queries(
    people, many, queue, django_assert_max_num_queries
):
    c = client_for(people.am_a)
    c.get(reverse("applications:workbench"))  # warm the session and the calendar
    with django_assert_max_num_queries(16):  # 14 today, the same for 20 rows or 2,000
        resp = c.get(reverse("applications:workbench"), {"queue": queue})
    assert resp.status_code == 200


def test_the_tab_counts_come_after_the_page_and_are_kept_until_something_changes(
    people, many, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    c = client_for(people.am_a)
    page = html(c.get(reverse("applications:workbench"), {"queue": "overdue"}))
    # the list is there at once; the tabs ask for their counts afterwards
    assert page.count("<tr>") == 1 + 8
    assert 'class="count"' not in page
    assert f'hx-get="{reverse("applications:workbench_counts")}?queue=overdue"' in page
    with django_assert_max_num_queries(16):
        tabs = html(c.get(reverse("applications:workbench_counts"), {"queue": "overdue"}))
    counts = dict(re.findall(r'href="\?queue=(\w+)"[^>]*>[^<]*<span class="count">(\d+\+?)<', tabs))
    # grid A: 24 applications, 16 not accepted, 8 accepted (and overdue); grid B stays out
    assert counts["new"] == "16" and counts["overdue"] == "8"
    assert "all" not in counts  # "all" is never counted
    assert 'href="?queue=overdue" aria-current="page"' in tabs and "hx-get" not in tabs
    # kept: the next page shows them at once, without asking again
    again = html(c.get(reverse("applications:workbench"), {"queue": "new"}))
    assert '<span class="count">16</span>' in again and "hx-get" not in again
    # a transition changes them: the page asks again, and the new figures are right
    svc.application_accept(
        application=many[10], actor=people.am_a, category=Category.STANDARD_PACKAGE
    )
    after = html(c.get(reverse("applications:workbench"), {"queue": "new"}))
    assert 'class="count"' not in after and "hx-get" in after
    tabs = html(c.get(reverse("applications:workbench_counts"), {"queue": "new"}))
    assert 'href="?queue=new" aria-current="page">新申请 <span class="count">15</span>' in tabs


def test_tab_counts_are_for_staff_only(people):
    resp = client_for(people.customer).get(reverse("applications:workbench_counts"))
    assert resp.status_code in (302, 403)
    anonymous = Client().get(reverse("applications:workbench_counts"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_clock_is_on_every_row_and_the_scope_holds(people, many):
    c = client_for(people.am_a)
    page = html(c.get(reverse("applications:workbench"), {"queue": "all", "sort": "deadline"}))
    assert page.count("<tr>") == 1 + 20  # header + a full page
    assert 'class="pagination"' in page
    assert len(re.findall(r"已用 [\d.]+ / 3 个工作日", page)) == 8
    assert page.count("未开始计时") == 12
    assert "乙一网格" not in page  # grid B stays out of grid A's workbench
    overdue = html(
        client_for(people.am_a).get(reverse("applications:workbench"), {"queue": "overdue"})
    )
    assert overdue.count('tag-red">已超期</span>') == 8


def test_the_new_queue_and_the_mine_queue(people, many):
    c = client_for(people.am_a)
    new = html(c.get(reverse("applications:workbench"), {"queue": "new"}))
    assert new.count('tag-blue">已提交，待受理</span>') == 16
    mine = html(c.get(reverse("applications:workbench")))  # an account manager starts on "mine"
    assert 'href="?queue=mine" aria-current="page"' in mine


def test_an_engineer_starts_on_the_acceptance_queue(people, app):
    drive(app, people, "acceptance_requested")
    page = html(client_for(people.engineer_a).get(reverse("applications:workbench")))
    assert 'href="?queue=acceptance" aria-current="page"' in page
    assert app.number in page and 'href="?queue=mine"' not in page


def test_search_by_uscc_phone_and_number_and_filter_by_stage(people, many):
    c = client_for(people.am_a)
    target = many[5]
    for q in (target.enterprise.uscc, target.number, target.enterprise.name):
        page = html(c.get(reverse("applications:workbench"), {"queue": "all", "q": q}))
        assert target.number in page and page.count("<tr>") == 2, q
    page = html(c.get(reverse("applications:workbench"), {"queue": "all", "status": "accepted"}))
    assert page.count('tag-blue">已受理</span>') == 8
    assert 'tag-blue">已提交，待受理</span>' not in page


def test_sortable_headers_and_an_empty_state(people, many):
    c = client_for(people.am_a)
    page = html(c.get(reverse("applications:workbench"), {"queue": "all", "sort": "number"}))
    numbers = re.findall(r">(TQ\d+)</a><div", page)
    assert numbers == sorted(numbers)
    assert 'aria-sort="ascending"' in page
    empty = html(c.get(reverse("applications:workbench"), {"queue": "all", "q": "没有这家企业"}))
    assert "没有符合筛选条件的申请" in empty and "清除筛选条件" in empty


def test_bad_dates_in_the_filter_are_reported_not_a_500(people, many):
    resp = client_for(people.am_a).get(
        reverse("applications:workbench"),
        {"queue": "all", "date_from": "2026-12-01", "date_to": "2026-11-01"},
    )
    assert resp.status_code == 200 and "结束日期早于开始日期" in html(resp)


def test_phone_numbers_are_masked_in_the_list_and_the_export(people, many):
    c = client_for(people.am_a)
    mobile = many[0].enterprise.contact_mobile
    page = html(c.get(reverse("applications:workbench"), {"queue": "all"}))
    assert mobile not in page and f"{mobile[:3]}****{mobile[-4:]}" in page
    resp = c.get(reverse("applications:export"), {"queue": "all"})
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "申请编号" and "联系人手机" in rows[0]
    assert len(rows) == 1 + 24
    phones = {r[rows[0].index("联系人手机")] for r in rows[1:]}
    assert all("****" in p for p in phones) and mobile not in phones
    assert AuditRecord.objects.filter(
        action="export", object_type="applications.application"
    ).exists()


# --- the application page ------------------------------------------------------------------------


def test_the_page_has_header_sections_and_one_button_per_allowed_action(people, app):
    page = html(client_for(people.am_a).get(reverse("applications:detail", args=[app.pk])))
    assert app.number in page and app.enterprise.name in page and "已提交，待受理" in page
    for section in ('id="basic"', 'id="progress"', 'id="documents"', 'id="quote"', 'id="records"'):
        assert section in page
    assert buttons(page) == ["accept", "reject", "visit", "cancel"]
    # the engineer may only record a visit on a new application; the leader may assign it
    eng = html(client_for(people.engineer_a).get(reverse("applications:detail", args=[app.pk])))
    assert buttons(eng) == ["visit"]
    lead = html(client_for(people.leader).get(reverse("applications:detail", args=[app.pk])))
    assert buttons(lead) == ["assign"]


def test_personal_data_is_masked_until_a_reason_is_given_and_audited(people, app):
    c = client_for(people.am_a)
    mobile, id_number = app.enterprise.contact_mobile, app.enterprise.id_number
    page = html(c.get(reverse("applications:detail", args=[app.pk])))
    assert mobile not in page and id_number not in page
    assert "138****5678" in page and reverse("applications:reveal_pii", args=[app.pk]) in page
    url = reverse("applications:reveal_pii", args=[app.pk])
    resp = c.post(url, {"reason": ""})
    assert mobile not in html(resp) and has_error(html(resp), "reason")
    assert not AuditRecord.objects.filter(action="view_pii").exists()
    resp = c.post(url, {"reason": "电话预约现场踏勘"})
    assert mobile in html(resp) and id_number in html(resp)
    rec = AuditRecord.objects.get(action="view_pii")
    assert rec.reason == "电话预约现场踏勘" and rec.actor == people.am_a
    assert rec.object_type == "applications.enterprise" and rec.object_id == str(app.enterprise_id)
    # an engineer has no "view full" button
    eng = html(client_for(people.engineer_a).get(reverse("applications:detail", args=[app.pk])))
    assert url not in eng


def test_the_staff_page_shows_internal_events_too(people, app):
    svc.application_assign(application=app, actor=people.leader, manager=people.am_a)
    page = html(client_for(people.am_a).get(reverse("applications:detail", args=[app.pk])))
    assert "分派客户经理" in page and "内部" in page


# --- actions: happy path, bad input, stale page --------------------------------------------------


def test_accept_with_missing_items_records_the_commitment(people, app):
    c = client_for(people.am_a)
    page = html(c.get(act_url(app, "accept")))
    assert 'data-confirm="' in page and f'name="version" value="{app.version}"' in page
    due = timezone.localdate() + timedelta(days=5)
    resp = c.post(
        act_url(app, "accept"),
        {
            "version": app.version,
            "category": Category.NO_EXTERNAL_WORKS,
            "missing_items": "房屋租赁合同\n消防验收意见",
            "commitment_text": "五日内补交",
            "commitment_due": due.isoformat(),
        },
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.ACCEPTED and app.limit_days == 8
    c_ = Commitment.objects.get(application=app)
    assert c_.missing_items == ["房屋租赁合同", "消防验收意见"] and c_.due_date == due
    follow = html(c.get(resp["Location"]))
    assert "已受理，时限开始计算" in follow and "房屋租赁合同" in follow


def test_accept_with_missing_items_but_no_commitment_shows_field_errors(people, app):
    resp = client_for(people.am_a).post(
        act_url(app, "accept"),
        {
            "version": app.version,
            "category": Category.STANDARD_PACKAGE,
            "missing_items": "房产证明",
        },
    )
    app.refresh_from_db()
    page = html(resp)
    assert resp.status_code == 200 and app.status == Status.SUBMITTED and app.clock is None
    assert has_error(page, "commitment_text") and has_error(page, "commitment_due")


def test_a_stale_page_gets_the_conflict_message_and_nothing_changes(people, app):
    seen = app.version
    svc.application_reject(application=app, actor=people.am_a, reason="不在供气范围")
    resp = client_for(people.am_a).post(
        act_url(app, "accept"), {"version": seen, "category": Category.STANDARD_PACKAGE}
    )
    app.refresh_from_db()
    assert resp.status_code == 409 and app.status == Status.REJECTED
    assert "您打开页面后，该申请已被他人修改" in html(resp)


def test_reject_needs_a_reason(people, app):
    c = client_for(people.am_a)
    resp = c.post(act_url(app, "reject"), {"version": app.version, "reason": ""})
    assert has_error(html(resp), "reason")
    resp = c.post(act_url(app, "reject"), {"version": app.version, "reason": "不在本公司供气范围"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.REJECTED
    assert app.outcome_reason == "不在本公司供气范围"


def test_survey_records_every_field_and_sets_the_category(people, app):
    drive(app, people, "accepted")
    c = client_for(people.am_a)
    when = timezone.localtime() - timedelta(hours=2)
    resp = c.post(
        act_url(app, "survey"),
        {
            "version": app.version,
            "surveyed_at": when.strftime("%Y-%m-%dT%H:%M"),
            "category": Category.WITH_EXTERNAL_WORKS,
            "pipe_length_m": "35.5",
            "external_length_m": "180",
            "meter_rating": "G10",
            "gas_source_available": "",
            "safety_conditions_ok": "on",
            "findings": "需新建外线管道",
        },
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.SURVEYED and app.limit_days == 16
    s = Survey.objects.get(application=app)
    assert (str(s.pipe_length_m), str(s.external_length_m), s.meter_rating) == (
        "35.5",
        "180.0",
        "G10",
    )
    assert s.gas_source_available is False and s.safety_conditions_ok is True
    assert s.findings == "需新建外线管道" and s.surveyor == people.am_a


def test_survey_bad_input_shows_field_errors(people, app):
    drive(app, people, "accepted")
    resp = client_for(people.am_a).post(
        act_url(app, "survey"),
        {
            "version": app.version,
            "surveyed_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "category": Category.WITH_EXTERNAL_WORKS,
            "pipe_length_m": "abc",
            "external_length_m": "0",
        },
    )
    page = html(resp)
    assert has_error(page, "surveyed_at")
    resp = client_for(people.am_a).post(
        act_url(app, "survey"),
        {
            "version": app.version,
            "surveyed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "category": Category.WITH_EXTERNAL_WORKS,
            "pipe_length_m": "abc",
            "external_length_m": "0",
        },
    )
    assert has_error(html(resp), "pipe_length_m")
    resp = client_for(people.am_a).post(
        act_url(app, "survey"),
        {
            "version": app.version,
            "surveyed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "category": Category.WITH_EXTERNAL_WORKS,
            "pipe_length_m": "20",
            "external_length_m": "0",
        },
    )
    assert has_error(html(resp), "external_length_m")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and not Survey.objects.exists()


def test_pause_and_resume_with_a_reason_code(people, app):
    drive(app, people, "surveyed")
    c = client_for(people.am_a)
    resp = c.post(act_url(app, "pause"), {"version": app.version, "reason_code": "", "reason": ""})
    assert has_error(html(resp), "reason_code") and has_error(html(resp), "reason")
    resp = c.post(
        act_url(app, "pause"),
        {
            "version": app.version,
            "reason_code": PauseCode.ADMIN_APPROVAL,
            "reason": "等待道路挖掘许可",
        },
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.clock.paused
    detail = html(c.get(reverse("applications:detail", args=[app.pk])))
    assert act_url(app, "resume") in detail and act_url(app, "pause") not in detail
    assert "等待道路挖掘许可" in detail
    resp = c.post(act_url(app, "resume"), {"version": app.version, "reason": "许可已批"})
    app.refresh_from_db()
    assert resp.status_code == 302 and not app.clock.paused


def test_acceptance_passed_turns_gas_on(people, app):
    drive(app, people, "acceptance_requested")
    c = client_for(people.engineer_a)
    page = html(c.get(act_url(app, "acceptance")))
    assert 'data-confirm="' in page
    resp = c.post(
        act_url(app, "acceptance"),
        {
            "version": app.version,
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "passed": "1",
            "pressure_test_ok": "on",
            "leak_test_ok": "on",
            "appliances_ok": "on",
            "ignited": "on",
            "meter_number": "G4-778899",
            "meter_reading": "0.5",
            "note": "通气正常",
        },
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.GAS_ON
    rec = AcceptanceRecord.objects.get(application=app)
    assert rec.passed and rec.ignited and rec.meter_number == "G4-778899"
    assert str(rec.meter_reading) == "0.500" and rec.note == "通气正常"


def test_acceptance_failed_needs_the_rectification_items(people, app):
    drive(app, people, "acceptance_requested")
    c = client_for(people.engineer_a)
    base = {
        "version": app.version,
        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "passed": "0",
        "pressure_test_ok": "on",
        "appliances_ok": "on",
    }
    resp = c.post(act_url(app, "acceptance"), base)
    assert has_error(html(resp), "rectification_items")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTANCE_REQUESTED and not AcceptanceRecord.objects.exists()
    resp = c.post(act_url(app, "acceptance"), {**base, "rectification_items": "泄漏报警器未联动"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.RECTIFYING
    assert app.clock.paused


def test_passing_without_ignition_is_refused_next_to_the_field(people, app):
    drive(app, people, "acceptance_requested")
    resp = client_for(people.engineer_a).post(
        act_url(app, "acceptance"),
        {
            "version": app.version,
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "passed": "1",
            "meter_number": "X1",
        },
    )
    assert has_error(html(resp), "passed")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTANCE_REQUESTED


def test_assign_to_a_manager_of_the_grid(people, app, make_user, org):
    other_am = make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit)
    c = client_for(people.leader)
    page = html(c.get(act_url(app, "assign")))
    assert other_am.display_name in page and people.am_b.display_name not in page
    resp = c.post(act_url(app, "assign"), {"version": app.version, "manager": people.am_b.pk})
    assert has_error(html(resp), "manager")
    resp = c.post(act_url(app, "assign"), {"version": app.version, "manager": other_am.pk})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.account_manager == other_am


def test_record_a_counter_visit(people, app):
    c = client_for(people.counter_a)
    resp = c.post(act_url(app, "visit"), {"version": app.version, "kind": "", "at": ""})
    assert has_error(html(resp), "kind") and not Visit.objects.exists()
    resp = c.post(
        act_url(app, "visit"),
        {
            "version": app.version,
            "kind": "counter",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "note": "补交原件",
        },
    )
    assert resp.status_code == 302
    v = Visit.objects.get(application=app)
    assert v.kind == "counter" and v.note == "补交原件" and v.recorded_by == people.counter_a


def test_cancel_and_reopen(people, app):
    c = client_for(people.am_a)
    resp = c.post(act_url(app, "cancel"), {"version": app.version, "reason": "客户来电撤销"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.CANCELLED
    lead = client_for(people.leader_a)
    resp = lead.post(act_url(app, "reopen"), {"version": app.version, "reason": ""})
    assert has_error(html(resp), "reason")
    resp = lead.post(act_url(app, "reopen"), {"version": app.version, "reason": "客户要求继续办理"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.SUBMITTED


def test_request_acceptance_on_the_customers_behalf(people, app):
    drive(app, people, "confirmed")
    resp = client_for(people.am_a).post(
        act_url(app, "request_acceptance"), {"version": app.version, "preferred_date": ""}
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.ACCEPTANCE_REQUESTED
    assert (
        ApplicationEvent.objects.get(application=app, action="request_acceptance").actor
        == people.am_a
    )


def test_the_account_manager_closes_a_commitment_when_the_items_arrive(people, app):
    svc.application_accept(
        application=app,
        actor=people.am_a,
        missing_items=["房产证明"],
        commitment_text="三日内补交",
        commitment_due=timezone.localdate() + timedelta(days=3),
    )
    commitment = Commitment.objects.get()
    c = client_for(people.am_a)
    url = reverse("applications:fulfil", args=[app.pk, commitment.pk])
    assert url in html(c.get(reverse("applications:detail", args=[app.pk])))
    resp = c.post(url, {"version": app.version - 1, "note": "窗口收到原件"})
    commitment.refresh_from_db()
    assert resp.status_code == 409 and commitment.status == CommitmentStatus.OPEN
    resp = c.post(url, {"version": app.version, "note": "窗口收到原件"})
    commitment.refresh_from_db()
    assert resp.status_code == 302 and commitment.status == CommitmentStatus.FULFILLED
    assert_matrix(url, wrong_role=people.engineer_a, other_scope=people.am_b)


def test_the_workbench_list_is_phone_ready(people, many):
    page = html(client_for(people.am_a).get(reverse("applications:workbench"), {"queue": "all"}))
    assert 'class="table table-responsive app-table"' in page
    assert 'data-label="编号"' in page


def test_a_time_typed_in_the_minute_of_the_last_step_is_not_before_it(people, app):
    """The form keeps minutes, the ledger seconds: the engineer opened the form in the minute the
    customer asked for acceptance and saved it later; the record is not refused as out of order."""
    drive(app, people, "acceptance_requested")
    minute = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=3)
    last = ClockEvent.objects.filter(clock=app.clock).order_by("-seq").first()
    ClockEvent.objects.filter(pk=last.pk).update(at=minute + timedelta(seconds=41))
    form = {
        "version": app.version,
        "passed": "1",
        "pressure_test_ok": "on",
        "leak_test_ok": "on",
        "appliances_ok": "on",
        "ignited": "on",
        "meter_number": "G4-1",
        "meter_reading": "0",
    }
    c = client_for(people.engineer_a)
    earlier = (minute - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    resp = c.post(act_url(app, "acceptance"), {**form, "at": earlier})
    assert resp.status_code == 400 and has_error(html(resp), "at")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTANCE_REQUESTED

    resp = c.post(act_url(app, "acceptance"), {**form, "at": minute.strftime("%Y-%m-%dT%H:%M")})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.GAS_ON
    stop = ClockEvent.objects.filter(clock=app.clock).order_by("-seq").first()
    assert stop.kind == "stop" and stop.at == minute + timedelta(seconds=41)
