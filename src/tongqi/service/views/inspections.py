"""Inspections (四级检查), their findings, rectifications and accountability records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors
from ..choices import RECTIFICATION_COLOUR, SEVERITY_COLOUR, RectificationStatus
from ..forms import (
    AccountabilityForm,
    FindingForm,
    InspectionCreateForm,
    InspectionFilterForm,
    RectificationFilterForm,
    RectificationForm,
    RectificationSubmitForm,
    RectificationVerifyForm,
)
from ..models import Rectification
from ..services import inspections as svc
from .common import audit_export, run, staff_required

SORTS = {"date": "inspected_on", "number": "number", "level": "level", "unit": "target_unit__path"}


@capability_required(Cap.SERVICE_VIEW)
def inspection_list(request):
    form = InspectionFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.visible_inspections(request.user).select_related("target_unit", "window")
    for name in ("level", "form"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    if f.get("date_from"):
        qs = qs.filter(inspected_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(inspected_on__lte=f["date_to"])
    sort = sort_from_request(request, SORTS, "-date")
    from django.db.models import Count, Q

    qs = qs.annotate(
        n_findings=Count("findings", distinct=True),
        n_open=Count(
            "findings__rectifications",
            filter=~Q(findings__rectifications__status=RectificationStatus.VERIFIED),
            distinct=True,
        ),
    )
    qs = qs.order_by(sort.order_by, "-id")
    if request.GET.get("export") == "1":
        return _inspection_export(request, qs)
    page = paginate(request, qs)
    return render(request, "service/inspections.html", {"form": form, "page": page, "sort": sort})


def _inspection_export(request, qs):
    """The filtered inspections as Excel, streamed (no personal data in these columns)."""
    audit_export(request, "service.inspection")
    headers = [
        _("Number"),
        _("Inspected on"),
        _("Level"),
        _("Form"),
        _("Unit inspected"),
        _("Service window"),
        _("Subject"),
        _("Inspectors"),
        _("Findings"),
        _("Open rectifications"),
        _("Status"),
        _("Closed at"),
    ]
    rows = (
        (
            i.number,
            i.inspected_on,
            i.get_level_display(),
            i.get_form_display(),
            i.target_unit.name,
            str(i.window) if i.window_id else "",
            i.title,
            i.inspectors,
            i.n_findings,
            i.n_open,
            i.get_status_display(),
            i.closed_at,
        )
        for i in qs.iterator(chunk_size=1000)
    )
    return xlsx_response(_("inspections") + ".xlsx", headers, rows, title=_("Inspections"))


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    form = InspectionCreateForm(
        request.POST or None, user=request.user, initial={"inspected_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        insp = run(
            request,
            form,
            lambda: svc.inspection_create(
                actor=request.user,
                level=d["level"],
                form=d["form"],
                title=d["title"],
                target_unit=d["target_unit"],
                inspected_on=d["inspected_on"],
                inspectors=d["inspectors"],
                summary=d["summary"],
                window=d["window"],
            ),
            _("Inspection recorded. Add its findings now."),
        )
        if insp:
            return redirect("service:inspection_detail", pk=insp.pk)
    return render(request, "service/inspection_new.html", {"form": form})


@capability_required(Cap.SERVICE_VIEW)
@require_http_methods(["GET", "POST"])
def inspection_detail(request, pk: int):
    insp = selectors.inspection_for(request.user, pk)
    manage = request.user.can(Cap.SERVICE_MANAGE)
    post = request.POST if request.method == "POST" else None
    which = post.get("form") if post else None
    finding_form = FindingForm(post if which == "finding" else None, prefix="finding")
    rect_form = RectificationForm(
        post if which == "rectification" else None,
        prefix="rect",
        inspection=insp,
        user=request.user,
    )
    acc_form = AccountabilityForm(
        post if which == "accountability" else None,
        prefix="acc",
        inspection=insp,
        user=request.user,
        initial={"decided_on": timezone.localdate(), "unit": insp.target_unit_id},
    )
    if post is not None:
        if not manage:
            raise PermissionDenied
        done = None
        if which == "finding" and finding_form.is_valid():
            d = finding_form.cleaned_data
            done = run(
                request,
                finding_form,
                lambda: svc.finding_add(
                    actor=request.user,
                    inspection=insp,
                    description=d["description"],
                    severity=d["severity"],
                ),
                _("Finding added."),
            )
        elif which == "rectification" and rect_form.is_valid():
            d = rect_form.cleaned_data
            done = run(
                request,
                rect_form,
                lambda: svc.rectification_add(
                    actor=request.user,
                    finding=d["finding"],
                    task=d["task"],
                    owner=d["owner"],
                    due_date=d["due_date"],
                ),
                _("Rectification task given; the owner has been told."),
            )
        elif which == "accountability" and acc_form.is_valid():
            d = acc_form.cleaned_data
            done = run(
                request,
                acc_form,
                lambda: svc.accountability_add(
                    actor=request.user,
                    inspection=insp,
                    unit=d["unit"],
                    person=d["person"],
                    measure=d["measure"],
                    basis=d["basis"],
                    description=d["description"],
                    decided_on=d["decided_on"],
                    finding=d["finding"],
                ),
                _("Accountability recorded."),
            )
        elif which == "close":
            done = run(
                request,
                None,
                lambda: svc.inspection_close(actor=request.user, inspection=insp),
                _("Inspection closed."),
            )
        if done:
            return redirect("service:inspection_detail", pk=insp.pk)
    today = timezone.localdate()
    findings = []
    for f in insp.findings.prefetch_related("rectifications__owner").all():
        rects = [
            (r, RECTIFICATION_COLOUR[r.status], r.is_overdue(today), _rect_forms(request.user, r))
            for r in f.rectifications.all()
        ]
        findings.append((f, SEVERITY_COLOUR[f.severity], rects))
    return render(
        request,
        "service/inspection_detail.html",
        {
            "insp": insp,
            "findings": findings,
            "accountabilities": insp.accountabilities.select_related("person", "unit", "finding"),
            "manage": manage and insp.status == "open",
            "finding_form": finding_form,
            "rect_form": rect_form,
            "acc_form": acc_form,
            "open_form": which,
        },
    )


def _rect_forms(user, r: Rectification):
    out = {}
    if r.status == RectificationStatus.OPEN and (
        r.owner_id == user.pk or user.can(Cap.SERVICE_MANAGE)
    ):
        out["submit"] = RectificationSubmitForm(initial={"version": r.version}, prefix=f"r{r.pk}")
    if r.status == RectificationStatus.SUBMITTED and user.can(Cap.SERVICE_MANAGE):
        out["verify"] = RectificationVerifyForm(initial={"version": r.version}, prefix=f"r{r.pk}")
    return out


@staff_required
@require_POST
def rectification_action(request, pk: int, action: str):
    r = (
        selectors.visible_rectifications(request.user)
        .select_related("finding__inspection")
        .filter(pk=pk)
        .first()
    )
    if r is None or action not in ("submit", "verify"):
        raise Http404
    insp_id = r.finding.inspection_id
    if action == "submit":
        form = RectificationSubmitForm(request.POST, prefix=f"r{r.pk}")
        if form.is_valid():
            run(
                request,
                form,
                lambda: svc.rectification_submit(
                    actor=request.user,
                    rectification=r,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                ),
                _("Reported done; service management will verify it."),
            )
    else:
        form = RectificationVerifyForm(request.POST, prefix=f"r{r.pk}")
        if form.is_valid():
            run(
                request,
                form,
                lambda: svc.rectification_verify(
                    actor=request.user,
                    rectification=r,
                    passed=form.cleaned_data["passed"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                ),
                _("Verification recorded."),
            )
    if form.errors:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    nxt = request.POST.get("next")
    if nxt == "list" or not request.user.can(Cap.SERVICE_VIEW):
        return redirect(
            reverse("service:rectifications") + "?mine=1" * (not request.user.can(Cap.SERVICE_VIEW))
        )
    return redirect("service:inspection_detail", pk=insp_id)


@staff_required
def rectification_list(request):
    form = RectificationFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = selectors.visible_rectifications(request.user).select_related(
        "owner", "owner_unit", "finding__inspection__target_unit"
    )
    if request.GET.get("mine") == "1":
        qs = qs.filter(owner=request.user)
    status = f.get("status")
    if status == "overdue":
        qs = selectors.overdue_rectifications(qs, today)
    elif status:
        qs = qs.filter(status=status)
    if request.GET.get("export") == "1":
        audit_export(request, "service.rectification")
        headers = [
            _("Inspection"),
            _("Unit inspected"),
            _("Finding"),
            _("What must be done"),
            _("Owner"),
            _("Owner's unit"),
            _("Due date"),
            _("Status"),
            _("Overdue"),
            _("Reported done at"),
            _("Verified at"),
        ]
        rows = (
            (
                r.finding.inspection.number,
                r.finding.inspection.target_unit.name,
                r.finding.description,
                r.task,
                r.owner.display_name,
                r.owner_unit.name,
                r.due_date,
                r.get_status_display(),
                _("Yes") if r.is_overdue(today) else _("No"),
                r.completed_at,
                r.verified_at,
            )
            for r in qs.order_by("due_date", "id").iterator(chunk_size=1000)
        )
        return xlsx_response(
            _("rectifications") + ".xlsx", headers, rows, title=_("Rectifications")
        )
    page = paginate(request, qs.order_by("due_date", "id"))
    rows = [
        (r, RECTIFICATION_COLOUR[r.status], r.is_overdue(today), _rect_forms(request.user, r))
        for r in page
    ]
    return render(
        request,
        "service/rectifications.html",
        {"form": form, "page": page, "rows": rows, "tabs": request.user.can(Cap.SERVICE_VIEW)},
    )
