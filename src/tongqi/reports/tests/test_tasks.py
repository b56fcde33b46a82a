"""The indicator row follows the application: every transition refreshes it (outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongqi.applications import services as app_svc
from tongqi.reports.choices import Sla
from tongqi.reports.models import ApplicationIndicator

from .helpers import application

pytestmark = pytest.mark.django_db


def test_a_transition_refreshes_the_row(org, people, run_outbox):
    # given: a submitted application whose row the outbox has written
    app = application(org)
    run_outbox()
    row = ApplicationIndicator.objects.get(application=app)
    assert row.sla == Sla.NOT_STARTED and row.open_commitments == 0
    # when: accepted with a missing item (容缺受理)
    app_svc.application_accept(
        application=app,
        actor=people.am_a,
        missing_items=["房产证明"],
        commitment_text="三个工作日内补交",
        commitment_due=timezone.localdate() + timedelta(days=5),
    )
    assert ApplicationIndicator.objects.get(application=app).open_commitments == 0  # not yet
    run_outbox()
    # then
    row = ApplicationIndicator.objects.get(application=app)
    assert row.status == "accepted"
    assert row.sla == Sla.ON_TIME
    assert row.open_commitments == 1
    assert row.limit_days == 3


def test_rebuild_command(org, capsys):
    application(org)
    ApplicationIndicator.objects.all().delete()
    call_command("reports", "rebuild")
    assert "1 indicator rows written" in capsys.readouterr().out
    assert ApplicationIndicator.objects.count() == 1


def test_open_applications_are_refreshed_as_their_clocks_run(org):
    from tongqi.applications.choices import Status
    from tongqi.reports.services import rebuild_indicators, refresh_open_indicators

    from .helpers import t, with_ledger

    app = with_ledger(
        application(org), [("start", t(2025, 11, 3, 10), "")], limit=8, status=Status.ACCEPTED
    )
    done = with_ledger(
        application(org, n=2),
        [("start", t(2025, 11, 3, 10), ""), ("stop", t(2025, 11, 5), "")],
        limit=8,
        status=Status.GAS_ON,
    )
    rebuild_indicators(now=t(2025, 11, 5))  # Tue 4 only
    assert ApplicationIndicator.objects.get(application=app).elapsed_seconds == 86400
    # when: two working days later only the open application's row moves
    assert refresh_open_indicators(now=t(2025, 11, 7)) == 1
    assert ApplicationIndicator.objects.get(application=app).elapsed_seconds == 3 * 86400
    assert ApplicationIndicator.objects.get(application=done).elapsed_seconds == 86400


def test_changes_without_a_transition_refresh_the_row_too(org, people, run_outbox):
    """The receivable created after gas-on, a payment and the satisfaction answer reach the
    figures within the worker's next round, not at the nightly rebuild."""
    from decimal import Decimal

    from tongqi.applications.choices import Status
    from tongqi.pricing import services as pricing
    from tongqi.pricing.choices import PaymentMethod
    from tongqi.pricing.models import Receivable
    from tongqi.pricing.tests.conftest import drive
    from tongqi.pricing.tests.helpers import issue, package_input, to_gas_on
    from tongqi.service import services as service
    from tongqi.service.models import Survey
    from tongqi.testing.catalogue import price_catalogue

    catalogue = price_catalogue(people.marketing)
    app = drive(application(org, customer=people.customer), people, Status.SURVEYED)
    quote = issue(app, people.am_a, package_input(catalogue))
    pricing.quote_confirm(quote=quote, actor=people.customer)
    to_gas_on(app, people)
    run_outbox()  # the gas-on event: indicator row, receivable, callback and survey
    rec = Receivable.objects.get(application=app)
    row = ApplicationIndicator.objects.get(application=app)
    assert row.gas_on and row.receivable == rec.amount > 0
    assert row.satisfaction is None and row.materials == 1

    pricing.payment_record(
        receivable=rec,
        actor=people.marketing,
        data=pricing.PaymentInput(
            "10000.00", PaymentMethod.BANK_TRANSFER, "HB9", timezone.localdate()
        ),
    )
    service.survey_answer(
        survey=Survey.objects.get(application=app),
        scores={
            k: 4
            for k in ("overall", "speed", "attitude", "professional", "transparency", "convenience")
        },
    )
    assert ApplicationIndicator.objects.get(application=app).satisfaction is None  # not yet
    run_outbox()
    row = ApplicationIndicator.objects.get(application=app)
    assert row.receivable == rec.amount - Decimal("10000.00")
    assert row.satisfaction == 4
