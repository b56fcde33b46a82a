"""Domain events about an application that other apps emit (through the outbox, in the caller's
transaction). Transitions emit ``application.<action>`` and ``application.changed`` themselves
(services/transitions.py)."""

from __future__ import annotations

from tongqi.integration import outbox

FIGURES_CHANGED = "application.figures_changed"


def figures_changed(application_id: int) -> None:
    """Something an application's figures are computed from changed without a transition — a
    payment, a satisfaction answer, the receivable after gas-on — so that its indicator row is
    recomputed within seconds, not at the nightly rebuild."""
    outbox.emit(FIGURES_CHANGED, {"application": application_id})
