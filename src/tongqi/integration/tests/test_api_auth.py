"""API authentication (tokens and sessions), the token page, the error body and the OpenAPI
document (every path, every parameter, every error status)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from tongqi.accounts.middleware import SEEN_AT
from tongqi.api.v1 import api
from tongqi.audit.models import AuditRecord
from tongqi.integration import services
from tongqi.integration.models import ApiToken
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_gives_the_users_identity(people):
    token, raw = services.token_create(user=people.am_a, name="脚本", days=30)
    assert raw.startswith("tq_") and token.prefix == raw[:10]
    assert ApiToken.objects.filter(digest__contains=raw).count() == 0  # only a digest is stored
    resp = Client().get("/api/v1/me", **_bearer(raw))
    assert resp.status_code == 200
    data = resp.json()
    assert data["username"] == people.am_a.username and data["via"] == "token"
    assert "application.accept" in data["capabilities"]
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"
    assert AuditRecord.objects.filter(object_type="integration.apitoken").exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "garbage", "inactive"])
def test_bad_token_is_401_never_a_fallback(people, state):
    token, raw = services.token_create(user=people.customer, name="x", days=7)
    if state == "revoked":
        services.token_revoke(token=token, actor=people.customer)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "unknown":
        raw = raw[:-2] + "zz"
    elif state == "garbage":
        raw = "not-a-token"
    elif state == "inactive":
        services_user = people.customer
        services_user.is_active = False
        services_user.save(update_fields=["is_active"])
    c = Client()
    c.force_login(people.am_a)  # even with a session, a bad bearer token is refused
    resp = c.get("/api/v1/me", **_bearer(raw))
    assert resp.status_code == 401
    assert (
        resp.json()
        == {
            "code": "token_invalid",
            "message": resp.json()["message"],
            "fields": {},
        }
        and resp.json()["message"]
    )


def test_administrators_get_no_tokens(people):
    from django.core.exceptions import PermissionDenied

    for user in (people.sysadmin, people.auditor):
        with pytest.raises(PermissionDenied):
            services.token_create(user=user, name="x", days=7)


def test_token_validation(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.token_create(user=people.customer, name=" ", days=7)
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.token_create(user=people.customer, name="x", days=9999)
    assert "days" in info.value.message_dict
    for i in range(services.TOKEN_MAX_ACTIVE):
        services.token_create(user=people.customer, name=f"t{i}", days=7)
    with pytest.raises(ValidationError):
        services.token_create(user=people.customer, name="one too many", days=7)


def test_session_auth_needs_csrf_for_unsafe_methods(people):
    c = Client(enforce_csrf_checks=True)
    c.force_login(people.customer)
    assert c.get("/api/v1/me").json()["via"] == "session"
    resp = c.post("/api/v1/notifications/read-all")
    assert resp.status_code == 403 and resp.json()["code"] == "csrf_failed"
    c.get("/integration/notifications/")  # sets the CSRF cookie, as the portal page would
    token = c.cookies["csrftoken"].value
    assert c.post("/api/v1/notifications/read-all", HTTP_X_CSRFTOKEN=token).status_code == 200


def test_token_needs_no_csrf(people):
    _t, raw = services.token_create(user=people.customer, name="x", days=7)
    c = Client(enforce_csrf_checks=True)
    assert c.post("/api/v1/notifications/read-all", **_bearer(raw)).status_code == 200


def test_idle_session_is_refused(people, settings):
    c = Client()
    c.force_login(people.customer)
    session = c.session
    session[SEEN_AT] = int(time.time()) - settings.TONGQI_CUSTOMER_IDLE_SECONDS - 5
    session.save()
    resp = c.get("/api/v1/me")
    assert resp.status_code == 401 and resp.json()["code"] == "session_expired"
    assert c.get("/api/v1/me").json()["code"] == "not_authenticated"  # signed out


def test_second_factor_applies_to_the_api(people):
    c = Client()
    c.force_login(people.sysadmin)
    resp = c.get("/api/v1/me")
    assert resp.status_code == 403 and resp.json()["code"] == "second_factor_required"


def test_anonymous_gets_the_error_body():
    resp = Client().get("/api/v1/notifications")
    assert resp.status_code == 401
    assert set(resp.json()) == {"code", "message", "fields"}


def test_unknown_api_path_is_json_404():
    resp = Client().get("/api/v1/no/such/thing")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"


def test_validation_error_names_the_field_in_chinese(people):
    c = Client()
    c.force_login(people.customer)
    resp = c.get("/api/v1/notifications?limit=0")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid" and body["message"] == "部分字段无效。"
    assert body["fields"] == {"limit": ["请确保该值不小于 1。"]}


def test_bad_json_is_400(people):
    c = Client()
    c.force_login(people.customer)
    resp = c.put(
        "/api/v1/notifications/preferences", data="{not json", content_type="application/json"
    )
    assert resp.status_code == 400 and resp.json()["code"] == "bad_request"


def test_oversized_body_is_400(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    c = Client()
    c.force_login(people.customer)
    resp = c.put(
        "/api/v1/notifications/preferences",
        data='{"sms": true, "wechat": true, "email": true, "pad": "' + "x" * 200 + '"}',
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["code"] == "bad_request"


def test_unexpected_error_is_500_and_leaks_nothing():
    request = RequestFactory().get("/api/v1/x")
    resp = api.on_exception(request, RuntimeError("password=hunter2 at db.internal"))
    assert resp.status_code == 500
    assert b"hunter2" not in resp.content and b"internal_error" in resp.content


def test_registered_domain_error(people):
    from tongqi.api import errors

    class ApplicationError(Exception):
        def __init__(self, code, message):
            self.code, self.message = code, message

    errors.register(ApplicationError, 409)
    try:
        resp = api.on_exception(
            RequestFactory().get("/"), ApplicationError("illegal_transition", "不能从草稿直接验收")
        )
    finally:
        errors._REGISTERED.pop()
    assert resp.status_code == 409
    assert resp.content.decode("unicode_escape").count("illegal_transition") == 1


def test_application_errors_keep_their_status_code_and_fields():
    from tongqi.applications.services.errors import Conflict, InvalidInput, NotFound

    request = RequestFactory().get("/")
    for exc, status, code in (
        (Conflict(), 409, "conflict"),
        (NotFound(), 404, "not_found"),
        (InvalidInput(fields={"uscc": ["校验位错误"]}), 422, "invalid"),
    ):
        resp = api.on_exception(request, exc)
        body = __import__("json").loads(resp.content)
        assert resp.status_code == status and body["code"] == code and body["message"]
    assert body["fields"] == {"uscc": ["校验位错误"]}


def test_rate_limit_is_429(people, settings, monkeypatch):
    from tongqi.api import auth

    throttle = auth.PrincipalRateThrottle("user")
    throttle.num_requests, throttle.duration = 2, 60
    c = Client()
    c.force_login(people.customer)
    from django.core.cache import cache

    cache.clear()
    op = None
    for path_view in api._get_bound_routers():
        for pv in path_view.path_operations.values():
            for operation in pv.operations:
                if operation.path.endswith("unread-count"):
                    op = operation
    assert op is not None
    monkeypatch.setattr(op, "throttle_objects", [throttle])
    assert c.get("/api/v1/notifications/unread-count").status_code == 200
    assert c.get("/api/v1/notifications/unread-count").status_code == 200
    resp = c.get("/api/v1/notifications/unread-count")
    assert resp.status_code == 429 and resp.json()["code"] == "rate_limited"
    assert "Retry-After" in resp


# --- the token page


def test_token_page_matrix(people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    assert_matrix("/integration/tokens/", allowed=people.customer, wrong_role=people.sysadmin)
    assert_matrix("/integration/tokens/", allowed=people.engineer_a, wrong_role=people.auditor)


def test_token_page_creates_and_shows_the_token_once(people):
    c = Client()
    c.force_login(people.customer)
    resp = c.post("/integration/tokens/", {"name": "我的脚本", "days": "30"})
    assert resp.status_code == 200
    raw = resp.context["created"]["raw"]
    assert raw in resp.content.decode()
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 200
    again = c.get("/integration/tokens/").content.decode()
    assert raw not in again and raw[:10] in again and "我的脚本" in again


def test_token_page_field_errors(people):
    c = Client()
    c.force_login(people.customer)
    resp = c.post("/integration/tokens/", {"name": "", "days": "5"})
    assert resp.status_code == 400
    assert resp.context["form"].errors.keys() == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_token_revoke_own_only(people):
    mine, raw = services.token_create(user=people.customer, name="x", days=7)
    theirs, _ = services.token_create(user=people.am_a, name="y", days=7)
    c = Client()
    c.force_login(people.customer)
    assert c.post(f"/integration/tokens/{theirs.pk}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert c.post(f"/integration/tokens/{mine.pk}/revoke").status_code == 302
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 401


# --- the OpenAPI document


def test_openapi_lists_every_path_parameter_and_error():
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    paths = schema["paths"]
    for expected in (
        "/api/v1/me",
        "/api/v1/notifications",
        "/api/v1/licence/{uscc}",
        "/api/v1/gov/ping",
    ):
        assert expected in paths
    for path, item in paths.items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"400", "401", "403", "422", "429", "500"} <= codes, (method, path, codes)
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (method, path, code)
    listing = paths["/api/v1/notifications"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"limit", "offset", "unread"}
    ping = paths["/api/v1/gov/ping"]["get"]
    names = {p["name"] for p in ping["parameters"]}
    assert names >= {"X-TQ-Timestamp", "X-TQ-Nonce", "X-TQ-Signature", "X-TQ-Signature-Method"}
    assert set(schema["components"]["securitySchemes"]) == {
        "TokenAuth",
        "SessionAuth",
        "GovSignatureAuth",
    }
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message"]


def test_api_token_command(people):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", "create", people.customer.username, "--days", "7", stdout=out)
    raw = out.getvalue().strip()
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 200
    call_command("api_token", "revoke", raw[:10], stdout=StringIO())
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 401
    with pytest.raises(CommandError):
        call_command("api_token", "create", people.sysadmin.username, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody", stdout=StringIO())


def test_a_crash_outside_the_api_handlers_still_answers_json_on_api_paths():
    """bench faults: an API client must never get an HTML error page."""
    from tongqi.web.views import error_500

    resp = error_500(RequestFactory().post("/api/v1/applications"))
    assert resp.status_code == 500 and json.loads(resp.content)["code"] == "internal_error"
    page = error_500(RequestFactory().get("/applications/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_database_unavailable_is_503_with_retry_after():
    from django.db import OperationalError

    resp = api.on_exception(RequestFactory().get("/api/v1/x"), OperationalError("no route to db"))
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    assert b"service_unavailable" in resp.content and b"no route" not in resp.content


def test_the_token_check_reads_what_the_orm_reads_in_one_statement(
    people, django_assert_num_queries
):
    """The bearer check is one hand-written join (tongqi.sql): the token, its user and the
    user's unit come out as the ORM's select_related gives them, converters included."""
    _token, raw = services.token_create(user=people.am_a, name="join", days=7)
    orm = ApiToken.objects.select_related("user", "user__org_unit").get(
        digest=services.token_digest(raw)
    )
    with django_assert_num_queries(1):  # last_used_at is written on the first use only
        token = services._token_with_user(services.token_digest(raw))
        unit_name = token.user.org_unit.name  # cached, no further statement
    assert unit_name == orm.user.org_unit.name
    for obj, ref in (
        (token, orm),
        (token.user, orm.user),
        (token.user.org_unit, orm.user.org_unit),
    ):
        for f in type(ref)._meta.concrete_fields:
            assert getattr(obj, f.attname) == getattr(ref, f.attname), f.name
    assert timezone.is_aware(token.expires_at) and token.user.date_joined.tzinfo is not None
    assert token._state.adding is False and token._state.db == "default"

    # a customer has no unit: the left join's missing side is None, not an empty unit
    _t, raw_c = services.token_create(user=people.customer, name="join", days=7)
    customer_token = services._token_with_user(services.token_digest(raw_c))
    assert customer_token.user.pk == people.customer.pk and customer_token.user.org_unit is None
    assert services._token_with_user(services.token_digest("tq_" + "x" * 40)) is None
