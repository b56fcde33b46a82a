"""先通气、后缴费: gas goes on before payment; what the customer owes is tracked afterwards.

The receivable is created by the gas-on domain event (``application.acceptance_passed``, see
``pricing/tasks.py``), never by the acceptance itself, so nothing about payment can ever hold up
gas-on. Payments may be partial; more than is owed is refused; each payment reference is
recorded once. Overdue receivables are listed and reminded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Status
from tongqi.applications.events import figures_changed
from tongqi.applications.models import AcceptanceRecord, Application
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.money import format_yuan, yuan
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify

from ..choices import PaymentMethod, QuoteStatus, ReceivableStatus
from ..models import Payment, Quote, Receivable
from .catalogue import policy_in_force
from .common import Conflict, Forbidden, IllegalTransition, InvalidInput, in_scope, parse_decimal

REMIND_DAYS_BEFORE = 3
REFERENCE_OPTIONAL = frozenset({PaymentMethod.CASH})


def billing_quote(application: Application) -> Quote | None:
    """The version the customer is billed for: the latest one it confirmed; failing that (a
    record from before the platform), the latest one issued."""
    confirmed = application.quotes.filter(confirmed_at__isnull=False).order_by("-version").first()
    if confirmed is not None:
        return confirmed
    return application.quotes.filter(status=QuoteStatus.ISSUED).order_by("-version").first()


def receivable_create_for_gas_on(*, application_id: int) -> Receivable | None:
    """Create the receivable of an application that went gas-on (idempotent: a second
    delivery of the event finds it). None when nothing is owed (no quote, or a total of 0)."""
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("enterprise")
            .filter(pk=application_id)
            .first()
        )
        if app is None or app.status != Status.GAS_ON:
            return None
        existing = Receivable.objects.filter(application=app).first()
        if existing is not None:
            return existing
        quote = billing_quote(app)
        if quote is None or quote.customer_total <= 0:
            return None
        record = (
            AcceptanceRecord.objects.filter(application=app, passed=True).order_by("-at").first()
        )
        gas_on_at = app.gas_on_at or (record.at if record else timezone.now())
        on = timezone.localdate(gas_on_at)
        policy = policy_in_force(on)
        rec = Receivable.objects.create(
            application=app,
            quote=quote,
            amount=yuan(quote.customer_total),
            gas_on_at=gas_on_at,
            due_date=on + timedelta(days=policy.payment_days),
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=rec,
            actor=None,
            changes={
                "application": [None, app.number],
                "quote": [None, quote.number],
                "amount": [None, str(rec.amount)],
                "due_date": [None, rec.due_date],
            },
        )
        figures_changed(app.pk)  # what the customer owes
    return rec


@dataclass(frozen=True)
class PaymentInput:
    amount: Decimal | str
    method: str
    reference: str = ""
    paid_on: date | None = None
    note: str = ""


def payment_record(*, receivable: Receivable, actor, data: PaymentInput) -> Payment:
    """Record a payment (marketing / finance). Partial payments are fine; paying more than is
    still owed is refused, and a payment reference is recorded only once."""
    if actor is None or not actor.can(Cap.RECEIVABLE_MANAGE):
        raise Forbidden()
    if not in_scope(actor, receivable.application):
        raise Forbidden()
    errors: dict = {}
    amount = parse_decimal(data.amount, field="amount", errors=errors, places=2, positive=True)
    if data.method not in PaymentMethod.values:
        errors["method"] = [str(_("Choose how it was paid."))]
    reference = (data.reference or "").strip()[:60]
    if (
        data.method in PaymentMethod.values
        and data.method not in REFERENCE_OPTIONAL
        and not reference
    ):
        errors["reference"] = [str(_("Enter the transaction or receipt number."))]
    today = timezone.localdate()
    if data.paid_on is None:
        errors["paid_on"] = [str(_("Give the date of payment."))]
    elif data.paid_on > today:
        errors["paid_on"] = [str(_("The date of payment cannot be in the future."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        rec = Receivable.objects.select_for_update().get(pk=receivable.pk)
        if rec.status == ReceivableStatus.PAID:
            raise IllegalTransition(_("This receivable is already paid in full."))
        outstanding = rec.amount - rec.paid_amount
        if amount > outstanding:
            raise InvalidInput(
                fields={
                    "amount": [
                        str(
                            _(
                                "Only {outstanding} is still owed: a payment cannot be more "
                                "than that."
                            )
                        ).format(outstanding=format_yuan(outstanding))
                    ]
                }
            )
        if reference and Payment.objects.filter(method=data.method, reference=reference).exists():
            raise InvalidInput(
                fields={"reference": [str(_("A payment with this reference is already recorded."))]}
            )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    receivable=rec,
                    amount=amount,
                    method=data.method,
                    reference=reference,
                    paid_on=data.paid_on,
                    note=(data.note or "").strip()[:200],
                    recorded_by=actor,
                )
        except IntegrityError:
            raise Conflict(_("A payment with this reference is already recorded.")) from None
        before = (str(rec.paid_amount), rec.status)
        rec.paid_amount = yuan(rec.paid_amount + amount)
        if rec.paid_amount == rec.amount:
            rec.status = ReceivableStatus.PAID
            rec.settled_at = timezone.now()
        else:
            rec.status = ReceivableStatus.PARTIAL
        rec.save(update_fields=["paid_amount", "status", "settled_at"])
        audit_record(
            action=AuditAction.CREATE,
            obj=payment,
            actor=actor,
            changes={
                "receivable": [None, rec.pk],
                "amount": [None, str(amount)],
                "method": [None, data.method],
                "reference": [None, reference],
                "paid_amount": [before[0], str(rec.paid_amount)],
                "status": [before[1], rec.status],
            },
        )
        figures_changed(rec.application_id)  # what is still owed
    receivable.refresh_from_db()
    return payment


def _customers(app: Application) -> list:
    users = list(app.enterprise.members.all())
    if app.applicant_id and all(u.pk != app.applicant_id for u in users):
        users.append(app.applicant)
    return users


def receivable_reminders(*, today: date | None = None) -> int:
    """Remind the customer a few days before the due date, then once when overdue (the
    account manager too). Each reminder is sent once, whatever the number of runs."""
    today = today or timezone.localdate()
    sent = 0
    unpaid = Receivable.objects.exclude(status=ReceivableStatus.PAID).select_related(
        "application__enterprise", "application__applicant", "application__account_manager"
    )
    soon = unpaid.filter(
        reminded_soon_at__isnull=True,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
    )
    late = unpaid.filter(reminded_overdue_at__isnull=True, due_date__lt=today)
    with translation.override(settings.LANGUAGE_CODE):
        for rec in soon.iterator(chunk_size=200):
            with transaction.atomic():
                if not Receivable.objects.filter(pk=rec.pk, reminded_soon_at__isnull=True).update(
                    reminded_soon_at=timezone.now()
                ):
                    continue  # another worker got there first
                app = rec.application
                notify(
                    users=_customers(app),
                    title=_("Payment for {number} is due on {date}").format(
                        number=app.number, date=rec.due_date.isoformat()
                    ),
                    body=_("Still owed: {amount}.").format(amount=format_yuan(rec.outstanding)),
                    link=reverse("applications:portal_detail", args=[app.pk]),
                    topic="pricing.receivable_due",
                    channels=(Channel.INAPP, Channel.SMS),
                    dedupe_key=f"receivable:{rec.pk}:soon",
                )
                sent += 1
        for rec in late.iterator(chunk_size=200):
            with transaction.atomic():
                if not Receivable.objects.filter(
                    pk=rec.pk, reminded_overdue_at__isnull=True
                ).update(reminded_overdue_at=timezone.now()):
                    continue
                app = rec.application
                title = _("Payment for {number} is overdue since {date}").format(
                    number=app.number, date=rec.due_date.isoformat()
                )
                body = _("Still owed: {amount}.").format(amount=format_yuan(rec.outstanding))
                notify(
                    users=_customers(app),
                    title=title,
                    body=body,
                    link=reverse("applications:portal_detail", args=[app.pk]),
                    topic="pricing.receivable_overdue",
                    channels=(Channel.INAPP, Channel.SMS),
                    dedupe_key=f"receivable:{rec.pk}:late:c",
                )
                if app.account_manager_id:
                    notify(
                        users=[app.account_manager],
                        title=title,
                        body=body,
                        link=reverse("pricing:receivable_detail", args=[rec.pk]),
                        topic="pricing.receivable_overdue",
                        channels=(Channel.INAPP,),
                        dedupe_key=f"receivable:{rec.pk}:late:s",
                    )
                sent += 1
    return sent


__all__ = [
    "PaymentInput",
    "billing_quote",
    "payment_record",
    "receivable_create_for_gas_on",
    "receivable_reminders",
]
