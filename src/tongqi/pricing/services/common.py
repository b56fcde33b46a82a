"""What every pricing service shares: the domain errors, permission checks, money parsing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.applications.services.errors import (  # noqa: F401 - re-exported
    ApplicationError,
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from tongqi.applications.services.transitions import is_owner

MAX_AMOUNT = Decimal("999999999.99")  # below 10 亿: far above any connection, within 大写


def require(actor, cap: Cap) -> None:
    if actor is None or not actor.is_active or not actor.can(cap):
        raise Forbidden()


def in_scope(user, application) -> bool:
    """Staff: the application's org unit is visible to them, or it is assigned to them."""
    return can_see_unit(user, application.org_unit_id) or application.account_manager_id == user.pk


def may_quote(user, application) -> bool:
    """Account managers (QUOTE_MANAGE) build and issue quotes for applications in their scope."""
    return bool(
        user is not None
        and user.is_active
        and user.is_staff_member
        and user.can(Cap.QUOTE_MANAGE)
        and in_scope(user, application)
    )


def may_act_for_customer(user, application) -> bool:
    """The customer who owns the application, or a counter clerk in scope on its behalf."""
    if user is None or not user.is_active:
        return False
    if user.is_customer:
        return is_owner(user, application)
    return user.can(Cap.APP_COUNTER) and in_scope(user, application)


def parse_decimal(
    value,
    *,
    field: str,
    errors: dict,
    places: int,
    minimum: Decimal = Decimal("0"),
    maximum: Decimal = MAX_AMOUNT,
    positive: bool = False,
) -> Decimal | None:
    """A Decimal from user input with at most ``places`` decimals, or a field error (never a
    silent rounding: 12.345 yuan is refused, not turned into 12.35)."""
    if isinstance(value, float):
        raise TypeError("never a float")
    try:
        d = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        errors.setdefault(field, []).append(str(_("Enter a number.")))
        return None
    if positive and d <= 0:
        errors.setdefault(field, []).append(str(_("Enter an amount greater than zero.")))
        return None
    if d < minimum or d > maximum:
        errors.setdefault(field, []).append(
            str(_("Enter a number between {low} and {high}.")).format(
                low=f"{minimum:,}", high=f"{maximum:,}"
            )
        )
        return None
    step = Decimal(1).scaleb(-places)
    if d != d.quantize(step):
        errors.setdefault(field, []).append(
            str(_("Enter at most {places} decimal places.")).format(places=places)
        )
        return None
    d = d.quantize(step)
    return d
