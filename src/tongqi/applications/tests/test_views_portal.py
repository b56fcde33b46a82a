"""The customer portal: every page through the permission matrix, the apply flow end to end,
drafts, the customer's actions, errors next to their fields, kiosk and phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongqi.accounts.choices import Role
from tongqi.applications import panels
from tongqi.applications import services as svc
from tongqi.applications.choices import Category, Channel, CommitmentStatus, Status
from tongqi.applications.models import (
    Application,
    ApplicationEvent,
    Attachment,
    Commitment,
    Enterprise,
)
from tongqi.applications.services.submit import PRIVACY_NOTICE_VERSION
from tongqi.testing.app_factories import submitted_application, uscc
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user, **extra) -> Client:
    c = Client(**extra)
    c.force_login(user)
    return c


def html(resp) -> str:
    return resp.content.decode()


def apply_data(org, **overrides) -> dict:
    """A complete application form as the browser posts it."""
    data = {
        "enterprise-uscc": uscc(4242),
        "enterprise-name": "武汉门户测试餐饮有限公司",
        "enterprise-legal_representative": "周八",
        "enterprise-registered_address": "武汉市武昌区中南路1号",
        "enterprise-contact_name": "吴九",
        "enterprise-contact_mobile": "13912345678",
        "enterprise-id_number": "",
        "enterprise-licence_token": "",
        "district": org.district_a.code,
        "street": "中南路街道",
        "address_detail": "中南路99号1楼",
        "latitude": "",
        "longitude": "",
        "coord_system": "",
        "usage_type": "restaurant",
        "annual_consumption": "36000",
        "desired_gas_on_date": "",
        "note": "",
        "appliances-TOTAL_FORMS": "2",
        "appliances-INITIAL_FORMS": "0",
        "appliances-MIN_NUM_FORMS": "1",
        "appliances-MAX_NUM_FORMS": "50",
        "appliances-0-name": "中餐炒灶",
        "appliances-0-rated_flow": "4.5",
        "appliances-0-count": "2",
        "appliances-1-name": "蒸箱",
        "appliances-1-rated_flow": "2.8",
        "appliances-1-count": "1",
        "att-kind_0": "site_plan",
        "att-kind_1": "property_proof",
        "att-kind_2": "other",
        "privacy-accept": "on",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def app(org, people):
    return submitted_application(org, customer=people.customer)


def drive(app, people, to: str):
    """Move ``app`` along the real path up to stage ``to``."""
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


# --- the permission matrix ---------------------------------------------------------------------


def test_portal_pages_go_through_the_matrix(org, people, app, make_user):
    stranger = make_user(Role.CUSTOMER)
    for name in ("portal_home", "portal_apply", "privacy_notice"):
        assert_matrix(
            reverse(f"applications:{name}"), allowed=people.customer, wrong_role=people.am_a
        )
    for name in ("portal_detail", "portal_cancel"):
        assert_matrix(
            reverse(f"applications:{name}", args=[app.pk]),
            allowed=people.customer,
            wrong_role=people.am_a,
            other_scope=stranger,
        )


def test_the_acceptance_request_page_goes_through_the_matrix(org, people, app, make_user):
    drive(app, people, "confirmed")
    assert_matrix(
        reverse("applications:portal_request_acceptance", args=[app.pk]),
        allowed=people.customer,
        wrong_role=people.engineer_a,
        other_scope=make_user(Role.CUSTOMER),
    )


def test_a_draft_is_edited_only_by_its_owner(org, people, make_user):
    c = client_for(people.customer)
    c.post(reverse("applications:portal_apply"), apply_data(org, action="save"))
    draft = Application.objects.get(status=Status.DRAFT)
    assert_matrix(
        reverse("applications:portal_edit", args=[draft.pk]),
        allowed=people.customer,
        wrong_role=people.counter_a,
        other_scope=make_user(Role.CUSTOMER),
    )


def test_the_supply_page_goes_through_the_matrix(people, app, make_user):
    svc.application_accept(
        application=app,
        actor=people.am_a,
        missing_items=["房产证明"],
        commitment_text="补交",
        commitment_due=timezone.localdate() + timedelta(days=2),
    )
    commitment = Commitment.objects.get()
    assert_matrix(
        reverse("applications:portal_supply", args=[app.pk, commitment.pk]),
        allowed=people.customer,
        wrong_role=people.am_a,
        other_scope=make_user(Role.CUSTOMER),
    )


def test_the_licence_endpoint_is_for_customers_and_counter_clerks(people):
    url = reverse("applications:licence_prefill") + "?enterprise-uscc=" + uscc(1)
    assert_matrix(url, allowed=people.customer, wrong_role=people.engineer_a)
    assert_matrix(url, allowed=people.counter_a)


def test_attachments_download_only_for_the_owner(org, people, app, make_user):
    att = svc.attachment_add(
        actor=people.customer, application=app, kind="site_plan", name="plan.pdf", content=PDF
    )
    url = reverse("applications:portal_attachment", args=[app.pk, att.pk])
    assert_matrix(
        url, allowed=people.customer, wrong_role=people.am_a, other_scope=make_user(Role.CUSTOMER)
    )
    resp = client_for(people.customer).get(url)
    assert resp["Content-Type"] == "application/pdf"
    assert b"".join(resp.streaming_content) == PDF
    # an attachment of another application is not reachable through mine
    other = submitted_application(org, customer=make_user(Role.CUSTOMER), n=2)
    other_att = svc.attachment_add(
        actor=None, application=other, kind="other", name="x.pdf", content=PDF
    )
    bad = reverse("applications:portal_attachment", args=[app.pk, other_att.pk])
    assert client_for(people.customer).get(bad).status_code == 404


# --- home ----------------------------------------------------------------------------------------


def test_home_shows_my_applications_and_my_account_manager(org, people, app, make_user):
    submitted_application(org, customer=make_user(Role.CUSTOMER), n=3)  # someone else's
    resp = client_for(people.customer).get(reverse("applications:portal_home"))
    page = html(resp)
    assert app.number in page
    assert page.count('class="card app-card"') == 1
    assert people.am_a.display_name in page and f"tel:{people.am_a.mobile}" in page


def test_home_without_applications_says_what_to_do(people):
    resp = client_for(people.customer).get(reverse("applications:portal_home"))
    page = html(resp)
    assert 'class="card empty"' in page
    assert reverse("applications:portal_apply") in page


# --- apply ---------------------------------------------------------------------------------------


def test_apply_end_to_end_with_an_uploaded_pdf(org, people):
    # given a customer filling in the one form, with a PDF site plan
    c = client_for(people.customer)
    page = html(c.get(reverse("applications:portal_apply")))
    assert PRIVACY_NOTICE_VERSION in page and "个人信息保护法" in page
    data = apply_data(org)
    data["att-file_0"] = SimpleUploadedFile("平面图.pdf", PDF, content_type="application/pdf")
    # when it is submitted
    resp = c.post(reverse("applications:portal_apply"), data)
    # then the application is submitted, routed, numbered, with the file stored
    app = Application.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("applications:portal_detail", args=[app.pk])
    assert app.status == Status.SUBMITTED and app.number
    assert app.account_manager == people.am_a and app.applicant == people.customer
    assert app.channel == Channel.WEB
    assert app.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert str(app.peak_load) == "11.800"
    att = Attachment.objects.get(application=app)
    assert att.content_type == "pdf" and att.kind == "site_plan" and att.size == len(PDF)
    assert att.file.read() == PDF
    detail = html(c.get(resp["Location"]))
    assert app.number in detail and "平面图.pdf" in detail
    assert people.am_a.display_name in detail


def test_bad_input_shows_field_errors_and_saves_nothing(org, people):
    c = client_for(people.customer)
    data = apply_data(
        org,
        **{
            "enterprise-uscc": "91110108551385082A",  # wrong check character
            "enterprise-contact_mobile": "12345",
            "appliances-1-rated_flow": "-3",
        },
    )
    resp = c.post(reverse("applications:portal_apply"), data)
    page = html(resp)
    assert resp.status_code == 200
    assert Application.objects.count() == 0 and Enterprise.objects.count() == 0
    assert 'id="field-enterprise-uscc"' in page
    assert re.search(r'field has-error" id="field-enterprise-uscc"', page)
    assert "校验码" in page  # the USCC check-character message, in Chinese
    assert re.search(r'field has-error" id="field-enterprise-contact_mobile"', page)
    assert "额定流量须大于 0" in page  # next to the appliance row
    assert "武汉门户测试餐饮有限公司" in page  # what was typed is kept


def test_a_submission_reports_every_section_at_once(org, people):
    data = apply_data(
        org,
        district="",
        usage_type="",
        **{"enterprise-uscc": "123", "privacy-accept": None, "appliances-0-rated_flow": ""},
    )
    data.update({"appliances-1-name": "", "appliances-1-rated_flow": "", "appliances-0-name": ""})
    page = html(client_for(people.customer).post(reverse("applications:portal_apply"), data))
    for field in ("enterprise-uscc", "district", "usage_type"):
        assert re.search(rf'field has-error[^"]*" id="field-{field}"', page), field
    assert re.search(r'field has-error[^"]*" id="field-privacy-accept"', page)
    assert "请至少填写一台用气设备" in page
    assert Application.objects.count() == 0


def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(org, people):
    data = apply_data(org)
    data["att-file_0"] = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf at all")
    resp = client_for(people.customer).post(reverse("applications:portal_apply"), data)
    assert resp.status_code == 200
    assert "仅接受 PDF、JPEG、PNG 文件" in html(resp)
    assert Application.objects.count() == 0


def test_save_a_draft_come_back_and_submit(org, people):
    c = client_for(people.customer)
    # a partial draft: no usage, no appliances
    data = apply_data(
        org,
        action="save",
        usage_type="",
        annual_consumption="",
        **{
            "appliances-TOTAL_FORMS": "1",
            "appliances-0-name": "",
            "appliances-0-rated_flow": "",
            "appliances-1-name": None,
            "appliances-1-rated_flow": None,
            "appliances-1-count": None,
        },
    )
    resp = c.post(reverse("applications:portal_apply"), data)
    draft = Application.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("applications:portal_edit", args=[draft.pk])
    assert draft.status == Status.DRAFT and draft.number is None
    # coming back shows what was saved
    page = html(c.get(resp["Location"]))
    assert "中南路99号1楼" in page and f'name="version" value="{draft.version}"' in page
    # submitting the incomplete draft keeps it and marks what is missing
    resp = c.post(resp["Location"], {**data, "action": "submit", "version": draft.version})
    page = html(resp)
    draft.refresh_from_db()
    assert resp.status_code == 200 and draft.status == Status.DRAFT
    assert re.search(r'field has-error" id="field-usage_type"', page)
    assert "请至少填写一台用气设备" in page
    # completing it submits the same application
    full = apply_data(org, version=str(draft.version))
    resp = c.post(reverse("applications:portal_edit", args=[draft.pk]), full)
    draft.refresh_from_db()
    assert resp.status_code == 302 and draft.status == Status.SUBMITTED
    assert Application.objects.count() == 1


def test_a_stale_draft_page_gets_the_conflict_message(org, people):
    c = client_for(people.customer)
    c.post(reverse("applications:portal_apply"), apply_data(org, action="save"))
    draft = Application.objects.get()
    seen = draft.version
    c.post(
        reverse("applications:portal_edit", args=[draft.pk]),
        apply_data(org, action="save", version=str(seen), street="关东街道"),
    )
    resp = c.post(
        reverse("applications:portal_edit", args=[draft.pk]),
        apply_data(org, action="save", version=str(seen), street="九峰街道"),
    )
    draft.refresh_from_db()
    assert resp.status_code == 409
    assert "已被他人修改" in html(resp) or "被他人修改" in html(resp)
    assert draft.street == "关东街道"


def test_add_a_row_rerenders_without_errors_and_keeps_the_input(org, people):
    data = apply_data(org, action="add_row", **{"enterprise-uscc": "bad"})
    resp = client_for(people.customer).post(reverse("applications:portal_apply"), data)
    page = html(resp)
    assert resp.status_code == 200
    assert 'name="appliances-TOTAL_FORMS" value="3"' in page
    assert 'name="appliances-2-name"' in page and "has-error" not in page
    assert 'value="bad"' in page and "11.8" in page  # input kept, total recomputed
    assert Application.objects.count() == 0


def test_the_form_has_one_peak_load_total_and_no_inline_script(org, people):
    page = html(client_for(people.customer).get(reverse("applications:portal_apply")))
    assert "data-peak-load" in page and "/static/applications/apply.js" in page
    assert all("src=" in attrs for attrs in re.findall(r"<script\b([^>]*)>", page))
    assert not re.search(r'\sstyle="', page) and not re.search(r"\son[a-z]+=", page)


def test_a_new_application_starts_from_my_enterprise(org, people, app):
    page = html(client_for(people.customer).get(reverse("applications:portal_apply")))
    assert app.enterprise.uscc in page and app.enterprise.name in page


# --- licence sharing (证照共享) ------------------------------------------------------------------
# The demo and the tests use the integration app's fake provider: any valid code is a known
# enterprise, a body ending in 0000 is unknown, one ending in 9999 is an outage.

KNOWN, UNKNOWN, DOWN = uscc(77), uscc(10000), uscc(19999)


def lookup(c, code, **typed):
    params = {"enterprise-uscc": code, **{f"enterprise-{k}": v for k, v in typed.items()}}
    return c.get(reverse("applications:licence_prefill"), params)


def test_licence_prefill_fills_the_enterprise_and_marks_the_source(org, people, settings):
    settings.TONGQI_LICENCE_PROVIDER = "fake"
    c = client_for(people.customer)
    page = html(c.get(reverse("applications:portal_apply")))
    assert 'hx-get="/portal/apply/licence/"' in page
    resp = lookup(c, KNOWN.lower())
    fragment = html(resp)
    assert resp.status_code == 200 and "已通过证照共享自动填写" in fragment
    name = re.search(r'name="enterprise-name" value="([^"]+)"', fragment).group(1)
    token = re.search(r'name="enterprise-licence_token" value="([^"]+)"', fragment).group(1)
    assert name.startswith("武汉")
    # kept as it came: the enterprise records licence sharing as its source
    data = apply_data(
        org,
        **{
            "enterprise-uscc": KNOWN,
            "enterprise-name": name,
            "enterprise-licence_token": token,
        },
    )
    c.post(reverse("applications:portal_apply"), data)
    assert Enterprise.objects.get(uscc=KNOWN).licence_source == "licence_sharing"


def test_a_changed_name_is_not_claimed_as_licence_data(org, people):
    c = client_for(people.customer)
    token = re.search(
        r'name="enterprise-licence_token" value="([^"]+)"', html(lookup(c, KNOWN))
    ).group(1)
    data = apply_data(
        org,
        **{
            "enterprise-uscc": KNOWN,
            "enterprise-name": "别的名字有限公司",
            "enterprise-licence_token": token,
        },
    )
    c.post(reverse("applications:portal_apply"), data)
    assert Enterprise.objects.get(uscc=KNOWN).licence_source == ""


@pytest.mark.parametrize(
    ("code", "note"),
    [(UNKNOWN, "证照共享未查到该代码"), (DOWN, "证照共享服务暂时没有应答"), ("123", "不是有效的")],
)
def test_no_answer_keeps_what_was_typed_with_a_note(people, code, note):
    fragment = html(lookup(client_for(people.customer), code, name="自己填的企业名"))
    assert note in fragment
    assert 'name="enterprise-name" value="自己填的企业名"' in fragment
    assert not re.search(r'name="enterprise-licence_token" value="[^"]', fragment)


def test_licence_sharing_switched_off_changes_nothing(people, settings):
    settings.TONGQI_LICENCE_PROVIDER = "none"
    c = client_for(people.customer)
    assert lookup(c, KNOWN).status_code == 204
    assert "hx-get" not in html(c.get(reverse("applications:portal_apply")))


def test_licence_prefill_without_javascript(org, people):
    data = apply_data(org, action="prefill", **{"enterprise-uscc": KNOWN, "enterprise-name": ""})
    page = html(client_for(people.customer).post(reverse("applications:portal_apply"), data))
    assert "已通过证照共享自动填写" in page
    assert re.search(r'name="enterprise-name" value="武汉[^"]+"', page)
    assert Application.objects.count() == 0


# --- my application ------------------------------------------------------------------------------


def test_my_application_shows_two_steps_public_timeline_clock_and_manager(org, people, app):
    drive(app, people, "surveyed")
    svc.application_assign(application=app, actor=people.leader, manager=people.am_a)  # internal
    svc.application_pause(
        application=app,
        actor=people.am_a,
        reason_code="customer_documents",
        reason="等待补正房产证明",
    )
    page = html(
        client_for(people.customer).get(reverse("applications:portal_detail", args=[app.pk]))
    )
    assert page.count('class="step ') == 2
    assert 'class="step current"' in page
    assert "完成现场踏勘，确定项目类别" in page
    assert "分派客户经理" not in page  # a non-public event stays internal
    assert re.search(r"已用 [\d.]+ / 8 个工作日", page)
    assert "等待补正房产证明" in page and "已暂停" in page
    assert people.am_a.display_name in page and f"tel:{people.am_a.mobile}" in page


def test_my_application_after_gas_on_shows_both_steps_done(org, people, app):
    drive(app, people, "acceptance_requested")
    svc.application_record_acceptance(
        application=app, actor=people.engineer_a, passed=True, ignited=True, meter_number="M1"
    )
    page = html(
        client_for(people.customer).get(reverse("applications:portal_detail", args=[app.pk]))
    )
    assert page.count('class="step done"') == 2
    assert "按时办结" in page


# --- the customer's actions ----------------------------------------------------------------------


def test_request_acceptance_with_a_preferred_date(org, people, app):
    drive(app, people, "confirmed")
    c = client_for(people.customer)
    detail = html(c.get(reverse("applications:portal_detail", args=[app.pk])))
    url = reverse("applications:portal_request_acceptance", args=[app.pk])
    assert url in detail
    day = timezone.localdate() + timedelta(days=3)
    resp = c.post(
        url, {"version": app.version, "preferred_date": day.isoformat(), "note": "周三上午"}
    )
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.ACCEPTANCE_REQUESTED
    ev = ApplicationEvent.objects.get(application=app, action="request_acceptance")
    assert ev.data["preferred_date"] == day.isoformat() and ev.actor == people.customer
    follow = html(c.get(resp["Location"]))
    assert "已申请验收" in follow and 'class="alert alert-success"' in follow


def test_request_acceptance_with_a_past_date_changes_nothing(org, people, app):
    drive(app, people, "confirmed")
    url = reverse("applications:portal_request_acceptance", args=[app.pk])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    resp = client_for(people.customer).post(url, {"version": app.version, "preferred_date": past})
    app.refresh_from_db()
    assert resp.status_code == 200 and app.status == Status.CONFIRMED
    assert re.search(r'field has-error" id="field-preferred_date"', html(resp))


def test_request_acceptance_is_not_offered_too_early(people, app):
    c = client_for(people.customer)
    resp = c.get(reverse("applications:portal_request_acceptance", args=[app.pk]))
    assert resp.status_code == 302
    assert reverse("applications:portal_request_acceptance", args=[app.pk]) not in html(
        c.get(reverse("applications:portal_detail", args=[app.pk]))
    )


def test_cancel_with_a_reason_and_a_confirmation(people, app):
    c = client_for(people.customer)
    url = reverse("applications:portal_cancel", args=[app.pk])
    page = html(c.get(url))
    assert 'data-confirm="' in page
    resp = c.post(url, {"version": app.version, "reason": "  "})
    app.refresh_from_db()
    assert resp.status_code == 200 and app.status == Status.SUBMITTED
    assert re.search(r'field has-error" id="field-reason"', html(resp))
    resp = c.post(url, {"version": app.version, "reason": "经营计划调整"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == Status.CANCELLED
    assert app.outcome_reason == "经营计划调整"
    page = html(c.get(reverse("applications:portal_detail", args=[app.pk])))
    assert 'class="step closed"' in page and "经营计划调整" in page


def test_cancel_from_a_stale_page_is_a_conflict(people, app):
    seen = app.version
    svc.application_accept(application=app, actor=people.am_a)
    resp = client_for(people.customer).post(
        reverse("applications:portal_cancel", args=[app.pk]), {"version": seen, "reason": "不要了"}
    )
    app.refresh_from_db()
    assert resp.status_code == 409 and app.status == Status.ACCEPTED
    assert "您打开页面后，该申请已被他人修改" in html(resp)


def test_supplying_the_missing_items_closes_the_commitment(people, app):
    svc.application_accept(
        application=app,
        actor=people.am_a,
        missing_items=["房屋租赁合同"],
        commitment_text="三日内补交",
        commitment_due=timezone.localdate() + timedelta(days=3),
    )
    commitment = Commitment.objects.get(application=app)
    c = client_for(people.customer)
    detail = html(c.get(reverse("applications:portal_detail", args=[app.pk])))
    url = reverse("applications:portal_supply", args=[app.pk, commitment.pk])
    assert "房屋租赁合同" in detail and url in detail
    # a file that is not a document changes nothing
    resp = c.post(
        url,
        {
            "version": app.version,
            "kind": "property_proof",
            "file": SimpleUploadedFile("a.png", b"GIF89a...."),
        },
    )
    commitment.refresh_from_db()
    assert resp.status_code == 200 and commitment.status == CommitmentStatus.OPEN
    assert Attachment.objects.count() == 0
    # the real lease closes it
    resp = c.post(
        url,
        {
            "version": app.version,
            "kind": "property_proof",
            "file": SimpleUploadedFile("租赁合同.png", PNG),
        },
    )
    commitment.refresh_from_db()
    assert resp.status_code == 302 and commitment.status == CommitmentStatus.FULFILLED
    assert Attachment.objects.get(application=app).original_name == "租赁合同.png"
    assert ApplicationEvent.objects.filter(application=app, action="commitment_fulfilled").exists()


# --- panels, kiosk, phone -----------------------------------------------------------------------


@pytest.fixture
def test_panel():
    seen = []

    def context(request, application):
        seen.append((request.user, application.pk))
        return {"x": 1}

    panel = panels.register(
        panels.Panel(
            key="testpanel",
            label="测试面板",
            template="applications/_panels.html",
            context=context,
            order=50,
            staff=True,
            customer=True,
        )
    )
    yield seen
    panels.PANELS.pop(panel.key, None)


def test_panels_appear_on_both_application_pages(people, app, test_panel):
    customer_page = html(
        client_for(people.customer).get(reverse("applications:portal_detail", args=[app.pk]))
    )
    staff_page = html(client_for(people.am_a).get(reverse("applications:detail", args=[app.pk])))
    for page in (customer_page, staff_page):
        assert 'id="panel-testpanel"' in page and "测试面板" in page
    assert test_panel == [(people.customer, app.pk), (people.am_a, app.pk)]


def test_kiosk_mode_pages_have_large_targets_and_no_small_links(org, people, app):
    c = client_for(people.customer)
    c.cookies["tongqi_kiosk"] = "1"
    for url in (
        reverse("applications:portal_home"),
        reverse("applications:portal_apply"),
        reverse("applications:portal_detail", args=[app.pk]),
    ):
        page = html(c.get(url))
        assert re.search(r'<body class="kiosk portal', page), url
        assert "data-kiosk-reset" in page
    home = html(c.get(reverse("applications:portal_home")))
    assert reverse("applications:privacy_notice") not in home  # the small text link is gone
    c.post(reverse("applications:portal_apply"), apply_data(org, **{"enterprise-uscc": uscc(99)}))
    assert Application.objects.get(enterprise__uscc=uscc(99)).channel == Channel.KIOSK


def test_a_phone_gets_the_responsive_page_and_the_mobile_channel(org, people):
    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit MicroMessenger/8.0 Mobile"
    c = client_for(people.customer, HTTP_USER_AGENT=agent)
    page = html(c.get(reverse("applications:portal_apply")))
    assert 'name="viewport" content="width=device-width' in page
    assert 'class="appliance-row"' in page and 'inputmode="decimal"' in page
    c.post(reverse("applications:portal_apply"), apply_data(org))
    assert Application.objects.get().channel == Channel.MOBILE
