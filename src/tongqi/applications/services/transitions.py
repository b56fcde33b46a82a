"""The state machine: one table of allowed actions and the one function that applies them.

``transition`` checks the actor's permission and scope, locks the row, checks the stage and the
version the actor saw, runs the action's own changes, records the event (who, when, channel,
why, from → to) and the audit record, and emits the domain event (notifications, status push,
other apps' reactions go through the outbox) — all in one transaction. Zulip's ``do_*`` actions
and Saleor's order actions have this shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.audit.services import deferred as audit_deferred
from tongqi.core import context
from tongqi.integration import outbox, push
from tongqi.sql import Insert, Update, draw_with, drawn_key, next_key_sql

from .. import routing
from ..choices import FINAL_STATUSES, OPEN_STATUSES, Status
from ..models import Application, ApplicationEvent
from .errors import Conflict, Forbidden, IllegalTransition

# every transition writes its event row (tongqi.sql says why this is written once)
_insert_event = Insert(ApplicationEvent)
_insert_keyed_event = Insert(ApplicationEvent, with_key=True)
_update_application = Update(Application)
_insert_keyed_application = Insert(Application, with_key=True)

S = Status
WORKING = frozenset(
    {S.ACCEPTED, S.SURVEYED, S.QUOTED, S.CONFIRMED, S.ACCEPTANCE_REQUESTED, S.RECTIFYING}
)


@dataclass(frozen=True)
class Rule:
    """An action: where it may start, where it leads, who may take it."""

    label: Any
    sources: frozenset[str]
    target: str | None  # None: the stage does not change (pause, resume, assign, ...)
    caps: tuple[str, ...] = ()  # staff with any of these capabilities (in scope) may act
    customer: bool = False  # the customer who owns the application may act
    system: bool = True  # the platform itself (government portal, jobs) may act


TRANSITIONS: dict[str, Rule] = {
    "submit": Rule(
        _("Submitted"), frozenset({S.DRAFT}), S.SUBMITTED, caps=(Cap.APP_COUNTER,), customer=True
    ),
    "accept": Rule(
        _("Accepted"), frozenset({S.SUBMITTED}), S.ACCEPTED, caps=(Cap.APP_ACCEPT,), system=False
    ),
    "reject": Rule(
        _("Not accepted"),
        frozenset({S.SUBMITTED}),
        S.REJECTED,
        caps=(Cap.APP_ACCEPT,),
        system=False,
    ),
    "survey": Rule(
        _("Site surveyed, category set"),
        frozenset({S.ACCEPTED, S.SURVEYED}),
        S.SURVEYED,
        caps=(Cap.APP_SURVEY,),
        system=False,
    ),
    # A changed quote after the customer's confirmation needs confirming again (CONFIRMED → QUOTED).
    "quote": Rule(
        _("Plan and quote issued"),
        frozenset({S.SURVEYED, S.QUOTED, S.CONFIRMED}),
        S.QUOTED,
        caps=(Cap.QUOTE_MANAGE,),
        system=False,
    ),
    "confirm_quote": Rule(
        _("Plan and quote confirmed"),
        frozenset({S.QUOTED}),
        S.CONFIRMED,
        customer=True,
        caps=(Cap.APP_COUNTER,),
    ),
    "request_acceptance": Rule(
        _("Acceptance requested"),
        frozenset({S.CONFIRMED, S.RECTIFYING}),
        S.ACCEPTANCE_REQUESTED,
        customer=True,
        caps=(Cap.APP_SURVEY, Cap.APP_COUNTER),
    ),
    "acceptance_passed": Rule(
        _("Accepted, connected and ignited: gas on"),
        frozenset({S.ACCEPTANCE_REQUESTED}),
        S.GAS_ON,
        caps=(Cap.APP_ACCEPTANCE,),
        system=False,
    ),
    "acceptance_failed": Rule(
        _("Acceptance not passed: rectification needed"),
        frozenset({S.ACCEPTANCE_REQUESTED}),
        S.RECTIFYING,
        caps=(Cap.APP_ACCEPTANCE,),
        system=False,
    ),
    "pause": Rule(_("Clock paused"), WORKING, None, caps=(Cap.APP_PAUSE,), system=False),
    "resume": Rule(_("Clock resumed"), WORKING, None, caps=(Cap.APP_PAUSE,), system=False),
    "commitment_fulfilled": Rule(
        _("Missing documents supplied"),
        WORKING | {S.GAS_ON},
        None,
        caps=(Cap.APP_ACCEPT,),
        customer=True,
    ),
    "assign": Rule(_("Account manager assigned"), OPEN_STATUSES, None, caps=(Cap.APP_ASSIGN,)),
    "visit": Rule(
        _("Visit recorded"),
        OPEN_STATUSES | {S.GAS_ON},
        None,
        caps=(Cap.APP_COUNTER, Cap.APP_SURVEY, Cap.APP_ACCEPTANCE),
    ),
    "cancel": Rule(
        _("Cancelled"),
        OPEN_STATUSES | {S.DRAFT},
        S.CANCELLED,
        customer=True,
        caps=(Cap.APP_ACCEPT,),
    ),
    "reopen": Rule(
        _("Reopened"),
        frozenset({S.REJECTED, S.CANCELLED}),
        S.SUBMITTED,
        caps=(Cap.APP_REOPEN,),
        system=False,
    ),
}

# Actions that need a reason the customer sees.
REASON_REQUIRED = frozenset({"reject", "cancel", "reopen", "pause", "acceptance_failed"})


_whole_unit: ContextVar[bool] = ContextVar("tongqi_whole_unit", default=False)


@contextmanager
def whole_unit() -> Iterator[None]:
    """One all-or-nothing unit of work (e.g. enterprise + draft + submission in one request).

    Inside it, the services' own ``atomic()`` blocks open no savepoints: nothing in the unit
    recovers from a failure half-way, so a savepoint per step would only cost round trips. Nor
    does the unit itself inside a caller's transaction (an API request's, which also stores the
    idempotency key): a failure dooms that whole transaction, so nothing half-done can commit.
    """
    token = _whole_unit.set(True)
    try:
        with transaction.atomic(savepoint=False):
            yield
    finally:
        _whole_unit.reset(token)


def atomic():
    """``transaction.atomic()`` for a service step: a savepoint unless inside ``whole_unit``."""
    return transaction.atomic(savepoint=not _whole_unit.get())


def is_owner(user, application: Application) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_customer:
        return False
    if application.applicant_id == user.pk:
        return True
    return application.enterprise.members.filter(pk=user.pk).exists()


def can_act(user, application: Application, action: str) -> bool:
    """Whether ``user`` may take ``action`` now (permission, scope and stage)."""
    rule = TRANSITIONS[action]
    if application.status not in rule.sources:
        return False
    return _permitted(user, application, rule)


def _permitted(user, application: Application, rule: Rule) -> bool:
    if user is None:
        return rule.system
    if not user.is_active:
        return False
    if user.is_customer:
        return rule.customer and is_owner(user, application)
    in_scope = (
        can_see_unit(user, application.org_unit_id)
        or application.account_manager_id == user.pk
        # a clerk's own draft has no grid until it is submitted and routed
        or (application.status == S.DRAFT and application.created_by_id == user.pk)
        # the clerk who entered a walk-in application records that visit, whichever grid it
        # was routed to
        or (rule is TRANSITIONS["visit"] and application.created_by_id == user.pk)
    )
    return any(user.can(c) for c in rule.caps) and in_scope


def allowed_actions(user, application: Application) -> list[str]:
    return [a for a in TRANSITIONS if can_act(user, application, a)]


# The application's columns a transition may change: (field name, attribute name).
_SAVED = tuple(
    (f.name, f.attname)
    for f in Application._meta.concrete_fields
    if not f.primary_key and f.name != "updated_at"
)


def _load_key(app: Application) -> tuple[int | None, bool]:
    """Whose open work the application counts in (``ManagerLoad``): the manager, and whether
    it is open."""
    return app.account_manager_id, app.status in OPEN_STATUSES


def transition(
    *,
    application: Application,
    action: str,
    actor,
    expected_version: int | None = None,
    reason: str = "",
    data: dict | None = None,
    apply: Callable[[Application], dict | None] | None = None,
    at: datetime | None = None,
    public: bool = True,
    _held: bool = False,
) -> Application:
    """Apply ``action`` to ``application`` as ``actor`` (None = the platform itself).

    ``apply(locked_application)`` makes the action's own changes on the locked row (and related
    rows) and may return extra event data. Raises Forbidden, Conflict or IllegalTransition.
    ``_held``: the caller created the row in this same transaction (nobody else can see it
    yet), so it is used as it is instead of being read again under a lock. It may also be an
    application not written yet, whose key the caller drew (``submit.py``): the transition then
    inserts the row, in its new state.
    """
    rule = TRANSITIONS[action]
    if not _permitted(actor, application, rule):
        raise Forbidden()
    ctx = context.current()
    at = at or timezone.now()
    with atomic(), audit_deferred():
        if _held:
            locked = application
        else:
            rows = Application.objects.select_for_update().select_related("enterprise")
            nextval = next_key_sql(ApplicationEvent)
            if nextval:  # the event's key comes with the lock: its insert need not wait
                rows = rows.annotate(tongqi_event_key=RawSQL(nextval, ()))
            locked = rows.get(pk=application.pk)
            draw_with(locked, ApplicationEvent, locked.__dict__.pop("tongqi_event_key", None))
        if expected_version is not None and locked.version != expected_version:
            raise Conflict()
        if locked.status not in rule.sources:
            raise IllegalTransition(
                _("“{action}” is not possible while the application is “{stage}”.").format(
                    action=rule.label, stage=locked.get_status_display()
                )
            )
        from_status = locked.status
        before = {attname: getattr(locked, attname) for _name, attname in _SAVED}
        load_before = _load_key(locked)
        extra = (apply(locked) if apply else None) or {}
        if rule.target is not None:
            locked.status = rule.target
        if locked.status in FINAL_STATUSES and not locked.closed_at:
            locked.closed_at = at
        locked.version += 1
        if locked._state.adding:  # not written yet (``_held``): the whole row, once
            if locked.pk is None:
                raise ValueError("an application not written yet needs its key drawn")
            _insert_keyed_application.saved([locked], [locked.pk])
            _insert_keyed_application.write([locked])  # no unique key it could hit but its own
        else:
            # Only what this action changed is written (and the row's modification time): less
            # to send, and a column another statement of the action set directly is not
            # overwritten.
            _update_application.write(  # the row is locked: it may go with the next round trip
                locked,
                [name for name, attname in _SAVED if getattr(locked, attname) != before[attname]]
                + ["updated_at"],
            )
        event = ApplicationEvent(
            application=locked,
            at=at,
            action=action,
            from_status=from_status,
            to_status=locked.status,
            actor=actor if actor is not None else None,
            actor_label=_actor_label(actor, ctx),
            channel=ctx.channel[:10],
            reason=reason,
            data={**(data or {}), **extra},
            public=public,
        )
        key = drawn_key(locked, ApplicationEvent)
        if key is None:
            _insert_event([event])
        else:  # its key was drawn beforehand: the insert may go with the next round trip
            _insert_keyed_event.saved([event], [key])
            _insert_keyed_event.write([event])
        routing.manager_load_move(load_before, _load_key(locked))
        if public and locked.number:
            push.publish(
                topic="application.status_changed"
                if from_status != locked.status
                else "application.updated",
                subject=locked.number,
                payload=push_payload(locked, event),
                client=locked.api_client_id,
                event_id=f"application-event-{event.pk}",
                occurred_at=at,
                count=False,  # the deliveries may go with the next round trip
            )
        ids = {"application": locked.pk, "event": event.pk}
        outbox.emit_all([(f"application.{action}", ids), ("application.changed", ids)])
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            reason=reason[:500],
            actor=actor,
            changes={
                "status": [from_status, locked.status],
                "action": [None, action],
                "version": [locked.version - 1, locked.version],
            },
        )
    _sync(application, locked)
    return application


def _sync(target: Application, source: Application) -> None:
    """Give the caller's instance the committed state (fields and related objects)."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    target._state.fields_cache = dict(source._state.fields_cache)
    target.__dict__.pop("_prefetched_objects_cache", None)


def push_payload(app: Application, event: ApplicationEvent) -> dict:
    """What the government portal receives on each change (docs/guides/integration.md)."""
    from ..choices import CUSTOMER_STEP

    clock = app.clock
    return {
        "number": app.number,
        "status": app.status,
        "status_label": str(Status(app.status).label),
        "customer_step": int(CUSTOMER_STEP[Status(app.status)]),
        "action": event.action,
        "reason": event.reason,
        "at": event.at.isoformat(),
        "limit_days": app.limit_days,
        "deadline": clock.deadline.isoformat() if clock and clock.deadline else None,
        "clock_paused": bool(clock and clock.paused),
    }


def _actor_label(actor, ctx) -> str:
    if actor is not None:
        return actor.display_name[:150]
    return {"gov": "一网通办", "worker": "系统", "cli": "系统"}.get(ctx.channel, "系统")
