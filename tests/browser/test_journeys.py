"""Browser journeys: real people in a real browser against a running server.

The customer registers, applies, follows the application, confirms the quote, requests the
acceptance visit and rates the service; the account manager accepts it with a 容缺 commitment,
records the survey and category and quotes; engineering records the acceptance and gas-on. Each
person has their own browser context; every step is screenshotted (see
``tongqi.testing.liveserver``) and any JavaScript error, console error or request to another host
fails the journey.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import pages
from tongqi.testing.app_factories import uscc
from tongqi.testing.liveserver import orm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _deadline(number: str, days: int) -> str:
    """The deadline the system keeps for the application, as the page writes it."""
    from tongqi.applications.models import Application
    from tongqi.sla.calendar import current_calendar

    app = Application.objects.get(number=number)
    accepted = timezone.localdate(app.accepted_at)
    last = current_calendar().nth_workday_after(accepted, days)
    return f"{last:%Y-%m-%d} 24:00"


@pytest.mark.parametrize("device", ["desktop", "phone", "kiosk"])
def test_customer_lifecycle(device, org, people, catalogue, run_outbox, browser):
    """The customer on a PC, on a phone (390 px, WeChat) or at a kiosk (1080×1920, kiosk mode).
    In the phone journey the account manager and the engineer work on their phones too (at the
    customer's site); otherwise at their desks."""
    am, engineer = people.am_a, people.engineer_a
    staff_device = "phone" if device == "phone" else "desktop"
    today = timezone.localdate()
    due = today + timedelta(days=7)

    # the customer registers and applies
    customer = browser.visitor("customer", device)
    pages.register(customer, name="陈女士", mobile="13912345678")
    number, enterprise = pages.apply(
        customer, uscc=uscc(4242), contact="陈女士", mobile="13912345678", district="武昌区"
    )
    expect(customer.page.locator(".contact-card")).to_contain_text(am.display_name)

    # the account manager accepts it at once, the lease contract to follow (容缺受理)
    manager = browser.visitor("account-manager", staff_device)
    manager.sign_in(am.username)
    pages.open_from_queue(manager, number, "我的")
    expect(pages.heading(manager)).to_contain_text(enterprise)
    expect(pages.status_tag(manager)).to_have_text("已提交，待受理")
    pages.act(manager, "受理", "受理申请")
    manager.page.select_option("select[name=category]", value="standard_package")
    manager.page.fill("textarea[name=missing_items]", "房屋租赁合同")
    manager.page.fill("textarea[name=commitment_text]", "我司承诺在到期日前补交房屋租赁合同。")
    manager.page.fill("input[name=commitment_due]", due.isoformat())
    manager.shot("accept-with-commitment")
    pages.submit_action(manager, "已受理，时限开始计算。")
    expect(pages.status_tag(manager)).to_have_text("已受理")
    deadline = orm(_deadline, number, 3)
    pages.expect_clock(manager, used="0", limit=3, deadline=deadline)
    expect(manager.page.locator("main")).to_contain_text("房屋租赁合同")
    manager.shot("accepted")

    # the customer sees the clock and the promise, and supplies the document
    pages.open_my_application(customer, number)
    expect(pages.status_tag(customer)).to_have_text("已受理")
    pages.expect_clock(customer, used="0", limit=3, deadline=deadline)
    expect(customer.page.locator(".next-card")).to_contain_text(
        f"请于 {due.isoformat()} 前补交：房屋租赁合同。"
    )
    customer.shot("accepted-with-commitment")
    pages.supply_commitment(customer, "房屋租赁合同")
    expect(customer.page.locator(".next-card")).not_to_contain_text("补交")
    customer.shot("commitment-supplied")

    # the account manager records the site survey and the category, then quotes
    manager.page.reload()
    pages.act(manager, "踏勘定类", "现场踏勘与项目类别")
    manager.page.select_option("select[name=category]", value="standard_package")
    manager.page.fill("input[name=pipe_length_m]", "17.3")
    manager.page.fill("input[name=meter_rating]", "G10")
    manager.page.fill("textarea[name=findings]", "燃气管道已到红线，厨房通风良好。")
    manager.shot("survey")
    pages.submit_action(manager, "已记录现场踏勘并确定项目类别。")
    expect(pages.status_tag(manager)).to_have_text("已踏勘，方案编制中")
    manager.page.get_by_role("link", name="编制报价").click()
    expect(manager.page.locator("#quote-summary")).to_contain_text("¥23,800.00")  # 10+N, N = 0
    manager.shot("quote-builder")
    manager.page.get_by_role("button", name="保存草稿").click()
    expect(pages.message(manager)).to_contain_text("草稿已保存")
    manager.page.locator("form[action$='/issue/'] button").click()
    expect(pages.message(manager)).to_contain_text("已出具")
    manager.shot("quote-issued")

    # the customer confirms the quote online and, the works done, requests acceptance
    pages.open_my_application(customer, number)
    pages.confirm_quote(customer, number, "¥23,800.00")
    pages.request_acceptance(customer, (today + timedelta(days=1)).isoformat())

    # engineering: acceptance, connection and ignition in one visit; gas on
    eng = browser.visitor("engineer", staff_device)
    eng.sign_in(engineer.username)
    pages.open_from_queue(eng, number, "待验收点火")
    expect(pages.status_tag(eng)).to_have_text("已申请验收")
    pages.act(eng, "验收点火", "验收点火碰头送气记录")
    eng.page.check("input[name=passed][value='1']")
    eng.page.check("input[name=ignited]")
    eng.page.fill("input[name=meter_number]", "G10-2026-0001")
    eng.page.fill("input[name=meter_reading]", "0")
    eng.shot("acceptance-record")
    pages.submit_action(eng, "验收点火记录已保存。")
    expect(pages.status_tag(eng)).to_have_text("已通气")
    expect(pages.clock(eng)).to_contain_text("按时办结")
    eng.shot("gas-on")

    # the worker sends the survey; the customer sees gas on and rates the service
    orm(run_outbox)
    pages.open_my_application(customer, number)
    expect(pages.status_tag(customer)).to_have_text("已通气")
    expect(pages.clock(customer)).to_contain_text("按时办结")
    expect(customer.page.locator(".steps .step").nth(1)).to_contain_text("验收通气")
    customer.shot("gas-on")
    pages.rate_service(customer)
    pages.open_my_application(customer, number)
    expect(customer.page.locator("main")).to_contain_text("5 / 5")
    customer.shot("rated")
    if device == "kiosk":
        pages.kiosk_resets_when_left(customer)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_counter_walk_in(device, org, people, browser):
    """A customer comes to the counter; the clerk enters the application for them (channel
    counter), it goes to the grid's account manager, and the counter visit is recorded."""
    clerk = browser.visitor("counter-clerk", device)
    clerk.sign_in(people.counter_a.username)
    expect(pages.heading(clerk)).to_have_text("营业窗口")
    expect(clerk.page.locator("main")).to_contain_text("尚无窗口录入的申请")
    clerk.shot("counter-home")
    clerk.page.get_by_role("link", name=re.compile("窗口新建申请")).first.click()
    expect(pages.heading(clerk)).to_have_text("窗口新建申请")
    code = uscc(5151)
    enterprise = pages.fill_application(
        clerk, uscc=code, contact="王先生", mobile="13698765432", district="武昌区"
    )
    clerk.page.check("input[name=privacy-accept]")
    clerk.shot("walk-in-filled")
    clerk.page.get_by_role("button", name="为客户提交申请").click()
    expect(pages.message(clerk)).to_contain_text(people.am_a.display_name)
    number = clerk.page.locator("h1 .mono").inner_text().strip()
    expect(pages.message(clerk)).to_contain_text(number)
    expect(pages.status_tag(clerk)).to_have_text("已提交，待受理")
    expect(clerk.page.locator(".app-header-tags")).to_contain_text("营业窗口")
    # personal data masked for the clerk (PIPL): 136****5432
    expect(clerk.page.locator("#basic")).to_contain_text("136****5432")
    expect(clerk.page.locator("#basic")).not_to_contain_text("13698765432")
    clerk.shot("walk-in-submitted")

    # the clerk finds it again by the enterprise's code
    clerk.goto("/counter/")
    expect(clerk.page.locator("main")).to_contain_text(number)
    clerk.page.fill("input[name=q]", code)
    clerk.page.get_by_role("button", name="查询").click()
    found = clerk.page.locator("table").first.locator("tr", has_text=number)
    expect(found).to_contain_text(enterprise)
    expect(found).to_contain_text("已提交，待受理")
    clerk.shot("found-by-uscc")
