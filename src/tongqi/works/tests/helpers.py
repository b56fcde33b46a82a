"""Building projects and linked applications for the works tests, through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tongqi.applications import services as app_svc
from tongqi.applications.choices import Category
from tongqi.applications.models import Application
from tongqi.testing.app_factories import submitted_application
from tongqi.works.services import ProjectInput, project_create

# A short stretch of 光谷大道 (WGS-84), for a route
ROUTE = "114.4105, 30.5050\n114.4162, 30.4930"
SITE = "114.3100, 30.5500"

_n = [0]


def project_input(org, *, unit=None, grid=None, **kw) -> ProjectInput:
    today = timezone.localdate()
    unit = unit or org.sub_a
    if grid is None:
        grid = {org.sub_a.pk: org.grid_a, org.sub_b.pk: org.grid_b}.get(unit.pk)
    data = dict(
        name="光谷大道中压管线延伸工程",
        org_unit=unit,
        district=(grid or org.grid_a).district,
        grid=grid,
        location_desc="光谷大道 关山大道至高新大道段",
        location=ROUTE,
        reason_kind="new_customers",
        reason="沿线新增餐饮用户报装配套",
        planned_start=today - timedelta(days=10),
        expected_gas_on=today + timedelta(days=30),
        investment=Decimal("250000"),
        forecast_load=Decimal("120"),
        forecast_annual_volume=Decimal("360000"),
    )
    data.update(kw)
    return ProjectInput(**data)


def make_project(org, actor, **kw):
    return project_create(actor=actor, data=project_input(org, **kw))


def external_application(org, people, *, n: int = 1, category=Category.WITH_EXTERNAL_WORKS, **kw):
    """An accepted application of the given category in grid A (its clock running)."""
    _n[0] += 1
    app = submitted_application(org, customer=people.customer, n=100 + _n[0] + n, **kw)
    app_svc.application_accept(application=app, actor=people.am_a, category=category)
    return Application.objects.select_related("clock").get(pk=app.pk)


def fresh(app) -> Application:
    return Application.objects.select_related("clock").get(pk=app.pk)
