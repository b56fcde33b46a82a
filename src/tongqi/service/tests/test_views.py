"""Every service page through the permission matrix; list pages with bounded queries; the
complaint handling forms; personal data masked in lists and exports, a full view audited."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongqi.accounts.choices import Role
from tongqi.audit.models import AuditRecord
from tongqi.service.choices import (
    ComplaintStatus,
    Source,
)
from tongqi.service.models import Complaint, PlanTask, ServiceWindow, WindowCriterion
from tongqi.testing.matrix import assert_matrix

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_service_pages_permission_matrix(world, people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    w = world
    manage_pages = [
        reverse("service:home"),
        reverse("service:settings"),
        reverse("service:callbacks"),
        reverse("service:callbacks_export"),
        reverse("service:surveys"),
        reverse("service:surveys_export"),
        reverse("service:complaint_new"),
        reverse("service:complaints"),
        reverse("service:complaints_export"),
        reverse("service:complaints_eod"),
        reverse("service:inspections"),
        reverse("service:inspection_new"),
        reverse("service:rectifications"),
        reverse("service:plan"),
        reverse("service:plan_task", args=[w["task"].pk]),
        reverse("service:briefing"),
        reverse("service:windows"),
        reverse("service:window_new"),
        reverse("service:criteria"),
    ]
    for url in manage_pages:
        assert_matrix(url, allowed=people.service, wrong_role=people.customer)
    # objects of 甲公司: 乙公司's service manager gets a 404
    for url in (
        reverse("service:callback_detail", args=[w["callback"].pk]),
        reverse("service:complaint_detail", args=[w["complaint"].pk]),
        reverse("service:inspection_detail", args=[w["inspection"].pk]),
        reverse("service:window_detail", args=[w["window"].pk]),
        reverse("service:window_edit", args=[w["window"].pk]),
        reverse("service:window_evaluate", args=[w["window"].pk]),
    ):
        assert_matrix(
            url, allowed=people.service, wrong_role=people.counter_a, other_scope=w["other"]
        )
    # reading roles: the account manager sees the complaint of his grid, cannot manage
    assert_matrix(
        reverse("service:complaint_detail", args=[w["complaint"].pk]),
        allowed=people.am_a,
        other_scope=people.am_b,
    )
    assert_matrix(reverse("service:settings"), allowed=people.service, wrong_role=people.am_a)
    assert_matrix(
        reverse("service:complaint_new"), allowed=people.service, wrong_role=people.leader
    )
    # the administrator and the auditor see no service records (三权分立)
    for url in (reverse("service:home"), reverse("service:complaints")):
        assert_matrix(url, allowed=people.service, wrong_role=people.sysadmin)
        assert_matrix(url, allowed=people.service, wrong_role=people.auditor)
    # the briefing: service management and report readers
    assert_matrix(reverse("service:briefing"), allowed=people.leader, wrong_role=people.am_a)
    # (the PDF itself is rendered, slowly, once in test_briefing)
    assert_matrix(reverse("service:briefing_pdf", args=["2026-11"]), wrong_role=people.counter_a)
    # the customer's complaints page
    assert_matrix(
        reverse("service:my_complaints"), allowed=people.customer, wrong_role=people.auditor
    )


def test_post_only_actions_are_guarded(world, people):
    w = world
    url = reverse("service:complaint_phone", args=[w["complaint"].pk])
    assert_matrix(
        url,
        method="post",
        allowed=people.service,
        wrong_role=people.customer,
        other_scope=w["other"],
        ok_status=302,
    )
    c = Client()
    c.force_login(people.marketing)  # sees the complaint, may not see full numbers
    assert c.post(url).status_code == 403
    resend = reverse("service:survey_resend", args=[w["callback"].pk])
    assert_matrix(
        resend,
        method="post",
        allowed=people.service,
        wrong_role=people.am_a,
        other_scope=w["other"],
        ok_status=302,
    )
    rect = reverse("service:rectification_action", args=[w["rect"].pk, "submit"])
    assert_matrix(
        rect, method="post", allowed=people.counter_a, wrong_role=people.customer, ok_status=302
    )


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_pages_have_bounded_queries(
    world, people, make_complaint, django_assert_max_num_queries
):
    for i in range(15):
        make_complaint(sh(2026, 11, 3, 9, i), source=Source.WECHAT, ticket=f"W{i}")
    c = _client(people.service)
    for name in (
        "service:complaints",
        "service:callbacks",
        "service:surveys",
        "service:inspections",
        "service:rectifications",
        "service:plan",
        "service:windows",
        "service:home",
        "service:complaints_eod",
    ):
        c.get(reverse(name))  # warm the session and caches
        with django_assert_max_num_queries(25):
            assert c.get(reverse(name)).status_code == 200


def test_phone_numbers_are_masked_in_lists_and_exports_and_a_full_view_is_audited(world, people):
    c = _client(people.service)
    html = c.get(reverse("service:complaints")).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    detail = c.get(
        reverse("service:complaint_detail", args=[world["complaint"].pk])
    ).content.decode()
    assert "13912345678" not in detail
    wb = load_workbook(io.BytesIO(c.get(reverse("service:complaints_export")).getvalue()))
    cells = [str(v) for row in wb.active.iter_rows(values_only=True) for v in row]
    assert "139****5678" in cells and not any("13912345678" in v for v in cells)
    assert AuditRecord.objects.filter(action="export", object_type="service.complaint").exists()
    resp = c.post(reverse("service:complaint_phone", args=[world["complaint"].pk]), follow=True)
    assert "13912345678" in resp.content.decode()
    assert (
        AuditRecord.objects.filter(action="view_pii", object_id=str(world["complaint"].pk)).count()
        == 1
    )


def test_board_puts_today_first(world, people, make_complaint):
    from django.utils import timezone

    now = timezone.now()
    older = make_complaint(sh(2026, 11, 3, 9), title="老诉求")
    today = make_complaint(now, title="今日诉求")
    html = _client(people.service).get(reverse("service:complaints")).content.decode()
    if today.due_date == timezone.localdate():
        assert html.index("今日诉求") < html.index("老诉求")
    assert older.pk != today.pk


def test_handling_a_complaint_through_the_page(world, people):
    complaint = world["complaint"]
    url = reverse("service:complaint_detail", args=[complaint.pk])
    am = _client(people.am_a)
    resp = am.post(
        url,
        {
            "action": "investigate",
            "investigate-version": complaint.version,
            "investigate-findings": "已上门核实",
        },
    )
    assert resp.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    # a stale form is a conflict, shown on the form, nothing changes
    resp = am.post(
        url, {"action": "answer", "answer-version": complaint.version - 1, "answer-reply": "答复"}
    )
    assert (
        resp.status_code == 200
        and "errorlist" in resp.content.decode()
        or "alert" in resp.content.decode()
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    # an empty answer is a field error
    resp = am.post(
        url, {"action": "answer", "answer-version": complaint.version, "answer-reply": " "}
    )
    assert resp.status_code == 200
    # the handler may not close
    resp = am.post(
        url, {"action": "close", "close-version": complaint.version, "close-feedback": "satisfied"}
    )
    assert resp.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    am.post(
        url, {"action": "answer", "answer-version": complaint.version, "answer-reply": "已修复"}
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.reply_status == "pending"
    svc_client = _client(people.service)
    svc_client.post(
        url, {"action": "close", "close-version": complaint.version, "close-feedback": "satisfied"}
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED


def test_registering_a_complaint_through_the_page(world, people):
    c = _client(people.service)
    resp = c.post(
        reverse("service:complaint_new"),
        {
            "source": "12345",
            "kind": "complaint",
            "title": "",
            "content": "内容",
            "complainant_phone": "123",
        },
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.count('class="errorlist"') >= 3  # title, ticket number, phone
    assert Complaint.objects.count() == 1
    resp = c.post(
        reverse("service:complaint_new"),
        {
            "source": "12319",
            "external_id": "WH12319-9",
            "kind": "request",
            "topic": "works",
            "title": "占道施工",
            "content": "路面未恢复",
            "complainant_phone": "13800001111",
            "assignee": people.am_a.pk,
            "application_number": world["app"].number,
        },
    )
    assert resp.status_code == 302
    new = Complaint.objects.get(external_id="WH12319-9")
    assert (
        new.assignee == people.am_a and new.application == world["app"] and new.status == "assigned"
    )


def test_customer_raises_and_follows_a_complaint(world, people):
    c = _client(people.customer)
    resp = c.post(
        reverse("service:my_complaints"),
        {
            "application_number": world["app"].number,
            "kind": "complaint",
            "title": "验收迟到",
            "content": "约好九点十点才到",
        },
    )
    assert resp.status_code == 302
    mine = Complaint.objects.get(source=Source.PORTAL)
    assert mine.raised_by == people.customer and mine.application == world["app"]
    assert mine.complainant_phone == people.customer.mobile
    # another customer's application cannot be named
    other = Client()
    from tongqi.testing.factories import UserFactory

    other.force_login(UserFactory(role=Role.CUSTOMER))
    resp = other.post(
        reverse("service:my_complaints"),
        {
            "application_number": world["app"].number,
            "kind": "complaint",
            "title": "x",
            "content": "y",
        },
    )
    assert resp.status_code == 200 and Complaint.objects.filter(source=Source.PORTAL).count() == 1
    html = other.get(reverse("service:my_complaints")).content.decode()
    assert "验收迟到" not in html


def test_callback_is_recorded_through_the_page(world, people):
    cb = world["callback"]
    c = _client(people.service)
    resp = c.post(
        reverse("service:callback_detail", args=[cb.pk]),
        {
            "version": cb.version,
            "reached": "1",
            "summary": "客户满意",
            "issues": "",
            "overall": "5",
            "speed": "5",
            "attitude": "5",
            "professional": "5",
            "transparency": "5",
            "convenience": "4",
        },
    )
    assert resp.status_code == 302
    cb.refresh_from_db()
    assert cb.status == "done" and cb.summary == "客户满意"
    assert cb.application.satisfaction_survey.response.channel == "phone"


def test_plan_progress_with_evidence_through_the_page(world, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = world["task"]
    c = _client(people.service)
    pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    bad = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    resp = c.post(
        reverse("service:plan_task", args=[task.pk]),
        {
            "form": "progress",
            "p-version": task.version,
            "p-text": "本月回访完成",
            "p-status": "in_progress",
            "p-files": [pdf, bad],
        },
    )
    assert resp.status_code == 200 and "x.pdf" in resp.content.decode()
    assert not task.progress.exists()
    pdf.seek(0)
    resp = c.post(
        reverse("service:plan_task", args=[task.pk]),
        {
            "form": "progress",
            "p-version": task.version,
            "p-text": "本月回访完成",
            "p-status": "in_progress",
            "p-percent": "40",
            "p-files": [pdf],
        },
    )
    assert resp.status_code == 302
    ev = task.progress.get().evidence.get()
    download = c.get(reverse("service:plan_evidence", args=[ev.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert PlanTask.objects.get(pk=task.pk).percent == 40
    # a marketing member may not report on service management's task
    assert (
        _client(people.am_a)
        .post(reverse("service:plan_task", args=[task.pk]), {"form": "progress"})
        .status_code
        == 403
    )


def test_windows_criteria_and_scores_through_the_pages(world, people):
    c = _client(people.service)
    crit = WindowCriterion.objects.get()
    resp = c.post(
        reverse("service:criteria"),
        {
            "c-TOTAL_FORMS": "2",
            "c-INITIAL_FORMS": "1",
            "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "1000",
            "c-0-id": crit.pk,
            "c-0-name": "服务规范",
            "c-0-weight": "60",
            "c-0-order": "0",
            "c-0-active": "on",
            "c-1-name": "环境设施",
            "c-1-weight": "30",
            "c-1-order": "1",
            "c-1-active": "on",
        },
    )
    assert resp.status_code == 200 and "90" in resp.content.decode()
    assert WindowCriterion.objects.count() == 1
    c.post(
        reverse("service:criteria"),
        {
            "c-TOTAL_FORMS": "2",
            "c-INITIAL_FORMS": "1",
            "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "1000",
            "c-0-id": crit.pk,
            "c-0-name": "服务规范",
            "c-0-weight": "60",
            "c-0-order": "0",
            "c-0-active": "on",
            "c-1-name": "环境设施",
            "c-1-weight": "40",
            "c-1-order": "1",
            "c-1-active": "on",
        },
    )
    crits = list(WindowCriterion.objects.order_by("order"))
    assert [x.weight for x in crits] == [60, 40]
    w = world["window"]
    resp = c.post(
        reverse("service:window_evaluate", args=[w.pk]),
        {
            "period": "2026-11",
            f"score_{crits[0].pk}": "90",
            f"score_{crits[1].pk}": "80",
        },
    )
    assert resp.status_code == 302
    assert w.evaluations.get().total == 86
    html = c.get(reverse("service:windows") + "?period=2026-11").content.decode()
    assert "甲营业厅" in html and "86.00" in html
    resp = c.post(
        reverse("service:window_new"),
        {"name": "甲营业厅", "kind": "hall", "org_unit": w.org_unit_id},
    )
    assert resp.status_code == 200 and ServiceWindow.objects.count() == 1


def test_public_survey_page_needs_no_sign_in_and_has_no_inline_script(world):
    import re

    from tongqi.service.selectors import survey_url_for

    path = survey_url_for(world["app"]).split("127.0.0.1:8000", 1)[1]
    resp = Client().get(path)
    assert (
        resp.status_code == 200
        and "no-cache" in resp["Cache-Control"]
        or "max-age=0" in resp["Cache-Control"]
    )
    html = resp.content.decode()
    assert all("src=" in attrs for attrs in re.findall(r"<script\b([^>]*)>", html))
    assert 'style="' not in html
