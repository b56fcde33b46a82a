"""Background work of the reports app: keeping the indicator rows up to date (ADR 0013)."""

from __future__ import annotations

from datetime import time, timedelta

from tongqi.applications.events import FIGURES_CHANGED
from tongqi.integration import outbox
from tongqi.integration.outbox import PermanentError

from .services import rebuild_indicators, refresh_open_indicators


@outbox.subscriber(FIGURES_CHANGED, "reports.refresh_indicator", batch=True)
@outbox.subscriber("application.changed", "reports.refresh_indicator", batch=True)
def refresh_indicator(messages) -> None:
    """Every transition of an application recomputes its one indicator row, and so does a change
    its figures come from without a transition (a payment, a survey answer, the receivable: see
    ``applications.events``); the worker hands over all such messages it claimed at once,
    recomputed together (one set-based pass)."""
    ids = set()
    for message in messages:
        try:
            ids.add(int(message.payload["application"]))
        except (KeyError, TypeError, ValueError):
            raise PermanentError(f"bad payload: {message.payload!r}") from None
    rebuild_indicators(application_ids=sorted(ids))


@outbox.periodic("reports.refresh_open", every=timedelta(minutes=10))
def refresh_open(message) -> int:
    """Open applications' clocks run on without any event: refresh their figures."""
    return refresh_open_indicators()


@outbox.periodic("reports.rebuild_all", daily_at=time(2, 30))
def rebuild_all(message) -> int:
    """Nightly: every row again, so that anything no event announced (a calendar correction, a
    change made outside the services) is in tomorrow's figures."""
    return rebuild_indicators()
