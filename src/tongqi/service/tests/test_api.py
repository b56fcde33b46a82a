"""The complaints API for hotline platforms: one entry point, idempotent per ticket, field
errors, staff-only, listed in the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tongqi.service.models import Complaint

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


TICKET = {
    "source": "12345",
    "ticket": "WH20261127-0001",
    "title": "商铺燃气压力不足",
    "content": "中午高峰时段灶具火力小。",
    "kind": "request",
    "topic": "supply",
    "complainant_name": "王先生",
    "complainant_phone": "13871000001",
    "received_at": "2026-11-26T09:30:00+08:00",
}


def test_a_hotline_ticket_is_registered_once(people):
    c = _client(people.service)
    first = _post(c, TICKET)
    assert first.status_code == 201
    body = first.json()
    assert body["created"] and body["ticket"] == TICKET["ticket"] and body["status"] == "new"
    assert body["due_date"] == "2026-11-26" and body["complainant_phone"] == "138****0001"
    again = _post(c, {**TICKET, "title": "重复推送"})
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["number"] == body["number"]
    assert Complaint.objects.count() == 1 and Complaint.objects.get().title == TICKET["title"]
    read = c.get(URL + body["number"])
    assert read.status_code == 200 and read.json()["status_label"]


def test_bad_tickets_get_field_errors(people):
    resp = _post(
        _client(people.service), {**TICKET, "ticket": "", "complainant_phone": "12", "title": " "}
    )
    assert resp.status_code == 422
    assert {"external_id", "complainant_phone", "title"} <= set(resp.json()["fields"])
    assert _post(_client(people.service), {"source": "12345"}).status_code == 422  # schema
    assert not Complaint.objects.exists()


def test_only_service_management_may_call(people):
    assert _post(Client(), TICKET).status_code == 401
    assert _post(_client(people.am_a), TICKET).status_code == 403
    assert _post(_client(people.customer), TICKET).status_code == 403
    assert _post(_client(people.service), {**TICKET, "source": "portal"}).status_code == 422
    assert not Complaint.objects.exists()


def test_the_endpoints_are_in_the_openapi_document():
    doc = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/complaints/" in doc["paths"] and "/api/v1/complaints/{number}" in doc["paths"]


def test_a_service_account_uses_a_bearer_token_and_an_idempotency_key(people):
    from tongqi.integration.services import token_create

    _token, raw = token_create(user=people.service, name="12345 adapter", days=30)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "k-0001-abcdef"}
    body = json.dumps({**TICKET, "ticket": "WH-T-1"})
    first = Client().post(URL, body, content_type="application/json", **headers)
    assert first.status_code == 201
    replay = Client().post(URL, body, content_type="application/json", **headers)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["number"] == first.json()["number"]
    assert Complaint.objects.get().registered_by == people.service
