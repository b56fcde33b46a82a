"""Pages of the reports app: the dashboard, its charts, the drill-down list, the export."""

from __future__ import annotations

from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongqi.accounts.roles import Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate, sort_from_request

from . import charts
from .choices import SLA_COLOUR, Sla
from .evaluation import HEADERS, evaluation_rows
from .forms import FLAG_LABELS, DrillForm, IndicatorFilterForm
from .selectors import Filters, cached_dashboard, indicator_list
from .tables import breakdown, columns

SORTS = {
    "submitted": "submitted_at",
    "days": "elapsed_seconds",
    "number": "application__number",
}


def _base(f: Filters) -> dict:
    """The dashboard's filters as query parameters of a drill-down link."""
    return {
        "month_from": f.month_from.strftime("%Y-%m") if f.month_from else "",
        "month_to": f.month_to.strftime("%Y-%m") if f.month_to else "",
        "subsidiary": f.subsidiary or "",
        "grid": f.grid or "",
        "channel": f.channel,
        "category": f.category,
    }


@capability_required(Cap.REPORTS_VIEW)
@require_GET
def home(request):
    """The leaders' dashboard: indicator cards, trend charts, breakdowns; every figure a link."""
    form = IndicatorFilterForm(request.GET or None, user=request.user)
    f = form.filters()
    board = cached_dashboard(request.user, f)
    base = _base(f)
    heads = {
        "month": (_("By month"), _("Month")),
        "subsidiary": (_("By subsidiary"), _("Subsidiary")),
        "grid": (_("By grid"), _("Grid")),
        "channel": (_("By channel"), _("Channel")),
        "category": (_("By project category"), _("Project category")),
    }
    tables = [
        {"title": title, "head": head, "rows": breakdown(board.by[dim], dim, base)}
        for dim, (title, head) in heads.items()
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "filters": f,
            "base": base,
            "query": urlencode({k: v for k, v in base.items() if v}),
            "board": board,
            "t": board.total,
            "tables": tables,
            "columns": columns(),
            "can_export": request.user.can(Cap.REPORTS_EXPORT),
        },
    )


@capability_required(Cap.REPORTS_VIEW)
@require_GET
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})
def chart(request, name: str):
    """One chart of the dashboard as an SVG image (pygal's styles live inside the SVG)."""
    if name not in charts.CHARTS:
        raise Http404
    form = IndicatorFilterForm(request.GET or None, user=request.user)
    board = cached_dashboard(request.user, form.filters())
    if name == "trend":
        svg = charts.trend(board.by["month"])
    elif name == "days":
        svg = charts.days_by_category(board.by["category"])
    elif name == "sla":
        svg = charts.sla(board.total)
    else:
        svg = charts.channels(board.by["channel"])
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _drill(request):
    form = DrillForm(request.GET or None, user=request.user)
    f = form.filters()
    sort = sort_from_request(request, SORTS, "-submitted")
    field = sort.field
    qs = indicator_list(request.user, f).order_by(("-" if sort.descending else "") + field, "-pk")
    return form, f, qs, sort


@capability_required(Cap.REPORTS_VIEW)
@require_GET
def applications(request):
    """The applications behind a figure, with their indicators (scoped to the viewer's units)."""
    form, f, qs, sort = _drill(request)
    page = paginate(request, qs)
    return render(
        request,
        "reports/applications.html",
        {
            "form": form,
            "filters": f,
            "flag_label": FLAG_LABELS.get(f.flag, ""),
            "page": page,
            "rows": [(i, SLA_COLOUR.get(i.sla, "grey")) for i in page.object_list],
            "sla_labels": dict(Sla.choices),
            "sort": sort,
            "can_export": request.user.can(Cap.REPORTS_EXPORT),
        },
    )


@capability_required(Cap.REPORTS_EXPORT)
@require_GET
def export(request):
    """The evaluation export: each application with its indicators and the evidence (pauses)."""
    form, f, qs, sort = _drill(request)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="reports.applicationindicator",
        reason=request.GET.urlencode()[:500],
    )
    filename = _("getting-gas-evaluation-{date}.xlsx").format(date=timezone.localdate().isoformat())
    return xlsx_response(
        filename, [str(h) for h in HEADERS], evaluation_rows(qs), title=_("Evaluation")
    )
