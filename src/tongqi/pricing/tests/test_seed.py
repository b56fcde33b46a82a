"""The demo: four packages with a price history, the policy, a contractor directory, and quotes,
choices and receivables matching the demo applications' stages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongqi.applications.choices import Status
from tongqi.applications.models import Application
from tongqi.pricing import selectors
from tongqi.pricing import services as svc
from tongqi.pricing.choices import QuoteStatus
from tongqi.pricing.models import ContractorChoice, Package, PriceList, Quote, Receivable

pytestmark = pytest.mark.django_db


def test_demo_seed():
    from tongqi.web.seeding import seed_demo

    assert seed_demo() is not None
    today = timezone.localdate()
    assert list(Package.objects.values_list("code", flat=True)) == ["4+N", "6+N", "10+N", "16+N"]
    assert PriceList.objects.filter(effective_from__gt=today).count() == 1  # a scheduled cut
    assert svc.price_in_force(Package.objects.get(code="4+N"), today).base_price == 9800
    assert svc.policy_in_force().approval_document == "武城管办〔2019〕15号"
    past_quote = Application.objects.filter(
        status__in=[Status.QUOTED, Status.CONFIRMED, Status.ACCEPTANCE_REQUESTED, Status.GAS_ON]
    )
    for app in past_quote:
        q = Quote.objects.get(application=app)
        expected = QuoteStatus.ISSUED if app.status == Status.QUOTED else QuoteStatus.CONFIRMED
        assert q.status == expected and q.customer_total > 0 and q.approval_exempt is not None
    assert Quote.objects.filter(approval_exempt=False).exists()  # 零审批 both ways in the demo
    assert Quote.objects.filter(approval_exempt=True).exists()
    gas_on = Application.objects.filter(status=Status.GAS_ON)
    assert Receivable.objects.filter(application__in=gas_on).count() == gas_on.count()
    assert selectors.overdue_receivables(Receivable.objects.all()).count() == 1
    assert {r.status for r in Receivable.objects.all()} >= {"paid", "partial", "open"}
    assert ContractorChoice.objects.filter(qualification__valid_until__lt=today).exists()
    assert ContractorChoice.objects.filter(contractor__is_utility=False).exists()
