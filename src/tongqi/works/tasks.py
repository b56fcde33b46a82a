"""Background work of the works app: the monthly snapshot of the municipal report."""

from __future__ import annotations

from datetime import time

from tongqi.integration import outbox

from .services.snapshots import snapshot_close_month


@outbox.periodic("works.monthly_snapshot", daily_at=time(1, 0))
def monthly_snapshot(message) -> str:
    """Every day at 01:00: take last month's final snapshot if it is missing (on the 1st, or
    on the first day the worker runs after it)."""
    return snapshot_close_month().month.isoformat()
