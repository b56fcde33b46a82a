"""Indicator values on hand-computed cases (the 2025 calendar: National Day Oct 1–8 off,
Sunday Sep 28 and Saturday Oct 11 make-up working days)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongqi.applications.choices import Category, Channel, Status
from tongqi.reports.choices import Sla
from tongqi.reports.models import ApplicationIndicator
from tongqi.reports.services import rebuild_indicators

from .helpers import application, t, visit, with_ledger

pytestmark = pytest.mark.django_db

GOLDEN_WEEK_LEDGER = [
    ("start", t(2025, 9, 25, 10), ""),  # accepted Thu; day 1 = Fri Sep 26
    ("pause", t(2025, 9, 29, 12), "customer_works"),  # 2.5 days so far (Fri, make-up Sun, ½ Mon)
    ("resume", t(2025, 10, 10, 12), ""),  # over the golden week: Sep 29 ½, 30, Oct 9, Oct 10 ½
    ("stop", t(2025, 10, 14, 12), ""),  # ½ Oct 10, Sat Oct 11 (make-up), Mon 13, ½ Tue 14
]


def test_pause_over_the_national_day_golden_week_is_netted_out(org):
    # given: an application whose customer built its own works across the golden week
    app = with_ledger(
        application(org),
        GOLDEN_WEEK_LEDGER,
        category=Category.NO_EXTERNAL_WORKS,
        limit=8,
        status=Status.GAS_ON,
    )
    # when
    assert rebuild_indicators(now=t(2025, 11, 1)) == 1
    # then: 2.5 + 3 = 5.5 working days; the pause held 3.0 working days (holidays count 0)
    ind = ApplicationIndicator.objects.get(application=app)
    assert ind.elapsed_days == Decimal("5.50")
    assert ind.elapsed_seconds == 5 * 86400 + 43200
    assert ind.paused_seconds == 3 * 86400
    assert ind.pauses == 1
    assert ind.within_limit is True
    assert ind.sla == Sla.WARNED  # 5.5 of 8 is past the 50 % warning, not 80 %
    assert ind.gas_on and not ind.is_open
    assert ind.customer_steps == 1  # this application never booked an acceptance (no event)
    assert ind.materials == 1 and ind.visits == 0
    assert ind.online and ind.channel == Channel.WEB


def test_over_the_limit_of_a_standard_package(org):
    app = with_ledger(
        application(org),
        GOLDEN_WEEK_LEDGER,
        category=Category.STANDARD_PACKAGE,
        limit=3,
        status=Status.GAS_ON,
    )
    rebuild_indicators(now=t(2025, 11, 1))
    ind = ApplicationIndicator.objects.get(application=app)
    assert ind.within_limit is False
    assert ind.sla == Sla.OVERDUE


def test_an_administrative_pause_is_not_netted_out(org):
    # given: the customer-side pause, then an external approval from Mon 13 00:00 to Tue 14 00:00
    ledger = [
        *GOLDEN_WEEK_LEDGER[:3],
        ("pause", t(2025, 10, 13), "admin_approval"),
        ("resume", t(2025, 10, 14), ""),
        ("stop", t(2025, 10, 14, 12), ""),
    ]
    app = with_ledger(application(org), ledger, limit=10, status=Status.GAS_ON)
    rebuild_indicators(now=t(2025, 11, 1))
    ind = ApplicationIndicator.objects.get(application=app)
    # the indicator counts the approval day (not the customer's doing): still 5.5
    assert ind.elapsed_days == Decimal("5.50")
    assert ind.paused_seconds == 3 * 86400
    assert ind.pauses == 2
    # the official clock stops for both: 4.5 of 10 is under half — on time (5.5 would warn)
    assert ind.sla == Sla.ON_TIME


def test_supplements_visits_and_open_clock(org):
    # given: accepted Mon 2025-11-03 10:00, documents asked for on Wed 12:00, still open
    ledger = [
        ("start", t(2025, 11, 3, 10), ""),
        ("pause", t(2025, 11, 5, 12), "customer_documents"),
    ]
    app = with_ledger(
        application(org, channel=Channel.COUNTER), ledger, limit=3, status=Status.ACCEPTED
    )
    visit(app)
    visit(app, kind="site")  # staff going to the site is not the customer's trip
    rebuild_indicators(now=t(2025, 11, 10, 9))
    ind = ApplicationIndicator.objects.get(application=app)
    assert ind.elapsed_days == Decimal("1.50")  # Tue 4 and half of Wed 5
    assert ind.paused_seconds == 86400 * 2 + 43200 + 9 * 3600  # ½ Wed, Thu, Fri, Mon to 09:00
    assert ind.materials == 2
    assert ind.visits == 1
    assert not ind.online
    assert ind.is_open and ind.within_limit is True
    assert ind.sla == Sla.WARNED


def test_submitted_not_accepted_and_drafts(org):
    app = application(org)
    n = rebuild_indicators()
    ind = ApplicationIndicator.objects.get(application=app)
    assert n == 1
    assert ind.sla == Sla.NOT_STARTED
    assert ind.within_limit is None
    assert ind.subsidiary_id == org.sub_a.pk and ind.grid_id == org.grid_a.pk


def test_rebuild_is_idempotent_and_limited_to_the_given_ids(org):
    a1 = application(org, n=1)
    a2 = application(org, n=2)
    assert rebuild_indicators(application_ids=[a1.pk]) == 1
    assert list(ApplicationIndicator.objects.values_list("application_id", flat=True)) == [a1.pk]
    assert rebuild_indicators(batch=1) == 2
    assert rebuild_indicators(batch=1) == 2
    assert ApplicationIndicator.objects.count() == 2
    assert {a1.pk, a2.pk} == set(ApplicationIndicator.objects.values_list("pk", flat=True))
