"""Excel exports of the inspection list, the action plan and the end-of-day list: the same
filters and scope as the page, Chinese headers, phones masked, a bounded number of queries."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongqi.audit.models import AuditRecord
from tongqi.service.choices import InspectionForm, InspectionLevel
from tongqi.service.models import ComplaintEscalation
from tongqi.service.services import inspections as svc

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _sheet(resp):
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return [
        list(r)
        for r in load_workbook(io.BytesIO(resp.getvalue())).active.iter_rows(values_only=True)
    ]


def test_inspections_export_keeps_filters_and_scope(
    world, people, org, django_assert_max_num_queries
):
    for n in range(5):
        svc.inspection_create(
            actor=people.service,
            level=InspectionLevel.COMPANY,
            form=InspectionForm.MYSTERY,
            title=f"暗访{n}",
            target_unit=org.sub_a,
            inspected_on=date(2026, 10, 1 + n),
            inspectors="乙",
        )
    c = _client(people.service)
    c.get(reverse("service:inspections"))  # warm the session
    with django_assert_max_num_queries(12):  # the same for 6 inspections or 6,000
        rows = _sheet(c.get(reverse("service:inspections"), {"export": "1"}))
    assert rows[0][:3] == ["编号", "检查日期", "等级"]
    titles = {r[6] for r in rows[1:]}
    assert "视频抽查" in titles and len(rows) == 7
    # the page's filters apply to the export
    rows = _sheet(c.get(reverse("service:inspections"), {"export": "1", "level": "team"}))
    assert [r[6] for r in rows[1:]] == ["视频抽查"]
    assert AuditRecord.objects.filter(action="export", object_type="service.inspection").exists()
    # another subsidiary's service manager exports none of 甲公司's inspections
    rows = _sheet(_client(world["other"]).get(reverse("service:inspections"), {"export": "1"}))
    assert len(rows) == 1


def test_action_plan_export(world, people, django_assert_max_num_queries):
    c = _client(people.service)
    c.get(reverse("service:plan"))
    with django_assert_max_num_queries(12):
        rows = _sheet(c.get(reverse("service:plan"), {"export": "1"}))
    assert "主要任务" in rows[0] and "逾期次数" in rows[0]
    assert len(rows) == 1 + world["task"].plan.tasks.count()
    assert any(r[0] == 13 for r in rows[1:])
    # the page's status filter applies
    rows = _sheet(c.get(reverse("service:plan"), {"export": "1", "status": "done"}))
    assert len(rows) == 1 + world["task"].plan.tasks.filter(status="done").count()


def test_end_of_day_export_masks_the_phone(world, people):
    today = timezone.localdate()
    ComplaintEscalation.objects.create(
        complaint=world["complaint"], day=today, days_late=2, notified=["周建国"]
    )
    rows = _sheet(
        _client(people.service).get(
            reverse("service:complaints_eod"), {"day": today.isoformat(), "export": "1"}
        )
    )
    header, row = rows[0], rows[1]
    assert header[0] == "日期" and any("电话" in str(h) for h in header)
    cells = [str(v) for v in row]
    assert "139****5678" in cells and not any("13912345678" in v for v in cells)
    assert 2 in row
    # another subsidiary sees nothing of it
    rows = _sheet(
        _client(world["other"]).get(
            reverse("service:complaints_eod"), {"day": today.isoformat(), "export": "1"}
        )
    )
    assert len(rows) == 1
