"""先通气、后缴费: gas goes on before any payment; the gas-on event creates the receivable
(through the outbox); payments partial, never more than owed; overdue listed, reminded once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.applications.choices import Status
from tongqi.integration.models import Notification, OutboxMessage
from tongqi.pricing import selectors
from tongqi.pricing import services as svc
from tongqi.pricing.choices import PaymentMethod, ReceivableStatus
from tongqi.pricing.models import Payment, Receivable

from .helpers import issue, package_input, to_gas_on

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def gas_on(surveyed, people, catalogue, run_outbox):
    """A confirmed quote of 25,340.00, then acceptance and gas-on — and no payment at all."""
    q = issue(surveyed, people.am_a, package_input(catalogue))
    svc.quote_confirm(quote=q, actor=people.customer)
    run_outbox()
    to_gas_on(surveyed, people)
    surveyed.refresh_from_db()
    return surveyed


def test_gas_goes_on_before_payment_and_the_event_creates_the_receivable(
    gas_on, people, run_outbox
):
    # given: gas is on and nothing was paid (nothing asked for payment on the way)
    assert gas_on.status == Status.GAS_ON and not Receivable.objects.exists()
    assert OutboxMessage.objects.filter(kind="pricing.create_receivable").count() == 1
    # when the worker delivers the domain event
    run_outbox()
    # then the receivable exists, due 30 days (the policy) after the gas-on day
    rec = Receivable.objects.get(application=gas_on)
    assert rec.amount == D("25340.00") and rec.paid_amount == D("0.00")
    assert rec.status == ReceivableStatus.OPEN
    assert rec.due_date == timezone.localdate(gas_on.gas_on_at) + timedelta(days=30)
    assert rec.quote.confirmed_at is not None


def test_the_handler_is_idempotent(gas_on, run_outbox):
    run_outbox()
    first = Receivable.objects.get()
    assert svc.receivable_create_for_gas_on(application_id=gas_on.pk) == first  # redelivery
    assert Receivable.objects.count() == 1


def test_no_receivable_when_nothing_is_owed_or_gas_is_not_on(surveyed, people, catalogue):
    assert svc.receivable_create_for_gas_on(application_id=surveyed.pk) is None  # not gas-on
    assert svc.receivable_create_for_gas_on(application_id=999999) is None


def test_partial_payments_then_paid_in_full_and_no_overpayment(gas_on, people, run_outbox):
    run_outbox()
    rec = Receivable.objects.get()
    today = timezone.localdate()
    svc.payment_record(
        receivable=rec,
        actor=people.marketing,
        data=svc.PaymentInput("10000.00", PaymentMethod.BANK_TRANSFER, "HB001", today),
    )
    assert rec.status == ReceivableStatus.PARTIAL and rec.outstanding == D("15340.00")
    with pytest.raises(svc.InvalidInput) as exc:
        svc.payment_record(
            receivable=rec,
            actor=people.marketing,
            data=svc.PaymentInput("15340.01", PaymentMethod.WECHAT, "WX1", today),
        )
    assert "¥15,340.00" in exc.value.fields["amount"][0]
    with pytest.raises(svc.InvalidInput) as exc:  # the same bank reference twice
        svc.payment_record(
            receivable=rec,
            actor=people.marketing,
            data=svc.PaymentInput("1.00", PaymentMethod.BANK_TRANSFER, "HB001", today),
        )
    assert "reference" in exc.value.fields
    svc.payment_record(
        receivable=rec,
        actor=people.marketing,
        data=svc.PaymentInput("15340.00", PaymentMethod.CASH, "", today),
    )
    assert rec.status == ReceivableStatus.PAID and rec.settled_at is not None
    assert rec.paid_amount == rec.amount == D("25340.00")
    with pytest.raises(svc.IllegalTransition):
        svc.payment_record(
            receivable=rec,
            actor=people.marketing,
            data=svc.PaymentInput("1", PaymentMethod.CASH, "", today),
        )
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "method", "reference", "days", "field"),
    [
        ("0", PaymentMethod.CASH, "", 0, "amount"),
        ("-5", PaymentMethod.CASH, "", 0, "amount"),
        ("1.005", PaymentMethod.CASH, "", 0, "amount"),
        ("10", "barter", "", 0, "method"),
        ("10", PaymentMethod.ALIPAY, "", 0, "reference"),
        ("10", PaymentMethod.CASH, "", 1, "paid_on"),
    ],
)
def test_payment_input_errors(gas_on, people, run_outbox, amount, method, reference, days, field):
    run_outbox()
    rec = Receivable.objects.get()
    with pytest.raises(svc.InvalidInput) as exc:
        svc.payment_record(
            receivable=rec,
            actor=people.marketing,
            data=svc.PaymentInput(
                amount, method, reference, timezone.localdate() + timedelta(days=days)
            ),
        )
    assert field in exc.value.fields
    rec.refresh_from_db()
    assert rec.paid_amount == 0 and not Payment.objects.exists()


def test_only_receivable_managers_record_payments(gas_on, people, run_outbox):
    run_outbox()
    rec = Receivable.objects.get()
    for who in (people.am_a, people.customer, people.leader, people.sysadmin):
        with pytest.raises(svc.Forbidden):
            svc.payment_record(
                receivable=rec,
                actor=who,
                data=svc.PaymentInput("1", PaymentMethod.CASH, "", timezone.localdate()),
            )


def test_overdue_is_listed_and_reminded_once(gas_on, people, run_outbox):
    run_outbox()
    rec = Receivable.objects.get()
    today = timezone.localdate()
    # due soon: reminded once before the due date
    Receivable.objects.filter(pk=rec.pk).update(due_date=today + timedelta(days=2))
    assert svc.receivable_reminders(today=today) == 1
    assert svc.receivable_reminders(today=today) == 0
    # overdue: listed, reminded once (customer and account manager)
    Receivable.objects.filter(pk=rec.pk).update(due_date=today - timedelta(days=1))
    overdue = selectors.overdue_receivables(Receivable.objects.all(), today)
    assert list(overdue) == [rec]
    assert svc.receivable_reminders(today=today) == 1
    assert svc.receivable_reminders(today=today) == 0
    assert (
        Notification.objects.filter(
            user=people.customer, topic="pricing.receivable_overdue"
        ).count()
        == 1
    )
    assert (
        Notification.objects.filter(user=people.am_a, topic="pricing.receivable_overdue").count()
        == 1
    )
    # a paid receivable is neither overdue nor reminded
    svc.payment_record(
        receivable=rec,
        actor=people.marketing,
        data=svc.PaymentInput(rec.amount, PaymentMethod.CASH, "", today),
    )
    assert not selectors.overdue_receivables(Receivable.objects.all(), today).exists()


def test_the_periodic_job_is_registered_and_runs(gas_on, run_outbox):
    from tongqi.integration import outbox

    run_outbox()
    Receivable.objects.update(due_date=timezone.localdate() - timedelta(days=3))
    assert "pricing.receivable_reminders" in outbox.PERIODIC
    msg = OutboxMessage(kind="periodic.pricing.receivable_reminders", payload={})
    assert outbox.HANDLERS["periodic.pricing.receivable_reminders"](msg) == 1
    assert Receivable.objects.get().reminded_overdue_at is not None


def test_bad_event_payload_is_a_dead_letter(db):
    from tongqi.integration.outbox import PermanentError
    from tongqi.pricing.tasks import create_receivable

    with pytest.raises(PermanentError):
        create_receivable(OutboxMessage(kind="pricing.create_receivable", payload={}))
