"""Sections other apps add to an application's page (quote, gas-source project, callbacks…).

An app registers panels in its own ``panels.py`` (discovered at start-up)::

    from tongqi.applications.panels import Panel, register

    register(Panel(key="quote", label=_("Plan and quote"), template="pricing/_panel.html",
                   context=quote_panel_context, order=40, staff=True, customer=True))

``context(request, application)`` returns the template context, or None to hide the panel.
The application pages render every visible panel in order, so no app edits another's templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Panel:
    key: str
    label: Any
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    staff: bool = True
    customer: bool = False


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    PANELS[panel.key] = panel
    return panel


def discover() -> None:
    autodiscover_modules("panels")


def panels_for(request, application, *, customer: bool) -> list[tuple[Panel, dict]]:
    """The visible panels for this viewer, each with its context, in order."""
    out = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        if (customer and not panel.customer) or (not customer and not panel.staff):
            continue
        ctx = panel.context(request, application)
        if ctx is not None:
            out.append((panel, ctx))
    return out
