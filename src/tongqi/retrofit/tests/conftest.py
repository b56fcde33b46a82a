"""Fixtures of the retrofit tests: a project in 甲公司's grid and one in 乙公司's."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tongqi.accounts.choices import Role
from tongqi.retrofit import services
from tongqi.retrofit.choices import HouseholdStatus, Stage


@pytest.fixture
def engineer_b(org, make_user):
    return make_user(Role.ENGINEER, org.sub_b)


@pytest.fixture
def make_project(org, people):
    def make(actor=None, unit=None, **fields):
        data = {
            "name": "测试小区",
            "address": "武汉市武昌区测试路1号",
            "district": org.district_a,
            "street_office": "测试街道办事处",
            "community_committee": "测试社区居委会",
            "org_unit": unit or org.grid_a.unit,
            "households_total": 40,
        }
        data.update(fields)
        return services.project_create(actor=actor or people.engineer_a, **data)

    return make


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture
def other_project(make_project, org, engineer_b):
    return make_project(actor=engineer_b, unit=org.sub_b, name="乙方小区", district=org.district_b)


@pytest.fixture
def add_household(people):
    counter = {"n": 0}

    def add(project, status=HouseholdStatus.PENDING, building="1", unit="1", room=None, **kw):
        counter["n"] += 1
        return services.household_create(
            project=project,
            actor=people.engineer_a,
            building=building,
            unit=unit,
            room=room or f"{100 + counter['n']}",
            contact_name=kw.pop("contact_name", "张三"),
            phone=kw.pop("phone", f"1380000{counter['n']:04d}"),
            status=status,
            **kw,
        )

    return add


def advance_to(project, stage, actor):
    """Walk the project forward to ``stage`` through the real actions."""
    from tongqi.retrofit.models import Project

    project = Project.objects.get(pk=project.pk)
    while project.stage != stage:
        project = services.project_advance(project=project, actor=actor, expected_version=None)
    return project


@pytest.fixture
def at_stage(people, add_household):
    def move(project, stage=Stage.GAS_ON):
        if stage != Stage.SURVEY and not project.households.filter(status="willing").exists():
            add_household(project, status=HouseholdStatus.WILLING)
        return advance_to(project, stage, people.engineer_a)

    return move


def xlsx(
    rows, header=("楼栋", "单元", "房号", "联系人", "联系电话", "报装意愿", "备注")
) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    if header is not None:
        ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "households.xlsx"
    return out
