"""Quotes: N from the survey, effective-dated prices, zero fee, versions and re-confirmation,
the 零审批 boundary on real quotes, permissions, concurrency, drawings by content."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.applications.choices import Status
from tongqi.applications.models import ApplicationEvent
from tongqi.applications.services.transitions import TRANSITIONS
from tongqi.audit.models import AuditRecord
from tongqi.integration.models import Notification
from tongqi.pricing import services as svc
from tongqi.pricing.choices import LineKind, QuoteKind, QuoteStatus, Section
from tongqi.pricing.models import Quote
from tongqi.testing.app_factories import submitted_application

from .conftest import drive
from .helpers import issue, package_input

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


# --- building a quote --------------------------------------------------------------------------


def test_starting_point_is_the_survey_and_the_cheapest_fitting_package(surveyed, catalogue):
    data = svc.quote_input_for(surveyed)
    # peak load 11.8 m³/h: 4+N (6) and 6+N (10) do not fit; 10+N is cheaper than 16+N
    assert data.kind == QuoteKind.PACKAGE
    assert data.package_id == catalogue.packages["10+N"].pk
    assert data.pipe_length_m == D("17.3")


def test_n_is_computed_from_the_survey_length(surveyed, people, catalogue):
    q = svc.quote_save_draft(
        application=surveyed, actor=people.am_a, data=package_input(catalogue, pipe="31.2")
    )
    # 31.2 m with 25 m included, 1 m units: 6.2 m → N = 7 (a started metre counts)
    assert q.extra_units == 7 and q.included_length_m == D("25.0")
    base, extra = q.lines.order_by("position")
    assert (base.kind, base.amount) == (LineKind.PACKAGE_BASE, D("23800.00"))
    assert (extra.kind, extra.quantity, extra.unit_price, extra.amount) == (
        LineKind.PACKAGE_EXTRA,
        D("7.000"),
        D("220.00"),
        D("1540.00"),
    )
    assert q.customer_total == D("25340.00") and q.status == QuoteStatus.DRAFT
    assert "定型套餐" in base.description  # the quote is worded in Chinese whatever the UI


def test_a_package_that_does_not_fit_is_refused_with_the_reason(surveyed, people, catalogue):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.quote_save_draft(
            application=surveyed, actor=people.am_a, data=package_input(catalogue, "6+N")
        )
    assert "11.8" in exc.value.fields["package"][0] and "10" in exc.value.fields["package"][0]
    with pytest.raises(svc.InvalidInput) as exc:
        svc.quote_save_draft(
            application=surveyed,
            actor=people.am_a,
            data=package_input(catalogue, "10+N", pipe="100.1"),  # beyond its 100 m
        )
    assert "package" in exc.value.fields
    assert not Quote.objects.exists()  # nothing half-saved


def test_gas_source_works_are_zero_for_the_customer_and_kept_as_investment(
    surveyed, people, catalogue
):
    data = package_input(
        catalogue,
        external="120",
        items=[svc.ItemInput(Section.GAS_SOURCE, "中压管道碰口", "处", "1", "0", "5600.00")],
    )
    q = svc.quote_save_draft(application=surveyed, actor=people.am_a, data=data)
    outside = [line for line in q.lines.all() if line.section == Section.GAS_SOURCE]
    assert len(outside) == 2 and all(line.amount == D("0.00") for line in outside)
    # 120 m × 850 (policy) + 5,600 = 107,600 of the utility's own investment
    assert q.utility_investment == D("107600.00")
    # the customer pays the package only (23,800 + 7 × 220): the works outside add nothing
    assert q.customer_total == D("25340.00")


def test_a_price_on_a_gas_source_item_is_refused(surveyed, people, catalogue):
    data = package_input(
        catalogue, items=[svc.ItemInput(Section.GAS_SOURCE, "气源管", "米", "10", "100", "0")]
    )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.quote_save_draft(application=surveyed, actor=people.am_a, data=data)
    assert "items-0-unit_price" in exc.value.fields


def test_custom_plan_is_itemised_and_amounts_are_exact(surveyed, people, catalogue):
    data = svc.QuoteInput(
        kind=QuoteKind.CUSTOM,
        pipe_length_m="40",
        external_length_m="0",
        items=[
            svc.ItemInput(Section.CUSTOMER, "罗茨流量计", "台", "1", "46000.00"),
            svc.ItemInput(Section.CUSTOMER, "中压管道", "米", "12.5", "460.04"),
        ],
    )
    q = svc.quote_save_draft(application=surveyed, actor=people.am_a, data=data)
    # 12.5 × 460.04 = 5750.50 exactly; total 51,750.50
    assert q.customer_total == D("51750.50") and q.package is None and q.extra_units == 0
    with pytest.raises(svc.InvalidInput) as exc:
        svc.quote_save_draft(
            application=surveyed,
            actor=people.am_a,
            data=svc.QuoteInput(kind=QuoteKind.CUSTOM, pipe_length_m="40", items=[]),
        )
    assert "items" in exc.value.fields


@pytest.mark.parametrize(
    ("value", "field"),
    [("12.345", "items-0-unit_price"), ("-1", "items-0-unit_price"), ("abc", "items-0-quantity")],
)
def test_bad_numbers_get_field_errors_never_rounding(surveyed, people, catalogue, value, field):
    item = svc.ItemInput(Section.CUSTOMER, "x", "项", "1", "10")
    setattr(item, field.rsplit("-", 1)[1], value)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.quote_save_draft(
            application=surveyed, actor=people.am_a, data=package_input(catalogue, items=[item])
        )
    assert field in exc.value.fields


# --- effective dates -----------------------------------------------------------------------


def test_a_price_cut_applies_to_new_quotes_only(org, surveyed, people, catalogue):
    # given a quote issued at the 2021 prices
    old = issue(surveyed, people.am_a, package_input(catalogue, pipe="31.2"))
    assert old.customer_total == D("25340.00") and old.price_list == catalogue.price_list
    # when marketing cuts the prices from today
    today = timezone.localdate()
    cut = svc.price_list_create(
        actor=people.marketing,
        name="降价",
        effective_from=today,
        prices=[
            svc.PriceInput(p.pk, D(b), D(e))
            for p, b, e in [
                (catalogue.packages["4+N"], "8800", "170"),
                (catalogue.packages["6+N"], "12800", "190"),
                (catalogue.packages["10+N"], "21800", "200"),
                (catalogue.packages["16+N"], "32800", "230"),
            ]
        ],
    )
    # then the issued quote keeps its price, lines and price list
    old.refresh_from_db()
    assert old.customer_total == D("25340.00") and old.price_list == catalogue.price_list
    assert sorted(line.amount for line in old.lines.all()) == [D("1540.00"), D("23800.00")]
    # and a new quote (another application) is priced by the cut list
    other = drive(
        submitted_application(org, customer=people.customer, n=2), people, Status.SURVEYED
    )
    new = issue(other, people.am_a, package_input(catalogue, pipe="31.2"))
    assert new.customer_total == D("21800.00") + 7 * D("200.00") and new.price_list == cut
    # a list from tomorrow does not apply today, but does to a computation for tomorrow
    assert (
        svc.quote_compute(
            application=other, data=package_input(catalogue), on=today - timedelta(days=1)
        ).price.price_list
        == catalogue.price_list
    )


def test_a_draft_is_repriced_when_it_is_issued(surveyed, people, catalogue):
    draft = svc.quote_save_draft(
        application=surveyed, actor=people.am_a, data=package_input(catalogue)
    )
    svc.price_list_create(
        actor=people.marketing,
        name="今日起",
        effective_from=timezone.localdate(),
        prices=[svc.PriceInput(p.pk, D("1000"), D("10")) for p in catalogue.packages.values()],
    )
    issued = svc.quote_issue(quote=draft, actor=people.am_a)
    assert issued.customer_total == D("1070.00")  # 1,000 + 7 × 10: the prices of issue day


# --- issuing, confirming, versions -------------------------------------------------------------


def test_issue_moves_the_application_to_quoted_and_notifies(surveyed, people, catalogue):
    q = issue(surveyed, people.am_a, package_input(catalogue))
    surveyed.refresh_from_db()
    assert surveyed.status == Status.QUOTED and q.status == QuoteStatus.ISSUED
    assert q.approval_exempt is True and q.approval_document == "武城管办〔2019〕15号"
    ev = ApplicationEvent.objects.get(application=surveyed, action="quote")
    assert ev.data["quote"] == q.number and ev.actor == people.am_a
    assert AuditRecord.objects.filter(object_type="pricing.quote", object_id=str(q.pk)).count() >= 2


def test_reissue_while_quoted_supersedes_and_stays_quoted(surveyed, people, catalogue):
    v1 = issue(surveyed, people.am_a, package_input(catalogue))
    v2 = issue(surveyed, people.am_a, package_input(catalogue, pipe="40"))
    v1.refresh_from_db()
    surveyed.refresh_from_db()
    assert (v1.status, v2.status, v2.version) == (QuoteStatus.SUPERSEDED, QuoteStatus.ISSUED, 2)
    assert surveyed.status == Status.QUOTED
    assert ApplicationEvent.objects.filter(application=surveyed, action="quote").count() == 2
    with pytest.raises(svc.Conflict):
        svc.quote_confirm(quote=v1, actor=people.customer)  # an old version cannot be confirmed


def test_customer_confirms_the_drawings_and_quote(surveyed, people, catalogue):
    q = issue(surveyed, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=q, actor=people.customer)
    surveyed.refresh_from_db()
    assert q.status == QuoteStatus.CONFIRMED and q.confirmed_by == people.customer
    assert surveyed.status == Status.CONFIRMED
    with pytest.raises(svc.IllegalTransition):
        svc.quote_confirm(quote=q, actor=people.customer)


def test_a_change_after_confirmation_must_be_confirmed_again(surveyed, people, catalogue):
    # given a confirmed quote (application CONFIRMED, works under way)
    v1 = issue(surveyed, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=v1, actor=people.customer)
    # when the plan changes: a new version is issued
    v2 = issue(surveyed, people.am_a, package_input(catalogue, pipe="45"))
    v1.refresh_from_db()
    surveyed.refresh_from_db()
    # then the confirmed version is superseded and the new one waits for the customer
    assert v1.status == QuoteStatus.SUPERSEDED and v2.status == QuoteStatus.ISSUED
    assert v2.confirmed_at is None
    # the application goes back to awaiting the customer's confirmation, and the customer is told
    assert surveyed.status == Status.QUOTED
    # the "quote" event tells the customer (through the outbox, like every stage change)
    assert ApplicationEvent.objects.filter(application=surveyed, action="quote").count() == 2
    svc.quote_confirm(quote=v2, actor=people.customer)
    assert v2.status == QuoteStatus.CONFIRMED


def test_the_stage_follows_a_reissued_quote(surveyed, people, catalogue):
    """ "quote" may start from CONFIRMED: CONFIRMED → QUOTED → CONFIRMED."""
    assert Status.CONFIRMED in TRANSITIONS["quote"].sources
    v1 = issue(surveyed, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=v1, actor=people.customer)
    v2 = issue(surveyed, people.am_a, package_input(catalogue, pipe="45"))
    surveyed.refresh_from_db()
    assert surveyed.status == Status.QUOTED  # back to awaiting the customer's confirmation
    svc.quote_confirm(quote=v2, actor=people.customer)
    surveyed.refresh_from_db()
    assert surveyed.status == Status.CONFIRMED
    assert (
        ApplicationEvent.objects.filter(application=surveyed, action="confirm_quote").count() == 2
    )


def test_change_request_tells_the_account_manager(surveyed, people, catalogue):
    q = issue(surveyed, people.am_a, package_input(catalogue))
    with pytest.raises(svc.InvalidInput):
        svc.quote_request_change(quote=q, actor=people.customer, comment="  ")
    svc.quote_request_change(quote=q, actor=people.customer, comment="管道走向请改到后厨北侧")
    assert q.change_request == "管道走向请改到后厨北侧" and q.status == QuoteStatus.ISSUED
    assert Notification.objects.filter(
        user=people.am_a, topic="pricing.quote_change_request"
    ).exists()


def test_no_quote_before_the_survey_or_after_acceptance_is_requested(org, people, catalogue):
    app = drive(submitted_application(org, customer=people.customer), people, Status.ACCEPTED)
    with pytest.raises(svc.IllegalTransition):
        svc.quote_save_draft(application=app, actor=people.am_a, data=package_input(catalogue))


# --- permissions and concurrency ---------------------------------------------------------------


def test_only_account_managers_in_scope_quote(surveyed, people, catalogue, make_user):
    for who in (people.am_b, people.marketing, people.customer, people.engineer_a):
        with pytest.raises(svc.Forbidden):
            svc.quote_save_draft(application=surveyed, actor=who, data=package_input(catalogue))
    q = issue(surveyed, people.am_a, package_input(catalogue))
    stranger = make_user()
    with pytest.raises(svc.Forbidden):
        svc.quote_confirm(quote=q, actor=stranger)  # another customer
    with pytest.raises(svc.Forbidden):
        svc.quote_confirm(quote=q, actor=people.am_a)  # staff cannot confirm for the customer
    svc.quote_confirm(quote=q, actor=people.counter_a)  # the counter may, at the customer's side


def test_a_stale_draft_edit_is_a_conflict(surveyed, people, catalogue):
    d = svc.quote_save_draft(application=surveyed, actor=people.am_a, data=package_input(catalogue))
    seen = d.lock_version
    svc.quote_save_draft(
        application=surveyed, actor=people.am_a, data=package_input(catalogue), lock_version=seen
    )
    with pytest.raises(svc.Conflict):
        svc.quote_save_draft(
            application=surveyed,
            actor=people.am_a,
            data=package_input(catalogue, pipe="50"),
            lock_version=seen,
        )
    d.refresh_from_db()
    assert d.pipe_length_m == D("31.2")  # the second write did not win
    with pytest.raises(svc.Conflict):
        svc.quote_issue(quote=d, actor=people.am_a, lock_version=seen)
    svc.quote_issue(quote=d, actor=people.am_a, lock_version=d.lock_version)
    with pytest.raises(svc.Conflict):
        svc.quote_issue(quote=d, actor=people.am_a)  # already issued


def test_discard_a_draft_but_never_an_issued_quote(surveyed, people, catalogue):
    d = svc.quote_save_draft(application=surveyed, actor=people.am_a, data=package_input(catalogue))
    svc.quote_discard(quote=d, actor=people.am_a)
    assert not Quote.objects.exists()
    q = issue(surveyed, people.am_a, package_input(catalogue))
    with pytest.raises(svc.IllegalTransition):
        svc.quote_discard(quote=q, actor=people.am_a)


# --- 零审批 on real quotes ----------------------------------------------------------------------


@pytest.mark.parametrize(("price", "exempt"), [("300000.00", True), ("300000.01", False)])
def test_zero_approval_at_the_threshold(surveyed, people, catalogue, price, exempt):
    data = svc.QuoteInput(
        kind=QuoteKind.CUSTOM,
        pipe_length_m="40",
        items=[svc.ItemInput(Section.CUSTOMER, "调压计量撬", "套", "1", price)],
    )
    q = issue(surveyed, people.am_a, data)
    assert q.customer_total == D(price)
    assert q.approval_exempt is exempt
    assert q.approval_threshold == D("300000.00")
    if not exempt:
        assert q.approval_needs == [
            {
                "part": "customer_works",
                "amount": "300000.01",
                "needs": ["quality_supervision_registration", "construction_permit"],
            }
        ]


def test_zero_approval_counts_the_customers_own_works_and_the_policy_in_force(
    surveyed, people, catalogue
):
    q = issue(surveyed, people.am_a, package_input(catalogue, own="280000"))
    assert q.approval_exempt is False  # 25,340 + 280,000 > 300,000
    svc.policy_save(
        actor=people.marketing,
        effective_from=timezone.localdate(),
        approval_threshold=D("500000"),
        approval_document="新规定",
        payment_days=15,
        gas_source_cost_per_m=D("850"),
    )
    q2 = issue(surveyed, people.am_a, package_input(catalogue, own="280000"))
    q.refresh_from_db()
    assert q2.approval_exempt is True and q2.approval_document == "新规定"
    assert q.approval_exempt is False and q.approval_threshold == D("300000.00")  # kept


# --- drawings ----------------------------------------------------------------------------------


def test_drawings_are_checked_by_content_and_carried_to_the_next_version(
    surveyed, people, catalogue
):
    d = svc.quote_save_draft(application=surveyed, actor=people.am_a, data=package_input(catalogue))
    svc.drawing_add(quote=d, actor=people.am_a, title="平面图", name="plan.png", content=PNG)
    svc.drawing_add(quote=d, actor=people.am_a, title="系统图", name="system.pdf", content=PDF)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.drawing_add(quote=d, actor=people.am_a, title="假", name="x.pdf", content=b"MZ\x90\x00")
    assert "file" in exc.value.fields
    with pytest.raises(svc.InvalidInput):
        svc.drawing_add(quote=d, actor=people.am_a, title="错", name="x.jpg", content=PNG)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.drawing_add(quote=d, actor=people.am_a, title=" ", name="y.png", content=PNG)
    assert "title" in exc.value.fields
    assert d.drawings.count() == 2
    svc.quote_issue(quote=d, actor=people.am_a)
    with pytest.raises(svc.IllegalTransition):
        svc.drawing_add(quote=d, actor=people.am_a, title="晚", name="z.png", content=PNG)
    v2 = svc.quote_save_draft(
        application=surveyed, actor=people.am_a, data=package_input(catalogue, pipe="40")
    )
    assert sorted(v2.drawings.values_list("title", flat=True)) == ["平面图", "系统图"]
    assert v2.version == 2 and v2.number.endswith("-02")
