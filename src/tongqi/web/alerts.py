"""Banners on every page: each app may offer ``alerts_for(user)`` in ``<app>/alerts.py``,
returning (level, text, link) tuples."""

from __future__ import annotations

import importlib
from functools import cache

from django.conf import settings


@cache
def providers():
    found = []
    for app in settings.TONGQI_APPS:
        if f"{app}.alerts" == __name__:
            continue
        try:
            module = importlib.import_module(f"{app}.alerts")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.alerts":
                raise
            continue
        found.append(module.alerts_for)
    return tuple(found)


def alerts_for(user) -> list[tuple[str, str, str]]:
    out = []
    for provider in providers():
        out.extend(provider(user))
    return out
