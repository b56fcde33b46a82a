"""Idempotency-Key: replay, 422 for another body, 409 while running (real concurrency on
PostgreSQL), nothing kept on server errors, expiry, and a dead holder's key free at once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from tongqi.integration import idempotency, services
from tongqi.integration.choices import IdempotencyStatus
from tongqi.integration.models import IdempotencyKey, Notification

from . import idem_urls

pytestmark = [pytest.mark.urls("tongqi.integration.tests.idem_urls")]


@pytest.fixture
def token(people):
    _token, raw = services.token_create(user=people.customer, name="idem", days=7)
    return raw


def _post(raw, body: dict, key: str | None = None, url="/api/things"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(url, data=json.dumps(body), content_type="application/json", **headers)


def _created(user=None):
    return Notification.objects.filter(topic="idem-test").count()


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_answer(token):
    first = _post(token, {"name": "甲"}, key="k-1")
    assert first.status_code == 201
    again = _post(token, {"name": "甲"}, key="k-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert _created() == 1  # the work ran once
    row = IdempotencyKey.objects.get(key="k-1")
    assert row.status == IdempotencyStatus.COMPLETED and row.response_status == 201
    assert row.expires_at - row.created_at >= timedelta(hours=24)


@pytest.mark.django_db
def test_quoted_structured_field_key_is_the_same_key(token):
    assert _post(token, {"name": "甲"}, key='"abc-123"').status_code == 201
    assert _post(token, {"name": "甲"}, key="abc-123")["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_same_key_different_body_is_422(token):
    assert _post(token, {"name": "甲"}, key="k-2").status_code == 201
    resp = _post(token, {"name": "乙"}, key="k-2")
    assert resp.status_code == 422
    assert resp.json()["code"] == "idempotency_key_reused"
    assert _created() == 1


@pytest.mark.django_db
def test_keys_are_scoped_per_caller(token, people):
    _t, other = services.token_create(user=people.am_a, name="idem", days=7)
    assert _post(token, {"name": "甲"}, key="shared").status_code == 201
    resp = _post(other, {"name": "乙"}, key="shared")  # another user's key space
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert _created() == 2


@pytest.mark.django_db
def test_without_a_key_every_request_runs(token):
    assert _post(token, {"name": "甲"}).status_code == 201
    assert _post(token, {"name": "甲"}).status_code == 201
    assert _created() == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_required_key(token):
    resp = _post(token, {"name": "甲"}, url="/api/required")
    assert resp.status_code == 400 and resp.json()["code"] == "idempotency_key_missing"
    assert _post(token, {"name": "甲"}, key="r-1", url="/api/required").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "中文"])
def test_malformed_key_is_400(token, key):
    resp = _post(token, {"name": "甲"}, key=key)
    assert resp.status_code == 400 and resp.json()["code"] == "idempotency_key_invalid"
    assert _created() == 0


@pytest.mark.django_db
def test_a_key_left_in_progress_by_an_older_release_is_taken_at_once(token, people):
    # given a key an older release reserved before its work and never finished (a crash)
    now = timezone.now()
    body = json.dumps({"name": "甲"}).encode()
    IdempotencyKey.objects.create(
        owner=f"user:{people.customer.pk}",
        key="busy",
        fingerprint=idempotency.fingerprint("POST", "/api/things", body),
        method="POST",
        path="/api/things",
        status=IdempotencyStatus.IN_PROGRESS,
        expires_at=now + timedelta(hours=24),
    )
    # the retry holds the key's lock, so nobody works on it: it does the work, once
    assert _post(token, {"name": "甲"}, key="busy").status_code == 201
    assert _post(token, {"name": "甲"}, key="busy")["Idempotent-Replayed"] == "true"
    assert _created() == 1
    assert IdempotencyKey.objects.get(key="busy").status == IdempotencyStatus.COMPLETED


@pytest.mark.django_db
def test_the_answer_is_stored_with_the_work_or_not_at_all(people):
    """A crash after the answer was recorded but before the commit leaves neither."""
    owner = f"user:{people.customer.pk}"

    def work_then_crash():
        with transaction.atomic():
            claim = idempotency.claim(
                owner=owner, key="crash", method="POST", path="/x", body=b"{}"
            )
            Notification.objects.create(user=people.customer, title="甲", topic="idem-test")
            idempotency.record(claim, status=201, body="{}", content_type="application/json")
            raise RuntimeError("killed before the commit")

    with pytest.raises(RuntimeError):
        work_then_crash()
    assert _created() == 0 and not IdempotencyKey.objects.exists()
    with transaction.atomic():
        again = idempotency.claim(owner=owner, key="crash", method="POST", path="/x", body=b"{}")
    assert isinstance(again, idempotency.Claim)  # free: the retry does the work


@pytest.mark.django_db(transaction=True)
def test_claim_needs_the_works_transaction(people):
    with pytest.raises(RuntimeError):
        idempotency.claim(owner="user:1", key="k", method="POST", path="/x", body=b"{}")


@pytest.mark.django_db
def test_server_error_releases_the_key_and_leaks_nothing(token, caplog):
    resp = _post(token, {"name": "甲", "fail": "500"}, key="k-500")
    assert resp.status_code == 500
    body = resp.json()
    assert body["code"] == "internal_error" and "hunter2" not in resp.content.decode()
    assert not IdempotencyKey.objects.filter(key="k-500").exists()
    assert _created() == 0  # the work rolled back with the failure
    # the key was released: the client may use it again, and this time the work is done
    retry = _post(token, {"name": "甲"}, key="k-500")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert _created() == 1


@pytest.mark.django_db
def test_database_unavailable_is_a_json_503_and_releases_the_key(token):
    """bench faults: while PostgreSQL restarts, clients get a clear JSON 503 with Retry-After
    (not a 500), and may retry with the same key."""
    resp = _post(token, {"name": "甲", "fail": "db"}, key="k-db")
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    assert resp.json()["code"] == "service_unavailable" and "closed" not in resp.json()["message"]
    assert not IdempotencyKey.objects.filter(key="k-db").exists()
    assert _created() == 0
    retry = _post(token, {"name": "甲"}, key="k-db")
    assert retry.status_code == 201 and _created() == 1


@pytest.mark.django_db
def test_conflict_is_released_but_a_client_error_is_replayed(token):
    assert _post(token, {"name": "甲", "fail": "409"}, key="k-409").status_code == 409
    assert not IdempotencyKey.objects.filter(key="k-409").exists()
    first = _post(token, {"name": "甲", "fail": "404"}, key="k-404")
    assert first.status_code == 404 and first.json()["code"] == "not_found"
    again = _post(token, {"name": "甲", "fail": "404"}, key="k-404")
    assert again.status_code == 404 and again["Idempotent-Replayed"] == "true"
    assert _created() == 0


@pytest.mark.django_db
def test_expired_keys_are_purged_and_reusable(token):
    assert _post(token, {"name": "甲"}, key="old").status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _post(token, {"name": "乙"}, key="old").status_code == 201  # a fresh start
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency.purge() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_gets_409_on_postgresql(token):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    idem_urls.ENTERED.clear()
    idem_urls.RELEASE.clear()
    results = {}

    def first():
        try:
            results["first"] = _post(token, {"name": "甲", "wait": True}, key="race")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        # when the first request is inside its work (key committed, transaction open)
        assert idem_urls.ENTERED.wait(timeout=20)
        second = _post(token, {"name": "甲", "wait": True}, key="race")
        # then the duplicate, on its own connection, is told to come back later
        assert second.status_code == 409, second.content
        assert second.json()["code"] == "idempotency_key_in_use"
    finally:
        idem_urls.RELEASE.set()
        thread.join(timeout=30)
    assert results["first"].status_code == 201
    third = _post(token, {"name": "甲", "wait": True}, key="race")
    assert third.status_code == 201 and third["Idempotent-Replayed"] == "true"
    assert third.content == results["first"].content
    assert _created() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dead_holder_frees_the_key_at_once(token, people):
    """bench faults: a web worker killed (kill -9) while working on a key. Its transaction, the
    key's lock with it, ends with its connection, so the retry is not kept waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    import psycopg

    owner = f"user:{people.customer.pk}"
    settings_dict = connection.settings_dict
    holder = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        # given a holder that took the key's lock inside its work and has not committed
        taken = holder.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            (idempotency.LOCK_NAMESPACE, idempotency.lock_key(owner, "dead")),
        ).fetchone()[0]
        assert taken
        busy = _post(token, {"name": "乙"}, key="dead")
        assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_use"
    finally:
        holder.close()  # killed: the server ends its transaction
    # the retry takes the key at once and does the work once
    retry = _post(token, {"name": "乙"}, key="dead")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert _post(token, {"name": "乙"}, key="dead")["Idempotent-Replayed"] == "true"
    assert _created() == 1
