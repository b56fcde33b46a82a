"""Fixtures of the pricing tests: the four packages with a price list, a policy, and an
application driven through the real actions to the stage a test needs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.applications import services as app_svc
from tongqi.applications.choices import Category, Status
from tongqi.pricing.models import Package
from tongqi.testing.app_factories import submitted_application
from tongqi.testing.catalogue import price_catalogue


@pytest.fixture
def catalogue(people):
    """Four packages, a price list in force since 2021-05-15 and a policy."""
    return price_catalogue(people.marketing)


def drive(app, people, status, *, pipe="17.3", external="0", category=Category.STANDARD_PACKAGE):
    """Move ``app`` to ``status`` (up to SURVEYED) through the applications' own actions."""
    if app.status == Status.SUBMITTED:
        app_svc.application_accept(application=app, actor=people.am_a, category=category)
    if status == Status.ACCEPTED:
        return app
    app_svc.application_survey(
        application=app,
        actor=people.am_a,
        category=category,
        pipe_length_m=Decimal(pipe),
        external_length_m=Decimal(external),
        meter_rating="G10",
    )
    return app


@pytest.fixture
def surveyed(org, people, catalogue):
    """A restaurant (peak load 11.8 m³/h) of the customer, surveyed: 17.3 m of pipe inside."""
    app = submitted_application(org, customer=people.customer)
    return drive(app, people, Status.SURVEYED)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def yesterday(today):
    return today - timedelta(days=1)


__all__ = ["Package", "drive"]
