"""Callbacks and satisfaction surveys: created after gas-on through the outbox; a survey link
answers once (database constraint, also under concurrency) and expires; monthly samples."""

from __future__ import annotations

import math
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.db import IntegrityError, connection, connections, transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from tongqi.applications.choices import Status
from tongqi.applications.models import Application
from tongqi.applications.panels import panels_for
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.service import services as svc
from tongqi.service import tokens
from tongqi.service.choices import CallbackKind, CallbackStatus, ResponseChannel, Source
from tongqi.service.models import Callback, Complaint, ServiceSettings, Survey, SurveyResponse
from tongqi.service.selectors import survey_url_for
from tongqi.sla.calendar import current_calendar
from tongqi.testing.app_factories import submitted_application

from .conftest import gas_on, sh

pytestmark = pytest.mark.django_db

GOOD = {
    "overall": 5,
    "speed": 4,
    "attitude": 5,
    "professional": 4,
    "transparency": 5,
    "convenience": 3,
}


def _post(scores=GOOD, comment=""):
    return {**{k: str(v) for k, v in scores.items()}, "comment": comment}


@pytest.fixture
def app(org, people, run_outbox):
    a = gas_on(org, people)
    run_outbox()
    return a


def test_gas_on_creates_a_callback_and_sends_the_survey_link(app, people):
    # given the application went gas-on and the worker ran
    cb = Callback.objects.get(application=app)
    survey = Survey.objects.get(application=app)
    # then a callback task is due on the third working day after gas-on
    gas_day = timezone.localdate(app.gas_on_at)
    assert cb.kind == CallbackKind.AFTER_GAS_ON and cb.status == CallbackStatus.OPEN
    assert cb.due_date == current_calendar().nth_workday_after(gas_day, 3)
    assert cb.account_manager == app.account_manager and cb.org_unit_id == app.org_unit_id
    # and the customer got the link in-app and by SMS
    note = Notification.objects.get(user=people.customer, topic="service.survey")
    assert "/service/s/" in note.link and note.link in note.body
    assert OutboxMessage.objects.filter(kind="notify.sms", payload__notification=note.pk).exists()
    assert survey.sent_at is not None and survey.account_manager == app.account_manager
    assert survey.expires_at == app.gas_on_at + timedelta(days=30)


def test_the_subscriber_is_idempotent(app):
    from tongqi.service.services.surveys import callback_create_after_gas_on

    callback_create_after_gas_on(application_id=app.pk)
    assert Callback.objects.filter(application=app).count() == 1
    assert Notification.objects.filter(topic="service.survey").count() == 1


def test_no_callback_before_gas_on(org, people, run_outbox):
    a = submitted_application(org, customer=people.customer)
    from tongqi.service.services.surveys import callback_create_after_gas_on

    assert callback_create_after_gas_on(application_id=a.pk) is None
    assert survey_url_for(a) is None


def test_a_survey_link_answers_once(app):
    url = survey_url_for(app)
    path = url.split("127.0.0.1:8000", 1)[1]
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and app.number in page.content.decode()
    done = client.post(path, _post(comment="三天就通气了"))
    assert done.status_code == 200 and "谢谢" in done.content.decode()
    again = Client().post(path, _post({**GOOD, "overall": 1}))
    assert again.status_code == 409
    resp = SurveyResponse.objects.get()
    assert (
        resp.overall == 5
        and resp.comment == "三天就通气了"
        and resp.channel == ResponseChannel.LINK
    )
    assert survey_url_for(app) is None  # nothing left to answer
    assert Client().get(path).status_code == 200  # says "already answered"


def test_the_database_refuses_a_second_answer(app):
    survey = Survey.objects.get(application=app)
    svc.survey_answer(survey=survey, scores=GOOD)
    with pytest.raises(svc.SurveyClosed) as exc:
        svc.survey_answer(survey=survey, scores=GOOD)
    assert exc.value.code == "survey_answered"
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, channel="link", **GOOD)


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_one_wins(org, people, run_outbox):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises them)")
    a = gas_on(org, people)
    survey = svc.survey_ensure(application=a)
    barrier = threading.Barrier(8)
    outcomes, lock = [], threading.Lock()

    def answer(i):
        try:
            mine = Survey.objects.get(pk=survey.pk)
            barrier.wait(timeout=30)
            try:
                svc.survey_answer(survey=mine, scores={**GOOD, "overall": 1 + i % 5})
                result = "ok"
            except svc.SurveyClosed:
                result = "closed"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["closed"] * 7 + ["ok"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_an_old_link_expires(app, monkeypatch):
    old = timezone.now() - timedelta(days=31)
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: old.timestamp())
        token = tokens.make_token(app.pk)
    resp = Client().get(f"/service/s/{token}/")
    assert resp.status_code == 410
    assert Client().post(f"/service/s/{token}/", _post()).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_survey_past_its_validity_refuses_answers_until_resent(app, people):
    survey = Survey.objects.get(application=app)
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    path = f"/service/s/{tokens.make_token(app.pk)}/"
    assert Client().get(path).status_code == 410
    assert Client().post(path, _post()).status_code == 410
    assert survey_url_for(app) is None
    svc.survey_send_link(survey=survey, actor=people.service, extend=True)
    assert Client().post(path, _post()).status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_a_forged_or_unknown_link_is_not_found(app):
    token = tokens.make_token(app.pk)
    assert Client().get(f"/service/s/{token[:-3]}xyz/").status_code == 404
    forged = signing.dumps({"a": app.pk}, salt="another.salt")
    assert Client().get(f"/service/s/{forged}/").status_code == 404
    assert Client().get(f"/service/s/{tokens.make_token(999999)}/").status_code == 404


def test_bad_scores_are_field_errors(app):
    path = survey_url_for(app).split("127.0.0.1:8000", 1)[1]
    resp = Client().post(path, _post({**GOOD, "speed": 7}))
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    with pytest.raises(svc.InvalidInput) as exc:
        svc.survey_answer(
            survey=Survey.objects.get(), scores={**GOOD, "overall": 0, "attitude": None}
        )
    assert set(exc.value.fields) == {"overall", "attitude"}
    assert not SurveyResponse.objects.exists()


def test_the_public_page_is_rate_limited(app, settings):
    settings.TONGQI_SURVEY_RATE_LIMIT = (3, 60)
    path = survey_url_for(app).split("127.0.0.1:8000", 1)[1]
    client = Client()
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(path).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").get(path).status_code == 200  # another address


def test_a_low_score_alerts_service_management(app, people):
    svc.survey_answer(
        survey=Survey.objects.get(), scores={**GOOD, "overall": 2}, comment="验收拖了很久"
    )
    assert Notification.objects.filter(user=people.service, topic="service.low_score").exists()


def test_survey_url_for_is_none_after_the_validity_even_before_the_survey_exists(org, people):
    a = gas_on(org, people)  # outbox not run: no survey row yet
    assert not Survey.objects.exists()
    assert survey_url_for(a).startswith("http://127.0.0.1:8000/service/s/")
    Application.objects.filter(pk=a.pk).update(gas_on_at=timezone.now() - timedelta(days=31))
    a.refresh_from_db()
    assert survey_url_for(a) is None


# --- panels -------------------------------------------------------------------------------------


def _render_panels(user, application, customer):
    request = RequestFactory().get("/")
    request.user = user
    return [
        (p.key, render_to_string(p.template, {**ctx, "user": user}, request=request))
        for p, ctx in panels_for(request, application, customer=customer)
    ]


def test_customer_panel_offers_the_survey_then_shows_the_answer(app, people):
    [(key, html)] = [
        p for p in _render_panels(people.customer, app, True) if p[0] == "service_survey"
    ]
    assert "/service/s/" in html
    # a link within the site: the customer stays on the host they use, not TONGQI_PUBLIC_URL's
    assert 'href="/service/s/' in html and "127.0.0.1:8000" not in html
    svc.survey_answer(survey=Survey.objects.get(), scores=GOOD)
    [(key, html)] = [
        p for p in _render_panels(people.customer, app, True) if p[0] == "service_survey"
    ]
    assert "/service/s/" not in html and "5 / 5" in html


def test_staff_panel_shows_the_callback_result(app, people):
    cb = Callback.objects.get()
    svc.callback_record(callback=cb, actor=people.service, reached=True, summary="客户很满意")
    [(key, html)] = [
        p for p in _render_panels(people.am_a, app, False) if p[0] == "service_callback"
    ]
    assert "客户很满意" in html
    # the staff panel is not on the customer's page
    assert not [p for p in _render_panels(people.customer, app, True) if p[0] == "service_callback"]


def test_no_panel_before_gas_on(org, people):
    a = submitted_application(org, customer=people.customer)
    assert not [p for p in _render_panels(people.customer, a, True) if p[0] == "service_survey"]
    assert not [p for p in _render_panels(people.am_a, a, False) if p[0] == "service_callback"]


# --- callbacks ------------------------------------------------------------------------------------


def test_three_unanswered_calls_close_the_callback_as_unreachable(app, people):
    cb = Callback.objects.get()
    for _i in range(3):
        assert cb.status == CallbackStatus.OPEN
        svc.callback_record(callback=cb, actor=people.service, reached=False)
    assert cb.status == CallbackStatus.UNREACHABLE and cb.attempts == 3 and cb.completed_at
    with pytest.raises(svc.IllegalTransition):
        svc.callback_record(callback=cb, actor=people.service, reached=False)


def test_a_callback_records_phone_scores_and_raises_a_complaint(app, people):
    cb = Callback.objects.get()
    svc.callback_record(
        callback=cb,
        actor=people.service,
        reached=True,
        summary="总体满意",
        issues="验收人员迟到一小时",
        scores={**GOOD, "overall": 3},
        raise_complaint=True,
    )
    resp = SurveyResponse.objects.get()
    assert (
        resp.channel == ResponseChannel.PHONE
        and resp.overall == 3
        and resp.recorded_by == people.service
    )
    complaint = Complaint.objects.get()
    assert (
        complaint.source == Source.CALLBACK
        and complaint.application == app
        and cb.complaint == complaint
    )


def test_callback_needs_service_management_and_a_fresh_version(app, people):
    cb = Callback.objects.get()
    with pytest.raises(svc.Forbidden):
        svc.callback_record(callback=cb, actor=people.am_a, reached=False)
    with pytest.raises(svc.Conflict):
        svc.callback_record(
            callback=cb, actor=people.service, reached=False, expected_version=cb.version + 1
        )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.callback_record(callback=cb, actor=people.service, reached=True, summary="")
    assert "summary" in exc.value.fields


def test_monthly_sample_draws_the_configured_share_once(org, people):
    ServiceSettings.objects.create(pk=1, callback_sample_percent=Decimal("25"))
    in_october = sh(2026, 10, 15, 10)
    apps = [submitted_application(org, n=i) for i in range(10)]
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(submitted_at=in_october)
    # not in the population: closed in September, submitted in November
    closed = submitted_application(org, n=20)
    Application.objects.filter(pk=closed.pk).update(
        submitted_at=in_october - timedelta(days=40),
        status=Status.CANCELLED,
        closed_at=in_october - timedelta(days=30),
    )
    later = submitted_application(org, n=21)
    Application.objects.filter(pk=later.pk).update(submitted_at=in_october + timedelta(days=30))
    made = svc.callbacks_sample_month(period="2026-10", today=date(2026, 11, 2))
    assert len(made) == math.ceil(10 * 25 / 100) == 3
    assert {c.application_id for c in made} <= {a.pk for a in apps}
    assert all(c.kind == CallbackKind.MONTHLY_SAMPLE and c.period == "2026-10" for c in made)
    assert svc.callbacks_sample_month(period="2026-10") == []
    assert Callback.objects.count() == 3


def test_monthly_job_samples_the_previous_month():
    from tongqi.service.tasks import previous_month

    assert previous_month(date(2026, 1, 1)) == "2025-12"
    assert previous_month(date(2026, 11, 27)) == "2026-10"
