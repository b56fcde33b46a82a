"""Marketing's configuration: packages, effective-dated price lists and policies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.audit.models import AuditRecord
from tongqi.pricing import services as svc
from tongqi.pricing.models import PackagePrice, Policy, PriceList

pytestmark = pytest.mark.django_db
D = Decimal


def prices(catalogue, base="1000", extra="10"):
    return [svc.PriceInput(p.pk, base, extra) for p in catalogue.packages.values()]


def test_price_in_force_follows_the_dates(catalogue, people):
    p = catalogue.packages["4+N"]
    today = timezone.localdate()
    svc.price_list_create(
        actor=people.marketing,
        name="下月",
        effective_from=today + timedelta(days=30),
        prices=prices(catalogue, "8000"),
    )
    assert svc.price_in_force(p, today).base_price == D("9800.00")
    assert svc.price_in_force(p, today + timedelta(days=30)).base_price == D("8000.00")
    assert svc.price_in_force(p, date(2021, 5, 14)) is None  # before any list
    assert svc.prices_in_force(today + timedelta(days=31))[p.pk].base_price == D("8000.00")


def test_prices_cannot_take_effect_in_the_past(catalogue, people):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.price_list_create(
            actor=people.marketing,
            name="倒签",
            effective_from=timezone.localdate() - timedelta(days=1),
            prices=prices(catalogue),
        )
    assert "effective_from" in exc.value.fields
    assert PriceList.objects.count() == 1


def test_a_price_list_covers_every_package_on_offer(catalogue, people):
    some = prices(catalogue)[:2]
    with pytest.raises(svc.InvalidInput) as exc:
        svc.price_list_create(
            actor=people.marketing, name="缺", effective_from=timezone.localdate(), prices=some
        )
    missing = {f"base_{catalogue.packages[c].pk}" for c in ("10+N", "16+N")}
    assert missing <= set(exc.value.fields)


def test_one_list_per_date_and_bad_prices(catalogue, people):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.price_list_create(
            actor=people.marketing,
            name="重复",
            effective_from=date(2021, 5, 15),
            prices=prices(catalogue),
            allow_past=True,
        )
    assert "effective_from" in exc.value.fields
    with pytest.raises(svc.InvalidInput) as exc:
        svc.price_list_create(
            actor=people.marketing,
            name="坏",
            effective_from=timezone.localdate(),
            prices=prices(catalogue, base="12.345"),
        )
    assert any(k.startswith("base_") for k in exc.value.fields)


def test_a_future_list_can_be_corrected_or_withdrawn_one_in_force_cannot(catalogue, people):
    future = svc.price_list_create(
        actor=people.marketing,
        name="拟",
        effective_from=timezone.localdate() + timedelta(days=10),
        prices=prices(catalogue),
    )
    svc.price_list_update(
        actor=people.marketing,
        price_list=future,
        name="拟（修订）",
        effective_from=future.effective_from,
        prices=prices(catalogue, "900"),
    )
    assert set(future.prices.values_list("base_price", flat=True)) == {D("900.00")}
    with pytest.raises(svc.IllegalTransition):
        svc.price_list_update(
            actor=people.marketing,
            price_list=catalogue.price_list,
            name="改",
            effective_from=timezone.localdate() + timedelta(days=1),
            prices=prices(catalogue),
        )
    with pytest.raises(svc.IllegalTransition):
        svc.price_list_delete(actor=people.marketing, price_list=catalogue.price_list)
    svc.price_list_delete(actor=people.marketing, price_list=future)
    assert not PriceList.objects.filter(pk=future.pk).exists()
    assert PackagePrice.objects.filter(price_list=catalogue.price_list).count() == 4
    assert AuditRecord.objects.filter(object_type="pricing.pricelist").count() >= 4


def test_only_pricing_managers_configure(catalogue, people):
    for who in (people.am_a, people.customer, people.leader):
        with pytest.raises(svc.Forbidden):
            svc.package_save(actor=who, package=catalogue.packages["4+N"], name="x")
        with pytest.raises(svc.Forbidden):
            svc.price_list_create(
                actor=who, name="x", effective_from=timezone.localdate(), prices=[]
            )


def test_package_rules_and_audit(catalogue, people):
    p = catalogue.packages["4+N"]
    with pytest.raises(svc.InvalidInput) as exc:
        svc.package_save(actor=people.marketing, package=p, max_length_m=D("10"))
    assert "max_length_m" in exc.value.fields  # shorter than the 15 m included
    with pytest.raises(svc.InvalidInput) as exc:
        svc.package_save(actor=people.marketing, package=p, usage_types=["spaceship"])
    assert "usage_types" in exc.value.fields
    with pytest.raises(svc.InvalidInput) as exc:
        svc.package_save(actor=people.marketing, package=p, code="6+N")
    assert "code" in exc.value.fields
    svc.package_save(actor=people.marketing, package=p, included_length_m=D("18"))
    p.refresh_from_db()
    assert p.included_length_m == D("18.0")
    rec = (
        AuditRecord.objects.filter(object_type="pricing.package", object_id=str(p.pk))
        .order_by("seq")
        .last()
    )
    assert rec.changes == {"included_length_m": ["15.0", "18"]}


def test_policy_defaults_and_dates(people, db):
    built_in = svc.policy_in_force()
    assert built_in.approval_threshold == D("300000.00")
    assert built_in.approval_document == "武城管办〔2019〕15号" and built_in.payment_days == 30
    p = svc.policy_save(
        actor=people.marketing,
        effective_from=timezone.localdate() + timedelta(days=5),
        approval_threshold=D("300000"),
        approval_document="武城管办〔2019〕15号",
        payment_days=45,
        gas_source_cost_per_m=D("900"),
    )
    assert svc.policy_in_force().payment_days == 30
    assert svc.policy_in_force(timezone.localdate() + timedelta(days=5)).payment_days == 45
    svc.policy_save(
        actor=people.marketing,
        policy=p,
        effective_from=p.effective_from,
        payment_days=40,
        approval_document="武城管办〔2019〕15号",
    )
    assert Policy.objects.get().payment_days == 40
    with pytest.raises(svc.InvalidInput):
        svc.policy_save(
            actor=people.marketing,
            effective_from=timezone.localdate() - timedelta(days=1),
            approval_document="x",
        )
