"""The service counter: a clerk enters a walk-in customer's application and finds one by USCC
or phone; the visit is counted against 零上门."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongqi.applications.choices import Channel, Status, VisitKind
from tongqi.applications.models import Application, Attachment, Enterprise, Visit
from tongqi.testing.app_factories import submitted_application, uscc
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def html(resp) -> str:
    return resp.content.decode()


def walk_in(org, **overrides) -> dict:
    data = {
        "enterprise-uscc": uscc(5151),
        "enterprise-name": "武汉窗口测试酒店有限公司",
        "enterprise-legal_representative": "郑十",
        "enterprise-registered_address": "",
        "enterprise-contact_name": "冯一",
        "enterprise-contact_mobile": "13623456789",
        "enterprise-id_number": "11010519491231002X",
        "district": org.district_a.code,
        "street": "关东街道",
        "address_detail": "光谷大道3号",
        "usage_type": "hotel",
        "annual_consumption": "120000",
        "appliances-TOTAL_FORMS": "1",
        "appliances-INITIAL_FORMS": "0",
        "appliances-MIN_NUM_FORMS": "1",
        "appliances-MAX_NUM_FORMS": "50",
        "appliances-0-name": "燃气热水锅炉",
        "appliances-0-rated_flow": "60",
        "appliances-0-count": "1",
        "att-kind_0": "application_form",
        "att-kind_1": "other",
        "att-kind_2": "other",
        "privacy-accept": "on",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_counter_pages_go_through_the_matrix(people):
    for name in ("counter", "counter_new"):
        assert_matrix(
            reverse(f"applications:{name}"), allowed=people.counter_a, wrong_role=people.am_a
        )
    assert_matrix(reverse("applications:counter"), wrong_role=people.customer)


def test_a_walk_in_application_is_submitted_with_channel_counter_and_a_visit(org, people):
    # given a customer at the counter with a signed form on paper, scanned
    c = client_for(people.counter_a)
    data = walk_in(org)
    data["att-file_0"] = SimpleUploadedFile("申请表.pdf", PDF)
    # when the clerk submits it
    resp = c.post(reverse("applications:counter_new"), data)
    # then it is submitted, routed and counted as one trip to an office
    app = Application.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("applications:detail", args=[app.pk])
    assert app.status == Status.SUBMITTED and app.channel == Channel.COUNTER
    assert app.created_by == people.counter_a and app.applicant is None
    assert app.account_manager == people.am_a
    assert Visit.objects.get(application=app).kind == VisitKind.COUNTER
    assert Attachment.objects.get(application=app).kind == "application_form"
    follow = html(c.get(resp["Location"]))
    assert app.number in follow and people.am_a.display_name in follow


def test_the_clerk_must_record_the_customers_consent(org, people):
    resp = client_for(people.counter_a).post(
        reverse("applications:counter_new"), walk_in(org, **{"privacy-accept": None})
    )
    assert resp.status_code == 200 and Application.objects.count() == 0
    assert re.search(r'field has-error[^"]*" id="field-privacy-accept"', html(resp))


def test_bad_walk_in_data_is_refused_field_by_field(org, people):
    resp = client_for(people.counter_a).post(
        reverse("applications:counter_new"),
        walk_in(
            org,
            **{
                "enterprise-id_number": "110105194912310021",
                "street": "",
                "appliances-0-rated_flow": "999999",
            },
        ),
    )
    page = html(resp)
    assert resp.status_code == 200
    assert Application.objects.count() == 0 and Enterprise.objects.count() == 0
    assert re.search(r'field has-error" id="field-enterprise-id_number"', page)
    assert re.search(r'field has-error" id="field-street"', page)
    assert "5000 m³/h" in page


def test_an_address_in_another_companys_grid_is_still_entered(org, people):
    resp = client_for(people.counter_a).post(
        reverse("applications:counter_new"), walk_in(org, district=org.district_b.code)
    )
    app = Application.objects.get()
    assert app.grid == org.grid_b and app.status == Status.SUBMITTED
    # the clerk of company A cannot open B's application: back to the counter, with a note
    assert resp["Location"] == reverse("applications:counter")
    page = html(client_for(people.counter_a).get(resp["Location"]))
    assert app.number in page


def test_find_by_uscc_phone_or_number(org, people):
    app = submitted_application(org, customer=people.customer)
    other = submitted_application(org, n=2)
    c = client_for(people.counter_a)
    for q in (app.enterprise.uscc, app.enterprise.contact_mobile, app.number):
        page = html(c.get(reverse("applications:counter"), {"q": q}))
        results = page.split("<h2>")[1]  # the result table comes first
        assert app.number in results, q
    page = html(c.get(reverse("applications:counter"), {"q": other.number}))
    assert app.number not in page.split("<h2>")[1]
    page = html(c.get(reverse("applications:counter"), {"q": "91420100NOPE"}))
    assert "未找到申请" in page
    assert app.enterprise.contact_mobile not in page  # masked even at the counter


def test_another_companys_application_is_not_found(org, people):
    app = submitted_application(org, n=3, district=org.grid_b.district)
    page = html(
        client_for(people.counter_a).get(reverse("applications:counter"), {"q": app.number})
    )
    assert "未找到申请" in page
