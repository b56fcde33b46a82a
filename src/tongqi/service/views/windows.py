"""Service windows (示范窗口): the windows, the criteria, evaluations and the ranking."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response

from .. import selectors
from ..forms import CriterionFormSet, EvaluationForm, WindowForm
from ..models import WindowCriterion, WindowEvaluation
from ..services import windows as svc
from .common import audit_export, run


@capability_required(Cap.SERVICE_VIEW)
def window_list(request):
    periods = selectors.periods_evaluated()
    period = request.GET.get("period") or (
        periods[0] if periods else f"{timezone.localdate():%Y-%m}"
    )
    rows = selectors.ranking(request.user, period)
    criteria = list(WindowCriterion.objects.filter(active=True))
    if request.GET.get("export") == "1":
        audit_export(request, "service.windowevaluation")
        headers = [
            _("Rank"),
            _("Window"),
            _("Organisation unit"),
            _("Total score"),
            *[f"{c.name}（{c.weight}%）" for c in criteria],
        ]
        scores = _scores_by_eval([r.evaluation for r in rows])
        data = (
            (
                r.rank,
                r.evaluation.window.name,
                r.evaluation.window.org_unit.name,
                r.evaluation.total,
                *[scores.get((r.evaluation.pk, c.pk), "") for c in criteria],
            )
            for r in rows
        )
        return xlsx_response(_("window-ranking") + f"-{period}.xlsx", headers, data, title=period)
    windows = (
        selectors.visible_windows(request.user)
        .select_related("org_unit")
        .order_by("org_unit__path", "name")
    )
    return render(
        request,
        "service/windows.html",
        {
            "rows": rows,
            "period": period,
            "periods": periods,
            "windows": windows,
            "criteria": criteria,
            "weights_ok": sum(c.weight for c in criteria) == svc.TOTAL_WEIGHT,
        },
    )


def _scores_by_eval(evaluations):
    from ..models import WindowScore

    return {
        (s.evaluation_id, s.criterion_id): s.score
        for s in WindowScore.objects.filter(evaluation__in=evaluations)
    }


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def window_edit(request, pk: int | None = None):
    window = None
    if pk is not None:
        window = selectors.visible_windows(request.user).filter(pk=pk).first()
        if window is None:
            raise Http404
    initial = (
        {
            "name": window.name,
            "kind": window.kind,
            "org_unit": window.org_unit_id,
            "address": window.address,
            "phone": window.phone,
            "demonstration": window.demonstration,
            "active": window.active,
        }
        if window
        else {"active": True}
    )
    form = WindowForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run(
            request,
            form,
            lambda: svc.window_save(actor=request.user, window=window, **d),
            _("Window saved."),
        )
        if saved:
            return redirect("service:window_detail", pk=saved.pk)
    return render(request, "service/window_edit.html", {"form": form, "window": window})


@capability_required(Cap.SERVICE_VIEW)
def window_detail(request, pk: int):
    window = (
        selectors.visible_windows(request.user).select_related("org_unit").filter(pk=pk).first()
    )
    if window is None:
        raise Http404
    evaluations = list(
        WindowEvaluation.objects.filter(window=window)
        .select_related("evaluated_by")
        .order_by("-period")[:24]
    )
    criteria = list(WindowCriterion.objects.all())
    scores = _scores_by_eval(evaluations)
    table = [(ev, [scores.get((ev.pk, c.pk), "") for c in criteria]) for ev in evaluations]
    return render(
        request,
        "service/window_detail.html",
        {
            "window": window,
            "table": table,
            "criteria": criteria,
            "inspections": window.inspections.order_by("-inspected_on")[:10],
        },
    )


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def window_evaluate(request, pk: int):
    window = selectors.visible_windows(request.user).filter(pk=pk).first()
    if window is None:
        raise Http404
    form = EvaluationForm(request.POST or None, initial={"period": f"{timezone.localdate():%Y-%m}"})
    if not form.criteria or sum(c.weight for c in form.criteria) != svc.TOTAL_WEIGHT:
        from django.contrib import messages

        messages.warning(
            request, _("Set the evaluation criteria (weights adding up to 100) first.")
        )
        return redirect("service:criteria")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ev = run(
            request,
            form,
            lambda: svc.evaluation_save(
                actor=request.user,
                window=window,
                period=d["period"],
                scores=form.scores(),
                note=d["note"],
            ),
            _("Evaluation saved."),
        )
        if ev:
            return redirect("service:window_detail", pk=window.pk)
    return render(request, "service/window_evaluate.html", {"form": form, "window": window})


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def criteria_edit(request):
    initial = [
        {
            "id": c.pk,
            "name": c.name,
            "description": c.description,
            "weight": c.weight,
            "order": c.order,
            "active": c.active,
        }
        for c in WindowCriterion.objects.all()
    ]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="c")
    errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [
            svc.CriterionInput(
                id=f.cleaned_data.get("id"),
                name=f.cleaned_data["name"],
                description=f.cleaned_data.get("description", ""),
                weight=f.cleaned_data["weight"],
                order=f.cleaned_data.get("order") or 0,
                active=f.cleaned_data.get("active", False),
            )
            for f in formset.forms
            if f.cleaned_data and f.cleaned_data.get("name")
        ]
        from ..services.errors import ServiceError

        try:
            svc.criteria_save(actor=request.user, rows=rows)
        except ServiceError as exc:
            errors = [m for msgs in exc.fields.values() for m in msgs] or [str(exc.message)]
        else:
            from django.contrib import messages

            messages.success(request, _("Criteria saved."))
            return redirect("service:windows")
    total = sum(c["weight"] for c in initial if c["active"])
    return render(
        request, "service/criteria.html", {"formset": formset, "errors": errors, "total": total}
    )
