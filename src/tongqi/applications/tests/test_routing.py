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


def _loads():
    from tongqi.applications.models import ManagerLoad

    return {
        m.manager_id: m.open_applications for m in ManagerLoad.objects.all() if m.open_applications
    }


def test_each_managers_open_work_follows_the_transitions(
    org, people, make_user, django_assert_num_queries
):
    """Routing reads the managers' counts (one statement) instead of counting applications;
    the transitions keep the counts, and a recount from the applications agrees."""
    from tongqi.applications.services import (
        application_assign,
        application_reject,
        application_reopen,
    )

    apps = [submitted_application(org, n=30 + i) for i in range(3)]
    assert {a.account_manager_id for a in apps} == {people.am_a.pk}
    assert _loads() == {people.am_a.pk: 3}
    with django_assert_num_queries(1):
        assert routing.choose_manager(org.grid_a) == people.am_a

    application_reject(application=apps[0], actor=people.am_a, reason="资料不全")
    assert _loads() == {people.am_a.pk: 2}  # closed: no longer open work
    application_reopen(application=apps[0], actor=people.leader, reason="补齐资料")
    assert _loads() == {people.am_a.pk: 3}
    other = make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit)
    application_assign(application=apps[1], actor=people.leader, manager=other)
    assert _loads() == {people.am_a.pk: 2, other.pk: 1}
    assert routing.choose_manager(org.grid_a) == other  # the least open work
    incremental = _loads()
    assert routing.manager_load_rebuild() == 2
    assert _loads() == incremental


def test_recount_command_repairs_counts_written_around_the_transitions(org, people):
    from io import StringIO

    from django.core.management import call_command

    from tongqi.applications.models import Application, ManagerLoad

    submitted_application(org, n=40)
    submitted_application(org, n=41)
    # an import wrote applications directly: the kept counts no longer match
    Application.objects.update(account_manager=people.am_b)
    ManagerLoad.objects.update(open_applications=7)
    out = StringIO()
    call_command("routing", "recount", stdout=out)
    assert "1 account managers" in out.getvalue()
    assert _loads() == {people.am_b.pk: 2}
