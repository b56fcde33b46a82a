"""Every page through the permission matrix; the builder, confirmation and payment flows as a
user drives them; query counts on the lists; Excel exports; the application-page panels."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from tongqi.accounts.choices import Role
from tongqi.applications.choices import Status
from tongqi.applications.panels import panels_for
from tongqi.pricing import services as svc
from tongqi.pricing.choices import PaymentMethod, QuoteStatus
from tongqi.pricing.models import ContractorChoice, Quote, Receivable
from tongqi.testing.app_factories import submitted_application
from tongqi.testing.matrix import assert_matrix

from .conftest import drive
from .helpers import issue, package_input, to_gas_on

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """The administrator and the auditor are in the matrices; their second factor is tested in
    accounts, so here a signed-in session counts as verified."""
    settings.TONGQI_REQUIRE_2FA = False


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(org, people, catalogue, surveyed, make_user, run_outbox):
    """A quoted application (grid A), a gas-on one with its receivable, a future price list,
    a listed contractor, a drawing, another customer and a marketing user of subsidiary B."""
    quoted = surveyed
    d = svc.quote_save_draft(application=quoted, actor=people.am_a, data=package_input(catalogue))
    drawing = svc.drawing_add(quote=d, actor=people.am_a, title="平面图", name="p.png", content=PNG)
    quote = svc.quote_issue(quote=d, actor=people.am_a)
    done = drive(submitted_application(org, customer=people.customer, n=2), people, Status.SURVEYED)
    q2 = issue(done, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=q2, actor=people.customer)
    to_gas_on(done, people)
    run_outbox()
    future = svc.price_list_create(
        actor=people.marketing,
        name="拟",
        effective_from=timezone.localdate() + timedelta(days=9),
        prices=[svc.PriceInput(p.pk, "1", "1") for p in catalogue.packages.values()],
    )
    unit = svc.contractor_save(actor=people.marketing, name="甲监理公司")
    qual = svc.qualification_save(
        actor=people.marketing,
        contractor=unit,
        role="supervisor",
        name="市政公用工程监理",
        level="甲级",
        certificate_number="E1",
        valid_until=timezone.localdate() + timedelta(days=99),
    )
    return SimpleNamespace(
        quoted=quoted,
        quote=quote,
        drawing=drawing,
        done=done,
        receivable=Receivable.objects.get(application=done),
        future=future,
        unit=unit,
        qual=qual,
        other_customer=make_user(Role.CUSTOMER),
        marketing_b=make_user(Role.MARKETING, org.sub_b),
    )


# --- the permission matrix ---------------------------------------------------------------------


def test_matrix_marketing_pages(world, people, catalogue):
    pk = catalogue.packages["4+N"].pk
    for url in (
        "/pricing/packages/",
        "/pricing/packages/export.xlsx",
        "/pricing/packages/new/",
        f"/pricing/packages/{pk}/",
        "/pricing/price-lists/",
        "/pricing/price-lists/new/",
        f"/pricing/price-lists/{catalogue.price_list.pk}/",
        f"/pricing/price-lists/{world.future.pk}/edit/",
        "/pricing/policies/",
        "/pricing/policies/new/",
        "/pricing/contractors/",
        "/pricing/contractors/new/",
        f"/pricing/contractors/{world.unit.pk}/",
        f"/pricing/contractors/{world.unit.pk}/qualifications/new/",
        f"/pricing/contractors/{world.unit.pk}/qualifications/{world.qual.pk}/",
    ):
        assert_matrix(url, allowed=people.marketing, wrong_role=people.am_a)
        assert_matrix(url, allowed=people.sysadmin, wrong_role=people.customer)  # 配置: packages


def test_matrix_home(world, people):
    assert_matrix("/pricing/", allowed=people.marketing, wrong_role=people.customer)
    assert_matrix("/pricing/", allowed=people.am_a, wrong_role=people.auditor)


def test_matrix_quotes(world, people):
    q = world.quote
    for url in ("/pricing/quotes/", "/pricing/quotes/export.xlsx"):
        assert_matrix(url, allowed=people.am_a, wrong_role=people.customer)
        assert_matrix(url, allowed=people.marketing, wrong_role=people.sysadmin)
    assert_matrix(
        f"/pricing/quotes/{q.pk}/",
        allowed=people.am_a,
        wrong_role=people.sysadmin,
        other_scope=people.am_b,
    )
    assert_matrix(
        f"/pricing/quotes/{q.pk}/pdf/",
        allowed=people.customer,
        wrong_role=people.auditor,
        other_scope=world.other_customer,
    )
    assert_matrix(f"/pricing/quotes/{q.pk}/pdf/", allowed=people.am_a, other_scope=people.am_b)
    app = world.quoted
    assert_matrix(
        f"/pricing/applications/{app.pk}/quote/",
        allowed=people.am_a,
        wrong_role=people.marketing,
        other_scope=people.am_b,
    )
    assert_matrix(
        f"/pricing/applications/{app.pk}/quote/preview/",
        method="post",
        data={},
        allowed=people.am_a,
        wrong_role=people.customer,
        other_scope=people.am_b,
    )
    assert_matrix(
        f"/pricing/drawings/{world.drawing.pk}/",
        allowed=people.am_a,
        wrong_role=people.sysadmin,
        other_scope=people.am_b,
    )


def test_matrix_customer_pages(world, people):
    q, app, done = world.quote, world.quoted, world.done
    assert_matrix(
        f"/pricing/portal/quotes/{q.pk}/",
        allowed=people.customer,
        wrong_role=people.engineer_a,
        other_scope=world.other_customer,
    )
    assert_matrix(
        f"/pricing/applications/{app.pk}/contractors/",
        allowed=people.customer,
        wrong_role=people.engineer_a,
        other_scope=world.other_customer,
    )
    assert_matrix(
        f"/pricing/applications/{app.pk}/contractors/", allowed=people.am_a, other_scope=people.am_b
    )
    for url in (
        f"/pricing/applications/{app.pk}/rights-notice.pdf",
        f"/pricing/applications/{done.pk}/gas-on-certificate.pdf",
    ):
        assert_matrix(
            url,
            allowed=people.customer,
            wrong_role=people.auditor,
            other_scope=world.other_customer,
        )
        assert_matrix(url, allowed=people.engineer_a, other_scope=people.am_b)
    # the customer never sees a draft or its drawings
    d = svc.quote_save_draft(
        application=app, actor=people.am_a, data=package_input_for(app, people)
    )
    assert client(people.customer).get(f"/pricing/quotes/{d.pk}/pdf/").status_code == 404


def package_input_for(app, people):
    return svc.quote_input_for(app)


def test_matrix_receivables(world, people):
    r = world.receivable
    for url in ("/pricing/receivables/", "/pricing/receivables/export.xlsx"):
        assert_matrix(url, allowed=people.marketing, wrong_role=people.am_a)
    assert_matrix(
        f"/pricing/receivables/{r.pk}/",
        allowed=people.marketing,
        wrong_role=people.customer,
        other_scope=world.marketing_b,
    )


# --- flows -------------------------------------------------------------------------------------


def builder_post(app, catalogue, action="save", **over):
    data = {
        "plan": f"package:{catalogue.packages['10+N'].pk}",
        "pipe_length_m": "31.2",
        "external_length_m": "50",
        "own_works_estimate": "",
        "note": "",
        "lock_version": "0",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "items-0-section": "customer",
        "items-0-description": "",
        "items-0-unit": "",
        "items-0-quantity": "",
        "items-0-unit_price": "",
        "items-0-unit_cost": "",
        "action": action,
    }
    data.update(over)
    return data


def test_builder_save_preview_issue_on_a_phone(org, people, catalogue, surveyed):
    c = client(people.am_a)
    url = f"/pricing/applications/{surveyed.pk}/quote/"
    page = c.get(url).content.decode()
    assert 'name="viewport"' in page and "10+N" in page and "plan-option" in page
    assert "style=" not in page and "<script>" not in page  # CSP: no inline style or script
    # htmx preview: the summary only, recomputed, with the sticky total swapped out of band
    resp = c.post(url + "preview/", builder_post(surveyed, catalogue, action="preview"))
    html = resp.content.decode()
    assert resp.status_code == 200 and "¥25,340.00" in html and 'hx-swap-oob="true"' in html
    # a bad item gets its own field error, nothing saved
    bad = builder_post(
        surveyed,
        catalogue,
        **{
            "items-0-section": "gas_source",
            "items-0-description": "碰口",
            "items-0-unit": "处",
            "items-0-quantity": "1",
            "items-0-unit_price": "100",
        },
    )
    resp = c.post(url, bad)
    assert resp.status_code == 200 and not Quote.objects.exists()
    assert resp.context["formset"].forms[0].errors["unit_price"]
    # save the draft, then issue it from its own confirmed form
    assert c.post(url, builder_post(surveyed, catalogue)).status_code == 302
    draft = Quote.objects.get()
    assert draft.status == QuoteStatus.DRAFT and draft.utility_investment == Decimal("42500.00")
    resp = c.post(f"/pricing/quotes/{draft.pk}/issue/", {"lock_version": draft.lock_version})
    assert resp.status_code == 302 and resp["Location"] == f"/pricing/quotes/{draft.pk}/"
    surveyed.refresh_from_db()
    assert surveyed.status == Status.QUOTED
    # a second issue of the same page is told it was already issued (no 500)
    resp = c.post(f"/pricing/quotes/{draft.pk}/issue/", {"lock_version": draft.lock_version})
    assert resp.status_code == 302


def test_builder_drawing_upload_rejects_a_fake(people, catalogue, surveyed):
    c = client(people.am_a)
    url = f"/pricing/applications/{surveyed.pk}/quote/"
    c.post(url, builder_post(surveyed, catalogue))
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    resp = c.post(url + "drawings/", {"title": "平面图", "file": fake}, follow=True)
    assert resp.status_code == 200 and not Quote.objects.get().drawings.exists()
    good = SimpleUploadedFile("plan.png", PNG, content_type="image/png")
    c.post(url + "drawings/", {"title": "平面图", "file": good})
    assert Quote.objects.get().drawings.count() == 1


def test_customer_confirms_online(world, people):
    c = client(people.customer)
    url = f"/pricing/portal/quotes/{world.quote.pk}/"
    page = c.get(url).content.decode()
    assert "¥0.00" in page and world.quote.number in page
    assert "42,500" not in page  # no internal investment on the customer's page
    resp = c.post(url, {"action": "confirm"})  # without ticking the box
    assert resp.status_code == 200 and resp.context["confirm_form"].errors
    assert c.post(url, {"action": "confirm", "agree": "on"}).status_code == 302
    world.quoted.refresh_from_db()
    assert world.quoted.status == Status.CONFIRMED
    # staff who are not the counter cannot confirm for the customer
    assert client(people.am_a).post(url, {"action": "confirm", "agree": "on"}).status_code == 403


def test_contractor_page_preselects_nothing(world, people):
    c = client(people.customer)
    url = f"/pricing/applications/{world.quoted.pk}/contractors/"
    page = c.get(url).content.decode()
    assert "甲监理公司" in page
    for role in ("designer", "builder", "supervisor"):
        select = re.search(rf'<select name="{role}-qualification".*?</select>', page, re.S).group(0)
        options = re.findall(r"<option[^>]*>", select)
        assert [o for o in options if "selected" in o] == ['<option value="" selected>']
    form = c.get(url).context["rows"][2][3]
    assert form["qualification"].value() is None  # nothing chosen for the customer
    resp = c.post(url, {"role": "supervisor", "supervisor-qualification": str(world.qual.pk)})
    assert resp.status_code == 302
    assert ContractorChoice.objects.get(application=world.quoted).contractor == world.unit
    resp = c.post(url, {"role": "builder", "builder-other": "on"})
    assert resp.status_code == 200 and resp.context["rows"][1][3].errors


def test_record_a_payment_through_the_page(world, people):
    c = client(people.marketing)
    url = f"/pricing/receivables/{world.receivable.pk}/"
    today = timezone.localdate().isoformat()
    resp = c.post(url, {"amount": "99999999", "method": "cash", "paid_on": today})
    assert resp.status_code == 200 and resp.context["form"].errors["amount"]
    resp = c.post(
        url,
        {"amount": "100.00", "method": PaymentMethod.WECHAT, "reference": "W1", "paid_on": today},
    )
    assert resp.status_code == 302
    world.receivable.refresh_from_db()
    assert world.receivable.paid_amount == Decimal("100.00")


def test_price_list_and_policy_forms(world, people, catalogue):
    c = client(people.marketing)
    data = {
        "name": "今日降价",
        "effective_from": timezone.localdate().isoformat(),
        "document": "",
        "note": "",
    }
    for p in catalogue.packages.values():
        data[f"base_{p.pk}"] = "100.00"
        data[f"extra_{p.pk}"] = "1.00"
    past = dict(data, effective_from=(timezone.localdate() - timedelta(days=1)).isoformat())
    resp = c.post("/pricing/price-lists/new/", past)
    assert resp.status_code == 200 and resp.context["form"].errors["effective_from"]
    assert c.post("/pricing/price-lists/new/", data).status_code == 302
    assert (
        c.get(f"/pricing/price-lists/{catalogue.price_list.pk}/edit/").status_code == 302
    )  # a list in force is not editable
    resp = c.post(f"/pricing/price-lists/{world.future.pk}/delete/")
    assert resp.status_code == 302


# --- lists: query counts and exports -----------------------------------------------------------


@pytest.fixture
def many(org, people, catalogue):
    apps = []
    for n in range(10, 22):
        app = drive(
            submitted_application(org, customer=people.customer, n=n), people, Status.SURVEYED
        )
        q = issue(app, people.am_a, package_input(catalogue))
        Receivable.objects.create(
            application=app,
            quote=q,
            amount=q.customer_total,
            gas_on_at=timezone.now(),
            due_date=timezone.localdate() - timedelta(days=n % 3),
        )
        apps.append(app)
    return apps


def test_list_query_counts_are_bounded(many, people, django_assert_max_num_queries):
    c = client(people.am_a)
    with django_assert_max_num_queries(12):
        assert c.get("/pricing/quotes/").status_code == 200
    m = client(people.marketing)
    with django_assert_max_num_queries(12):
        assert m.get("/pricing/receivables/?overdue=on").status_code == 200
    with django_assert_max_num_queries(12):
        assert m.get("/pricing/packages/").status_code == 200
    with django_assert_max_num_queries(16):
        assert m.get("/pricing/").status_code == 200


def test_lists_are_scoped(many, people):
    assert len(client(people.am_a).get("/pricing/quotes/").context["page"].object_list) == 12
    assert len(client(people.am_b).get("/pricing/quotes/").context["page"].object_list) == 0


def test_excel_exports(many, people, catalogue):
    def sheet(resp):
        assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
        return list(wb.active.iter_rows(values_only=True))

    rows = sheet(client(people.am_a).get("/pricing/quotes/export.xlsx"))
    assert rows[0][0] == "报价单号" and len(rows) == 13
    assert rows[1][10] == 25340  # the customer's total as a number
    rows = sheet(client(people.marketing).get("/pricing/receivables/export.xlsx?overdue=on"))
    assert rows[0][0] == "申请编号" and len(rows) == 1 + 8  # n % 3 != 0 → overdue
    rows = sheet(client(people.marketing).get("/pricing/packages/export.xlsx"))
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == ["4+N", "6+N", "10+N", "16+N"]


# --- panels on the application page ------------------------------------------------------------


def render_panels(user, app, customer):
    req = RequestFactory().get("/")
    req.user = user
    return {
        panel.key: render_to_string(panel.template, ctx, request=req)
        for panel, ctx in panels_for(req, app, customer=customer)
    }


def test_staff_panel(world, people):
    out = render_panels(people.am_a, world.quoted, customer=False)
    html = out["pricing.quote"]
    assert f"/pricing/applications/{world.quoted.pk}/quote/" in html  # the builder link
    assert world.quote.number in html and "/rights-notice.pdf" in html
    html = render_panels(people.marketing, world.done, customer=False)["pricing.quote"]
    assert f"/pricing/applications/{world.done.pk}/quote/" not in html  # marketing: no builder
    assert f"/pricing/receivables/{world.receivable.pk}/" in html
    assert "gas-on-certificate.pdf" in html
    assert "pricing.customer" not in out


def test_customer_panel(world, people):
    html = render_panels(people.customer, world.quoted, customer=True)["pricing.customer"]
    assert f"/pricing/portal/quotes/{world.quote.pk}/" in html and "btn-primary" in html
    assert "/rights-notice.pdf" in html and "gas-on-certificate" not in html
    html = render_panels(people.customer, world.done, customer=True)["pricing.customer"]
    assert "gas-on-certificate.pdf" in html and "¥0.00" in html


def test_matrix_actions(world, people, catalogue):
    """The POST-only actions: the same matrix, the allowed user redirected after acting."""
    app = world.quoted
    d = svc.quote_save_draft(application=app, actor=people.am_a, data=svc.quote_input_for(app))
    pic = svc.drawing_add(quote=d, actor=people.am_a, title="图", name="a.png", content=PNG)
    assert_matrix(
        f"/pricing/applications/{app.pk}/quote/drawings/{pic.pk}/delete/",
        method="post",
        allowed=people.am_a,
        wrong_role=people.marketing,
        other_scope=people.am_b,
        ok_status=302,
    )
    assert not d.drawings.filter(pk=pic.pk).exists()
    assert_matrix(
        f"/pricing/applications/{app.pk}/quote/drawings/",
        method="post",
        data={"title": "x"},
        allowed=people.am_a,
        wrong_role=people.customer,
        other_scope=people.am_b,
        ok_status=302,
    )
    assert_matrix(
        f"/pricing/quotes/{d.pk}/discard/",
        method="post",
        allowed=people.am_a,
        wrong_role=people.customer,
        other_scope=people.am_b,
        ok_status=302,
    )
    assert not Quote.objects.filter(pk=d.pk).exists()
    d = svc.quote_save_draft(application=app, actor=people.am_a, data=svc.quote_input_for(app))
    assert_matrix(
        f"/pricing/quotes/{d.pk}/issue/",
        method="post",
        data={"lock_version": d.lock_version},
        allowed=people.am_a,
        wrong_role=people.marketing,
        other_scope=people.am_b,
        ok_status=302,
    )
    d.refresh_from_db()
    assert d.status == QuoteStatus.ISSUED
    assert_matrix(
        f"/pricing/price-lists/{world.future.pk}/delete/",
        method="post",
        allowed=people.marketing,
        wrong_role=people.am_a,
        ok_status=302,
    )
    policy = svc.policy_save(
        actor=people.marketing,
        effective_from=timezone.localdate() + timedelta(days=3),
        approval_document="武城管办〔2019〕15号",
    )
    assert_matrix(
        f"/pricing/policies/{policy.pk}/", allowed=people.marketing, wrong_role=people.am_a
    )


def test_panels_on_the_real_application_pages(world, people):
    page = client(people.am_a).get(f"/workbench/applications/{world.quoted.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="panel-pricing.quote"' in html
    assert f"/pricing/applications/{world.quoted.pk}/quote/" in html
    page = client(people.customer).get(f"/portal/applications/{world.quoted.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="panel-pricing.customer"' in html
    assert f"/pricing/portal/quotes/{world.quote.pk}/" in html
