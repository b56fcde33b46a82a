"""Reading the audit log: search and chain verification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from .models import AuditHead, AuditRecord
from .services import GENESIS, compute_hash


def audit_search(
    *,
    q: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditRecord]:
    qs = AuditRecord.objects.all()
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(reason__icontains=q) | Q(ip__icontains=q))
    return qs.order_by("-seq")


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(chunk: int = 2000) -> ChainReport:
    """Recompute the chain from the first record: an edited record fails its hash, a removed
    one leaves a gap in the sequence, a removed tail disagrees with the head."""
    report = ChainReport()
    expected_seq = 1
    prev = GENESIS
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=chunk):
        if rec.seq != expected_seq:
            report.problems.append(
                f"records {expected_seq}..{rec.seq - 1} are missing"
                if rec.seq > expected_seq
                else f"record {rec.seq} is duplicated or out of order"
            )
            prev = rec.prev_hash
        if rec.prev_hash != prev:
            report.problems.append(f"record {rec.seq} does not link to record {rec.seq - 1}")
        if compute_hash(rec) != rec.hash:
            report.problems.append(f"record {rec.seq} was altered (hash mismatch)")
        prev = rec.hash
        expected_seq = rec.seq + 1
        report.checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or (last_seq and head.hash != prev)):
        report.problems.append(
            f"the chain head says {head.seq} records, the log ends at {last_seq}"
        )
    return report
