"""The named actions on an application, each one call of ``transition`` plus its own changes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.accounts.models import User
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.core import clock as core_clock
from tongqi.sla import services as sla
from tongqi.sla.choices import PauseCode

from ..choices import DEFAULT_LIMIT_DAYS, Category, CommitmentStatus, VisitKind
from ..models import AcceptanceRecord, Application, CategoryLimit, Commitment, Survey, Visit
from .errors import ApplicationError, IllegalTransition, InvalidInput
from .transitions import REASON_REQUIRED, transition


def category_limit(category: str, on: date | None = None) -> int:
    """Working days allowed for a category, by the limit in force on ``on`` (effective-dated)."""
    on = on or timezone.localdate()
    row = (
        CategoryLimit.objects.filter(category=category, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("days", flat=True)
        .first()
    )
    return row or DEFAULT_LIMIT_DAYS[Category(category)]


def _need_reason(action: str, reason: str) -> str:
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput(fields={"reason": [str(_("Please give a reason."))]})
    return reason


def _clock_event(
    app: Application, kind: str, at: datetime, reason: str = "", note: str = "", actor=None
) -> None:
    try:
        sla.clock_record(clock=app.clock, kind=kind, at=at, reason=reason, note=note, actor=actor)
    except sla.ClockError as exc:
        raise ApplicationError(exc.message, code=f"clock_{exc.code}") from None


def application_accept(
    *,
    application: Application,
    actor,
    category: str = Category.STANDARD_PACKAGE,
    missing_items: list[str] | tuple[str, ...] = (),
    commitment_text: str = "",
    commitment_due: date | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Application:
    """受理 (and 容缺受理 when non-key items are missing). Acceptance starts the clock.

    The preliminary category (from the application and the desk review) sets the time limit at
    once; the survey may change it. Missing items need a commitment text and a due date; they do
    not block the main clock.
    """
    at = at or timezone.now()
    if category not in Category.values:
        raise InvalidInput(fields={"category": [str(_("Choose a project category."))]})
    items = [i.strip() for i in missing_items if i and i.strip()]
    if items:
        errors = {}
        if not (commitment_text or "").strip():
            errors["commitment_text"] = [str(_("Write the customer's commitment."))]
        if commitment_due is None:
            errors["commitment_due"] = [
                str(_("Give the date by which the items will be supplied."))
            ]
        elif commitment_due < timezone.localdate(at):
            errors["commitment_due"] = [str(_("The due date cannot be in the past."))]
        if errors:
            raise InvalidInput(fields=errors)

    def apply(locked: Application) -> dict:
        days = category_limit(category, timezone.localdate(at))
        locked.category = category
        locked.limit_days = days
        locked.accepted_at = at
        locked.outcome_reason = ""
        locked.clock = sla.clock_create(budget_days=days)
        _clock_event(locked, core_clock.START, at, actor=actor)
        if items:
            Commitment.objects.create(
                application=locked,
                missing_items=items,
                text=commitment_text.strip(),
                due_date=commitment_due,
                created_by=actor,
            )
        return {"category": category, "limit_days": days, "missing_items": items}

    return transition(
        application=application,
        action="accept",
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        at=at,
        reason=_("Accepted with items to supply later (容缺受理)") if items else "",
    )


def application_reject(
    *, application: Application, actor, reason: str, expected_version: int | None = None
) -> Application:
    """不予受理, with a reason the customer sees."""
    reason = _need_reason("reject", reason)

    def apply(locked: Application) -> None:
        locked.outcome_reason = reason

    return transition(
        application=application,
        action="reject",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def application_survey(
    *,
    application: Application,
    actor,
    category: str,
    surveyed_at: datetime | None = None,
    pipe_length_m: Decimal | str = "0",
    external_length_m: Decimal | str = "0",
    meter_rating: str = "",
    gas_source_available: bool = True,
    findings: str = "",
    safety_conditions_ok: bool = True,
    expected_version: int | None = None,
) -> Application:
    """Record the site survey (现场踏勘) and set the project category, hence the time limit."""
    if category not in Category.values:
        raise InvalidInput(fields={"category": [str(_("Choose a project category."))]})
    errors = {}
    lengths = {}
    for key, value in (("pipe_length_m", pipe_length_m), ("external_length_m", external_length_m)):
        try:
            d = Decimal(str(value or "0"))
            if not Decimal("0") <= d <= Decimal("100000"):
                raise ValueError
            lengths[key] = d.quantize(Decimal("0.1"))
        except (ArithmeticError, ValueError):
            errors[key] = [str(_("Enter a length in metres between 0 and 100,000."))]
    if (
        category == Category.WITH_EXTERNAL_WORKS
        and not errors
        and lengths["external_length_m"] <= 0
    ):
        errors["external_length_m"] = [
            str(_("A project with external works needs the external pipe length."))
        ]
    if errors:
        raise InvalidInput(fields=errors)
    surveyed_at = surveyed_at or timezone.now()

    def apply(locked: Application) -> dict:
        on = timezone.localdate(locked.accepted_at) if locked.accepted_at else timezone.localdate()
        days = category_limit(category, on)
        Survey.objects.update_or_create(
            application=locked,
            defaults=dict(
                surveyed_at=surveyed_at,
                surveyor=actor,
                category=category,
                meter_rating=meter_rating[:20],
                gas_source_available=gas_source_available,
                findings=findings,
                safety_conditions_ok=safety_conditions_ok,
                **lengths,
            ),
        )
        old = locked.limit_days
        locked.category = category
        locked.limit_days = days
        if locked.clock_id and old != days:
            sla.clock_set_budget(clock=locked.clock, budget_days=days)
        Visit.objects.create(
            application=locked,
            kind=VisitKind.SITE,
            at=surveyed_at,
            recorded_by=actor,
            note=str(_("Site survey")),
        )
        return {"category": category, "limit_days": days, "previous_limit_days": old}

    return transition(
        application=application,
        action="survey",
        actor=actor,
        expected_version=expected_version,
        apply=apply,
    )


def application_mark_quoted(
    *, application: Application, actor, quote_ref: str, expected_version: int | None = None
) -> Application:
    """The plan and quote were issued (by the pricing app); the customer must confirm."""
    return transition(
        application=application,
        action="quote",
        actor=actor,
        expected_version=expected_version,
        data={"quote": quote_ref},
    )


def application_confirm_quote(
    *, application: Application, actor, quote_ref: str = "", expected_version: int | None = None
) -> Application:
    """图纸报价确认: the customer confirms the drawings and the quote online."""
    return transition(
        application=application,
        action="confirm_quote",
        actor=actor,
        expected_version=expected_version,
        data={"quote": quote_ref},
    )


def application_request_acceptance(
    *,
    application: Application,
    actor,
    preferred_date: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Application:
    """The customer's in-red-line works are ready: book the acceptance and ignition visit."""
    if preferred_date is not None and preferred_date < timezone.localdate():
        raise InvalidInput(fields={"preferred_date": [str(_("Choose a date from today on."))]})

    def apply(locked: Application) -> dict:
        clock = locked.clock
        if clock is not None and clock.paused and clock.pause_reason == PauseCode.CUSTOMER_WORKS:
            _clock_event(
                locked, core_clock.RESUME, timezone.now(), actor=actor, note="acceptance requested"
            )
        return {
            "preferred_date": preferred_date.isoformat() if preferred_date else "",
            "note": note[:500],
        }

    return transition(
        application=application,
        action="request_acceptance",
        actor=actor,
        expected_version=expected_version,
        apply=apply,
    )


def application_record_acceptance(
    *,
    application: Application,
    actor,
    passed: bool,
    at: datetime | None = None,
    pressure_test_ok: bool = True,
    leak_test_ok: bool = True,
    appliances_ok: bool = True,
    meter_number: str = "",
    meter_reading: Decimal | None = None,
    ignited: bool = False,
    rectification_items: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Application:
    """验收点火碰头送气一体化: acceptance, connection and ignition in one visit.

    Passed (all checks and the ignition) → gas on, the clock stops, the grid's meter reader and
    safety inspector become the customer's contacts (butler phase 2). Not passed → the customer
    rectifies; the clock pauses for the customer's own works until acceptance is requested again.
    """
    at = at or timezone.now()
    checks_ok = pressure_test_ok and leak_test_ok and appliances_ok
    if passed and not (checks_ok and ignited):
        raise InvalidInput(
            fields={
                "passed": [
                    str(
                        _(
                            "Gas can go on only when every check passed and the appliances were ignited."
                        )
                    )
                ]
            }
        )
    if passed and not meter_number.strip():
        raise InvalidInput(fields={"meter_number": [str(_("Enter the meter number."))]})
    if not passed and not rectification_items.strip():
        raise InvalidInput(fields={"rectification_items": [str(_("List what must be rectified."))]})
    action = "acceptance_passed" if passed else "acceptance_failed"

    def apply(locked: Application) -> dict:
        AcceptanceRecord.objects.create(
            application=locked,
            at=at,
            inspector=actor,
            passed=passed,
            pressure_test_ok=pressure_test_ok,
            leak_test_ok=leak_test_ok,
            appliances_ok=appliances_ok,
            meter_number=meter_number.strip()[:40],
            meter_reading=meter_reading,
            ignited=ignited and passed,
            rectification_items=rectification_items,
            note=note,
        )
        Visit.objects.create(
            application=locked,
            kind=VisitKind.SITE,
            at=at,
            recorded_by=actor,
            note=str(_("Acceptance and ignition")),
        )
        if passed:
            locked.gas_on_at = at
            if locked.clock is not None:
                _clock_event(locked, core_clock.STOP, at, actor=actor)
            if locked.grid_id:
                locked.meter_reader_id = locked.grid.meter_reader_id
                locked.safety_inspector_id = locked.grid.safety_inspector_id
        elif locked.clock is not None and not locked.clock.paused:
            _clock_event(
                locked,
                core_clock.PAUSE,
                at,
                reason=PauseCode.CUSTOMER_WORKS,
                actor=actor,
                note="rectification",
            )
        return {"passed": passed, "meter_number": meter_number.strip()}

    return transition(
        application=application,
        action=action,
        actor=actor,
        at=at,
        reason=rectification_items.strip() if not passed else "",
        expected_version=expected_version,
        apply=apply,
    )


def application_pause(
    *,
    application: Application,
    actor,
    reason_code: str,
    reason: str,
    expected_version: int | None = None,
) -> Application:
    """Pause the clock for a customer-side or external reason (shown to the customer)."""
    if reason_code not in PauseCode.values:
        raise InvalidInput(fields={"reason_code": [str(_("Choose why the clock is paused."))]})
    reason = _need_reason("pause", reason)

    def apply(locked: Application) -> dict:
        if locked.clock is None:
            raise IllegalTransition(_("The clock has not started yet."))
        _clock_event(
            locked, core_clock.PAUSE, timezone.now(), reason=reason_code, note=reason, actor=actor
        )
        return {"reason_code": reason_code}

    return transition(
        application=application,
        action="pause",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def application_resume(
    *, application: Application, actor, reason: str = "", expected_version: int | None = None
) -> Application:
    def apply(locked: Application) -> None:
        if locked.clock is None:
            raise IllegalTransition(_("The clock has not started yet."))
        _clock_event(locked, core_clock.RESUME, timezone.now(), note=reason, actor=actor)

    return transition(
        application=application,
        action="resume",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def application_cancel(
    *, application: Application, actor, reason: str, expected_version: int | None = None
) -> Application:
    """Withdraw the application (customer, or staff on the customer's behalf)."""
    reason = _need_reason("cancel", reason)

    def apply(locked: Application) -> None:
        locked.outcome_reason = reason
        if locked.clock is not None and locked.clock.is_open:
            _clock_event(locked, core_clock.STOP, timezone.now(), actor=actor, note="cancelled")

    return transition(
        application=application,
        action="cancel",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def application_reopen(
    *, application: Application, actor, reason: str, expected_version: int | None = None
) -> Application:
    """A leader reopens a rejected or cancelled application: it awaits acceptance again."""
    reason = _need_reason("reopen", reason)

    def apply(locked: Application) -> None:
        locked.outcome_reason = ""
        locked.closed_at = None
        locked.clock = None  # a new acceptance starts a new clock; the old ledger stays
        locked.accepted_at = None

    return transition(
        application=application,
        action="reopen",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def application_assign(
    *,
    application: Application,
    actor,
    manager: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Application:
    """A leader hands the application to another account manager of the same scope."""
    if not (
        manager.is_active
        and manager.can(Cap.APP_ACCEPT)
        and can_see_unit(manager, application.org_unit_id)
    ):
        raise InvalidInput(
            fields={
                "manager": [
                    str(_("Choose an account manager who works in this application's grid."))
                ]
            }
        )

    def apply(locked: Application) -> dict:
        old = locked.account_manager
        locked.account_manager = manager
        return {"from": old.display_name if old else "", "to": manager.display_name}

    return transition(
        application=application,
        action="assign",
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
        public=False,
    )


def commitment_fulfil(*, commitment: Commitment, actor, note: str = "") -> Commitment:
    """The missing items were supplied: the 容缺 commitment is closed."""
    if commitment.status != CommitmentStatus.OPEN:
        raise IllegalTransition(_("This commitment is already closed."))

    def apply(locked: Application) -> dict:
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if c.status != CommitmentStatus.OPEN:
            raise IllegalTransition(_("This commitment is already closed."))
        c.status = CommitmentStatus.FULFILLED
        c.fulfilled_at = timezone.now()
        c.save(update_fields=["status", "fulfilled_at"])
        return {"items": c.missing_items}

    with transaction.atomic():
        transition(
            application=commitment.application,
            action="commitment_fulfilled",
            actor=actor,
            reason=note,
            apply=apply,
        )
    commitment.refresh_from_db()
    return commitment


def visit_record(
    *, application: Application, actor, kind: str, note: str = "", at: datetime | None = None
) -> Visit:
    """Record an in-person contact (a walk-in at the counter counts against 零上门)."""
    if kind not in VisitKind.values:
        raise InvalidInput(fields={"kind": [str(_("Choose the kind of visit."))]})
    created = {}

    def apply(locked: Application) -> dict:
        created["visit"] = Visit.objects.create(
            application=locked,
            kind=kind,
            at=at or timezone.now(),
            recorded_by=actor,
            note=note[:200],
        )
        return {"kind": kind}

    transition(
        application=application, action="visit", actor=actor, apply=apply, public=False, at=at
    )
    return created["visit"]
