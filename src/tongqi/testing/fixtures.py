"""Fixtures shared by every app's tests (registered by the root conftest.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tongqi.accounts.choices import Role, UnitKind
from tongqi.testing.factories import DistrictFactory, GridFactory, OrgUnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_config_caches():
    """Per-process configuration caches (districts, grids) must not leak between tests."""
    from tongqi.applications import routing

    routing.clear_cache()
    yield
    routing.clear_cache()


@pytest.fixture
def org(db):
    """A company with two subsidiaries, each with one grid, and a department at the top."""
    company = OrgUnitFactory(name="测试燃气公司", code="co", kind=UnitKind.COMPANY)
    service_dept = OrgUnitFactory(
        name="服务管理部", code="svc", kind=UnitKind.DEPARTMENT, parent=company
    )
    sub_a = OrgUnitFactory(name="甲公司", code="sub-a", parent=company)
    sub_b = OrgUnitFactory(name="乙公司", code="sub-b", parent=company)
    d1 = DistrictFactory(code="420106", name="武昌区")
    d2 = DistrictFactory(code="420102", name="江岸区")
    grid_a = GridFactory(
        unit=OrgUnitFactory(name="甲一网格", code="grid-a", kind=UnitKind.GRID, parent=sub_a),
        district=d1,
    )
    grid_b = GridFactory(
        unit=OrgUnitFactory(name="乙一网格", code="grid-b", kind=UnitKind.GRID, parent=sub_b),
        district=d2,
    )
    return SimpleNamespace(
        company=company,
        service_dept=service_dept,
        sub_a=sub_a,
        sub_b=sub_b,
        grid_a=grid_a,
        grid_b=grid_b,
        district_a=d1,
        district_b=d2,
    )


@pytest.fixture
def make_user(db):
    def make(role: str = Role.CUSTOMER, unit=None, **kwargs):
        return UserFactory(role=role, org_unit=unit, **kwargs)

    return make


@pytest.fixture
def people(org, make_user):
    """One user per role, placed where a real utility would place them."""
    return SimpleNamespace(
        customer=make_user(Role.CUSTOMER),
        am_a=make_user(Role.ACCOUNT_MANAGER, org.grid_a.unit),
        am_b=make_user(Role.ACCOUNT_MANAGER, org.grid_b.unit),
        engineer_a=make_user(Role.ENGINEER, org.sub_a),
        counter_a=make_user(Role.COUNTER_CLERK, org.sub_a),
        service=make_user(Role.SERVICE_MANAGER, org.service_dept),
        marketing=make_user(Role.MARKETING, org.company),
        reader_a=make_user(Role.METER_READER, org.grid_a.unit),
        inspector_a=make_user(Role.SAFETY_INSPECTOR, org.grid_a.unit),
        leader=make_user(Role.LEADER, org.company),
        leader_a=make_user(Role.LEADER, org.sub_a),
        sysadmin=make_user(Role.SYSADMIN, org.company),
        auditor=make_user(Role.AUDITOR, org.company),
    )


@pytest.fixture
def run_outbox(db):
    """Deliver everything the outbox holds, as the worker would."""
    from tongqi.integration import outbox

    outbox.discover()

    def run(max_rounds: int = 50) -> int:
        return outbox.drain(max_rounds=max_rounds)

    return run
