"""Helpers every service module shares: permission and scope checks, recipients, field errors."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.accounts.choices import Role
from tongqi.accounts.models import OrgUnit, User
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.core.workdays import CalendarRangeError, WorkCalendar

from .errors import Forbidden, InvalidInput


def require(actor, *caps: str, unit_id: int | None = None, check_unit: bool = False) -> None:
    """The actor holds one of ``caps`` (and, with ``check_unit``, sees ``unit_id``)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Forbidden()
    if not any(actor.can(c) for c in caps):
        raise Forbidden()
    if check_unit and not can_see_unit(actor, unit_id):
        raise Forbidden()


def is_manager(actor) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.can(Cap.SERVICE_MANAGE)
    )


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(fields=errors)


def add_error(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def clean_text(errors: dict, field: str, value, *, required: bool, max_length: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        add_error(errors, field, _("This field is required."))
    elif len(text) > max_length:
        add_error(
            errors,
            field,
            _("Keep this to at most {n} characters (it has {m}).").format(
                n=max_length, m=len(text)
            ),
        )
    return text


def escalation_chain(unit: OrgUnit | None) -> list[User]:
    """The unit's escalation contact, then each parent's, up to the company (no repeats)."""
    people, seen = [], set()
    while unit is not None:
        contact = unit.escalation_to
        if contact is not None and contact.pk not in seen and contact.is_active:
            seen.add(contact.pk)
            people.append(contact)
        unit = unit.parent
    return people


def service_managers_for(unit_id: int | None) -> list[User]:
    """Active service-management staff who see ``unit_id`` (the company's 服务管理部, usually)."""
    staff = User.objects.filter(role=Role.SERVICE_MANAGER, is_active=True).select_related(
        "org_unit"
    )
    return [u for u in staff if unit_id is None or can_see_unit(u, unit_id)]


def company_root() -> OrgUnit:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()


def customer_recipients(application) -> list[User]:
    users = list(application.enterprise.members.filter(is_active=True))
    if application.applicant_id and all(u.pk != application.applicant_id for u in users):
        if application.applicant.is_active:
            users.append(application.applicant)
    return users


def nth_workday_after(cal: WorkCalendar, day: date, n: int) -> date:
    """The n-th working day after ``day``; beyond the calendar's table, plain weekdays."""
    try:
        return cal.nth_workday_after(day, n)
    except CalendarRangeError:
        from datetime import timedelta

        d, left = day, n
        while left:
            d += timedelta(days=1)
            if d.weekday() < 5:
                left -= 1
        return d


def is_workday(cal: WorkCalendar, day: date) -> bool:
    try:
        return cal.is_workday(day)
    except CalendarRangeError:
        return day.weekday() < 5


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def members_of(units: Iterable[OrgUnit]) -> list[User]:
    """Active staff of the given units (departments responsible for a plan task)."""
    ids = [u.pk for u in units]
    return list(
        User.objects.filter(org_unit_id__in=ids, is_active=True)
        .exclude(role__in=[Role.CUSTOMER, Role.SYSADMIN, Role.AUDITOR])
        .order_by("id")
    )
