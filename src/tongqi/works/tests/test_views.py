"""Every works page through the permission matrix, the forms' errors, bounded queries on the
lists, and the panels on the application page (customer and staff)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tongqi.accounts.choices import Role, UnitKind
from tongqi.applications.panels import panels_for
from tongqi.testing.factories import OrgUnitFactory
from tongqi.testing.matrix import assert_matrix
from tongqi.works import services as svc
from tongqi.works.models import Project, ProjectLink

from .helpers import ROUTE, external_application, fresh, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def eng_b(org, make_user):
    return make_user(Role.ENGINEER, org.sub_b)


@pytest.fixture
def project(org, people):
    return make_project(org, people.engineer_a, approvals_needed=["road_excavation"])


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- the matrix --------------------------------------------------------------------------------


def test_read_pages_matrix(org, people, project, eng_b):
    pk = project.pk
    for url, other in (
        (reverse("works:detail", args=[pk]), eng_b),
        (reverse("works:list"), None),
        (reverse("works:export"), None),
        (reverse("works:report"), None),
        (reverse("works:report_export"), None),
        (reverse("works:planning"), None),
        (reverse("works:planning") + f"?mode=project&project={pk}&radius_km=2", None),
    ):
        assert_matrix(url, allowed=people.leader_a, wrong_role=people.customer, other_scope=other)
        assert_matrix(url, allowed=people.am_a, wrong_role=people.counter_a)
        assert_matrix(url, allowed=people.engineer_a, wrong_role=people.reader_a)


def test_manage_pages_matrix(org, people, project, eng_b):
    pk = project.pk
    for url, other in (
        (reverse("works:workbench"), None),
        (reverse("works:create"), None),
        (reverse("works:edit", args=[pk]), eng_b),
        (reverse("works:approval", args=[pk, "road_excavation"]), eng_b),
    ):
        assert_matrix(url, allowed=people.engineer_a, wrong_role=people.leader, other_scope=other)
        assert_matrix(url, allowed=people.engineer_a, wrong_role=people.customer)


def test_actions_matrix(org, people, project, eng_b):
    pk = project.pk
    app = external_application(org, people)
    v = {"version": ""}
    posts = [
        (reverse("works:note", args=[pk]), {"text": "进展"}),
        (reverse("works:link", args=[pk]), {"application": app.number}),
        (reverse("works:sync", args=[pk]), {}),
        (reverse("works:transition", args=[pk, "submit_approvals"]), v),
        (reverse("works:approval_remove", args=[pk, "road_excavation"]), v),
        (reverse("works:unlink", args=[pk, app.pk]), v),
    ]
    for url, data in posts:
        assert_matrix(
            url,
            method="post",
            data=data,
            allowed=people.engineer_a,
            wrong_role=people.leader_a,
            other_scope=eng_b,
            ok_status=302,
        )
    # the panel's link / unlink: another subsidiary's engineer cannot see the application
    assert_matrix(
        reverse("works:app_link", args=[app.pk]),
        method="post",
        data={"project": pk},
        allowed=people.engineer_a,
        wrong_role=people.am_a,
        other_scope=eng_b,
        ok_status=302,
    )
    assert ProjectLink.objects.filter(application=app, project=project).exists()
    assert_matrix(
        reverse("works:app_unlink", args=[app.pk]),
        method="post",
        allowed=people.engineer_a,
        wrong_role=people.am_a,
        other_scope=eng_b,
        ok_status=302,
    )
    assert not ProjectLink.objects.filter(application=app).exists()


def test_gets_are_refused_on_actions(people, project):
    c = client_for(people.engineer_a)
    assert c.get(reverse("works:note", args=[project.pk])).status_code == 405


# --- forms -------------------------------------------------------------------------------------


def _form_data(org, **kw):
    today = timezone.localdate()
    data = {
        "name": "高新大道配套工程",
        "org_unit": org.sub_a.pk,
        "district": org.grid_a.district.pk,
        "grid": org.grid_a.pk,
        "location_desc": "高新大道",
        "location": ROUTE,
        "reason_kind": "new_customers",
        "reason": "",
        "pressure_level": "medium",
        "length_m": "800",
        "forecast_load": "50",
        "forecast_annual_volume": "100000",
        "planned_start": today.isoformat(),
        "expected_gas_on": (today + timedelta(days=30)).isoformat(),
        "investment": "280000",
        "engineer": "",
        "approvals_needed": ["road_excavation"],
    }
    data.update(kw)
    return data


def test_create_shows_field_errors_and_saves_nothing(org, people):
    c = client_for(people.engineer_a)
    resp = c.post(reverse("works:create"), _form_data(org, location="30.5, 114.4"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="field-location"' in html and "errorlist" in html
    assert not Project.objects.exists()
    resp = c.post(reverse("works:create"), _form_data(org, expected_gas_on="2000-01-01"))
    assert resp.status_code == 200 and not Project.objects.exists()
    resp = c.post(reverse("works:create"), _form_data(org, org_unit=org.sub_b.pk))
    assert resp.status_code == 200 and not Project.objects.exists()


def test_create_and_edit(org, people):
    c = client_for(people.engineer_a)
    resp = c.post(reverse("works:create"), _form_data(org))
    p = Project.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("works:detail", args=[p.pk])
    assert p.approvals.filter(kind="road_excavation").exists()
    resp = c.post(
        reverse("works:edit", args=[p.pk]),
        {**_form_data(org, name="改名"), "version": p.version},
    )
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.name == "改名" and p.version == 2
    # a stale page: a conflict message, nothing saved, no 500
    resp = c.post(
        reverse("works:edit", args=[p.pk]),
        {**_form_data(org, name="再改"), "version": 1},
    )
    assert resp.status_code == 200
    p.refresh_from_db()
    assert p.name == "改名"


def test_approval_form_and_transition_errors_are_messages(org, people, project):
    c = client_for(people.engineer_a)
    url = reverse("works:approval", args=[project.pk, "road_excavation"])
    resp = c.post(url, {"granted_on": timezone.localdate().isoformat(), "version": project.version})
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    resp = c.post(
        url,
        {"applied_on": timezone.localdate().isoformat(), "version": project.version},
        follow=True,
    )
    assert resp.status_code == 200
    assert project.approvals.get(kind="road_excavation").applied_on == timezone.localdate()
    # the works cannot start while an approval is awaited: the button is not there, and a
    # forged post is refused with a message
    resp = c.get(reverse("works:detail", args=[project.pk]))
    assert reverse("works:transition", args=[project.pk, "start_construction"]) not in (
        resp.content.decode()
    )
    resp = c.post(reverse("works:transition", args=[project.pk, "start_construction"]), follow=True)
    assert resp.status_code == 200 and "alert-error" in resp.content.decode()
    assert c.post(reverse("works:transition", args=[project.pk, "fly"])).status_code == 404
    assert c.get(reverse("works:approval", args=[project.pk, "fly"])).status_code == 404


def test_list_filters_and_query_count(org, people, eng_b, django_assert_max_num_queries):
    for i in range(12):
        make_project(org, people.engineer_a, name=f"项目{i:02d}")
    make_project(org, eng_b, unit=org.sub_b, name="乙的项目")
    c = client_for(people.leader)
    with django_assert_max_num_queries(15):
        resp = c.get(reverse("works:list"))
    assert resp.status_code == 200
    resp = c.get(reverse("works:list"), {"unit": org.sub_b.pk})
    html = resp.content.decode()
    assert "乙的项目" in html and "项目00" not in html
    resp = client_for(people.engineer_a).get(reverse("works:list"))
    assert "乙的项目" not in resp.content.decode()


def test_detail_and_workbench_query_counts(org, people, project, django_assert_max_num_queries):
    for i in range(4):
        app = external_application(org, people, n=i)
        svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    c = client_for(people.engineer_a)
    with django_assert_max_num_queries(40):
        assert c.get(reverse("works:detail", args=[project.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert c.get(reverse("works:workbench")).status_code == 200


def test_workbench_lists_mine_waiting_and_late(org, people):
    eng = people.engineer_a
    today = timezone.localdate()
    late = make_project(
        org,
        eng,
        name="逾期项目",
        engineer=eng,
        planned_start=today - timedelta(days=50),
        expected_gas_on=today - timedelta(days=3),
    )
    waiting = make_project(org, eng, name="等审批项目", approvals_needed=["road_occupation"])
    svc.approval_save(
        project=waiting, actor=eng, kind="road_occupation", applied_on=today - timedelta(days=7)
    )
    html = client_for(eng).get(reverse("works:workbench")).content.decode()
    mine = html.split('id="waiting"')[0]
    assert "逾期项目" in mine  # in my projects
    assert "等审批项目" in html.split('id="waiting"')[1].split('id="late"')[0]
    assert "逾期项目" in html.split('id="late"')[1].split('id="risk"')[0]
    assert late.is_late()


def test_snapshot_now_button_is_for_company_engineering(org, people):
    dept = OrgUnitFactory(
        name="工程管理部", code="eng", kind=UnitKind.DEPARTMENT, parent=org.company
    )
    from tongqi.testing.factories import UserFactory

    hq = UserFactory(role=Role.ENGINEER, org_unit=dept)
    html = client_for(hq).get(reverse("works:report")).content.decode()
    assert reverse("works:report_snapshot") in html
    html = client_for(people.engineer_a).get(reverse("works:report")).content.decode()
    assert reverse("works:report_snapshot") not in html
    resp = client_for(hq).post(reverse("works:report_snapshot"))
    assert resp.status_code == 302 and "source=" in resp["Location"]
    resp = client_for(people.engineer_a).post(reverse("works:report_snapshot"), follow=True)
    assert "alert-error" in resp.content.decode()


# --- panels on the application page ------------------------------------------------------------


def _panels(user, app, customer):
    request = RequestFactory().get("/")
    request.user = user
    out = {}
    for panel, ctx in panels_for(request, app, customer=customer):
        out[panel.key] = render_to_string(panel.template, ctx, request=request)
    return out


def test_customer_sees_project_gas_on_and_the_approvals_waited_on(org, people, project):
    app = external_application(org, people)
    assert "works" not in _panels(people.customer, app, customer=True)  # not linked yet
    svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    svc.approval_save(
        project=project,
        actor=people.engineer_a,
        kind="road_excavation",
        applied_on=timezone.localdate(),
    )
    html = _panels(people.customer, fresh(app), customer=True)["works"]
    assert project.name in html
    assert f"{project.expected_gas_on.year}年" in html
    assert "零费用" in html
    assert 'class="tag tag-grey' in html  # the paused clock
    assert str(project.investment) not in html and "250,000" not in html  # internal figure


def test_staff_panel_offers_nearby_projects_and_links(org, people, project):
    app = external_application(org, people)
    html = _panels(people.engineer_a, app, customer=False)["works_staff"]
    assert reverse("works:app_link", args=[app.pk]) in html and project.number in html
    html = _panels(people.am_a, app, customer=False)["works_staff"]
    assert reverse("works:app_link", args=[app.pk]) not in html  # account managers only see
    resp = client_for(people.engineer_a).post(
        reverse("works:app_link", args=[app.pk]), {"project": project.pk}
    )
    assert resp["Location"].startswith(reverse("applications:detail", args=[app.pk]))
    html = _panels(people.am_a, fresh(app), customer=False)["works_staff"]
    assert project.number in html and reverse("works:detail", args=[project.pk]) in html


def test_no_staff_panel_for_applications_without_external_works(org, people):
    from tongqi.applications.choices import Category

    app = external_application(org, people, category=Category.STANDARD_PACKAGE)
    assert "works_staff" not in _panels(people.engineer_a, app, customer=False)
    assert "works_staff" not in _panels(people.counter_a, app, customer=False)


def test_a_linked_application_whose_category_changed_is_flagged(org, people, project):
    from tongqi.applications import services as app_svc
    from tongqi.applications.choices import Category

    app = external_application(org, people)
    svc.project_link_application(project=project, application=app, actor=people.engineer_a)
    c = client_for(people.engineer_a)
    flag = "tag tag-amber"
    html = c.get(reverse("works:detail", args=[project.pk])).content.decode()
    assert html.count(flag) == 0
    app_svc.application_survey(
        application=fresh(app), actor=people.am_a, category=Category.NO_EXTERNAL_WORKS
    )
    html = c.get(reverse("works:detail", args=[project.pk])).content.decode()
    assert html.count(flag) == 1
