import pytest

from tongqi.accounts.models import OrgUnit
from tongqi.accounts.scoping import can_see_unit, restrict_units, visible_unit_ids

pytestmark = pytest.mark.django_db


def test_grid_account_manager_sees_only_the_grid(org, people):
    ids = visible_unit_ids(people.am_a)
    assert ids == frozenset({org.grid_a.unit.pk})
    assert not can_see_unit(people.am_a, org.grid_b.unit.pk)


def test_subsidiary_staff_see_the_subsidiary_and_its_grids(org, people):
    ids = visible_unit_ids(people.engineer_a)
    assert ids == frozenset({org.sub_a.pk, org.grid_a.unit.pk})


def test_company_department_staff_see_everything(org, people):
    assert visible_unit_ids(people.service) is None  # 服务管理部 works for the whole company
    assert visible_unit_ids(people.leader) is None


def test_administrator_and_auditor_see_no_business_records(org, people):
    assert visible_unit_ids(people.sysadmin) == frozenset()
    assert visible_unit_ids(people.auditor) == frozenset()
    assert visible_unit_ids(people.customer) == frozenset()


def test_restrict_units_filters_a_queryset(org, people):
    qs = OrgUnit.objects.all()
    assert set(restrict_units(qs, people.am_b, field="parent")) == set()
    children = restrict_units(
        OrgUnit.objects.filter(parent__isnull=False), people.leader_a, field="parent"
    )
    assert set(children) == {org.grid_a.unit}
