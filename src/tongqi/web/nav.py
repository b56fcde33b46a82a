"""Navigation: each app lists its menu entries in ``<app>/nav.py`` as ``ITEMS``; we filter them
by the signed-in user's capabilities, so a menu never shows what the user may not open."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    caps: tuple[str, ...] = ()  # any one of these capabilities shows the item
    roles: tuple[str, ...] = ()  # or any one of these roles
    section: str = "work"  # work | manage | config | portal
    order: int = 100
    icon: str = ""
    kwargs: dict = field(default_factory=dict)

    def visible_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.roles and user.role in self.roles:
            return True
        return any(user.can(c) for c in self.caps)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name, kwargs=self.kwargs or None)
        except NoReverseMatch:
            return ""


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for app in settings.TONGQI_APPS:
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
            continue
        items.extend(getattr(module, "ITEMS", ()))
    return tuple(sorted(items, key=lambda i: (i.order, str(i.label))))


def items_for(user) -> list[NavItem]:
    return [i for i in all_items() if i.visible_to(user) and i.url]
