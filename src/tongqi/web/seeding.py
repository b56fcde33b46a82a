"""Demo data: each app seeds its part in ``<app>/seed.py`` with ``seed(ctx)``, lowest layer first.

Seeding runs once, in one transaction, on an empty database; a second run changes nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tongqi.core.context import acting

DEMO_PASSWORD = "Tongqi@2026"


@dataclass
class SeedContext:
    """What earlier seeds created, for later ones (``ctx.users["am_guanggu1"]`` ...)."""

    today: date
    password_hash: str
    units: dict[str, Any] = field(default_factory=dict)
    grids: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, user, note)
    extra: dict[str, Any] = field(default_factory=dict)


def is_seeded() -> bool:
    from tongqi.accounts.models import OrgUnit

    return OrgUnit.objects.exists()


def seed_demo(today: date | None = None) -> SeedContext | None:
    """Seed every app's demo data if the database is empty. Returns None when already seeded."""
    if is_seeded():
        return None
    ctx = SeedContext(
        today=today or timezone.localdate(), password_hash=make_password(DEMO_PASSWORD)
    )
    with transaction.atomic(), acting(channel="cli"):
        if is_seeded():  # another process won the race
            return None
        for app in settings.TONGQI_APPS:
            try:
                module = importlib.import_module(f"{app}.seed")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.seed":
                    raise
                continue
            module.seed(ctx)
    return ctx


def demo_logins() -> list[tuple[str, str, str]]:
    """The printed logins, read back from the database (so a restart prints them too)."""
    from tongqi.accounts.models import User
    from tongqi.accounts.seed import DEMO_LOGINS

    found = set(
        User.objects.filter(username__in=[u for _, u, _ in DEMO_LOGINS]).values_list(
            "username", flat=True
        )
    )
    return [row for row in DEMO_LOGINS if row[1] in found]
