"""Callbacks (回访) and survey answers (满意度) for service management."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from .. import selectors
from ..choices import CALLBACK_COLOUR, Aspect, CallbackStatus
from ..forms import CallbackFilterForm, CallbackRecordForm
from ..models import Survey, SurveyResponse
from ..services import callback_record, survey_ensure, survey_send_link
from ..services.surveys import SCORE_FIELDS
from .common import audit_export, run

CALLBACK_SORTS = {
    "due": "due_date",
    "number": "application__number",
    "status": "status",
    "completed": "completed_at",
}


def _callbacks(request):
    form = CallbackFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.visible_callbacks(request.user).select_related(
        "application__enterprise", "account_manager", "org_unit", "completed_by"
    )
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(
            Q(application__number__icontains=q) | Q(application__enterprise__name__icontains=q)
        )
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    return form, qs


@capability_required(Cap.SERVICE_VIEW)
def callback_list(request):
    form, qs = _callbacks(request)
    sort = sort_from_request(request, CALLBACK_SORTS, "due")
    page = paginate(request, qs.order_by(sort.order_by, "id"))
    rows = [(c, CALLBACK_COLOUR[c.status]) for c in page]
    return render(
        request,
        "service/callbacks.html",
        {"form": form, "page": page, "rows": rows, "sort": sort, "today": timezone.localdate()},
    )


@capability_required(Cap.SERVICE_VIEW)
def callback_export(request):
    _form, qs = _callbacks(request)
    audit_export(request, "service.callback")
    headers = [
        _("Application number"),
        _("Enterprise"),
        _("Kind"),
        _("Sample month"),
        _("Status"),
        _("Call by"),
        _("Attempts"),
        _("Account manager"),
        _("What the customer said"),
        _("Problems found"),
        _("Completed"),
        _("Called by"),
    ]
    rows = (
        (
            c.application.number,
            c.application.enterprise.name,
            c.get_kind_display(),
            c.period,
            c.get_status_display(),
            c.due_date,
            c.attempts,
            c.account_manager.display_name if c.account_manager_id else "",
            c.summary,
            c.issues,
            c.completed_at,
            c.completed_by.display_name if c.completed_by_id else "",
        )
        for c in qs.order_by("due_date", "id").iterator(chunk_size=1000)
    )
    return xlsx_response(_("callbacks") + ".xlsx", headers, rows, title=_("Callbacks"))


@capability_required(Cap.SERVICE_VIEW)
@require_http_methods(["GET", "POST"])
def callback_detail(request, pk: int):
    cb = selectors.callback_for(request.user, pk)
    app = cb.application
    survey = Survey.objects.filter(application=app).first()
    response = (
        SurveyResponse.objects.filter(survey=survey).select_related("recorded_by").first()
        if survey
        else None
    )
    can_record = request.user.can(Cap.SERVICE_MANAGE) and cb.status == CallbackStatus.OPEN
    form = CallbackRecordForm(request.POST or None, initial={"version": cb.version})
    if request.method == "POST":
        if not can_record:
            messages.error(request, _("This callback has already been completed."))
            return redirect("service:callback_detail", pk=cb.pk)
        if form.is_valid():
            d = form.cleaned_data
            scores = {f: d.get(f) for f in SCORE_FIELDS} if not response else None
            done = run(
                request,
                form,
                lambda: callback_record(
                    callback=cb,
                    actor=request.user,
                    reached=d["reached"],
                    summary=d["summary"],
                    issues=d["issues"],
                    scores=scores,
                    comment=d["comment"],
                    raise_complaint=d["raise_complaint"],
                    expected_version=d["version"],
                ),
                _("The callback was recorded."),
            )
            if done:
                return redirect("service:callback_detail", pk=cb.pk)
    return render(
        request,
        "service/callback_detail.html",
        {
            "cb": cb,
            "app": app,
            "colour": CALLBACK_COLOUR[cb.status],
            "survey": survey,
            "response": response,
            "aspects": _aspects(response),
            "form": form,
            "can_record": can_record,
            "score_fields": [form[f] for f in SCORE_FIELDS] if not response else [],
        },
    )


def _aspects(response):
    if response is None:
        return []
    return [(label, getattr(response, value)) for value, label in Aspect.choices]


@capability_required(Cap.SERVICE_MANAGE)
@require_POST
def survey_resend(request, pk: int):
    cb = selectors.callback_for(request.user, pk)
    survey = survey_ensure(application=cb.application)
    if survey is None:
        messages.error(request, _("The survey opens after gas-on."))
    else:
        run(
            request,
            None,
            lambda: survey_send_link(survey=survey, actor=request.user, extend=True),
            _("The survey link was sent again and is valid for another period."),
        )
    return redirect("service:callback_detail", pk=cb.pk)


ANSWER_SORTS = {
    "answered": "answered_at",
    "overall": "overall",
    "number": "survey__application__number",
}


def _answers(request):
    qs = selectors.visible_responses(request.user).select_related(
        "survey__application__enterprise", "survey__account_manager", "survey__org_unit"
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(survey__application__number__icontains=q)
            | Q(survey__application__enterprise__name__icontains=q)
            | Q(survey__account_manager__full_name__icontains=q)
        )
    low = request.GET.get("low") == "1"
    if low:
        qs = qs.filter(overall__lte=2)
    return qs, q, low


@capability_required(Cap.SERVICE_VIEW)
def survey_list(request):
    qs, q, low = _answers(request)
    sort = sort_from_request(request, ANSWER_SORTS, "-answered")
    page = paginate(request, qs.order_by(sort.order_by))
    return render(request, "service/surveys.html", {"page": page, "sort": sort, "q": q, "low": low})


@capability_required(Cap.SERVICE_VIEW)
def survey_export(request):
    qs, _q, _low = _answers(request)
    audit_export(request, "service.surveyresponse")
    headers = [
        _("Application number"),
        _("Enterprise"),
        _("Account manager"),
        _("Organisation unit"),
        _("Answered at"),
        _("Answered"),
        _("Overall"),
        *[str(label) for _v, label in Aspect.choices],
        _("Comments"),
    ]
    rows = (
        (
            r.survey.application.number,
            r.survey.application.enterprise.name,
            r.survey.account_manager.display_name if r.survey.account_manager_id else "",
            r.survey.org_unit.name if r.survey.org_unit_id else "",
            r.answered_at,
            r.get_channel_display(),
            r.overall,
            *[getattr(r, v) for v, _l in Aspect.choices],
            r.comment,
        )
        for r in qs.order_by("-answered_at").iterator(chunk_size=1000)
    )
    return xlsx_response(_("satisfaction") + ".xlsx", headers, rows, title=_("Satisfaction"))
