"""Template helpers of the works pages: status tags with words, distances."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongqi.web.templatetags.tongqi import tag

from ..choices import APPROVAL_STATE_COLOUR, STATUS_COLOUR

register = template.Library()


@register.simple_tag
def project_status(project, today=None) -> str:
    """The stage tag, plus a red "late" tag when the expected gas-on date has passed."""
    out = tag(project.get_status_display(), STATUS_COLOUR.get(project.status, "grey"))
    if project.is_late(today or timezone.localdate()):
        out = format_html("{} {}", out, tag(_("Late"), "red"))
    return mark_safe(out)  # noqa: S308 - both parts are format_html output


@register.simple_tag
def approval_state(approval) -> str:
    return tag(approval.get_state_display(), APPROVAL_STATE_COLOUR.get(approval.state, "grey"))


@register.filter
def metres(value) -> str:
    """``850 m`` / ``1.25 km``."""
    if value is None or value == "":
        return ""
    v = float(value)
    if v < 1000:
        return f"{v:.0f} m"
    return f"{v / 1000:.2f} km"


EVENT_LABELS = {
    "created": gettext_noop("Project registered"),
    "updated": gettext_noop("Project data changed"),
    "approval": gettext_noop("Approval recorded"),
    "approval_removed": gettext_noop("Approval removed"),
    "link": gettext_noop("Application linked"),
    "unlink": gettext_noop("Application unlinked"),
    "note": gettext_noop("Progress"),
    "clock_sync": gettext_noop("Linked clocks brought in line with the approvals"),
    "submit_approvals": gettext_noop("Approvals under way"),
    "start_construction": gettext_noop("Works started"),
    "gas_available": gettext_noop("Gas available"),
    "close": gettext_noop("Completed and filed"),
    "cancel": gettext_noop("Project cancelled"),
}


@register.filter
def event_title(event) -> str:
    """What happened, in words (transitions by their rule's label)."""
    label = EVENT_LABELS.get(event.action)
    return _(label) if label else event.action


@register.filter
def event_detail(event) -> str:
    """A short line of the event's data (approval kind and state, application number, date)."""
    from ..choices import ApprovalKind, ApprovalState

    d = event.data or {}
    if event.action in ("approval", "approval_removed") and d.get("kind"):
        try:
            kind = str(ApprovalKind(d["kind"]).label)
        except ValueError:
            kind = d["kind"]
        to = d.get("to")
        if to in ApprovalState.values:
            kind = f"{kind}：{ApprovalState(to).label}"
        if d.get("reference"):
            kind = f"{kind}（{d['reference']}）"
        return kind
    if event.action in ("link", "unlink"):
        return d.get("application", "")
    if event.action == "clock_sync":
        parts = []
        if d.get("paused"):
            parts.append(_("paused: {numbers}").format(numbers="、".join(d["paused"])))
        if d.get("resumed"):
            parts.append(_("resumed: {numbers}").format(numbers="、".join(d["resumed"])))
        return "；".join(parts)
    if d.get("on"):
        return d["on"]
    return ""
