"""The action plan (tasks, progress with evidence) and the monthly service briefing."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import visible_unit_ids
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response

from ..briefing import briefing_figures
from ..choices import TASK_COLOUR, DeadlineKind, TaskStatus
from ..forms import ProgressForm, RequestForm
from ..models import ActionPlan, PlanEvidence, PlanTask
from ..pdf import briefing_pdf
from ..services import plan as svc
from .common import parse_month, run


@capability_required(Cap.SERVICE_VIEW)
def plan_list(request):
    plans = list(ActionPlan.objects.all())
    plan = plans[0] if plans else None
    if request.GET.get("plan"):
        plan = next((p for p in plans if str(p.pk) == request.GET["plan"]), plan)
    today = timezone.localdate()
    tasks = []
    if plan is not None:
        qs = (
            plan.tasks.prefetch_related("departments")
            .annotate(
                overdue=Count(
                    "occurrences",
                    filter=Q(occurrences__due_date__lt=today)
                    & ~Q(occurrences__status=TaskStatus.DONE),
                ),
                evidence=Count("progress__evidence", distinct=True),
                occ_total=Count("occurrences", distinct=True),
                occ_done=Count(
                    "occurrences", filter=Q(occurrences__status=TaskStatus.DONE), distinct=True
                ),
            )
            .order_by("seq")
        )
        status = request.GET.get("status")
        if status in TaskStatus.values:
            qs = qs.filter(status=status)
        if request.GET.get("overdue") == "1":
            qs = qs.filter(overdue__gt=0)
        if request.GET.get("export") == "1":
            return _plan_export(request, plan, qs)
        tasks = [(t, TASK_COLOUR[t.status]) for t in qs]
    return render(
        request,
        "service/plan.html",
        {"plans": plans, "plan": plan, "tasks": tasks, "statuses": TaskStatus.choices},
    )


def _plan_export(request, plan, qs):
    """The plan's tasks (same filters as the page) as Excel, one row per task."""
    audit_record(
        action=AuditAction.EXPORT,
        object_type="service.plantask",
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("No."),
        _("Main task"),
        _("Content"),
        _("Responsible departments"),
        _("Deadline"),
        _("Deadline date"),
        _("Status"),
        _("Progress (%)"),
        _("Deadlines missed"),
        _("Evidence files"),
        _("Last progress"),
        _("Completed"),
    ]
    rows = (
        (
            t.seq,
            t.main_task,
            t.content,
            "、".join(d.name for d in t.departments.all()) or t.departments_text,
            t.deadline_text or t.get_deadline_kind_display(),
            t.deadline_date,
            t.get_status_display(),
            t.percent,
            t.overdue,
            t.evidence,
            t.last_progress_at,
            t.completed_at,
        )
        for t in qs  # prefetch_related: the departments come in one query (a plan is ~20 tasks)
    )
    return xlsx_response(_("action-plan") + ".xlsx", headers, rows, title=str(plan.name)[:31])


@capability_required(Cap.SERVICE_VIEW)
@require_http_methods(["GET", "POST"])
def plan_task(request, pk: int):
    task = get_object_or_404(PlanTask.objects.select_related("plan"), pk=pk)
    may = svc.may_report(request.user, task)
    which = request.POST.get("form") if request.method == "POST" else None
    progress_form = ProgressForm(
        request.POST if which == "progress" else None,
        request.FILES if which == "progress" else None,
        task=task,
        initial={"version": task.version, "status": task.status, "percent": task.percent},
        prefix="p",
    )
    request_form = RequestForm(request.POST if which == "request" else None, prefix="r")
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        done = None
        if which == "progress" and progress_form.is_valid():
            d = progress_form.cleaned_data
            files = [(f.name, f.read()) for f in d["files"]]
            done = run(
                request,
                progress_form,
                lambda: svc.plan_progress_add(
                    actor=request.user,
                    task=task,
                    text=d["text"],
                    status=d["status"],
                    percent=d["percent"],
                    occurrence=d["occurrence"],
                    files=files,
                    expected_version=d["version"],
                ),
                _("Progress recorded."),
            )
        elif which == "request" and request_form.is_valid():
            d = request_form.cleaned_data
            done = run(
                request,
                request_form,
                lambda: svc.plan_request_add(
                    actor=request.user, task=task, label=d["label"], due_date=d["due_date"]
                ),
                _("Government request recorded with its due date."),
            )
        if done:
            return redirect("service:plan_task", pk=task.pk)
    today = timezone.localdate()
    return render(
        request,
        "service/plan_task.html",
        {
            "task": task,
            "colour": TASK_COLOUR[task.status],
            "departments": task.departments.all(),
            "occurrences": [
                (o, TASK_COLOUR[o.status], o.is_overdue(today))
                for o in task.occurrences.order_by("-due_date")[:24]
            ],
            "progress": task.progress.select_related("author", "occurrence").prefetch_related(
                "evidence"
            )[:50],
            "may": may,
            "progress_form": progress_form,
            "request_form": request_form if task.deadline_kind == DeadlineKind.GOVERNMENT else None,
        },
    )


@capability_required(Cap.SERVICE_VIEW)
def plan_evidence(request, pk: int):
    ev = get_object_or_404(PlanEvidence.objects.select_related("progress__task"), pk=pk)
    try:
        fh = ev.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    ctype = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[ev.content_type]
    return FileResponse(
        fh, content_type=ctype, as_attachment=ev.content_type == "pdf", filename=ev.original_name
    )


@capability_required(Cap.SERVICE_MANAGE, Cap.REPORTS_VIEW)
def briefing(request):
    month = parse_month(request.GET.get("month"))
    b = briefing_figures(month, unit_ids=visible_unit_ids(request.user))
    this = timezone.localdate().replace(day=1)
    months = []
    d = this
    for _i in range(12):
        months.append(d)
        d = (d - timedelta(days=1)).replace(day=1)
    return render(request, "service/briefing.html", {"b": b, "months": months})


@capability_required(Cap.SERVICE_MANAGE, Cap.REPORTS_VIEW)
def briefing_pdf_view(request, period: str):
    month = parse_month(period, default=None)
    if f"{month:%Y-%m}" != period:
        raise Http404
    b = briefing_figures(month, unit_ids=visible_unit_ids(request.user))
    data = briefing_pdf(
        b, scope=request.user.org_unit.scope_root.name if request.user.org_unit_id else ""
    )
    audit_record(
        action=AuditAction.EXPORT,
        object_type="service.briefing",
        object_repr=period,
        reason="briefing PDF",
    )
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="briefing-{period}.pdf"'
    return resp
