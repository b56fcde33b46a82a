"""Small helpers the pricing tests share."""

from __future__ import annotations

from decimal import Decimal

from tongqi.applications import services as app_svc
from tongqi.pricing import services as svc
from tongqi.pricing.choices import QuoteKind


def package_input(catalogue, code="10+N", pipe="31.2", external="0", items=(), own="0"):
    return svc.QuoteInput(
        kind=QuoteKind.PACKAGE,
        package_id=catalogue.packages[code].pk,
        pipe_length_m=Decimal(pipe),
        external_length_m=Decimal(external),
        own_works_estimate=Decimal(own),
        items=list(items),
    )


def issue(app, actor, data):
    draft = svc.quote_save_draft(application=app, actor=actor, data=data)
    return svc.quote_issue(quote=draft, actor=actor)


def to_gas_on(app, people):
    """From CONFIRMED to GAS_ON through the applications' actions (no payment anywhere)."""
    app_svc.application_request_acceptance(application=app, actor=people.customer)
    app_svc.application_record_acceptance(
        application=app,
        actor=people.engineer_a,
        passed=True,
        ignited=True,
        meter_number="G10-2026-0001",
        meter_reading=Decimal("0"),
    )
    return app
