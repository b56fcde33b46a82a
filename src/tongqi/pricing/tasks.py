"""Background work of the pricing app: the receivable at gas-on, payment reminders."""

from __future__ import annotations

from datetime import time

from tongqi.integration import outbox
from tongqi.integration.outbox import PermanentError

from .services.receivables import receivable_create_for_gas_on, receivable_reminders


@outbox.subscriber("application.acceptance_passed", "pricing.create_receivable")
def create_receivable(message) -> None:
    """先通气、后缴费: gas is on; now record what the customer owes and when it is due."""
    try:
        application_id = int(message.payload["application"])
    except (KeyError, TypeError, ValueError):
        raise PermanentError(f"bad payload: {message.payload!r}") from None
    receivable_create_for_gas_on(application_id=application_id)


@outbox.periodic("pricing.receivable_reminders", daily_at=time(9, 30))
def send_receivable_reminders(message) -> int:
    """Due-soon and overdue reminders, each sent once."""
    return receivable_reminders()
