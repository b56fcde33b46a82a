"""The municipal report: its columns, the filters (period, subsidiary, status), scoping, the
Excel export, and monthly snapshots that reproduce a past report after the data changed."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongqi.audit.models import AuditRecord
from tongqi.core.workdays import SHANGHAI
from tongqi.integration import outbox
from tongqi.works import report as rpt
from tongqi.works import services as svc
from tongqi.works.choices import SnapshotTrigger
from tongqi.works.models import Project, ReportSnapshot
from tongqi.works.services.snapshots import month_start, previous_month

from .helpers import external_application, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def eng_b(org, make_user):
    return make_user("engineer", org.sub_b)


@pytest.fixture
def eng_hq(org, make_user):
    from tongqi.accounts.choices import UnitKind
    from tongqi.testing.factories import OrgUnitFactory

    dept = OrgUnitFactory(
        name="工程管理部", code="eng-dept", kind=UnitKind.DEPARTMENT, parent=org.company
    )
    return make_user("engineer", dept)


@pytest.fixture
def projects(org, people, eng_b):
    """Three projects in two subsidiaries, different periods and stages."""
    today = timezone.localdate()
    a1 = make_project(
        org,
        people.engineer_a,
        name="甲一 光谷大道延伸",
        planned_start=today - timedelta(days=40),
        expected_gas_on=today - timedelta(days=5),
        investment=Decimal("1280000.50"),
    )
    a2 = make_project(
        org,
        people.engineer_a,
        name="甲二 高新大道配套",
        planned_start=today + timedelta(days=60),
        expected_gas_on=today + timedelta(days=120),
        reason_kind="road_works",
        reason="",
    )
    b1 = make_project(
        org,
        eng_b,
        unit=org.sub_b,
        name="乙一 三阳路配套",
        location="114.3000, 30.5985",
        planned_start=today - timedelta(days=10),
        expected_gas_on=today + timedelta(days=20),
    )
    svc.project_transition(project=b1, action="cancel", actor=eng_b, reason="规划调整")
    return a1, a2, b1


def test_report_rows_carry_the_municipal_columns(org, people, projects):
    a1, _a2, _b1 = projects
    app = external_application(org, people)
    svc.project_link_application(project=a1, application=app, actor=people.engineer_a)
    rows = {r["name"]: r for r in rpt.live_rows(None)}
    row = rows["甲一 光谷大道延伸"]
    assert row["number"] == a1.number
    assert row["org_unit"] == "甲公司" and row["district"] == "武昌区"
    assert row["location"] == "光谷大道 关山大道至高新大道段"
    assert row["reason_kind"] == "new_customers" and row["reason"] == "沿线新增餐饮用户报装配套"
    assert row["start"] == a1.planned_start.isoformat() and row["start_actual"] is False
    assert row["expected_gas_on"] == a1.expected_gas_on.isoformat()
    assert row["investment"] == "1280000.50"
    assert row["status"] == "planned" and row["late"] is True
    assert row["applications"] == [{"number": app.number, "enterprise": app.enterprise.name}]
    shown = rpt.ReportRow(row)
    assert shown.applications_text == f"{app.number}（{app.enterprise.name}）"
    assert shown.reason_text.endswith("：沿线新增餐饮用户报装配套")


def test_filters_status_subsidiary_and_period(org, people, projects):
    today = timezone.localdate()

    def names(f):
        return sorted(r["name"] for r in rpt.live_rows(None, f))

    assert names(rpt.ReportFilters(status="cancelled")) == ["乙一 三阳路配套"]
    assert names(rpt.ReportFilters(unit=org.sub_a)) == ["甲一 光谷大道延伸", "甲二 高新大道配套"]
    # the period keeps projects whose works overlap it
    last_month = rpt.ReportFilters(
        date_from=today - timedelta(days=35), date_to=today - timedelta(days=15)
    )
    assert names(last_month) == ["甲一 光谷大道延伸"]
    next_quarter = rpt.ReportFilters(
        date_from=today + timedelta(days=100), date_to=today + timedelta(days=190)
    )
    assert names(next_quarter) == ["甲二 高新大道配套"]
    # the company unit holds everything below it
    assert len(names(rpt.ReportFilters(unit=org.company))) == 3


def test_snapshot_filters_give_the_same_answer_as_live(org, people, projects):
    svc.snapshot_close_month()
    snap = ReportSnapshot.objects.get()
    today = timezone.localdate()
    filters = [
        rpt.ReportFilters(),
        rpt.ReportFilters(status="planned"),
        rpt.ReportFilters(unit=org.sub_b),
        rpt.ReportFilters(date_from=today - timedelta(days=30), date_to=today),
        rpt.ReportFilters(date_from=today + timedelta(days=100)),
    ]
    for f in filters:
        for user in (people.leader, people.engineer_a):
            live = [r["id"] for r in rpt.live_rows(user, f)]
            kept = [r["id"] for r in rpt.snapshot_rows(snap, user, f)]
            assert live == kept, f


def test_a_subsidiary_sees_only_its_own_projects(org, people, projects, eng_b):
    assert {r["name"] for r in rpt.live_rows(eng_b)} == {"乙一 三阳路配套"}
    assert {r["name"] for r in rpt.live_rows(people.engineer_a)} == {
        "甲一 光谷大道延伸",
        "甲二 高新大道配套",
    }
    assert len(rpt.live_rows(people.leader)) == 3
    assert rpt.live_rows(people.customer) == []
    # and the same in a kept snapshot
    svc.snapshot_close_month()
    snap = ReportSnapshot.objects.get()
    assert {r["name"] for r in rpt.snapshot_rows(snap, eng_b)} == {"乙一 三阳路配套"}


def _xlsx(resp):
    data = b"".join(resp.streaming_content)
    return load_workbook(io.BytesIO(data), read_only=True).active


def test_excel_export_opens_and_holds_the_rows_with_chinese_headers(org, people, projects):
    c = Client()
    c.force_login(people.leader)
    c.cookies["tongqi_language"] = "en"  # the regulator's report stays Chinese
    resp = c.get(reverse("works:report_export"), {"status": "planned"})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = _xlsx(resp)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "项目编号",
        "项目名称",
        "所属单位",
        "项目位置",
        "配套原因",
        "实施时间",
        "预计通气时间",
        "投资额（元）",
        "项目状态",
        "关联报装",
    )
    body = rows[1:]
    assert {r[2] for r in body} == {"甲一 光谷大道延伸", "甲二 高新大道配套"}
    first = next(r for r in body if r[2] == "甲一 光谷大道延伸")
    assert first[8] == 1280000.5 and first[9].startswith("计划") and "逾期" in first[9]
    assert isinstance(first[6], datetime)  # a real date cell
    assert AuditRecord.objects.filter(action="export", object_type="works.report").exists()


def test_snapshot_reproduces_a_past_report_after_the_data_changes(org, people, projects):
    a1, a2, _b1 = projects
    # given last month's report was kept
    snap = svc.snapshot_close_month()
    assert snap.final and snap.trigger == SnapshotTrigger.AUTO
    assert snap.month == previous_month(timezone.localdate())
    before = rpt.snapshot_rows(snap, people.leader)
    # when the projects change afterwards
    Project.objects.filter(pk=a1.pk).update(name="改名后的项目", investment=Decimal("1"))
    svc.project_transition(project=a2, action="cancel", actor=people.engineer_a, reason="x")
    # then the kept month is unchanged, live shows the change
    snap.refresh_from_db()
    assert rpt.snapshot_rows(snap, people.leader) == before
    assert "改名后的项目" in {r["name"] for r in rpt.live_rows(people.leader)}
    # and the report screen renders the kept month as it was
    c = Client()
    c.force_login(people.leader)
    resp = c.get(reverse("works:report"), {"source": snap.month.strftime("%Y-%m")})
    html = resp.content.decode()
    assert "甲一 光谷大道延伸" in html and "改名后的项目" not in html
    assert "¥1,280,000.50" in html
    resp = c.get(reverse("works:report"))
    assert "改名后的项目" in resp.content.decode()


def test_the_monthly_job_is_idempotent_and_never_replaces_a_final_month(org, people, projects):
    outbox.discover()
    job = outbox.HANDLERS["periodic.works.monthly_snapshot"]
    job(None)
    job(None)
    assert ReportSnapshot.objects.count() == 1
    snap = ReportSnapshot.objects.get()
    Project.objects.update(name="变了")
    job(None)
    snap.refresh_from_db()
    assert "变了" not in {r["name"] for r in snap.rows}


def test_the_job_is_scheduled_daily_at_one(db):
    outbox.discover()
    job = outbox.PERIODIC["works.monthly_snapshot"]
    assert job.daily_at.hour == 1
    first = datetime(2026, 12, 1, 1, 5, tzinfo=SHANGHAI)
    assert job.period_key(first) == "2026-12-01"
    assert job.period_key(first - timedelta(hours=1)) is None


def test_the_job_closes_the_month_before_the_run(org, people, projects):
    now = datetime(2026, 3, 1, 1, 0, tzinfo=SHANGHAI)
    snap = svc.snapshot_close_month(now=now)
    assert snap.month == date(2026, 2, 1)
    now = datetime(2026, 1, 1, 1, 0, tzinfo=SHANGHAI)
    assert svc.snapshot_close_month(now=now).month == date(2025, 12, 1)


def test_snapshot_now_is_provisional_and_replaced_by_the_final_one(org, people, projects, eng_hq):
    now = timezone.now()
    snap = svc.snapshot_now(actor=eng_hq, now=now)
    assert snap.month == month_start(timezone.localdate(now)) and not snap.final
    assert snap.trigger == SnapshotTrigger.MANUAL and snap.taken_by == eng_hq
    # retaken by hand while the month runs
    Project.objects.update(name="更新")
    again = svc.snapshot_now(actor=eng_hq, now=now)
    assert again.pk == snap.pk and {r["name"] for r in again.rows} == {"更新"}
    # the month's final snapshot replaces it once, then it is frozen
    next_month = month_start(timezone.localdate(now)) + timedelta(days=32)
    later = timezone.make_aware(datetime.combine(next_month.replace(day=1), datetime.min.time()))
    final = svc.snapshot_close_month(now=later + timedelta(hours=1))
    assert final.pk == snap.pk and final.final and final.trigger == SnapshotTrigger.AUTO
    with pytest.raises(svc.IllegalTransition):
        svc.snapshot_now(actor=eng_hq, now=now)


def test_only_company_wide_engineering_staff_take_snapshots(org, people, eng_hq):
    assert svc.can_snapshot(eng_hq)
    for who in (people.engineer_a, people.leader, people.am_a):
        assert not svc.can_snapshot(who)
        with pytest.raises(svc.Forbidden):
            svc.snapshot_now(actor=who)


def test_report_screen_filters_and_query_count(
    org, people, projects, django_assert_max_num_queries
):
    for i in range(8):
        make_project(org, people.engineer_a, name=f"批量项目{i}")
    c = Client()
    c.force_login(people.leader)
    with django_assert_max_num_queries(20):
        resp = c.get(reverse("works:report"), {"unit": org.sub_a.pk, "status": "planned"})
    html = resp.content.decode()
    assert "乙一 三阳路配套" not in html and "批量项目7" in html
    resp = c.get(reverse("works:report"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()


def test_the_live_report_screen_builds_only_the_rows_of_its_page(
    org, people, projects, django_assert_max_num_queries
):
    for i in range(57):
        make_project(org, people.engineer_a, name=f"分页项目{i:02d}", investment=Decimal(1000 + i))
    every = rpt.live_rows(people.leader)
    assert len(every) == 60
    c = Client()
    c.force_login(people.leader)
    with django_assert_max_num_queries(20):
        first = c.get(reverse("works:report")).content.decode()
    second = c.get(reverse("works:report"), {"page": 2}).content.decode()
    # the count and the total are of the whole report; the rows are the page's, in report order
    total = sum(Decimal(r["investment"]) for r in every)
    for html in (first, second):
        assert "60 个项目" in html or "60 projects" in html
        assert f"¥{total:,.2f}" in html
    assert every[0]["name"] in first and every[49]["name"] in first
    assert every[50]["name"] not in first and every[50]["name"] in second
    assert every[-1]["name"] in second
    # sorting happens in the database, over every project
    top = c.get(reverse("works:report"), {"sort": "-investment"}).content.decode()
    richest = max(every, key=lambda r: Decimal(r["investment"]))
    poorest = min(every, key=lambda r: Decimal(r["investment"]))
    assert richest["name"] in top and poorest["name"] not in top
