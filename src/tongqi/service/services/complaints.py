"""Complaints and requests (诉求 / 工单): register, classify, assign, investigate, answer, close.

日清日结 (武天然气〔2021〕47号 六(三)): each complaint is closed by the end of the day it arrives.
The due day rule (docs/adr/0011-complaint-due-day.md): the arrival date in Asia/Shanghai when it
is a working day and the complaint came before the end-of-day cut-off (17:30 by default,
``TONGQI_COMPLAINT_CUTOFF``); otherwise the next working day. The end-of-day check runs at the
cut-off on working days, lists every complaint still open whose due day is today or earlier and
escalates each once per day.

``complaint_register`` is the one entry point for every channel: staff pages, the customer
portal, callbacks and the hotline platforms' API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongqi.accounts.models import OrgUnit, User
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit
from tongqi.applications.models import Application, Enterprise
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between
from tongqi.core import context
from tongqi.core.validators import ValidationFailure, validate_mainland_mobile
from tongqi.core.workdays import CalendarRangeError, WorkCalendar
from tongqi.integration import outbox
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify
from tongqi.sla.calendar import current_calendar

from ..choices import (
    GOV_SOURCES,
    OPEN_COMPLAINT_STATUSES,
    REPLY_SOURCES,
    ComplaintKind,
    ComplaintStatus,
    Feedback,
    ReplyStatus,
    Source,
    Topic,
)
from ..models import Complaint, ComplaintEscalation, ComplaintEvent
from .common import (
    add_error,
    clean_text,
    company_root,
    escalation_chain,
    is_workday,
    nth_workday_after,
    raise_if,
    require,
    service_managers_for,
)
from .errors import Conflict, Forbidden, IllegalTransition, InvalidInput

S = ComplaintStatus
PII = {"complainant_phone": "mobile", "complainant_name": "name"}
PHONE_RE = re.compile(r"^[0-9][0-9\-]{5,19}$")
FUTURE_SKEW = timedelta(minutes=5)


# --- the due day ------------------------------------------------------------------------------


def cutoff() -> time:
    """The end-of-day cut-off (and the time the end-of-day check runs)."""
    value = getattr(settings, "TONGQI_COMPLAINT_CUTOFF", time(17, 30))
    if isinstance(value, str):
        hh, mm = value.split(":")
        return time(int(hh), int(mm))
    return value


def due_date_for(
    received_at: datetime, *, cal: WorkCalendar | None = None, cut: time | None = None
) -> date:
    """The working day by whose end a complaint received at ``received_at`` must be closed."""
    cal = cal or current_calendar()
    cut = cut or cutoff()
    local = timezone.localtime(received_at)
    day = local.date()
    if is_workday(cal, day) and local.time() < cut:
        return day
    return nth_workday_after(cal, day, 1)


def working_days_between(cal: WorkCalendar, a: date, b: date) -> int:
    """Working days in (a, b]: how many working days ``b`` lies after ``a``."""
    try:
        return cal.workdays_in(a + timedelta(days=1), b + timedelta(days=1))
    except CalendarRangeError:
        return max((b - a).days, 0)


# --- registration ------------------------------------------------------------------------------


@dataclass
class ComplaintInput:
    """What a channel tells us about a new complaint or request."""

    source: str
    title: str
    content: str
    complainant_name: str = ""
    complainant_phone: str = ""
    address: str = ""
    external_id: str = ""
    kind: str = ComplaintKind.COMPLAINT
    topic: str = ""
    received_at: datetime | None = None
    application_number: str = ""
    enterprise_uscc: str = ""
    application: Application | None = None
    org_unit: OrgUnit | None = None
    assignee: User | None = None
    # answered on the spot (an enquiry at the counter or on the phone): answer and close at once
    answer: str = ""
    feedback: str = ""
    extra: dict = field(default_factory=dict)


def _clean_phone(errors, value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return ""
    if len(value) == 11 and value.startswith("1"):
        try:
            return validate_mainland_mobile(value)
        except ValidationFailure:
            add_error(
                errors,
                "complainant_phone",
                _("Enter a mainland mobile number (11 digits) or a landline number."),
            )
            return value
    if not PHONE_RE.match(value):
        add_error(
            errors,
            "complainant_phone",
            _("Enter a mainland mobile number (11 digits) or a landline number."),
        )
    return value


def _validate(data: ComplaintInput, now: datetime) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    if data.source not in Source.values:
        add_error(errors, "source", _("Choose where the complaint came from."))
    clean["title"] = clean_text(errors, "title", data.title, required=True, max_length=200)
    clean["content"] = clean_text(errors, "content", data.content, required=True, max_length=5000)
    clean["complainant_name"] = clean_text(
        errors, "complainant_name", data.complainant_name, required=False, max_length=60
    )
    clean["complainant_phone"] = _clean_phone(errors, data.complainant_phone)
    clean["address"] = clean_text(errors, "address", data.address, required=False, max_length=300)
    clean["external_id"] = clean_text(
        errors, "external_id", data.external_id, required=data.source in GOV_SOURCES, max_length=64
    )
    if data.kind not in ComplaintKind.values:
        add_error(errors, "kind", _("Choose the kind."))
    clean["kind"] = data.kind
    if data.topic and data.topic not in Topic.values:
        add_error(errors, "topic", _("Choose the topic."))
    clean["topic"] = data.topic or ""
    received = data.received_at or now
    if timezone.is_naive(received):
        add_error(errors, "received_at", _("Give the time with its time zone."))
    elif received > now + FUTURE_SKEW:
        add_error(errors, "received_at", _("The time received cannot be in the future."))
    clean["received_at"] = received
    app = data.application
    if app is None and data.application_number.strip():
        app = (
            Application.objects.select_related("enterprise")
            .filter(number=data.application_number.strip().upper())
            .first()
        )
        if app is None:
            add_error(errors, "application_number", _("No application has this number."))
    enterprise = app.enterprise if app is not None else None
    if enterprise is None and data.enterprise_uscc.strip():
        enterprise = Enterprise.objects.filter(uscc=data.enterprise_uscc.strip().upper()).first()
        if enterprise is None:
            add_error(
                errors, "enterprise_uscc", _("No enterprise has this unified social credit code.")
            )
    clean["application"], clean["enterprise"] = app, enterprise
    if data.feedback and data.feedback not in Feedback.values:
        add_error(errors, "feedback", _("Choose the complainant's feedback."))
    if data.feedback and not data.answer.strip():
        add_error(errors, "answer", _("Write the answer given on the spot."))
    return clean, errors


def _unit_for(clean: dict, data: ComplaintInput, actor) -> OrgUnit:
    if data.org_unit is not None:
        return data.org_unit
    if data.assignee is not None and data.assignee.org_unit_id:
        return data.assignee.org_unit
    app = clean["application"]
    if app is not None and app.org_unit_id:
        return app.org_unit
    ent = clean["enterprise"]
    if ent is not None:
        last = (
            Application.objects.filter(enterprise=ent, org_unit__isnull=False)
            .order_by("-submitted_at")
            .select_related("org_unit")
            .first()
        )
        if last is not None:
            return last.org_unit
    if actor is not None and getattr(actor, "org_unit_id", None) and actor.is_staff_member:
        return actor.org_unit.scope_root
    return company_root()


def _may_register(actor, source: str) -> bool:
    if actor is None:  # the platform itself (a hotline adapter running as a job)
        return True
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_customer:
        return source == Source.PORTAL and actor.can(Cap.PORTAL)
    return actor.can(Cap.SERVICE_MANAGE)


def complaint_register(
    *, data: ComplaintInput, actor, now: datetime | None = None
) -> tuple[Complaint, bool]:
    """Register a complaint from any channel. Returns ``(complaint, created)``.

    A second registration of the same ticket (same source and external ticket number) returns
    the first complaint unchanged (``created`` False): hotline platforms resend.
    """
    if not _may_register(actor, data.source):
        raise Forbidden()
    if actor is not None and actor.is_customer:  # a customer only tells us; staff handle it
        data.assignee, data.org_unit, data.answer, data.feedback = None, None, "", ""
    now = now or timezone.now()
    clean, errors = _validate(data, now)
    if actor is not None and actor.is_customer:
        app = clean["application"]
        if app is not None:
            from tongqi.applications.selectors import visible_applications

            if not visible_applications(actor).filter(pk=app.pk).exists():
                add_error(errors, "application_number", _("No application has this number."))
        clean["complainant_name"] = clean["complainant_name"] or actor.display_name
        clean["complainant_phone"] = clean["complainant_phone"] or actor.mobile
    if data.assignee is not None and not _assignable(data.assignee):
        add_error(errors, "assignee", _("Choose a staff member who can open complaints."))
    raise_if(errors)
    if clean["external_id"]:
        existing = Complaint.objects.filter(
            source=data.source, external_id=clean["external_id"]
        ).first()
        if existing is not None:
            return existing, False
    unit = _unit_for(clean, data, actor)
    received = clean["received_at"]
    try:
        with transaction.atomic():
            c = Complaint.objects.create(
                source=data.source,
                external_id=clean["external_id"],
                kind=clean["kind"],
                topic=clean["topic"],
                title=clean["title"],
                content=clean["content"],
                complainant_name=clean["complainant_name"],
                complainant_phone=clean["complainant_phone"],
                address=clean["address"],
                application=clean["application"],
                enterprise=clean["enterprise"],
                raised_by=actor if actor is not None and actor.is_customer else None,
                org_unit=unit,
                received_at=received,
                arrival_date=timezone.localdate(received),
                due_date=due_date_for(received),
                registered_by=actor if actor is not None and actor.is_staff_member else None,
                created_at=now,
            )
            c.number = f"SQ{c.arrival_date:%Y%m%d}{c.pk:06d}"
            c.save(update_fields=["number"])
            _event(c, "register", actor, "", S.NEW, note=clean["title"], at=now)
            audit_record(
                action=AuditAction.CREATE,
                obj=c,
                actor=actor,
                changes=changes_between(
                    None,
                    {
                        "source": c.source,
                        "external_id": c.external_id,
                        "complainant_phone": c.complainant_phone,
                        "org_unit": unit.pk,
                        "due_date": c.due_date,
                    },
                    pii=PII,
                ),
            )
            if data.assignee is not None:
                complaint_assign(complaint=c, actor=actor, assignee=data.assignee, now=now)
            if data.answer.strip():
                complaint_answer(complaint=c, actor=actor, reply=data.answer, now=now)
                if data.feedback:
                    complaint_close(complaint=c, actor=actor, feedback=data.feedback, now=now)
    except IntegrityError:
        if clean["external_id"]:  # a concurrent registration of the same ticket won
            return Complaint.objects.get(
                source=data.source, external_id=clean["external_id"]
            ), False
        raise
    return c, True


# --- the state machine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    label: object  # what happened (the record)
    verb: object  # the button
    sources: frozenset[str]
    target: str | None
    assignee_may: bool = False  # the assigned staff member may act, besides service management


RULES: dict[str, Rule] = {
    "classify": Rule(
        gettext_lazy("Classified"),
        gettext_lazy("Classify and link"),
        frozenset({S.NEW, S.ASSIGNED, S.INVESTIGATING}),
        None,
    ),
    "assign": Rule(
        gettext_lazy("Assigned"),
        gettext_lazy("Assign"),
        frozenset({S.NEW, S.ASSIGNED, S.INVESTIGATING}),
        S.ASSIGNED,
    ),
    "investigate": Rule(
        gettext_lazy("Investigation recorded"),
        gettext_lazy("Record the investigation"),
        frozenset({S.ASSIGNED, S.INVESTIGATING}),
        S.INVESTIGATING,
        assignee_may=True,
    ),
    "answer": Rule(
        gettext_lazy("Answered"),
        gettext_lazy("Answer the complainant"),
        frozenset({S.NEW, S.ASSIGNED, S.INVESTIGATING}),
        S.ANSWERED,
        assignee_may=True,
    ),
    "close": Rule(gettext_lazy("Closed"), gettext_lazy("Close"), frozenset({S.ANSWERED}), S.CLOSED),
    "reopen": Rule(
        gettext_lazy("Reopened"),
        gettext_lazy("Reopen"),
        frozenset({S.ANSWERED, S.CLOSED}),
        S.INVESTIGATING,
    ),
}


def _permitted(actor, complaint: Complaint, rule: Rule) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.is_customer:
        return False
    if actor.can(Cap.SERVICE_MANAGE) and can_see_unit(actor, complaint.org_unit_id):
        return True
    return rule.assignee_may and complaint.assignee_id == actor.pk and actor.can(Cap.SERVICE_VIEW)


def can_act(actor, complaint: Complaint, action: str) -> bool:
    rule = RULES[action]
    return complaint.status in rule.sources and _permitted(actor, complaint, rule)


# The usual next step at each status (shown first and open on the page).
NEXT_STEP = {
    S.NEW: "assign",
    S.ASSIGNED: "investigate",
    S.INVESTIGATING: "answer",
    S.ANSWERED: "close",
}


def allowed_actions(actor, complaint: Complaint) -> list[str]:
    """The actions ``actor`` may take now, the usual next step first."""
    allowed = [a for a in RULES if can_act(actor, complaint, a)]
    first = NEXT_STEP.get(complaint.status)
    return sorted(allowed, key=lambda a: a != first)


def _assignable(user: User) -> bool:
    return bool(user.is_active and user.is_staff_member and user.can(Cap.SERVICE_VIEW))


def _event(
    c: Complaint,
    action: str,
    actor,
    from_status: str,
    to_status: str,
    *,
    note: str = "",
    data=None,
    at=None,
) -> ComplaintEvent:
    ctx = context.current()
    label = (
        actor.display_name
        if actor is not None
        else {"api": "接口", "gov": "接口"}.get(ctx.channel, "系统")
    )
    return ComplaintEvent.objects.create(
        complaint=c,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=label[:150],
        note=note,
        data=data or {},
    )


def _act(
    *,
    complaint: Complaint,
    action: str,
    actor,
    apply: Callable[[Complaint], dict | None] | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    rule = RULES[action]
    if not _permitted(actor, complaint, rule):
        raise Forbidden()
    now = now or timezone.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict()
        if locked.status not in rule.sources:
            raise IllegalTransition(
                _("“{action}” is not possible while the complaint is “{status}”.").format(
                    action=rule.label, status=locked.get_status_display()
                )
            )
        if not _permitted(actor, locked, rule):  # the assignee may have changed meanwhile
            raise Forbidden()
        before = locked.status
        extra = (apply(locked) if apply else None) or {}
        if rule.target is not None:
            locked.status = rule.target
        locked.version += 1
        locked.save()
        _event(locked, action, actor, before, locked.status, note=note, data=extra, at=now)
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            actor=actor,
            reason=note[:500],
            changes={
                "status": [before, locked.status],
                "action": [None, action],
                **{k: [None, v] for k, v in extra.items()},
            },
        )
    complaint.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    complaint._state.fields_cache = {}
    return complaint


def _staff_link(c: Complaint) -> str:
    return reverse("service:complaint_detail", args=[c.pk])


def complaint_classify(
    *,
    complaint: Complaint,
    actor,
    kind: str,
    topic: str,
    application_number: str = "",
    enterprise_uscc: str = "",
    org_unit: OrgUnit | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Set the kind and topic, and link the complaint to an application or enterprise."""
    errors: dict[str, list[str]] = {}
    if kind not in ComplaintKind.values:
        add_error(errors, "kind", _("Choose the kind."))
    if topic not in Topic.values:
        add_error(errors, "topic", _("Choose the topic."))
    app = ent = None
    if application_number.strip():
        app = (
            Application.objects.select_related("enterprise")
            .filter(number=application_number.strip().upper())
            .first()
        )
        if app is None:
            add_error(errors, "application_number", _("No application has this number."))
    if enterprise_uscc.strip():
        ent = Enterprise.objects.filter(uscc=enterprise_uscc.strip().upper()).first()
        if ent is None:
            add_error(
                errors, "enterprise_uscc", _("No enterprise has this unified social credit code.")
            )
    if org_unit is not None and not can_see_unit(actor, org_unit.pk):
        add_error(errors, "org_unit", _("Choose a unit you are responsible for."))
    raise_if(errors)

    def apply(c: Complaint) -> dict:
        c.kind, c.topic = kind, topic
        if app is not None:
            c.application, c.enterprise = app, app.enterprise
        elif ent is not None:
            c.enterprise = ent
        if org_unit is not None:
            c.org_unit = org_unit
        return {"kind": kind, "topic": topic, "application": app.pk if app else None}

    return _act(
        complaint=complaint,
        action="classify",
        actor=actor,
        apply=apply,
        expected_version=expected_version,
    )


def complaint_assign(
    *,
    complaint: Complaint,
    actor,
    assignee: User,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Send the complaint to a staff member; the responsible unit follows the assignee."""
    if assignee is None or not _assignable(assignee):
        raise InvalidInput(
            fields={"assignee": [_("Choose a staff member who can open complaints.")]}
        )

    def apply(c: Complaint) -> dict:
        c.assignee = assignee
        if assignee.org_unit_id:
            c.org_unit_id = assignee.org_unit_id
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Complaint {number} to handle today: {title}").format(
                number=c.number, title=c.title[:60]
            )
        notify(
            users=[assignee],
            title=title,
            body=_("Please investigate and answer before {date} ends (same-day closure).").format(
                date=c.due_date.isoformat()
            ),
            link=_staff_link(c),
            topic="service.complaint.assigned",
            channels=(Channel.INAPP, Channel.SMS),
        )
        return {"assignee": assignee.pk}

    return _act(
        complaint=complaint,
        action="assign",
        actor=actor,
        apply=apply,
        note=note,
        expected_version=expected_version,
        now=now,
    )


def complaint_investigate(
    *,
    complaint: Complaint,
    actor,
    findings: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Record what the investigation found (may be recorded more than once)."""
    errors: dict[str, list[str]] = {}
    findings = clean_text(errors, "findings", findings, required=True, max_length=4000)
    raise_if(errors)

    def apply(c: Complaint) -> None:
        c.findings = (c.findings + "\n\n" if c.findings else "") + findings

    return _act(
        complaint=complaint,
        action="investigate",
        actor=actor,
        apply=apply,
        note=findings,
        expected_version=expected_version,
        now=now,
    )


def complaint_answer(
    *,
    complaint: Complaint,
    actor,
    reply: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Answer the complainant. For the hotline platforms, WeChat and the city message boards the
    answer goes back to the source through the outbox (``service.reply.<source>``); a portal
    customer gets it by SMS and in-app."""
    errors: dict[str, list[str]] = {}
    reply = clean_text(errors, "reply", reply, required=True, max_length=4000)
    raise_if(errors)
    now = now or timezone.now()

    def apply(c: Complaint) -> dict:
        c.reply, c.answered_at = reply, now
        if c.source in REPLY_SOURCES:
            c.reply_status, c.reply_sent_at = ReplyStatus.PENDING, None
            outbox.enqueue(
                f"service.reply.{c.source}", {"complaint": c.pk, "version": c.version + 1}
            )
        else:
            c.reply_status = ReplyStatus.NONE
        if c.source == Source.PORTAL and c.raised_by_id:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Answer to your complaint {number}").format(number=c.number)
            notify(
                users=[c.raised_by],
                title=title,
                body=reply[:500],
                link=reverse("service:my_complaints"),
                topic="service.complaint.answered",
                channels=(Channel.INAPP, Channel.SMS),
            )
        return {"reply_status": c.reply_status}

    return _act(
        complaint=complaint,
        action="answer",
        actor=actor,
        apply=apply,
        note=reply,
        expected_version=expected_version,
        now=now,
    )


def complaint_close(
    *,
    complaint: Complaint,
    actor,
    feedback: str,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Close after the answer, recording the complainant's feedback (办结)."""
    if feedback not in Feedback.values:
        raise InvalidInput(fields={"feedback": [_("Choose the complainant's feedback.")]})
    now = now or timezone.now()

    def apply(c: Complaint) -> dict:
        c.feedback = feedback
        c.closed_at = now
        c.closed_on = timezone.localdate(now)
        return {"feedback": feedback, "same_day": c.closed_on <= c.due_date}

    return _act(
        complaint=complaint,
        action="close",
        actor=actor,
        apply=apply,
        note=note,
        expected_version=expected_version,
        now=now,
    )


def complaint_reopen(
    *, complaint: Complaint, actor, reason: str, expected_version: int | None = None
) -> Complaint:
    """Reopen (e.g. the hotline platform sent the ticket back as unresolved). The due day stays:
    a reopened complaint counts as not closed the same day."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(errors, "reason", reason, required=True, max_length=1000)
    raise_if(errors)

    def apply(c: Complaint) -> None:
        c.closed_at = c.closed_on = None
        c.feedback = ""

    return _act(
        complaint=complaint,
        action="reopen",
        actor=actor,
        apply=apply,
        note=reason,
        expected_version=expected_version,
    )


def complaint_reveal_phone(*, complaint: Complaint, actor, reason: str = "") -> str:
    """The full phone number, for a role that needs it; the view is audited (PIPL)."""
    require(actor, Cap.PII_FULL, unit_id=complaint.org_unit_id, check_unit=True)
    audit_record(
        action=AuditAction.VIEW_PII,
        obj=complaint,
        actor=actor,
        reason=reason or "complaint handling",
        changes={"complainant_phone": ["***", "viewed"]},
    )
    return complaint.complainant_phone


# --- replies back to the source --------------------------------------------------------------


def reply_delivered(*, complaint_id: int, reference: str = "") -> None:
    """The source platform took our answer."""
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=complaint_id)
        c.reply_status, c.reply_sent_at = ReplyStatus.SENT, timezone.now()
        c.save(update_fields=["reply_status", "reply_sent_at"])
        _event(c, "reply_sent", None, c.status, c.status, note=reference)


def reply_failed(*, complaint_id: int, error: str) -> None:
    """The last attempt failed: service management must send the answer another way."""
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=complaint_id)
        c.reply_status = ReplyStatus.FAILED
        c.save(update_fields=["reply_status"])
        _event(c, "reply_failed", None, c.status, c.status, note=error[:500])
        with translation.override(settings.LANGUAGE_CODE):
            title = _("The answer to {number} could not be sent to {source}").format(
                number=c.number, source=c.get_source_display()
            )
        notify(
            users=service_managers_for(c.org_unit_id),
            title=title,
            link=_staff_link(c),
            topic="service.complaint.reply_failed",
            channels=(Channel.INAPP,),
            dedupe_key=f"complaint:{c.pk}:reply_failed:{c.version}",
        )


# --- the end-of-day check ------------------------------------------------------------------------


@dataclass
class EndOfDayReport:
    day: date
    working_day: bool
    escalated: list[int] = field(default_factory=list)  # complaint ids escalated now
    already: list[int] = field(default_factory=list)  # escalated earlier the same day


def complaints_still_open(day: date):
    """Complaints still open whose due day is ``day`` or earlier (what the check escalates)."""
    return Complaint.objects.filter(status__in=OPEN_COMPLAINT_STATUSES, due_date__lte=day)


def complaints_end_of_day(
    *, day: date | None = None, now: datetime | None = None
) -> EndOfDayReport:
    """日清日结 check: escalate each complaint still open at the end of its due day, once a day.

    Due today → the assignee and the unit's nearest escalation contact; past due → the assignee
    and the whole escalation chain up to the company. Service management gets the day's list.
    Non-working days are skipped: nothing falls due on them (see ``due_date_for``).
    """
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    cal = current_calendar()
    report = EndOfDayReport(day=day, working_day=is_workday(cal, day))
    if not report.working_day:
        return report
    rows = (
        complaints_still_open(day)
        .select_related("assignee", "org_unit__escalation_to", "org_unit__parent__escalation_to")
        .order_by("due_date", "id")
    )
    for c in rows:
        late = working_days_between(cal, c.due_date, day)
        chain = escalation_chain(c.org_unit)
        recipients = ([c.assignee] if c.assignee_id else []) + (chain if late else chain[:1])
        try:
            with transaction.atomic():
                esc = ComplaintEscalation.objects.create(
                    complaint=c,
                    day=day,
                    days_late=late,
                    notified=[u.username for u in recipients],
                    created_at=now,
                )
                with translation.override(settings.LANGUAGE_CODE):
                    title = (
                        _("Complaint {number} is still open at the end of the day").format(
                            number=c.number
                        )
                        if not late
                        else _("Complaint {number} is {days} working day(s) past its day").format(
                            number=c.number, days=late
                        )
                    )
                notify(
                    users=recipients,
                    title=title,
                    body=c.title,
                    link=_staff_link(c),
                    topic="service.complaint.escalated",
                    channels=(Channel.INAPP, Channel.SMS) if late else (Channel.INAPP,),
                    dedupe_key=f"complaint-eod:{c.pk}:{day.isoformat()}",
                )
                _event(
                    c,
                    "escalate",
                    None,
                    c.status,
                    c.status,
                    note=title,
                    data={"day": day.isoformat(), "late": late},
                    at=now,
                )
                audit_record(
                    action=AuditAction.UPDATE,
                    obj=c,
                    changes={"escalated": [None, day], "notified": [None, esc.notified]},
                )
        except IntegrityError:
            report.already.append(c.pk)
            continue
        report.escalated.append(c.pk)
    if report.escalated:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("{n} complaint(s) still open at the end of {date}").format(
                n=len(report.escalated) + len(report.already), date=day.isoformat()
            )
        notify(
            users=service_managers_for(None),
            title=title,
            link=reverse("service:complaints_eod") + f"?day={day.isoformat()}",
            topic="service.complaint.eod",
            channels=(Channel.INAPP,),
            dedupe_key=f"complaint-eod:summary:{day.isoformat()}",
        )
    return report
