"""Demo: the four pause reasons, all stopping the clock (the SPEC's default)."""

from .choices import PauseCode
from .models import CalendarState, PauseReason


def seed(ctx) -> None:
    CalendarState.objects.get_or_create(pk=1)
    for code in PauseCode.values:
        PauseReason.objects.create(
            code=code, stops_clock=True, customer_side=code != PauseCode.ADMIN_APPROVAL
        )
