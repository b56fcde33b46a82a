"""Every retrofit page through the permission matrix; list query counts; the pages' own rules
(masked phones, audited full view, the import report, uploads, exports)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongqi.audit.choices import AuditAction
from tongqi.audit.models import AuditRecord
from tongqi.retrofit import services
from tongqi.retrofit.choices import Body, HouseholdStatus, ProjectStatus, Stage
from tongqi.retrofit.models import Household, Material, Project
from tongqi.testing.matrix import assert_matrix

from .conftest import xlsx

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(project, people, add_household, make_user, org):
    """A project with a household, an issue, a notice and a material; viewers of each kind."""
    from tongqi.accounts.choices import Role

    h = add_household(project, status=HouseholdStatus.WILLING, phone="13912345678")
    issue = services.issue_create(
        project=project, actor=people.engineer_a, title="违建", responsible_body=Body.STREET_OFFICE
    )
    notice = services.notice_generate(household=h, actor=people.engineer_a)
    material = services.material_upload(
        project=project,
        actor=people.engineer_a,
        kind="leaflet",
        title="宣传单",
        uploaded=SimpleUploadedFile("leaflet.pdf", PDF, content_type="application/pdf"),
    )
    return {
        "p": project,
        "h": h,
        "issue": issue,
        "notice": notice,
        "material": material,
        "engineer_b": make_user(Role.ENGINEER, org.sub_b),
    }


@pytest.fixture
def fast_pdf(monkeypatch):
    """The matrix checks who may download, not the drawing (tested once for real below)."""
    from tongqi.retrofit.views import notices

    monkeypatch.setattr(notices, "render_notices", lambda ns: b"%PDF-1.4 stub")


def _read_pages(world):
    p, h, i, n, m = world["p"], world["h"], world["issue"], world["notice"], world["material"]
    return [
        reverse("retrofit:detail", args=[p.pk]),
        reverse("retrofit:events", args=[p.pk]),
        reverse("retrofit:households", args=[p.pk]),
        reverse("retrofit:households_export", args=[p.pk]),
        reverse("retrofit:household", args=[p.pk, h.pk]),
        reverse("retrofit:issues", args=[p.pk]),
        reverse("retrofit:issues_export", args=[p.pk]),
        reverse("retrofit:issue", args=[p.pk, i.pk]),
        reverse("retrofit:notices", args=[p.pk]),
        reverse("retrofit:notices_export", args=[p.pk]),
        reverse("retrofit:notice_pdf", args=[p.pk, n.pk]),
        reverse("retrofit:notices_pdf", args=[p.pk]),
        reverse("retrofit:materials", args=[p.pk]),
        reverse("retrofit:materials_export", args=[p.pk]),
        reverse("retrofit:stages_export", args=[p.pk]),
        reverse("retrofit:material_download", args=[p.pk, m.pk]),
    ]


def _manage_get_pages(world):
    p, h, i, n = world["p"], world["h"], world["issue"], world["notice"]
    return [
        reverse("retrofit:edit", args=[p.pk]),
        reverse("retrofit:action", args=[p.pk, "advance"]),
        reverse("retrofit:action", args=[p.pk, "cancel"]),
        reverse("retrofit:stage_edit", args=[p.pk, Stage.SURVEY]),
        reverse("retrofit:household_create", args=[p.pk]),
        reverse("retrofit:household_import", args=[p.pk]),
        reverse("retrofit:household_edit", args=[p.pk, h.pk]),
        reverse("retrofit:issue_create", args=[p.pk]),
        reverse("retrofit:issue_edit", args=[p.pk, i.pk]),
        reverse("retrofit:notice_deliver", args=[p.pk, n.pk]),
    ]


def test_list_pages_matrix(people):
    for url in (
        reverse("retrofit:list"),
        reverse("retrofit:export"),
        reverse("retrofit:summary"),
        reverse("retrofit:summary_export"),
        reverse("retrofit:issue_board"),
        reverse("retrofit:issue_board_export"),
        reverse("retrofit:import_template"),
    ):
        assert_matrix(url, allowed=people.leader_a, wrong_role=people.counter_a)
    assert_matrix(reverse("retrofit:create"), allowed=people.engineer_a, wrong_role=people.leader_a)


def test_read_pages_matrix(world, people, fast_pdf):
    for url in _read_pages(world):
        # viewers without the manage capability read; the counter clerk has no retrofit pages;
        # 乙公司's account manager cannot reach 甲公司's project by URL
        assert_matrix(
            url, allowed=people.am_a, wrong_role=people.counter_a, other_scope=people.am_b
        )


def test_manage_pages_matrix(world, people):
    for url in _manage_get_pages(world):
        assert_matrix(
            url,
            allowed=people.engineer_a,
            wrong_role=people.leader_a,
            other_scope=world["engineer_b"],
        )


def test_post_actions_matrix(world, people):
    p, h, i, n, m = world["p"], world["h"], world["issue"], world["notice"], world["material"]
    posts = [
        (reverse("retrofit:action", args=[p.pk, "suspend"]), {"reason": "停工"}),
        (
            reverse("retrofit:contact_add", args=[p.pk]),
            {"body": "community", "name": "方丽萍", "phone": "13507100001"},
        ),
        (reverse("retrofit:household_action", args=[p.pk, h.pk, "withdraw"]), {"reason": "x"}),
        (reverse("retrofit:household_phone", args=[p.pk, h.pk]), {}),
        (reverse("retrofit:household_bulk", args=[p.pk]), {"action": "decline", "ids": [h.pk]}),
        (reverse("retrofit:issue_action", args=[p.pk, i.pk, "resolve"]), {"resolution": "ok"}),
        (reverse("retrofit:notice_void", args=[p.pk, n.pk]), {"reason": "错"}),
        (reverse("retrofit:notice_generate", args=[p.pk]), {}),
        (reverse("retrofit:material_delete", args=[p.pk, m.pk]), {}),
    ]
    for url, data in posts:
        assert_matrix(
            url,
            method="post",
            data=data,
            allowed=people.engineer_a,
            wrong_role=people.leader_a if "phone" not in url else people.counter_a,
            other_scope=world["engineer_b"],
            ok_status=(200, 302),
        )
    # and the actions happened for the one allowed to act
    assert Project.objects.get(pk=p.pk).status == ProjectStatus.SUSPENDED
    assert not Material.objects.exists()


def test_list_pages_query_counts_do_not_grow(
    django_assert_max_num_queries, make_project, people, add_household
):
    client = Client()
    client.force_login(people.engineer_a)
    for n in range(12):
        p = make_project(name=f"小区{n}")
        for _ in range(3):
            add_household(p, status=HouseholdStatus.WILLING)
        services.issue_create(project=p, actor=people.engineer_a, title="问题")
    p = Project.objects.order_by("pk").first()
    for _ in range(40):
        add_household(p)
    services.notices_generate_batch(project=p, actor=people.engineer_a)
    for url in (
        reverse("retrofit:list"),
        reverse("retrofit:summary"),
        reverse("retrofit:issue_board"),
        reverse("retrofit:households", args=[p.pk]),
        reverse("retrofit:notices", args=[p.pk]),
        reverse("retrofit:issues", args=[p.pk]),
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_household_list_and_export_mask_the_phone(world, people):
    client = Client()
    client.force_login(people.leader_a)
    p = world["p"]
    html = client.get(reverse("retrofit:households", args=[p.pk])).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    resp = client.get(reverse("retrofit:households_export", args=[p.pk]))
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][5] == "联系电话"
    assert rows[1][5] == "139****5678"
    assert AuditRecord.objects.filter(action=AuditAction.EXPORT).exists()


def test_full_phone_view_is_audited(world, people):
    client = Client()
    client.force_login(people.leader_a)  # PII_FULL
    p, h = world["p"], world["h"]
    before = AuditRecord.objects.filter(action=AuditAction.VIEW_PII).count()
    detail = client.get(reverse("retrofit:household", args=[p.pk, h.pk])).content.decode()
    assert "13912345678" not in detail
    resp = client.post(reverse("retrofit:household_phone", args=[p.pk, h.pk]))
    assert "13912345678" in resp.content.decode()
    assert AuditRecord.objects.filter(action=AuditAction.VIEW_PII).count() == before + 1
    marketing = Client()
    marketing.force_login(people.marketing)  # reads retrofit, no PII_FULL
    assert marketing.post(reverse("retrofit:household_phone", args=[p.pk, h.pk])).status_code == 403


def test_import_page_reports_bad_lines_and_imports_nothing(project, people):
    client = Client()
    client.force_login(people.engineer_a)
    url = reverse("retrofit:household_import", args=[project.pk])
    bad = xlsx(
        [
            ("1", "1", "101", "张三", "13800000001", "同意", ""),
            ("1", "1", "102", "李四", "1380000", "", ""),
        ]
    )
    resp = client.post(url, {"file": SimpleUploadedFile("h.xlsx", bad.getvalue())})
    html = resp.content.decode()
    assert resp.status_code == 200 and "1380000" in html
    assert '<td data-label="行" class="mono">3</td>' in html or ">3</td>" in html
    assert not Household.objects.exists()
    good = xlsx([("1", "1", "101", "张三", "13800000001", "同意", "")])
    resp = client.post(url, {"file": SimpleUploadedFile("h.xlsx", good.getvalue())})
    assert resp.status_code == 302 and Household.objects.count() == 1
    resp = client.post(url, {"file": SimpleUploadedFile("h.csv", b"a,b")})
    assert resp.status_code == 200 and "xlsx" in resp.content.decode()


def test_project_form_errors_are_field_level_and_nothing_is_saved(people, org):
    client = Client()
    client.force_login(people.engineer_a)
    resp = client.post(
        reverse("retrofit:create"),
        {
            "name": "",
            "address": "x",
            "district": org.district_a.pk,
            "street_office": "x",
            "community_committee": "x",
            "org_unit": org.sub_b.pk,  # out of scope: not even offered
            "households_total": "0",
        },
    )
    assert resp.status_code == 200
    form = resp.context["form"]
    assert {"name", "org_unit", "households_total"} <= set(form.errors)
    assert not Project.objects.exists()
    resp = client.post(
        reverse("retrofit:create"),
        {
            "name": "新小区",
            "address": "武汉市武昌区某路1号",
            "district": org.district_a.pk,
            "street_office": "某街道办事处",
            "community_committee": "某社区居委会",
            "org_unit": org.grid_a.unit.pk,
            "households_total": "80",
        },
    )
    assert resp.status_code == 302
    assert Project.objects.get().org_unit == org.grid_a.unit


def test_action_page_shows_the_guard_as_an_error(project, people):
    client = Client()
    client.force_login(people.engineer_a)
    services.project_advance(project=project, actor=people.engineer_a, expected_version=None)
    resp = client.post(reverse("retrofit:action", args=[project.pk, "advance"]), {"version": 2})
    assert resp.status_code == 200
    assert "报装" in resp.content.decode() or "sign" in resp.content.decode()
    resp = client.post(reverse("retrofit:action", args=[project.pk, "suspend"]), {"version": 1})
    assert resp.status_code == 200  # stale version and no reason: refused on the page
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACTIVE
    assert client.get(reverse("retrofit:action", args=[project.pk, "explode"])).status_code == 404


def test_material_upload_checks_the_content(project, people):
    client = Client()
    client.force_login(people.engineer_a)
    url = reverse("retrofit:materials", args=[project.pk])
    fake = SimpleUploadedFile("poster.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    resp = client.post(url, {"kind": "poster", "title": "展板", "file": fake})
    assert resp.status_code == 200 and "file" in resp.context["form"].errors
    assert not Material.objects.exists()
    good = SimpleUploadedFile("poster.pdf", PDF, content_type="application/pdf")
    resp = client.post(url, {"kind": "poster", "title": "展板", "file": good})
    assert resp.status_code == 302
    m = Material.objects.get()
    assert m.file_type == "pdf" and m.size == len(PDF)
    download = client.get(reverse("retrofit:material_download", args=[project.pk, m.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_printing_a_building_gives_one_pdf(project, people, add_household):
    for room in ("101", "102"):
        add_household(project, status=HouseholdStatus.WILLING, building="5", room=room)
    add_household(project, status=HouseholdStatus.WILLING, building="6", room="101")
    client = Client()
    client.force_login(people.engineer_a)
    resp = client.post(reverse("retrofit:notice_generate", args=[project.pk]), {"building": "5"})
    assert resp.status_code == 302 and project.notices.count() == 2
    resp = client.get(reverse("retrofit:notices_pdf", args=[project.pk]), {"building": "5"})
    assert resp["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "5栋1单元101" in text and "5栋1单元102" in text and "6栋" not in text


def test_navigation_shows_retrofit_to_readers_only(people):
    from tongqi.web.nav import items_for

    assert "retrofit:list" in {i.url_name for i in items_for(people.leader)}
    assert "retrofit:summary" in {i.url_name for i in items_for(people.engineer_a)}
    assert "retrofit:list" not in {i.url_name for i in items_for(people.counter_a)}
    assert "retrofit:list" not in {i.url_name for i in items_for(people.auditor)}


def test_bulk_step_moves_all_or_none(project, people, add_household, at_stage):
    # given three signed-up households and one that never signed up, at construction
    ok = [add_household(project, status=HouseholdStatus.WILLING) for _ in range(3)]
    pending = add_household(project)
    at_stage(project, Stage.CONSTRUCTION)
    client = Client()
    client.force_login(people.engineer_a)
    url = reverse("retrofit:household_bulk", args=[project.pk])
    # when the pending one is ticked with them, nothing moves and it is named
    resp = client.post(
        url, {"action": "install", "ids": [h.pk for h in [*ok, pending]]}, follow=True
    )
    assert pending.label in resp.content.decode()
    assert not Household.objects.filter(status=HouseholdStatus.INSTALLED).exists()
    # when only the signed-up ones are ticked, all three move
    resp = client.post(url, {"action": "install", "ids": [h.pk for h in ok]})
    assert resp.status_code == 302
    assert Household.objects.filter(status=HouseholdStatus.INSTALLED).count() == 3
    # another project's household id is refused
    assert client.post(url, {"action": "connect", "ids": [999999]}).status_code == 302
    assert client.post(url, {"action": "withdraw", "ids": [ok[0].pk]}).status_code == 302
    assert Household.objects.get(pk=ok[0].pk).status == HouseholdStatus.INSTALLED


def test_project_list_flags_a_stage_behind_plan(project, people):
    from datetime import timedelta

    from django.utils import timezone

    record = project.stages.get(stage=Stage.SURVEY)
    services.stage_update(
        record=record,
        actor=people.engineer_a,
        expected_version=None,
        planned_start=timezone.localdate() - timedelta(days=20),
        planned_end=timezone.localdate() - timedelta(days=1),
    )
    client = Client()
    client.force_login(people.leader_a)
    html = client.get(reverse("retrofit:list")).content.decode()
    assert "tag-red" in html


def test_issue_board_filters_by_body_and_overdue(project, people):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    services.issue_create(
        project=project,
        actor=people.engineer_a,
        title="街道逾期问题",
        responsible_body=Body.STREET_OFFICE,
        due_date=today - timedelta(days=1),
    )
    services.issue_create(
        project=project, actor=people.engineer_a, title="居民问题", responsible_body=Body.RESIDENTS
    )
    client = Client()
    client.force_login(people.leader_a)
    url = reverse("retrofit:issue_board")
    html = client.get(url, {"body": Body.RESIDENTS}).content.decode()
    assert "居民问题" in html and "街道逾期问题" not in html
    html = client.get(url, {"overdue": "1"}).content.decode()
    assert "街道逾期问题" in html and "居民问题" not in html
    html = client.get(reverse("retrofit:summary"), {"open_only": "1"}).content.decode()
    assert project.name in html
