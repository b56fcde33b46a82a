"""The applications API: customers and staff through tokens, the portal through signatures;
same services, same scoping; idempotent creates; status push on every change."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongqi.accounts.choices import Role
from tongqi.applications.choices import Status
from tongqi.applications.models import Application
from tongqi.integration import services as integration
from tongqi.integration.choices import SignatureAlgorithm
from tongqi.integration.models import OutboxMessage, Subscription
from tongqi.integration.tests.conftest import VECTOR_APP_KEY, VECTOR_SECRET, signed_headers
from tongqi.testing.app_factories import submitted_application, uscc

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = integration.token_create(user=user, name="test", days=7)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def payload(org, n=1, **kw) -> dict:
    data = {
        "enterprise": {
            "name": f"武汉接口测试{n}有限公司",
            "uscc": uscc(5000 + n),
            "legal_representative": "王五",
            "contact_name": "赵六",
            "contact_mobile": "13812345678",
        },
        "district_code": org.district_a.code,
        "street": "关东街道",
        "address_detail": "关山大道1号",
        "usage_type": "restaurant",
        "annual_consumption": "36000",
        "appliances": [{"name": "炒灶", "rated_flow": "4.5", "count": 2}],
        "privacy_notice_accepted": True,
    }
    data.update(kw)
    return data


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_customer_submits_reads_and_cannot_see_others(org, people, make_user):
    c = Client()
    h = bearer(people.customer)
    resp = post(c, "/api/v1/applications", payload(org), **h)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == Status.SUBMITTED and body["customer_step"] == 1
    assert body["contacts"][0]["role"] == "account_manager"
    app_id = body["id"]
    assert c.get(f"/api/v1/applications/{app_id}", **h).status_code == 200
    listing = c.get("/api/v1/applications", **h).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == app_id
    stranger = make_user(Role.CUSTOMER)
    resp = c.get(f"/api/v1/applications/{app_id}", **bearer(stranger))
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    resp = c.get(f"/api/v1/applications/{app_id}", **bearer(people.am_b))  # another grid
    assert resp.status_code == 404


def _reads_of_applications(queries) -> int:
    return sum(
        q["sql"].startswith("SELECT") and 'FROM "applications_application"' in q["sql"]
        for q in queries
    )


def test_submit_answers_without_reading_back_and_a_detail_reads_once(org, people):
    """The submission's answer comes from the row just written; a detail is one read, joins and
    all (the many-join read cost more than the rest of a submission under load)."""
    c = Client()
    h = bearer(people.customer)
    with CaptureQueriesContext(connection) as q:
        resp = post(c, "/api/v1/applications", payload(org), **h)
    assert resp.status_code == 201, resp.content
    assert _reads_of_applications(q.captured_queries) == 0
    created = resp.json()
    with CaptureQueriesContext(connection) as q:
        detail = c.get(f"/api/v1/applications/{created['id']}", **h).json()
    assert _reads_of_applications(q.captured_queries) == 1
    assert detail["number"] == created["number"] and detail["status"] == Status.SUBMITTED
    assert detail["contacts"] == created["contacts"] and created["contacts"]
    assert detail["district"] == created["district"] == org.district_a.name


def test_bad_input_is_a_field_level_422_and_nothing_is_saved(org, people):
    data = payload(org)
    data["enterprise"]["uscc"] = "91110108551385082A"
    resp = post(Client(), "/api/v1/applications", data, **bearer(people.customer))
    assert resp.status_code == 422
    err = resp.json()
    assert err["code"] == "invalid" and "enterprise.uscc" in err["fields"]
    assert Application.objects.count() == 0


def test_idempotent_create_never_duplicates(org, people):
    c = Client()
    h = {**bearer(people.customer), "HTTP_IDEMPOTENCY_KEY": "key-0001-abcdef"}
    first = post(c, "/api/v1/applications", payload(org), **h)
    again = post(c, "/api/v1/applications", payload(org), **h)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = post(c, "/api/v1/applications", payload(org, n=2), **h)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_staff_accept_with_version_and_conflict(org, people):
    app = submitted_application(org, customer=people.customer)
    c = Client()
    h = bearer(people.am_a)
    queue = c.get("/api/v1/applications", {"queue": "new"}, **h).json()
    assert [i["id"] for i in queue["items"]] == [app.pk]
    resp = post(
        c,
        f"/api/v1/applications/{app.pk}/accept",
        {"expected_version": app.version, "category": "no_external_works"},
        **h,
    )
    assert resp.status_code == 200 and resp.json()["status"] == Status.ACCEPTED
    assert resp.json()["clock"]["limit_days"] == 8
    stale = post(
        c,
        f"/api/v1/applications/{app.pk}/reject",
        {"expected_version": app.version, "reason": "x"},
        **h,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    illegal = post(c, f"/api/v1/applications/{app.pk}/accept", {}, **h)
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    forbidden = post(
        c,
        f"/api/v1/applications/{app.pk}/survey",
        {"category": "standard_package"},
        **bearer(people.customer),
    )
    assert forbidden.status_code == 403


def test_staff_see_masked_phone_and_reveal_is_audited(org, people):
    from tongqi.audit.models import AuditRecord

    app = submitted_application(org, customer=people.customer)
    c = Client()
    detail = c.get(f"/api/v1/applications/{app.pk}", **bearer(people.am_a)).json()
    assert "****" in detail["contact_mobile"]
    resp = post(
        c, f"/api/v1/applications/{app.pk}/pii", {"reason": "回访核实"}, **bearer(people.am_a)
    )
    assert resp.status_code == 200 and "****" not in resp.json()["contact_mobile"]
    assert AuditRecord.objects.filter(action="view_pii", reason="回访核实").exists()
    assert (
        post(
            c, f"/api/v1/applications/{app.pk}/pii", {"reason": "x y"}, **bearer(people.engineer_a)
        ).status_code
        == 403
    )


@pytest.fixture
def portal(people):
    client, _secret = integration.api_client_create(
        name="一网通办",
        actor=people.sysadmin,
        app_key=VECTOR_APP_KEY,
        secret=VECTOR_SECRET,
        algorithm=SignatureAlgorithm.HMAC_SHA256,
    )
    return client


def gov(client, method, path, data=None, key="idem-gov-0001"):
    body = json.dumps(data).encode() if data is not None else b""
    headers = signed_headers(method=method, path=path, body=body)
    if method == "POST":
        headers["HTTP_IDEMPOTENCY_KEY"] = key
        return client.post(path, body, content_type="application/json", **headers)
    return client.get(path, **headers)


def test_portal_submits_reads_status_and_timeline(org, people, portal):
    c = Client()
    resp = gov(c, "POST", "/api/v1/gov/applications", payload(org))
    assert resp.status_code == 201, resp.content
    number = resp.json()["number"]
    app = Application.objects.get(number=number)
    assert app.channel == "gov" and app.api_client == portal
    again = gov(c, "POST", "/api/v1/gov/applications", payload(org))
    assert again.json()["number"] == number and Application.objects.count() == 1
    status = gov(c, "GET", f"/api/v1/gov/applications/{number}").json()
    assert status["customer_step"] == 1 and status["account_manager"]["name"]
    timeline = gov(c, "GET", f"/api/v1/gov/applications/{number}/timeline").json()
    assert [e["action"] for e in timeline] == ["submit"]
    # another application (not the portal's) is not visible to it
    other = submitted_application(org, n=9)
    assert gov(c, "GET", f"/api/v1/gov/applications/{other.number}").status_code == 404
    # unsigned: 401
    assert c.get(f"/api/v1/gov/applications/{number}").status_code == 401


def test_portal_submission_needs_an_idempotency_key(org, portal):
    path = "/api/v1/gov/applications"
    body = json.dumps(payload(org)).encode()
    resp = Client().post(
        path,
        body,
        content_type="application/json",
        **signed_headers(method="POST", path=path, body=body),
    )
    assert resp.status_code == 400 and resp.json()["code"] == "idempotency_key_missing"


def test_every_change_is_pushed_to_the_portals_subscription(org, people, portal):
    Subscription.objects.create(
        client=portal,
        url="http://127.0.0.1:9/callback",
        topics=["application.status_changed"],
        active=True,
    )
    c = Client()
    number = gov(c, "POST", "/api/v1/gov/applications", payload(org)).json()["number"]
    app = Application.objects.get(number=number)
    from tongqi.applications import services as svc

    svc.application_accept(application=app, actor=people.am_a)
    pushes = [m.payload for m in OutboxMessage.objects.filter(kind="webhook.deliver")]
    statuses = [p.get("payload", p).get("status") if isinstance(p, dict) else None for p in pushes]
    assert len(pushes) == 2, pushes
    assert Status.SUBMITTED in json.dumps(pushes) and Status.ACCEPTED in json.dumps(pushes)
    assert statuses  # each message carries the application's new status


def test_a_malformed_upload_is_a_400_not_a_500(org, portal):
    app_number = gov(Client(), "POST", "/api/v1/gov/applications", payload(org)).json()["number"]
    path = f"/api/v1/gov/applications/{app_number}/attachments"
    body = b"not multipart at all"
    headers = signed_headers(method="POST", path=path, body=body)
    resp = Client().post(
        path,
        body,
        content_type="multipart/form-data",
        HTTP_IDEMPOTENCY_KEY="idem-upload-0001",
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["code"] == "bad_request"
