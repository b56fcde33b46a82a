"""Indicators API: the dashboard's figures for the tools of leaders and regulators (read only).

The same filters, scoping and figures as ``/reports/`` (the indicator rows of the caller's org
units; ADR 0013), answered as JSON; every figure is also a drill-down on the page. Rates are
percentages; money is a decimal string in yuan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tongqi.accounts.roles import Cap
from tongqi.api.errors import errors
from tongqi.integration.errors import ApiError

from .forms import IndicatorFilterForm
from .selectors import DIMENSIONS, ComplaintFigures, Figures, cached_dashboard

ROUTER_PREFIX = "/indicators"
router = Router(tags=["indicators"])


class IndicatorQuery(Schema):
    month_from: str = Field("", description="YYYY-MM; with neither month: the last twelve months")
    month_to: str = Field("", description="YYYY-MM")
    subsidiary: str = Field("", description="id of a subsidiary (org unit) you may see")
    grid: str = Field("", description="id of a grid you may see")
    channel: str = Field("", description="web, mobile, gov, counter, kiosk")
    category: str = Field(
        "", description="standard_package, no_external_works, external_works; '-' for not set"
    )
    by: str = Field("", description="also break the figures down by: " + ", ".join(DIMENSIONS))


class FiguresOut(Schema):
    applications: int
    open: int
    gas_on: int
    avg_working_days: Decimal | None = Field(description="submission to gas-on, net of pauses")
    within_limit_rate: float | None = Field(description="% of gas-on within the time limit")
    on_time: int
    warned: int
    overdue: int
    on_time_rate: float | None = Field(description="% of started clocks not overdue")
    online_rate: float | None
    avg_customer_steps: Decimal | None = Field(description="target 2")
    avg_materials: Decimal | None = Field(description="target 1")
    zero_visit_rate: float | None = Field(description="% with no in-person visit")
    customer_cost: Decimal = Field(description="out-of-red-line cost to customers, target 0")
    satisfaction: Decimal | None = Field(description="average overall score, 1-5")
    rated: int
    open_commitments: int
    receivable: Decimal = Field(description="still owed after gas-on (pay-later)")


class GroupOut(FiguresOut):
    key: str
    label: str


class ComplaintsOut(Schema):
    received: int
    due: int
    closed_same_day: int
    same_day_rate: float | None
    open: int


class IndicatorsOut(Schema):
    month_from: date | None
    month_to: date | None
    total: FiguresOut
    complaints: ComplaintsOut
    by: str | None
    groups: list[GroupOut]


class _QueryForm(IndicatorFilterForm):
    by = forms.ChoiceField(
        label=_("Break down by"), required=False, choices=[("", "")] + [(d, d) for d in DIMENSIONS]
    )


def _figures(f: Figures) -> dict:
    return {
        "applications": f.n,
        "open": f.open,
        "gas_on": f.done,
        "avg_working_days": f.avg_days,
        "within_limit_rate": f.within_rate,
        "on_time": f.on_time,
        "warned": f.warned,
        "overdue": f.overdue,
        "on_time_rate": f.on_time_rate,
        "online_rate": f.online_rate,
        "avg_customer_steps": f.avg_steps,
        "avg_materials": f.avg_materials,
        "zero_visit_rate": f.zero_visit_rate,
        "customer_cost": f.cost_sum,
        "satisfaction": f.satisfaction,
        "rated": f.rated,
        "open_commitments": f.commitments_sum,
        "receivable": f.receivable_sum,
    }


def _complaints(c: ComplaintFigures) -> dict:
    return {
        "received": c.received,
        "due": c.due,
        "closed_same_day": c.same_day,
        "same_day_rate": c.same_day_rate,
        "open": c.open,
    }


def _key(value) -> str:
    return value.strftime("%Y-%m") if isinstance(value, date) else str(value or "")


@router.get(
    "",
    response={200: IndicatorsOut, **errors()},
    summary="The getting-gas indicators of your org units (the dashboard's figures)",
)
def indicators(request, q: Query[IndicatorQuery]):
    user = request.auth
    if not user.can(Cap.REPORTS_VIEW):
        raise ApiError("permission_denied")
    form = _QueryForm(q.dict(), user=user)
    if not form.is_valid():
        raise ApiError("invalid", fields=form.errors)
    filters = form.filters()
    board = cached_dashboard(user, filters)
    by = form.cleaned_data["by"] or None
    return {
        "month_from": filters.month_from,
        "month_to": filters.month_to,
        "total": _figures(board.total),
        "complaints": _complaints(board.complaints),
        "by": by,
        "groups": [
            {"key": _key(key), "label": str(label), **_figures(figures)}
            for key, label, figures in (board.by[by] if by else [])
        ],
    }
