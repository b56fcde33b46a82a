"""Routing to grids (street lists, polygons) and workload balance with covers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.accounts.choices import Role, UnitKind
from tongqi.applications import routing
from tongqi.testing.app_factories import submitted_application
from tongqi.testing.factories import GridFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_street_list_wins_over_the_catch_all_grid(org):
    special = GridFactory(
        unit=OrgUnitFactory(kind=UnitKind.GRID, parent=org.sub_a),
        district=org.district_a,
        streets=["珞珈山街道"],
    )
    assert routing.find_grid(district=org.district_a, street="珞珈山街道") == special
    assert routing.find_grid(district=org.district_a, street="别的街道") == org.grid_a


def test_polygon_wins_when_a_location_is_given(org):
    poly = GridFactory(
        unit=OrgUnitFactory(kind=UnitKind.GRID, parent=org.sub_b),
        district=org.district_b,
        polygon_wkt="POLYGON((114.30 30.50, 114.40 30.50, 114.40 30.60, 114.30 30.60, 114.30 30.50))",
    )
    found = routing.find_grid(
        district=org.district_a, street="", latitude=Decimal("30.55"), longitude=Decimal("114.35")
    )
    assert found == poly
    outside = routing.find_grid(
        district=org.district_a, latitude=Decimal("31"), longitude=Decimal("114.35")
    )
    assert outside == org.grid_a


def test_workload_is_balanced_between_managers(org, make_user):
    a = make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit)
    b = make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit)
    assigned = [submitted_application(org, n=i).account_manager for i in range(4)]
    assert assigned.count(a) == 2 and assigned.count(b) == 2


def test_absent_manager_work_goes_to_the_cover(org, make_user):
    cover = make_user(Role.ACCOUNT_MANAGER, org.grid_b.unit)
    away = make_user(
        Role.ACCOUNT_MANAGER,
        org.grid_a.unit,
        absent_until=timezone.localdate() + timedelta(days=3),
        cover=cover,
    )
    app = submitted_application(org, n=20)
    assert app.account_manager == cover
    assert away.is_absent()
