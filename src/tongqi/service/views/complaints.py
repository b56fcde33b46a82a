"""The complaints board (today's open items on top), registration, handling, the end-of-day
list, and the customer's own complaints."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.applications.selectors import visible_applications
from tongqi.core.masking import mask_mobile
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors
from ..choices import COMPLAINT_COLOUR, OPEN_COMPLAINT_STATUSES, ReplyStatus, Source
from ..forms import (
    COMPLAINT_ACTION_FORMS,
    ComplaintFilterForm,
    ComplaintRegisterForm,
    CustomerComplaintForm,
)
from ..models import ComplaintEscalation
from ..services import complaints as svc
from .common import audit_export, run

SORTS = {
    "board": "board",
    "received": "received_at",
    "due": "due_date",
    "number": "number",
    "status": "status",
}


def _filtered(request, today: date):
    form = ComplaintFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.visible_complaints(request.user)
    view = f.get("view") or ""
    qs = selectors.complaint_search(
        qs,
        q=f.get("q", ""),
        source=f.get("source", ""),
        status=f.get("status", ""),
        kind=f.get("kind", ""),
        view=view,
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        today=today,
    )
    if view == "mine":
        qs = qs.filter(assignee=request.user)
    return form, qs


@capability_required(Cap.SERVICE_VIEW)
def complaint_list(request):
    today = timezone.localdate()
    form, qs = _filtered(request, today)
    sort = sort_from_request(request, SORTS, "board")
    qs = selectors.board_order(qs, today).select_related("org_unit", "assignee")
    if sort.key != "board":
        qs = qs.order_by(sort.order_by, "-id")
    elif sort.descending:
        qs = qs.order_by("-board", "-received_at", "-id")
    page = paginate(request, qs)
    rows = [(c, COMPLAINT_COLOUR[c.status], c.is_late(today)) for c in page]
    return render(
        request,
        "service/complaints.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "sort": sort,
            "today": today,
            "rate_today": selectors.closure_rate(
                selectors.visible_complaints(request.user).filter(arrival_date=today)
            ),
        },
    )


@capability_required(Cap.SERVICE_VIEW)
def complaint_export(request):
    today = timezone.localdate()
    _form, qs = _filtered(request, today)
    audit_export(request, "service.complaint")
    headers = [
        _("Number"),
        _("Source"),
        _("Ticket number on the source platform"),
        _("Kind"),
        _("Topic"),
        _("Subject"),
        _("Complainant"),
        _("Complainant's phone"),
        _("Received at"),
        _("To be closed by the end of"),
        _("Status"),
        _("Responsible unit"),
        _("Handled by"),
        _("Answered at"),
        _("Closed at"),
        _("Closed the same day"),
        _("Complainant's feedback"),
    ]
    rows = (
        (
            c.number,
            c.get_source_display(),
            c.external_id,
            c.get_kind_display(),
            c.get_topic_display(),
            c.title,
            c.complainant_name,
            mask_mobile(c.complainant_phone),  # masked in exports (PIPL)
            c.received_at,
            c.due_date,
            c.get_status_display(),
            c.org_unit.name,
            c.assignee.display_name if c.assignee_id else "",
            c.answered_at,
            c.closed_at,
            _("Yes") if c.closed_same_day else _("No"),
            c.get_feedback_display(),
        )
        for c in qs.select_related("org_unit", "assignee")
        .order_by("-received_at")
        .iterator(chunk_size=1000)
    )
    return xlsx_response(_("complaints") + ".xlsx", headers, rows, title=_("Complaints"))


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    form = ComplaintRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = svc.ComplaintInput(
            source=d["source"],
            external_id=d["external_id"],
            received_at=d["received_at"],
            kind=d["kind"],
            topic=d["topic"],
            title=d["title"],
            content=d["content"],
            complainant_name=d["complainant_name"],
            complainant_phone=d["complainant_phone"],
            address=d["address"],
            application_number=d["application_number"],
            enterprise_uscc=d["enterprise_uscc"],
            assignee=d["assignee"],
            answer=d["answer"],
            feedback=d["feedback"],
        )
        result = run(request, form, lambda: svc.complaint_register(data=data, actor=request.user))
        if result:
            complaint, created = result
            if created:
                messages.success(
                    request,
                    _("Complaint {number} registered; close it by the end of {date}.").format(
                        number=complaint.number, date=complaint.due_date.isoformat()
                    ),
                )
            else:
                messages.info(
                    request,
                    _("This ticket was registered before as {number}.").format(
                        number=complaint.number
                    ),
                )
            return redirect("service:complaint_detail", pk=complaint.pk)
    return render(request, "service/complaint_new.html", {"form": form})


@capability_required(Cap.SERVICE_VIEW)
@require_http_methods(["GET", "POST"])
def complaint_detail(request, pk: int):
    c = selectors.complaint_for(request.user, pk)
    allowed = svc.allowed_actions(request.user, c)
    bound_action = request.POST.get("action") if request.method == "POST" else None
    forms_by_action = {}
    for action in allowed:
        cls = COMPLAINT_ACTION_FORMS[action]
        kwargs = {"user": request.user} if action == "assign" else {}
        initial = {"version": c.version}
        if action == "classify":
            initial.update(
                kind=c.kind,
                topic=c.topic,
                application_number=c.application.number if c.application_id else "",
                enterprise_uscc=c.enterprise.uscc if c.enterprise_id else "",
            )
        if action == "assign" and c.assignee_id:
            initial["assignee"] = c.assignee_id
        data = request.POST if bound_action == action else None
        forms_by_action[action] = cls(data, initial=initial, prefix=action, **kwargs)
    if request.method == "POST":
        if bound_action not in forms_by_action:
            messages.error(
                request, _("This action is not possible now. The page shows the current state.")
            )
            return redirect("service:complaint_detail", pk=c.pk)
        form = forms_by_action[bound_action]
        if form.is_valid() and _do(request, c, bound_action, form):
            return redirect("service:complaint_detail", pk=c.pk)
    reply_message = None
    if c.reply_status == ReplyStatus.PENDING:
        from tongqi.integration.models import OutboxMessage

        reply_message = (
            OutboxMessage.objects.filter(kind=f"service.reply.{c.source}", payload__complaint=c.pk)
            .order_by("-id")
            .first()
        )
    return render(
        request,
        "service/complaint_detail.html",
        {
            "c": c,
            "colour": COMPLAINT_COLOUR[c.status],
            "events": c.events.select_related(None).order_by("at", "id"),
            "escalations": c.escalations.order_by("day"),
            "action_forms": [(a, svc.RULES[a].verb, f) for a, f in forms_by_action.items()],
            "masked_phone": mask_mobile(c.complainant_phone),
            "can_reveal": request.user.can(Cap.PII_FULL) and bool(c.complainant_phone),
            "today": timezone.localdate(),
            "reply_message": reply_message,
        },
    )


def _do(request, c, action: str, form) -> bool:
    d = form.cleaned_data
    v = d.get("version")
    user = request.user
    calls = {
        "classify": lambda: svc.complaint_classify(
            complaint=c,
            actor=user,
            kind=d["kind"],
            topic=d["topic"],
            application_number=d["application_number"],
            enterprise_uscc=d["enterprise_uscc"],
            expected_version=v,
        ),
        "assign": lambda: svc.complaint_assign(
            complaint=c, actor=user, assignee=d["assignee"], note=d["note"], expected_version=v
        ),
        "investigate": lambda: svc.complaint_investigate(
            complaint=c, actor=user, findings=d["findings"], expected_version=v
        ),
        "answer": lambda: svc.complaint_answer(
            complaint=c, actor=user, reply=d["reply"], expected_version=v
        ),
        "close": lambda: svc.complaint_close(
            complaint=c, actor=user, feedback=d["feedback"], note=d["note"], expected_version=v
        ),
        "reopen": lambda: svc.complaint_reopen(
            complaint=c, actor=user, reason=d["reason"], expected_version=v
        ),
    }
    return bool(
        run(
            request,
            form,
            calls[action],
            _("{action}: done.").format(action=svc.RULES[action].label),
        )
    )


@capability_required(Cap.SERVICE_VIEW)
@require_POST
def complaint_phone(request, pk: int):
    """Show the complainant's full phone number once, audited (AuditAction.VIEW_PII)."""
    c = selectors.complaint_for(request.user, pk)
    if not request.user.can(Cap.PII_FULL):
        raise PermissionDenied
    phone = svc.complaint_reveal_phone(complaint=c, actor=request.user, reason="complaint handling")
    messages.info(
        request, _("Complainant's phone: {phone} (this view is recorded).").format(phone=phone)
    )
    return redirect("service:complaint_detail", pk=c.pk)


@capability_required(Cap.SERVICE_VIEW)
def complaints_eod(request):
    """The end-of-day list: what the check found still open, day by day."""
    try:
        day = date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        day = timezone.localdate()
    visible = selectors.visible_complaints(request.user)
    escalations = (
        ComplaintEscalation.objects.filter(day=day, complaint__in=visible)
        .select_related("complaint__org_unit", "complaint__assignee")
        .order_by("-days_late", "complaint__due_date", "complaint_id")
    )
    still_open = (
        selectors.visible_complaints(request.user)
        .filter(status__in=OPEN_COMPLAINT_STATUSES, due_date__lte=day)
        .select_related("org_unit", "assignee")
        .order_by("due_date", "id")
    )
    if request.GET.get("export") == "1":
        return _eod_export(request, day, escalations)
    days = list(
        ComplaintEscalation.objects.filter(complaint__in=visible)
        .order_by("-day")
        .values_list("day", flat=True)
        .distinct()[:30]
    )
    return render(
        request,
        "service/complaints_eod.html",
        {
            "day": day,
            "escalations": escalations,
            "still_open": still_open if day == timezone.localdate() else [],
            "days": days,
            "cutoff": svc.cutoff(),
            "colours": COMPLAINT_COLOUR,
        },
    )


def _eod_export(request, day, escalations):
    """The day's escalations as Excel (the complainant's phone masked, as in every export)."""
    audit_export(request, "service.complaintescalation")
    headers = [
        _("Day"),
        _("Number"),
        _("Source"),
        _("Subject"),
        _("Complainant"),
        _("Complainant's phone"),
        _("Responsible unit"),
        _("Handled by"),
        _("Received at"),
        _("Due day"),
        _("Working days late"),
        _("Told"),
        _("Status now"),
    ]
    rows = (
        (
            day,
            e.complaint.number,
            e.complaint.get_source_display(),
            e.complaint.title,
            e.complaint.complainant_name,
            mask_mobile(e.complaint.complainant_phone),
            e.complaint.org_unit.name,
            e.complaint.assignee.display_name if e.complaint.assignee_id else "",
            e.complaint.received_at,
            e.complaint.due_date,
            e.days_late,
            "、".join(str(n) for n in e.notified or ()),
            e.complaint.get_status_display(),
        )
        for e in escalations.iterator(chunk_size=1000)
    )
    return xlsx_response(
        _("end-of-day-{day}").format(day=day.isoformat()) + ".xlsx",
        headers,
        rows,
        title=_("End-of-day list"),
    )


@capability_required(Cap.PORTAL)
@require_http_methods(["GET", "POST"])
def my_complaints(request):
    """The customer's complaints: raise one about an application, follow the answers."""
    if not request.user.is_customer:
        raise Http404
    apps = list(
        visible_applications(request.user)
        .exclude(number__isnull=True)
        .select_related("enterprise")
        .order_by("-created_at")[:50]
    )
    form = CustomerComplaintForm(request.POST or None, applications=apps)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = svc.ComplaintInput(
            source=Source.PORTAL,
            kind=d["kind"],
            title=d["title"],
            content=d["content"],
            application_number=d["application_number"],
        )
        result = run(request, form, lambda: svc.complaint_register(data=data, actor=request.user))
        if result:
            complaint, _created = result
            messages.success(
                request,
                _("Received as {number}. We will answer you by the end of {date}.").format(
                    number=complaint.number, date=complaint.due_date.isoformat()
                ),
            )
            return redirect(reverse("service:my_complaints"))
    mine = (
        selectors.visible_complaints(request.user)
        .select_related("application")
        .order_by("-received_at")[:50]
    )
    return render(
        request,
        "service/my_complaints.html",
        {"form": form, "complaints": [(c, COMPLAINT_COLOUR[c.status]) for c in mine]},
    )
