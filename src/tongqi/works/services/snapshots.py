"""Monthly snapshots of the municipal report, so a past month can be shown as it was reported.

* The job ``works.monthly_snapshot`` (works/tasks.py) runs every day at 01:00 and, when the
  previous month has no final snapshot yet, takes it — on the 1st normally, on the next day the
  worker runs if it was down. A final snapshot never changes; a second run does nothing.
* An engineering manager may take the current month's snapshot by hand ("snapshot now"), e.g.
  for a meeting; it is provisional and may be retaken until the month ends, when the job
  replaces it with the month's final snapshot.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record

from ..choices import SnapshotTrigger
from ..models import ReportSnapshot
from ..report import live_rows
from .common import require_manage
from .errors import Forbidden, IllegalTransition


def month_start(d: date) -> date:
    return d.replace(day=1)


def previous_month(d: date) -> date:
    return month_start(month_start(d) - timedelta(days=1))


def _take(month: date, *, actor, trigger: str, final: bool, now: datetime) -> ReportSnapshot:
    rows = live_rows(None, today=timezone.localdate(now))
    with transaction.atomic():
        snap = ReportSnapshot.objects.select_for_update().filter(month=month).first()
        if snap is not None and snap.final:
            return snap  # a final snapshot is what was reported: never replaced
        if snap is None:
            try:
                with transaction.atomic():
                    snap = ReportSnapshot.objects.create(
                        month=month,
                        taken_at=now,
                        taken_by=actor,
                        trigger=trigger,
                        final=final,
                        rows=rows,
                        row_count=len(rows),
                    )
            except IntegrityError:  # another worker or a manager got there first
                snap = ReportSnapshot.objects.select_for_update().get(month=month)
                if snap.final:
                    return snap
            else:
                _audit(snap, actor, replaced=None)
                return snap
        previous = snap.row_count
        snap.taken_at, snap.taken_by, snap.trigger, snap.final = now, actor, trigger, final
        snap.rows, snap.row_count = rows, len(rows)
        snap.save()
        _audit(snap, actor, replaced=previous)
        return snap


def _audit(snap: ReportSnapshot, actor, *, replaced: int | None) -> None:
    audit_record(
        action=AuditAction.CREATE if replaced is None else AuditAction.UPDATE,
        obj=snap,
        actor=actor,
        changes={
            "rows": [replaced, snap.row_count],
            "final": [None, snap.final],
            "trigger": [None, snap.trigger],
        },
    )


def snapshot_close_month(*, now: datetime | None = None) -> ReportSnapshot:
    """The previous month's final snapshot (taken now unless it exists). Idempotent."""
    now = now or timezone.now()
    month = previous_month(timezone.localdate(now))
    existing = ReportSnapshot.objects.filter(month=month, final=True).first()
    if existing is not None:
        return existing
    return _take(month, actor=None, trigger=SnapshotTrigger.AUTO, final=True, now=now)


def snapshot_now(*, actor, now: datetime | None = None) -> ReportSnapshot:
    """An engineering manager records the current month's report as it stands (provisional)."""
    # company-wide engineering staff only: the snapshot keeps every subsidiary's rows
    require_manage(actor, None)
    now = now or timezone.now()
    month = month_start(timezone.localdate(now))
    snap = ReportSnapshot.objects.filter(month=month, final=True).first()
    if snap is not None:
        raise IllegalTransition(_("This month's report is final and can no longer be retaken."))
    return _take(month, actor=actor, trigger=SnapshotTrigger.MANUAL, final=False, now=now)


def can_snapshot(user) -> bool:
    try:
        require_manage(user, None)
    except Forbidden:
        return False
    return True
