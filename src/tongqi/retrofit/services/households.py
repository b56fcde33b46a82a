"""Household actions: register, edit, and the sign-up → installation → gas-on machine.

The contact phone is personal data: audit records carry it masked; reading it in full is a
separate, audited action (``household_reveal_phone``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between
from tongqi.core.validators import ValidationFailure, validate_mainland_mobile

from ..choices import HouseholdAction, HouseholdStatus, ProjectStatus, Stage, stage_index
from ..errors import RetrofitError
from ..models import Household, HouseholdEvent, Project
from .common import (
    bump,
    check_past_date,
    check_version,
    clean_text,
    lock,
    normalise_place,
    require_manager,
    require_reason,
)

PII = {"phone": "mobile", "contact_name": "name"}
H = HouseholdStatus


@dataclass(frozen=True)
class HouseholdTransition:
    from_status: frozenset[str]
    to_status: str
    min_stage: str | None = None  # the project must have reached this stage


HOUSEHOLD_TRANSITIONS: dict[str, HouseholdTransition] = {
    HouseholdAction.SIGN_UP: HouseholdTransition(
        frozenset({H.PENDING, H.DECLINED, H.WITHDRAWN}), H.WILLING
    ),
    HouseholdAction.DECLINE: HouseholdTransition(frozenset({H.PENDING}), H.DECLINED),
    HouseholdAction.WITHDRAW: HouseholdTransition(frozenset({H.WILLING, H.INSTALLED}), H.WITHDRAWN),
    HouseholdAction.INSTALL: HouseholdTransition(
        frozenset({H.WILLING}), H.INSTALLED, min_stage=Stage.CONSTRUCTION
    ),
    HouseholdAction.CONNECT: HouseholdTransition(
        frozenset({H.INSTALLED}), H.CONNECTED, min_stage=Stage.GAS_ON
    ),
}

# Statuses a household may be registered with (by hand or import); the rest come from works.
INITIAL_STATUSES = (H.PENDING, H.WILLING, H.DECLINED)


def allowed_household_actions(household: Household, project: Project) -> list[str]:
    if project.status != ProjectStatus.ACTIVE:
        return []
    return [
        action
        for action, t in HOUSEHOLD_TRANSITIONS.items()
        if household.status in t.from_status
        and (t.min_stage is None or stage_index(project.stage) >= stage_index(t.min_stage))
    ]


def clean_phone(phone) -> str:
    try:
        return validate_mainland_mobile(clean_text(phone))
    except ValidationFailure as exc:
        raise RetrofitError(exc.code, field="phone") from None


def _require_open_project(project: Project) -> None:
    if project.status not in (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED):
        raise RetrofitError("project_not_active")


def _snapshot(h: Household) -> dict:
    return {
        "building": h.building,
        "unit": h.unit,
        "room": h.room,
        "contact_name": h.contact_name,
        "phone": h.phone,
        "status": h.status,
        "note": h.note,
    }


def household_create(
    *,
    project: Project,
    actor,
    building: str,
    unit: str = "",
    room: str,
    contact_name: str,
    phone: str,
    status: str = H.PENDING,
    note: str = "",
) -> Household:
    """Register one household of the community."""
    require_manager(actor, project.org_unit_id)
    if status not in INITIAL_STATUSES:
        raise RetrofitError("illegal_transition", field="status")
    h = Household(
        project=project,
        building=normalise_place("building", building),
        unit=normalise_place("unit", unit),
        room=normalise_place("room", room),
        contact_name=clean_text(contact_name),
        phone=clean_phone(phone),
        status=status,
        note=clean_text(note),
    )
    today = timezone.localdate()
    if status == H.WILLING:
        h.signed_up_on = today
    with transaction.atomic():
        p = lock(Project, project.pk)
        _require_open_project(p)
        if Household.objects.filter(
            project=p, building=h.building, unit=h.unit, room=h.room
        ).exists():
            raise RetrofitError("household_exists", field="room")
        h.save()
        HouseholdEvent.objects.create(
            household=h,
            action=HouseholdAction.CREATE,
            to_status=h.status,
            on_date=today,
            actor=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=h,
            object_repr=f"{p.number} {h.label}",
            changes=changes_between(None, _snapshot(h), pii=PII),
        )
    return h


def household_update(
    *,
    household: Household,
    actor,
    expected_version: int | None,
    building: str,
    unit: str,
    room: str,
    contact_name: str,
    phone: str,
    note: str = "",
) -> Household:
    """Correct where a household is or how to reach it (its status has its own actions)."""
    require_manager(actor, household.project.org_unit_id)
    fields = {
        "building": normalise_place("building", building),
        "unit": normalise_place("unit", unit),
        "room": normalise_place("room", room),
        "contact_name": clean_text(contact_name),
        "phone": clean_phone(phone),
        "note": clean_text(note),
    }
    with transaction.atomic():
        h = lock(Household, household.pk)
        check_version(h, expected_version)
        if (
            Household.objects.filter(
                project_id=h.project_id,
                building=fields["building"],
                unit=fields["unit"],
                room=fields["room"],
            )
            .exclude(pk=h.pk)
            .exists()
        ):
            raise RetrofitError("household_exists", field="room")
        before = _snapshot(h)
        for key, value in fields.items():
            setattr(h, key, value)
        bump(h)
        h.save(update_fields=[*fields, "version"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=h,
            object_repr=f"{household.project.number} {h.label}",
            changes=changes_between(before, _snapshot(h), pii=PII),
        )
    return h


def _transition(
    household: Household,
    actor,
    expected_version: int | None,
    action: str,
    *,
    on_date=None,
    reason: str = "",
) -> Household:
    """Lock project then household (always in that order), check table, version and stage."""
    require_manager(actor, household.project.org_unit_id)
    t = HOUSEHOLD_TRANSITIONS[action]
    with transaction.atomic():
        p = lock(Project, household.project_id)
        h = lock(Household, household.pk)
        check_version(h, expected_version)
        if p.status != ProjectStatus.ACTIVE:
            raise RetrofitError("project_not_active")
        if h.status not in t.from_status:
            raise RetrofitError("illegal_transition")
        if t.min_stage and stage_index(p.stage) < stage_index(t.min_stage):
            raise RetrofitError("stage_too_early")
        on = check_past_date(on_date)
        from_status = h.status
        h.status = t.to_status
        if action == HouseholdAction.SIGN_UP:
            h.signed_up_on = on
        elif action == HouseholdAction.INSTALL:
            h.installed_on = on
        elif action == HouseholdAction.CONNECT:
            h.connected_on = on
        bump(h)
        h.save(update_fields=["status", "signed_up_on", "installed_on", "connected_on", "version"])
        HouseholdEvent.objects.create(
            household=h,
            action=action,
            from_status=from_status,
            to_status=h.status,
            on_date=on,
            reason=reason,
            actor=actor,
        )
        audit_record(
            action=AuditAction.TRANSITION,
            obj=h,
            object_repr=f"{p.number} {h.label}",
            changes={"status": [from_status, h.status]},
            reason=reason,
        )
    return h


def household_sign_up(
    *, household: Household, actor, expected_version: int | None, on_date=None, note: str = ""
) -> Household:
    """The household wants gas (报装意愿): it signed the sign-up form on ``on_date``."""
    return _transition(
        household, actor, expected_version, HouseholdAction.SIGN_UP, on_date=on_date, reason=note
    )


def household_decline(
    *, household: Household, actor, expected_version: int | None, note: str = ""
) -> Household:
    """Asked, the household does not want gas now (it may sign up later)."""
    return _transition(household, actor, expected_version, HouseholdAction.DECLINE, reason=note)


def household_withdraw(
    *, household: Household, actor, expected_version: int | None, reason: str
) -> Household:
    """The household withdraws its sign-up before gas-on (the notice tells it how)."""
    return _transition(
        household,
        actor,
        expected_version,
        HouseholdAction.WITHDRAW,
        reason=require_reason(reason),
    )


def household_install(
    *, household: Household, actor, expected_version: int | None, on_date=None, note: str = ""
) -> Household:
    """In-home piping and meter installed (needs the project in construction or later)."""
    return _transition(
        household, actor, expected_version, HouseholdAction.INSTALL, on_date=on_date, reason=note
    )


def household_connect(
    *, household: Household, actor, expected_version: int | None, on_date=None, note: str = ""
) -> Household:
    """Gas on and ignition done for this household (needs the project in its gas-on stage)."""
    return _transition(
        household, actor, expected_version, HouseholdAction.CONNECT, on_date=on_date, reason=note
    )


HOUSEHOLD_ACTION_FUNCTIONS = {
    HouseholdAction.SIGN_UP: household_sign_up,
    HouseholdAction.DECLINE: household_decline,
    HouseholdAction.WITHDRAW: household_withdraw,
    HouseholdAction.INSTALL: household_install,
    HouseholdAction.CONNECT: household_connect,
}


def household_reveal_phone(*, household: Household, actor, reason: str = "") -> str:
    """The full phone number, for someone who must call the household; the view is audited."""
    if not (actor.can(Cap.RETROFIT_MANAGE) or actor.can(Cap.PII_FULL)) or not can_see_unit(
        actor, household.project.org_unit_id
    ):
        raise PermissionDenied
    audit_record(
        action=AuditAction.VIEW_PII,
        obj=household,
        object_repr=f"{household.project.number} {household.label}",
        changes={"field": "phone"},
        reason=reason or "retrofit household contact",
        actor=actor,
    )
    return household.phone


# Actions that may be applied to many households at once; a withdrawal needs each household's
# own reason, so it stays one at a time.
BULK_ACTIONS = (
    HouseholdAction.SIGN_UP,
    HouseholdAction.DECLINE,
    HouseholdAction.INSTALL,
    HouseholdAction.CONNECT,
)


class BulkRefused(RetrofitError):
    """Some households could not take the action; ``failures`` lists (flat, message)."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        super().__init__("bulk_refused")


def households_bulk(
    *,
    project: Project,
    actor,
    action: str,
    household_ids,
    on_date=None,
    note: str = "",
) -> int:
    """Apply one action to the chosen households of a project (a building's sign-up sheet, an
    ignition day): every household or none, and each refusal named by its flat."""
    if action not in BULK_ACTIONS:
        raise RetrofitError("illegal_transition")
    require_manager(actor, project.org_unit_id)
    ids = {int(i) for i in household_ids}
    if not ids:
        raise RetrofitError("nothing_selected")
    fn = HOUSEHOLD_ACTION_FUNCTIONS[action]
    kwargs: dict = {"note": note}
    if action != HouseholdAction.DECLINE:
        kwargs["on_date"] = on_date
    failures: list[tuple[str, str]] = []
    with transaction.atomic():
        households = list(
            Household.objects.filter(project=project, pk__in=ids)
            .select_related("project")
            .order_by("building", "unit", "room")
        )
        if len(households) != len(ids):
            raise RetrofitError("illegal_transition")
        for h in households:
            try:
                with transaction.atomic():
                    fn(household=h, actor=actor, expected_version=None, **kwargs)
            except RetrofitError as exc:
                failures.append((h.label, exc.message))
        if failures:
            raise BulkRefused(failures)  # rolls back the households that did move
    return len(households)
