"""Helpers of the service tests: complaints at given instants, applications driven to gas-on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from tongqi.accounts.choices import Role
from tongqi.applications import services as app_svc
from tongqi.applications.choices import Category
from tongqi.service import services as svc
from tongqi.service.choices import InspectionForm, InspectionLevel, Severity, Source
from tongqi.service.models import Callback
from tongqi.service.reply import FakeReplyAdapter
from tongqi.service.seed import seed_plan
from tongqi.service.services import ComplaintInput, complaint_register
from tongqi.testing.app_factories import submitted_application

SH = ZoneInfo("Asia/Shanghai")


def sh(y, m, d, hh=10, mm=0) -> datetime:
    """An instant in Asia/Shanghai."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    FakeReplyAdapter.sent.clear()
    FakeReplyAdapter.fail_next = 0
    yield
    FakeReplyAdapter.fail_next = 0


@pytest.fixture
def escalation(org, people):
    """Escalation contacts: 甲公司 → its leader, the company → the company leader."""
    org.sub_a.escalation_to = people.leader_a
    org.sub_a.save(update_fields=["escalation_to"])
    org.company.escalation_to = people.leader
    org.company.save(update_fields=["escalation_to"])
    return org


@pytest.fixture
def make_complaint(people):
    """Register a complaint received at ``at`` (registered at that instant), assigned to am_a."""
    n = {"i": 0}

    def make(at: datetime, *, source="phone", assignee=None, ticket="", **kw):
        n["i"] += 1
        data = ComplaintInput(
            source=source,
            external_id=ticket,
            title=kw.pop("title", f"诉求{n['i']}"),
            content=kw.pop("content", "燃气相关问题"),
            complainant_name="王先生",
            complainant_phone=kw.pop("phone", "13871000001"),
            received_at=at,
            assignee=assignee if assignee is not None else people.am_a,
            **kw,
        )
        c, _created = complaint_register(data=data, actor=people.service, now=at)
        return c

    return make


def gas_on(
    org,
    people,
    *,
    n: int = 1,
    customer=None,
    accepted_at=None,
    gas_on_at=None,
    category=Category.STANDARD_PACKAGE,
    am=None,
    engineer=None,
    stop_before=False,
    **kw,
):
    """An application driven through the real actions to gas-on (or just accepted)."""
    customer = customer if customer is not None else people.customer
    am = am or people.am_a
    app = submitted_application(org, customer=customer, n=n, **kw)
    app_svc.application_accept(application=app, actor=am, category=category, at=accepted_at)
    if stop_before:
        return app
    app_svc.application_survey(application=app, actor=am, category=category)
    app_svc.application_mark_quoted(application=app, actor=am, quote_ref="Q")
    app_svc.application_confirm_quote(application=app, actor=customer)
    app_svc.application_request_acceptance(application=app, actor=customer)
    app_svc.application_record_acceptance(
        application=app,
        actor=engineer or people.engineer_a,
        passed=True,
        ignited=True,
        meter_number="G123456",
        meter_reading=Decimal("0"),
        at=gas_on_at,
    )
    return app


@pytest.fixture
def world(org, people, make_user, make_complaint, run_outbox):
    """One record of each kind in 甲公司 (sub_a) and the people to look at them."""
    app = gas_on(org, people)
    run_outbox()
    complaint = make_complaint(
        sh(2026, 11, 2, 10), phone="13912345678", source=Source.HOTLINE_12345, ticket="A1"
    )
    insp = svc.inspection_create(
        actor=people.service,
        level=InspectionLevel.TEAM,
        form=InspectionForm.VIDEO,
        title="视频抽查",
        target_unit=org.sub_a,
        inspected_on=date(2026, 11, 2),
        inspectors="甲",
    )
    finding = svc.finding_add(
        actor=people.service, inspection=insp, description="问题", severity=Severity.MINOR
    )
    rect = svc.rectification_add(
        actor=people.service,
        finding=finding,
        task="整改",
        owner=people.counter_a,
        due_date=date(2026, 11, 30),
    )
    svc.criteria_save(
        actor=people.service, rows=[svc.CriterionInput(None, "服务规范", "", 100, 0, True)]
    )
    window = svc.window_save(actor=people.service, name="甲营业厅", kind="hall", org_unit=org.sub_a)
    plan = seed_plan(org.company)
    return {
        "app": app,
        "callback": Callback.objects.get(application=app),
        "complaint": complaint,
        "inspection": insp,
        "rect": rect,
        "window": window,
        "task": plan.tasks.get(seq=13),
        # a subsidiary-level service manager of 乙公司 sees none of 甲公司's records
        "other": make_user(Role.SERVICE_MANAGER, org.sub_b),
    }
