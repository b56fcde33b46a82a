"""What each role may do (capabilities) and how far it sees (scope). No database access here.

One table, read by views, services, the API and the navigation alike, so a permission is granted
or refused in one place.
"""

from __future__ import annotations

from enum import StrEnum

from .choices import Role


class Cap(StrEnum):
    """Capabilities. Names are ``<area>.<action>``; grep for one to find every check."""

    PORTAL = "portal.use"  # the customer portal: apply, follow, confirm, rate, complain
    APP_VIEW = "application.view"
    APP_COUNTER = "application.counter_entry"
    APP_ACCEPT = "application.accept"
    APP_SURVEY = "application.survey"
    APP_PAUSE = "application.pause"
    APP_ASSIGN = "application.assign"
    APP_ACCEPTANCE = "application.acceptance"  # acceptance, ignition, gas-on (工程)
    APP_REOPEN = "application.reopen"
    PII_FULL = "pii.view_full"
    QUOTE_MANAGE = "pricing.quote"
    PRICING_MANAGE = "pricing.manage"
    RECEIVABLE_MANAGE = "pricing.receivables"
    WORKS_VIEW = "works.view"
    WORKS_MANAGE = "works.manage"
    SERVICE_VIEW = "service.view"
    SERVICE_MANAGE = "service.manage"
    RETROFIT_VIEW = "retrofit.view"
    RETROFIT_MANAGE = "retrofit.manage"
    REPORTS_VIEW = "reports.view"
    REPORTS_EXPORT = "reports.export"
    CONFIG_MANAGE = "config.manage"  # org, grids, users, packages, calendar, API clients
    CALENDAR_MANAGE = "calendar.manage"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"


class Scope(StrEnum):
    """How far a role sees business records."""

    NONE = "none"  # sees no business records at all (administrator, auditor: 三权分立)
    OWN = "own"  # only the records of the customer's own enterprises
    UNIT = "unit"  # the records of the user's org unit and everything below it
    COMPANY = "company"  # every record of the company


_STAFF_READ = {Cap.APP_VIEW, Cap.WORKS_VIEW, Cap.SERVICE_VIEW, Cap.RETROFIT_VIEW}

ROLE_CAPS: dict[Role, frozenset[Cap]] = {
    Role.CUSTOMER: frozenset({Cap.PORTAL}),
    Role.ACCOUNT_MANAGER: frozenset(
        _STAFF_READ
        | {Cap.APP_ACCEPT, Cap.APP_SURVEY, Cap.APP_PAUSE, Cap.QUOTE_MANAGE, Cap.PII_FULL}
    ),
    Role.ENGINEER: frozenset(
        _STAFF_READ | {Cap.APP_ACCEPTANCE, Cap.APP_PAUSE, Cap.WORKS_MANAGE, Cap.RETROFIT_MANAGE}
    ),
    Role.COUNTER_CLERK: frozenset({Cap.APP_VIEW, Cap.APP_COUNTER}),
    Role.SERVICE_MANAGER: frozenset(
        _STAFF_READ | {Cap.SERVICE_MANAGE, Cap.REPORTS_VIEW, Cap.REPORTS_EXPORT, Cap.PII_FULL}
    ),
    Role.MARKETING: frozenset(
        _STAFF_READ
        | {Cap.PRICING_MANAGE, Cap.RECEIVABLE_MANAGE, Cap.REPORTS_VIEW, Cap.REPORTS_EXPORT}
    ),
    Role.METER_READER: frozenset({Cap.APP_VIEW}),
    Role.SAFETY_INSPECTOR: frozenset({Cap.APP_VIEW}),
    Role.LEADER: frozenset(
        _STAFF_READ
        | {Cap.APP_REOPEN, Cap.APP_ASSIGN, Cap.REPORTS_VIEW, Cap.REPORTS_EXPORT, Cap.PII_FULL}
    ),
    Role.SYSADMIN: frozenset(
        {Cap.CONFIG_MANAGE, Cap.CALENDAR_MANAGE, Cap.USERS_MANAGE, Cap.PRICING_MANAGE}
    ),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
}

ROLE_SCOPE: dict[Role, Scope] = {
    Role.CUSTOMER: Scope.OWN,
    Role.ACCOUNT_MANAGER: Scope.UNIT,
    Role.ENGINEER: Scope.UNIT,
    Role.COUNTER_CLERK: Scope.UNIT,
    Role.SERVICE_MANAGER: Scope.UNIT,
    Role.MARKETING: Scope.UNIT,
    Role.METER_READER: Scope.UNIT,
    Role.SAFETY_INSPECTOR: Scope.UNIT,
    Role.LEADER: Scope.UNIT,
    Role.SYSADMIN: Scope.NONE,
    Role.AUDITOR: Scope.NONE,
}

# Roles whose accounts must use a second factor (TOTP) to sign in.
SECOND_FACTOR_ROLES = frozenset({Role.SYSADMIN, Role.AUDITOR})

STAFF_ROLES = frozenset(r for r in Role if r is not Role.CUSTOMER)


def caps_for(role: str | None) -> frozenset[Cap]:
    try:
        return ROLE_CAPS[Role(role)]
    except (ValueError, KeyError):
        return frozenset()


def scope_for(role: str | None) -> Scope:
    try:
        return ROLE_SCOPE[Role(role)]
    except (ValueError, KeyError):
        return Scope.NONE
