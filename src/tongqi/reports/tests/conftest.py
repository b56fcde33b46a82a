from __future__ import annotations

from types import SimpleNamespace

import pytest

from tongqi.applications.choices import Category, Channel, Status
from tongqi.reports.services import rebuild_indicators

from .helpers import application, t, visit, with_ledger


@pytest.fixture
def board_data(org, people):
    """Five applications in two subsidiaries, in every state a figure distinguishes."""
    a = SimpleNamespace()
    a.late = with_ledger(  # gas on, 5.5 of 3 days: overdue, beyond the limit
        application(org, n=1),
        [
            ("start", t(2025, 9, 25, 10), ""),
            ("pause", t(2025, 9, 29, 12), "customer_works"),
            ("resume", t(2025, 10, 10, 12), ""),
            ("stop", t(2025, 10, 14, 12), ""),
        ],
        category=Category.STANDARD_PACKAGE,
        limit=3,
        status=Status.GAS_ON,
    )
    a.quick = with_ledger(  # gas on in one day, within
        application(org, n=2, channel=Channel.COUNTER),
        [("start", t(2025, 10, 13, 9), ""), ("stop", t(2025, 10, 14, 12), "")],
        category=Category.NO_EXTERNAL_WORKS,
        limit=8,
        status=Status.GAS_ON,
    )
    visit(a.quick)
    a.open = with_ledger(  # open, accepted a while ago: overdue by now
        application(org, n=3, channel=Channel.GOV),
        [("start", t(2025, 10, 20, 9), "")],
        category=Category.WITH_EXTERNAL_WORKS,
        limit=16,
        status=Status.CONFIRMED,
    )
    a.new = application(org, n=4, channel=Channel.MOBILE)  # submitted only
    a.other = with_ledger(  # the other subsidiary
        application(org, n=5, district=org.grid_b.district),
        [("start", t(2025, 10, 9, 9), ""), ("stop", t(2025, 10, 10, 9), "")],
        category=Category.STANDARD_PACKAGE,
        limit=3,
        status=Status.GAS_ON,
    )
    rebuild_indicators()
    return a
