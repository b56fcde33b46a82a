"""Notices of rights and duties (权益告知书): issue per household or per building, record the
delivery (when, by whom, how, signed receipt or not), void and reissue."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record

from ..choices import DeliveryMethod, HouseholdStatus, NoticeStatus
from ..errors import RetrofitError
from ..models import Household, Project, RightsNotice
from ..notice_text import EDITION, build_sections
from .common import bump, check_version, lock, require_manager, require_reason

ELIGIBLE = frozenset(
    {
        HouseholdStatus.PENDING,
        HouseholdStatus.WILLING,
        HouseholdStatus.INSTALLED,
        HouseholdStatus.CONNECTED,
    }
)

NOTICE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "deliver": (frozenset({NoticeStatus.GENERATED}), NoticeStatus.DELIVERED),
    "void": (frozenset({NoticeStatus.GENERATED, NoticeStatus.DELIVERED}), NoticeStatus.VOID),
}


def _new_notices(p: Project, households: list[Household], actor) -> list[RightsNotice]:
    """Numbers come from the project's counter, taken under the project's row lock."""
    now = timezone.now()
    start = p.notice_seq
    notices = [
        RightsNotice(
            number=f"QY{p.number[2:]}-{start + i:04d}",
            project=p,
            household=h,
            edition=EDITION,
            household_label=h.label,
            addressee=h.contact_name,
            sections=build_sections(project=p, household=h),
            generated_at=now,
            generated_by=actor,
        )
        for i, h in enumerate(households, start=1)
    ]
    p.notice_seq = start + len(notices)
    p.save(update_fields=["notice_seq"])
    return RightsNotice.objects.bulk_create(notices)


def _has_valid_notice(household_ids) -> set[int]:
    return set(
        RightsNotice.objects.filter(household_id__in=household_ids)
        .exclude(status=NoticeStatus.VOID)
        .values_list("household_id", flat=True)
    )


def notice_generate(*, household: Household, actor) -> RightsNotice:
    """Issue the notice for one household (one valid notice per household at a time)."""
    require_manager(actor, household.project.org_unit_id)
    with transaction.atomic():
        p = lock(Project, household.project_id)
        h = Household.objects.get(pk=household.pk)
        if h.status not in ELIGIBLE:
            raise RetrofitError("household_not_eligible")
        if _has_valid_notice([h.pk]):
            raise RetrofitError("notice_exists")
        (notice,) = _new_notices(p, [h], actor)
        notice = RightsNotice.objects.get(number=notice.number)
        audit_record(
            action=AuditAction.CREATE,
            obj=notice,
            object_repr=f"{notice.number} {p.name}{h.label}",
        )
    return notice


def notices_generate_batch(
    *, project: Project, actor, building: str | None = None
) -> list[RightsNotice]:
    """Issue notices to every eligible household of the project (or one building) that has no
    valid notice yet. Returns the new notices, ordered by building, unit and room."""
    require_manager(actor, project.org_unit_id)
    with transaction.atomic():
        p = lock(Project, project.pk)
        qs = Household.objects.filter(project=p, status__in=ELIGIBLE)
        if building:
            qs = qs.filter(building=building)
        households = list(qs.order_by("building", "unit", "room"))
        have = _has_valid_notice([h.pk for h in households])
        households = [h for h in households if h.pk not in have]
        if not households:
            raise RetrofitError("nothing_to_generate")
        created = _new_notices(p, households, actor)
        numbers = [n.number for n in created]
        audit_record(
            action=AuditAction.CREATE,
            object_type="retrofit.rightsnotice",
            object_repr=f"{p.number} {len(numbers)}",
            changes={"numbers": [numbers[0], numbers[-1]], "count": len(numbers)},
            reason=f"batch{(' building ' + building) if building else ''}",
        )
    return list(
        RightsNotice.objects.filter(number__in=numbers)
        .select_related("project", "project__district", "household")
        .order_by("household__building", "household__unit", "household__room")
    )


def notice_deliver(
    *,
    notice: RightsNotice,
    actor,
    expected_version: int | None,
    delivered_at: datetime | None = None,
    method: str = DeliveryMethod.IN_PERSON,
    receipt_signed: bool = False,
    recipient: str = "",
    note: str = "",
) -> RightsNotice:
    """Record that the notice reached the household."""
    require_manager(actor, notice.project.org_unit_id)
    if method not in DeliveryMethod.values:
        raise RetrofitError("illegal_transition", field="method")
    now = timezone.now()
    delivered_at = delivered_at or now
    if delivered_at > now:
        raise RetrofitError("date_in_future", field="delivered_at")
    with transaction.atomic():
        n = lock(RightsNotice, notice.pk)
        check_version(n, expected_version)
        sources, target = NOTICE_TRANSITIONS["deliver"]
        if n.status not in sources:
            raise RetrofitError("illegal_transition")
        if delivered_at < n.generated_at.replace(second=0, microsecond=0):
            raise RetrofitError("date_before_generation", field="delivered_at")
        n.status = target
        n.delivered_at = delivered_at
        n.delivered_by = actor
        n.delivery_method = method
        n.receipt_signed = receipt_signed
        n.recipient = recipient.strip()
        n.delivery_note = note.strip()
        bump(n)
        n.save()
        audit_record(
            action=AuditAction.TRANSITION,
            obj=n,
            changes={
                "status": [NoticeStatus.GENERATED, target],
                "method": method,
                "receipt_signed": receipt_signed,
            },
        )
    return n


def notice_void(*, notice: RightsNotice, actor, expected_version: int | None, reason: str):
    """Withdraw a notice (wrong name, lost paper …) so a new one can be issued."""
    require_manager(actor, notice.project.org_unit_id)
    reason = require_reason(reason)
    with transaction.atomic():
        n = lock(RightsNotice, notice.pk)
        check_version(n, expected_version)
        sources, target = NOTICE_TRANSITIONS["void"]
        if n.status not in sources:
            raise RetrofitError("illegal_transition")
        before = n.status
        n.status = target
        n.void_reason = reason[:200]
        bump(n)
        n.save(update_fields=["status", "void_reason", "version"])
        audit_record(
            action=AuditAction.TRANSITION,
            obj=n,
            changes={"status": [before, target]},
            reason=reason,
        )
    return n
