"""What the portal, the counter and the workbench pages share: errors next to their fields, the
clock, the step bar and timeline, the panels, attachment downloads and licence prefill."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tongqi.sla.choices import PauseCode
from tongqi.sla.models import ClockEvent

from ..choices import Channel, Status
from ..models import Application, Attachment
from ..panels import panels_for
from ..selectors import clock_view, customer_step
from ..services import ApplicationError, Conflict, Forbidden, IllegalTransition, InvalidInput
from ..services.transitions import TRANSITIONS

log = logging.getLogger(__name__)

# --- errors ------------------------------------------------------------------------------------

Resolver = Callable[[str], "tuple[forms.Form, str | None] | None"]


def place_errors(fields: dict[str, list[str]], resolve: Resolver) -> list[str]:
    """Put each service error next to its field; return the ones that belong to no field."""
    leftovers: list[str] = []
    for key, messages in fields.items():
        target = resolve(key)
        if target is None:
            leftovers.extend(messages)
            continue
        form, name = target
        for m in messages:
            form.add_error(name if name in form.fields else None, m)
    return leftovers


def form_resolver(form: forms.Form, aliases: dict[str, str] | None = None) -> Resolver:
    aliases = aliases or {}

    def resolve(key: str):
        name = aliases.get(key, key)
        return (form, name if name in form.fields else None)

    return resolve


def error_status(exc: ApplicationError) -> int:
    """HTTP status of a page re-rendered after a refused action."""
    if isinstance(exc, InvalidInput):
        return 200
    if isinstance(exc, Conflict | IllegalTransition):
        return 409
    if isinstance(exc, Forbidden):
        return 403
    return 400


def page_error(exc: ApplicationError) -> str:
    if isinstance(exc, Conflict):
        return _(
            "Someone else changed this application after you opened the page, so nothing was "
            "saved. Reload the application to see the change, then try again."
        )
    return str(exc.message)


def service_phone() -> str:
    """The company's service hotline (the top of the organisation)."""
    from tongqi.accounts.models import OrgUnit

    return (
        OrgUnit.objects.filter(parent__isnull=True)
        .exclude(phone="")
        .values_list("phone", flat=True)
    ).first() or ""


# --- channel -----------------------------------------------------------------------------------


def portal_channel(request) -> str:
    """Which front door a customer used: kiosk, phone (WeChat H5 or any mobile browser) or PC."""
    if request.COOKIES.get("tongqi_kiosk") == "1":
        return Channel.KIOSK
    agent = request.META.get("HTTP_USER_AGENT", "")
    if "MicroMessenger" in agent or "Mobile" in agent or "Android" in agent:
        return Channel.MOBILE
    return Channel.WEB


# --- the clock, the steps, the timeline --------------------------------------------------------

INTERNAL_NOTES = {"rectification", "acceptance requested", "cancelled"}


@dataclass(frozen=True)
class PauseRow:
    reason: str
    note: str
    paused_at: Any
    resumed_at: Any
    counted: bool


def pause_rows(app: Application, view) -> list[PauseRow]:
    """The pauses of the clock with their reasons (code label + the explanation given)."""
    if view is None or not view.pauses:
        return []
    notes = list(
        ClockEvent.objects.filter(clock_id=app.clock_id, kind="pause")
        .order_by("seq")
        .values_list("note", flat=True)
    )
    rows = []
    for i, p in enumerate(view.pauses):
        note = notes[i] if i < len(notes) else ""
        rows.append(
            PauseRow(
                reason=str(PauseCode(p.reason).label) if p.reason in PauseCode.values else p.reason,
                note="" if note in INTERNAL_NOTES else note,
                paused_at=p.paused_at,
                resumed_at=p.resumed_at,
                counted=p.counted,
            )
        )
    return rows


def full_clock(app: Application):
    view = clock_view(app, full=True)
    return view, pause_rows(app, view)


@dataclass(frozen=True)
class Step:
    number: int
    label: str
    state: str  # done | current | todo | closed


def steps_for(app: Application) -> list[Step]:
    """用气申请 → 验收通气, the only two steps the customer sees."""
    current = customer_step(app)
    finished = app.status == Status.GAS_ON
    closed = app.status in (Status.REJECTED, Status.CANCELLED)
    out = []
    for number, label in ((1, _("Application")), (2, _("Acceptance and gas-on"))):
        if number < current or (finished and number == current):
            state = "done"
        elif number == current:
            state = "closed" if closed else "current"
        else:
            state = "todo"
        out.append(Step(number, label, state))
    return out


# The usual path, and the action that reaches each stage (for the pending part of the timeline).
PATH = [
    (Status.ACCEPTED, "accept"),
    (Status.SURVEYED, "survey"),
    (Status.QUOTED, "quote"),
    (Status.CONFIRMED, "confirm_quote"),
    (Status.ACCEPTANCE_REQUESTED, "request_acceptance"),
    (Status.GAS_ON, "acceptance_passed"),
]
ORDER = [Status.DRAFT, Status.SUBMITTED] + [s for s, _a in PATH]


def pending_stages(app: Application) -> list[str]:
    status = Status(app.status)
    if status == Status.RECTIFYING:
        status = Status.CONFIRMED
    if status not in ORDER:
        return []
    done = ORDER.index(status)
    return [str(TRANSITIONS[a].label) for s, a in PATH if ORDER.index(s) > done]


def event_label(action: str) -> str:
    rule = TRANSITIONS.get(action)
    return str(rule.label) if rule else action


def timeline(app: Application, *, public_only: bool) -> list[dict]:
    qs = app.events.select_related(None).order_by("id")  # the order things happened in
    if public_only:
        qs = qs.filter(public=True)
    out = []
    for e in qs:
        detail = e.reason
        if e.action == "submit" and e.data.get("manager"):
            detail = _("Assigned to account manager {name} ({grid}).").format(
                name=e.data["manager"], grid=e.data.get("grid", "")
            )
        elif e.action == "pause" and e.data.get("reason_code") in PauseCode.values:
            detail = f"{PauseCode(e.data['reason_code']).label}：{e.reason}"
        elif e.action == "request_acceptance" and e.data.get("preferred_date"):
            detail = _("Preferred date: {date}").format(date=e.data["preferred_date"])
        elif e.action == "assign" and e.data.get("to"):
            detail = _("{old} → {new}").format(old=e.data.get("from") or "—", new=e.data["to"])
        out.append(
            {
                "at": e.at,
                "label": event_label(e.action),
                "detail": detail,
                "actor": e.actor_label,
                "channel": e.channel,
                "public": e.public,
            }
        )
    return out


def render_panels(request, app: Application, *, customer: bool) -> list[dict]:
    """Other apps' sections (quote, gas-source project, callbacks…), rendered in order."""
    out = []
    for panel, ctx in panels_for(request, app, customer=customer):
        html = render_to_string(
            panel.template,
            {**ctx, "application": app, "customer_view": customer},
            request=request,
        )
        out.append({"key": panel.key, "label": panel.label, "html": mark_safe(html)})  # noqa: S308
    return out


# --- attachments -------------------------------------------------------------------------------

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def attachment_response(app: Application, attachment_pk: int) -> FileResponse:
    att = Attachment.objects.filter(application=app, pk=attachment_pk).first()
    if att is None:
        raise Http404
    try:
        fh = att.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        fh,
        as_attachment=att.content_type == "pdf",
        filename=att.original_name,
        content_type=CONTENT_TYPES.get(att.content_type, "application/octet-stream"),
    )


# --- licence sharing (证照共享) ------------------------------------------------------------------

LICENCE_SALT = "tongqi.applications.licence"
LICENCE_SOURCE = "licence_sharing"


def licence_enabled() -> bool:
    """Whether licence sharing is configured (``TONGQI_LICENCE_PROVIDER`` other than none)."""
    try:
        from tongqi.integration.licence import get_provider
    except ImportError:  # pragma: no cover - the integration app is part of every install
        return False
    try:
        return get_provider().name != "none"
    except Exception:  # noqa: BLE001 - a misconfigured provider means "type the data"
        log.warning("licence provider could not be built", exc_info=True)
        return False


def licence_lookup(uscc: str) -> dict:
    """The enterprise's data for a USCC from licence sharing (``tongqi.integration``).

    Returns ``{"status": "found", "name", "legal_representative", "registered_address",
    "token"}``, or just the status (``not_found``, ``unavailable``, ``invalid``, ``off``):
    prefill is an enhancement, the user can always type the data.
    """
    from tongqi.core.validators import ValidationFailure
    from tongqi.integration.selectors import licence_lookup as lookup

    uscc = (uscc or "").strip().upper()
    if not uscc or not licence_enabled():
        return {"status": "off"}
    try:
        answer = lookup(uscc)
    except ValidationFailure:
        return {"status": "invalid"}
    except Exception:  # noqa: BLE001 - the adapter answers outages itself; be safe anyway
        log.warning("licence lookup failed", exc_info=True)
        return {"status": "unavailable"}
    if answer.status != "found" or answer.record is None:
        return {"status": answer.status}
    record = answer.record
    token = signing.dumps({"uscc": record.uscc, "name": record.name}, salt=LICENCE_SALT)
    return {
        "status": "found",
        "uscc": record.uscc,
        "name": record.name,
        "legal_representative": record.legal_representative,
        "registered_address": record.address,
        "token": token,
    }


def licence_source(token: str, uscc: str, name: str) -> str:
    """``licence_sharing`` when the data came from licence sharing and was kept as it came."""
    if not token:
        return ""
    try:
        claim = signing.loads(token, salt=LICENCE_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        return ""
    if claim.get("uscc") == uscc.strip().upper() and claim.get("name") == name.strip():
        return LICENCE_SOURCE
    return ""
