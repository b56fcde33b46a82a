"""Creating and editing gas-source projects, their stage changes and progress notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.applications.choices import OPEN_STATUSES
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import changes_between
from tongqi.core.money import yuan
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify

from ..choices import (
    ACTIVE_STATUSES,
    DEFAULT_AUTHORITY,
    PERMITS_ABOVE_LIMIT,
    ZERO_APPROVAL_LIMIT,
    ApprovalKind,
    PressureLevel,
    ProjectStatus,
    ReasonKind,
)
from ..geometry import LocationError, parse_location
from ..models import Project, ProjectApproval
from .common import bump, lock, record, require_manage
from .errors import Forbidden, IllegalTransition, InvalidInput

S = ProjectStatus
MAX_INVESTMENT = Decimal("999999999999.99")


@dataclass
class ProjectInput:
    """What an engineer enters for a project (the form's cleaned data)."""

    name: str
    org_unit: Any
    district: Any
    location_desc: str
    location: str
    reason_kind: str
    planned_start: date
    expected_gas_on: date
    investment: Decimal | str | int
    grid: Any = None
    reason: str = ""
    pressure_level: str = PressureLevel.MEDIUM
    length_m: Decimal | str | int = "0"
    forecast_load: Decimal | str | int = "0"
    forecast_annual_volume: Decimal | str | int = "0"
    engineer: Any = None
    approvals_needed: list[str] = field(default_factory=list)


def needs_permits(investment: Decimal) -> bool:
    """零审批: above 300,000 yuan a project needs quality-supervision registration and a
    construction permit (武城管办〔2019〕15号); at or below it, neither."""
    return investment > ZERO_APPROVAL_LIMIT


def _number(value, key: str, errors: dict, *, places: str, maximum: Decimal) -> Decimal | None:
    try:
        d = Decimal(str(value if value not in (None, "") else "0").strip())
        if not d.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[key] = [_("Enter a number.")]
        return None
    if d < 0:
        errors[key] = [_("The value cannot be negative.")]
        return None
    if d > maximum:
        errors[key] = [_("The value is too large.")]
        return None
    return d.quantize(Decimal(places))


def _clean(data: ProjectInput, actor) -> dict:
    """Check the input as a whole; every problem is reported on its field."""
    errors: dict[str, list] = {}
    out: dict[str, Any] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("Enter the project name.")]
    out["name"] = name[:120]
    unit = data.org_unit
    if unit is None or unit.kind not in (UnitKind.SUBSIDIARY, UnitKind.COMPANY):
        errors["org_unit"] = [_("Choose the subsidiary that builds the project.")]
    elif not can_see_unit(actor, unit.pk):
        errors["org_unit"] = [_("You can only create projects for your own organisation.")]
    out["org_unit"] = unit
    if data.district is None:
        errors["district"] = [_("Choose the district.")]
    out["district"] = data.district
    grid = data.grid
    if grid is not None and unit is not None and not grid.unit.path.startswith(unit.path or "/"):
        errors["grid"] = [_("The grid does not belong to the chosen subsidiary.")]
    out["grid"] = grid
    desc = (data.location_desc or "").strip()
    if not desc:
        errors["location_desc"] = [_("Describe where the works are (road, section, site).")]
    out["location_desc"] = desc[:200]
    try:
        out["location"] = parse_location(data.location)
    except LocationError as exc:
        errors["location"] = [str(exc.message)]
    if data.reason_kind not in ReasonKind.values:
        errors["reason_kind"] = [_("Choose the reason.")]
    out["reason_kind"] = data.reason_kind
    out["reason"] = (data.reason or "").strip()
    if data.pressure_level not in PressureLevel.values:
        errors["pressure_level"] = [_("Choose the pressure level.")]
    out["pressure_level"] = data.pressure_level
    out["length_m"] = _number(
        data.length_m, "length_m", errors, places="0.1", maximum=Decimal("1000000")
    )
    out["forecast_load"] = _number(
        data.forecast_load, "forecast_load", errors, places="0.001", maximum=Decimal("1e8")
    )
    out["forecast_annual_volume"] = _number(
        data.forecast_annual_volume,
        "forecast_annual_volume",
        errors,
        places="0.001",
        maximum=Decimal("1e12"),
    )
    inv = _number(data.investment, "investment", errors, places="0.01", maximum=MAX_INVESTMENT)
    out["investment"] = yuan(inv) if inv is not None else None
    if data.planned_start is None:
        errors["planned_start"] = [_("Enter the planned start of the works.")]
    if data.expected_gas_on is None:
        errors["expected_gas_on"] = [_("Enter the expected gas-on date.")]
    elif data.planned_start is not None and data.expected_gas_on < data.planned_start:
        errors["expected_gas_on"] = [_("Gas-on cannot be expected before the works start.")]
    out["planned_start"] = data.planned_start
    out["expected_gas_on"] = data.expected_gas_on
    eng = data.engineer
    if eng is not None and not (
        eng.is_active
        and eng.can(Cap.WORKS_MANAGE)
        and unit is not None
        and can_see_unit(eng, unit.pk)
    ):
        errors["engineer"] = [_("Choose an engineer who works for this subsidiary.")]
    out["engineer"] = eng
    bad = [k for k in data.approvals_needed if k not in ApprovalKind.values]
    if bad:
        errors["approvals_needed"] = [_("Choose approvals from the list.")]
    out["approvals_needed"] = [k for k in data.approvals_needed if k in ApprovalKind.values]
    if errors:
        raise InvalidInput(fields=errors)
    return out


def _apply(project: Project, c: dict) -> None:
    loc = c["location"]
    project.name = c["name"]
    project.org_unit = c["org_unit"]
    project.district = c["district"]
    project.grid = c["grid"]
    project.location_desc = c["location_desc"]
    project.geometry_wkt = loc.wkt
    project.latitude, project.longitude = loc.latitude, loc.longitude
    env = loc.envelope
    q = Decimal("0.000001")
    project.min_lat = Decimal(repr(env.min_lat)).quantize(q)
    project.max_lat = Decimal(repr(env.max_lat)).quantize(q)
    project.min_lng = Decimal(repr(env.min_lng)).quantize(q)
    project.max_lng = Decimal(repr(env.max_lng)).quantize(q)
    for key in (
        "reason_kind",
        "reason",
        "pressure_level",
        "length_m",
        "forecast_load",
        "forecast_annual_volume",
        "planned_start",
        "expected_gas_on",
        "investment",
        "engineer",
    ):
        setattr(project, key, c[key])


def _ensure_approvals(project: Project, kinds) -> list[str]:
    """Add not-yet-applied rows for approvals the project needs (never removes one)."""
    have = set(project.approvals.values_list("kind", flat=True))
    added = []
    for kind in kinds:
        if kind not in have:
            ProjectApproval.objects.create(
                project=project, kind=kind, authority=DEFAULT_AUTHORITY.get(kind, "")
            )
            added.append(kind)
            have.add(kind)
    return added


def required_kinds(project: Project) -> tuple[str, ...]:
    return PERMITS_ABOVE_LIMIT if needs_permits(project.investment) else ()


SNAPSHOT_FIELDS = (
    "name",
    "org_unit",
    "district",
    "grid",
    "location_desc",
    "geometry_wkt",
    "reason_kind",
    "reason",
    "pressure_level",
    "length_m",
    "forecast_load",
    "forecast_annual_volume",
    "planned_start",
    "expected_gas_on",
    "investment",
    "engineer",
)


FOREIGN_KEYS = frozenset({"org_unit", "district", "grid", "engineer"})


def _values(project: Project) -> dict:
    return {
        f: getattr(project, f + "_id") if f in FOREIGN_KEYS else getattr(project, f)
        for f in SNAPSHOT_FIELDS
    }


def project_create(*, actor, data: ProjectInput) -> Project:
    """Register a gas-source project (立项); approvals it needs are listed as not yet applied."""
    if actor is None or not actor.is_active or not actor.can(Cap.WORKS_MANAGE):
        raise Forbidden()
    c = _clean(data, actor)
    require_manage(actor, c["org_unit"].pk)
    with transaction.atomic():
        project = Project(created_by=actor)
        _apply(project, c)
        project.save()
        project.number = f"QY{timezone.localdate(project.created_at).year}-{project.pk:05d}"
        project.save(update_fields=["number"])
        added = _ensure_approvals(project, [*c["approvals_needed"], *required_kinds(project)])
        record(
            project,
            action="created",
            actor=actor,
            data={"approvals": added},
            to_status=project.status,
            audit_action=AuditAction.CREATE,
            changes=changes_between({}, _values(project)),
        )
    return project


def project_update(
    *, project: Project, actor, data: ProjectInput, expected_version: int | None = None
) -> Project:
    """Edit a project's data (not its stage); a raised investment adds the permits it needs."""
    require_manage(actor, project.org_unit_id)
    c = _clean(data, actor)
    require_manage(actor, c["org_unit"].pk)
    with transaction.atomic():
        locked = lock(project, expected_version)
        if locked.status in (S.CLOSED, S.CANCELLED):
            raise IllegalTransition(_("A closed or cancelled project can no longer be edited."))
        before = _values(locked)
        _apply(locked, c)
        locked.version += 1
        locked.save()
        added = _ensure_approvals(locked, required_kinds(locked))
        changes = changes_between(before, _values(locked))
        record(
            locked,
            action="updated",
            actor=actor,
            data={"fields": sorted(changes), "approvals": added},
            changes=changes,
        )
        from .links import sync_clocks

        sync_clocks(project=locked, actor=actor)
    project.refresh_from_db()
    return project


# --- stage changes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    label: Any
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Rule] = {
    "submit_approvals": Rule(
        gettext_lazy("Apply for approvals"), frozenset({S.PLANNED}), S.APPROVALS
    ),
    "start_construction": Rule(
        gettext_lazy("Start the works"), frozenset({S.PLANNED, S.APPROVALS}), S.CONSTRUCTION
    ),
    "gas_available": Rule(
        gettext_lazy("Gas available"), frozenset({S.CONSTRUCTION}), S.GAS_AVAILABLE
    ),
    "close": Rule(gettext_lazy("Complete and file"), frozenset({S.GAS_AVAILABLE}), S.CLOSED),
    "cancel": Rule(gettext_lazy("Cancel the project"), ACTIVE_STATUSES, S.CANCELLED),
}
DATED = frozenset({"start_construction", "gas_available"})
REASON_REQUIRED = frozenset({"cancel"})


def missing_approvals(project: Project) -> list[str]:
    """Labels of the approvals still in the way of starting the works."""
    rows = {a.kind: a for a in project.approvals.all()}
    out = []
    for kind in required_kinds(project):
        if kind not in rows:
            out.append(str(ApprovalKind(kind).label))
    for a in rows.values():
        if not a.granted_on:
            out.append(str(a.get_kind_display()))
    return out


def allowed_transitions(user, project: Project) -> list[str]:
    if (
        user is None
        or not user.can(Cap.WORKS_MANAGE)
        or not can_see_unit(user, project.org_unit_id)
    ):
        return []
    return [a for a, r in TRANSITIONS.items() if project.status in r.sources]


def _guard(action: str, locked: Project, on: date | None) -> dict:
    today = timezone.localdate()
    if action == "submit_approvals" and not locked.approvals.exists():
        raise IllegalTransition(_("Add the approvals this project needs first."))
    if action == "start_construction":
        missing = missing_approvals(locked)
        if missing:
            raise IllegalTransition(
                _("The works cannot start before these approvals are granted: {items}.").format(
                    items="、".join(missing)
                )
            )
    if action in DATED:
        on = on or today
        if on > today:
            raise InvalidInput(fields={"on": [_("The date cannot be in the future.")]})
        if action == "gas_available" and locked.actual_start and on < locked.actual_start:
            raise InvalidInput(
                fields={"on": [_("Gas cannot be available before the works started.")]}
            )
        if action == "start_construction":
            locked.actual_start = on
            return {"on": on.isoformat()}
        locked.actual_gas_on = on
        return {"on": on.isoformat()}
    return {}


def project_transition(
    *,
    project: Project,
    action: str,
    actor,
    expected_version: int | None = None,
    reason: str = "",
    on: date | None = None,
) -> Project:
    """Move a project to its next stage: lock, check stage and version, guard, save, record the
    event and audit, re-check the linked applications' clocks, notify — in one transaction."""
    if action not in TRANSITIONS:
        raise IllegalTransition()
    rule = TRANSITIONS[action]
    require_manage(actor, project.org_unit_id)
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput(fields={"reason": [_("Please give a reason.")]})
    with transaction.atomic():
        locked = lock(project, expected_version)
        if locked.status not in rule.sources:
            raise IllegalTransition(
                _("“{action}” is not possible while the project is “{stage}”.").format(
                    action=rule.label, stage=locked.get_status_display()
                )
            )
        extra = _guard(action, locked, on)
        from_status = locked.status
        locked.status = rule.target
        if rule.target in (S.CLOSED, S.CANCELLED):
            locked.closed_at = timezone.now()
        bump(locked, ["status", "actual_start", "actual_gas_on", "closed_at"])
        record(
            locked,
            action=action,
            actor=actor,
            note=reason,
            data=extra,
            from_status=from_status,
            to_status=locked.status,
            audit_action=AuditAction.TRANSITION,
            changes={"status": [from_status, locked.status]},
        )
        from .links import sync_clocks

        sync_clocks(project=locked, actor=actor)
        if action == "gas_available":
            _notify_gas_available(locked)
    project.refresh_from_db()
    return project


def _notify_gas_available(project: Project) -> None:
    """Tell the account managers of the open linked applications that acceptance can be booked."""
    links = project.links.select_related("application__account_manager").filter(
        application__status__in=OPEN_STATUSES
    )
    with translation.override(settings.LANGUAGE_CODE):
        for link in links:
            app = link.application
            if not app.account_manager_id:
                continue
            notify(
                users=[app.account_manager],
                title=_("Gas is available from {project} for {number}").format(
                    project=project.name, number=app.number
                ),
                link=reverse("applications:detail", args=[app.pk]),
                topic="works.gas_available",
                channels=(Channel.INAPP,),
            )


def project_note(*, project: Project, actor, text: str) -> Project:
    """A progress note (进展情况) on the project's record."""
    require_manage(actor, project.org_unit_id)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(fields={"text": [_("Write the progress note.")]})
    if len(text) > 2000:
        raise InvalidInput(fields={"text": [_("Keep the note under 2,000 characters.")]})
    with transaction.atomic():
        locked = lock(project)
        record(locked, action="note", actor=actor, note=text)
    return project
