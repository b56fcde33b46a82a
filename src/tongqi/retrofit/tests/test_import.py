"""Excel import: every bad line reported with its line number, nothing half-imported."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from tongqi.audit.models import AuditRecord
from tongqi.retrofit import services
from tongqi.retrofit.choices import HouseholdAction, HouseholdStatus, ProjectStatus
from tongqi.retrofit.errors import RetrofitError
from tongqi.retrofit.models import Household, HouseholdEvent

from .conftest import xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    ("1", "1", "101", "张桂英", "13812345678", "同意", "白天有人"),
    ("1", "1", "102", "李建华", 13912345678, "", ""),  # Excel gives numbers as numbers
    ("1", "2", 201, "王秀兰", "139 1234 5679", "不同意", ""),
    ("2栋", "", "301室", "刘志强", "+8613712345678", "待定", ""),
]


def _import(project, actor, rows, **kw):
    return services.households_import(
        project=project, actor=actor, fileobj=xlsx(rows, **kw), filename="住户.xlsx"
    )


def test_a_good_file_imports_every_line(project, people):
    result = _import(project, people.engineer_a, GOOD)
    assert result.ok and result.created == 4
    flats = {h.label: h for h in Household.objects.filter(project=project)}
    assert set(flats) == {"1栋1单元101", "1栋1单元102", "1栋2单元201", "2栋301"}
    assert flats["1栋1单元101"].status == HouseholdStatus.WILLING
    assert flats["1栋1单元101"].signed_up_on is not None
    assert flats["1栋1单元102"].phone == "13912345678"  # not 13912345678.0
    assert flats["1栋2单元201"].status == HouseholdStatus.DECLINED
    assert flats["2栋301"].status == HouseholdStatus.PENDING
    assert HouseholdEvent.objects.filter(action=HouseholdAction.IMPORT).count() == 4
    rec = AuditRecord.objects.get(object_type="retrofit.household", reason="bulk import")
    assert rec.changes["imported"] == 4 and len(rec.changes["sha256"]) == 64


def test_bad_lines_are_refused_with_their_line_numbers_and_nothing_is_imported(project, people):
    rows = [
        GOOD[0],  # line 2: fine
        ("1", "1", "", "李四", "13800000001", "", ""),  # line 3: no room
        ("1", "1", "103", "王五", "12345", "", ""),  # line 4: bad phone
        ("1", "1", "104", "赵六", "13800000002", "也许", ""),  # line 5: unknown answer
        (None, None, None, None, None, None, None),  # line 6: blank, skipped
        ("1", "1", "101", "重复", "13800000003", "", ""),  # line 7: duplicate of line 2
        ("1", "1", "105", "", "", "", ""),  # line 8: two required cells missing
    ]
    result = _import(project, people.engineer_a, rows)
    assert not result.ok and result.created == 0
    lines = sorted({e.line for e in result.errors})
    assert lines == [3, 4, 5, 7, 8]
    by_line = {}
    for e in result.errors:
        by_line.setdefault(e.line, []).append(e)
    assert by_line[3][0].column == "房号"
    assert by_line[4][0].column == "联系电话" and "12345" in by_line[4][0].message
    assert by_line[5][0].column == "报装意愿"
    assert "2" in by_line[7][0].message  # names the first line of the duplicate
    assert {e.column for e in by_line[8]} == {"联系人", "联系电话"}
    assert not Household.objects.exists()  # not even line 2


def test_a_flat_already_in_the_project_is_refused(project, people, add_household):
    add_household(project, building="1", unit="1", room="101")
    result = _import(project, people.engineer_a, GOOD)
    assert [e.line for e in result.errors] == [2]
    assert "已" in result.errors[0].message or "already" in result.errors[0].message
    assert Household.objects.filter(project=project).count() == 1


def test_headers_are_checked(project, people):
    result = _import(project, people.engineer_a, [("1", "101")], header=("楼号", "房号"))
    messages = " ".join(e.message for e in result.errors)
    assert all(e.line == 1 for e in result.errors)
    assert "楼号" in messages  # unknown column named
    assert {e.column for e in result.errors} >= {"楼栋", "联系人", "联系电话"}  # missing ones
    # a 序号 column is allowed and ignored
    rows = [(1, *GOOD[0])]
    ok = _import(
        project,
        people.engineer_a,
        rows,
        header=("序号", "楼栋", "单元", "房号", "联系人", "联系电话", "报装意愿", "备注"),
    )
    assert ok.ok and ok.created == 1


def test_a_file_that_is_not_excel_or_is_empty(project, people):
    bogus = io.BytesIO(b"building,room\n1,101\n")
    result = services.households_import(
        project=project, actor=people.engineer_a, fileobj=bogus, filename="x.xlsx"
    )
    assert not result.ok and result.errors[0].line == 0
    empty = _import(project, people.engineer_a, [])
    assert not empty.ok and empty.errors[0].line == 0


def test_import_needs_an_open_project_and_the_team(project, people):
    with pytest.raises(PermissionDenied):
        _import(project, people.leader, GOOD)
    services.project_cancel(
        project=project, actor=people.engineer_a, expected_version=None, reason="x"
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    with pytest.raises(RetrofitError) as err:
        _import(project, people.engineer_a, GOOD)
    assert err.value.code == "project_not_active"


def test_the_template_has_the_headers_and_imports_as_is(project, people):
    data = services.template_workbook()
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb.worksheets[0][1]] == [
        "楼栋",
        "单元",
        "房号",
        "联系人",
        "联系电话",
        "报装意愿",
        "备注",
    ]
    assert "填写说明" in wb.sheetnames
    result = services.households_import(
        project=project, actor=people.engineer_a, fileobj=io.BytesIO(data), filename="t.xlsx"
    )
    assert result.ok and result.created == 2
