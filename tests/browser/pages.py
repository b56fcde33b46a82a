"""Page helpers of the journeys: what a person does on a page, in the words of the page.

Fields are found by their form names (stable), and what the person should see is asserted with
Playwright's auto-waiting ``expect`` on visible text: headings, status tags, the clock, messages.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tongqi.testing.liveserver import Visitor

PASSWORD = "Kehu-Mima-2026-Tq"
# A one-page PDF: the application's one material (申请材料1项), uploaded as the site plan.
SITE_PLAN = {
    "name": "现场平面图.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n",
}


def message(v: Visitor):
    """The flash messages at the top of the page."""
    return v.page.locator(".messages")


def heading(v: Visitor):
    return v.page.locator("h1")


def status_tag(v: Visitor):
    return v.page.locator(".page-head .tag, .app-header-tags .tag").first


CHANNEL = {"desktop": "PC 网上营业厅", "phone": "移动端（微信公众号）", "kiosk": "自助终端"}


def enter_kiosk_mode(v: Visitor) -> None:
    """The terminal is switched to kiosk mode once, from the landing page."""
    v.goto("/")
    v.page.get_by_role("button", name="自助终端模式").click()
    expect(v.page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    expect(v.page.get_by_role("button", name="退出自助终端模式")).to_be_visible()


def kiosk_resets_when_left(v: Visitor) -> None:
    """A kiosk left alone for two minutes goes back to the start page (the next person must not
    find the last one's application). The page's timers run on Playwright's clock."""
    page = v.page
    page.clock.install()
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-kiosk-idle", "120")
    page.clock.run_for(119_000)
    expect(heading(v)).not_to_contain_text("两个环节")
    page.clock.run_for(2_000)
    expect(page).to_have_url(v.server("/"))
    # signed out: the start page, not the last customer's applications
    expect(heading(v)).to_contain_text("两个环节")
    expect(message(v)).to_contain_text("已自动退出登录")
    expect(page.get_by_role("link", name="注册并申请")).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    v.shot("kiosk-reset")


def register(v: Visitor, *, name: str, mobile: str) -> None:
    """From the landing page: 注册并申请 → the registration form → the customer's home."""
    if v.device == "kiosk":
        enter_kiosk_mode(v)
    else:
        v.goto("/")
    expect(heading(v)).to_contain_text("两个环节")
    v.shot("landing")
    v.page.get_by_role("link", name="注册并申请").click()
    expect(heading(v)).to_have_text("注册")
    v.page.fill("input[name=full_name]", name)
    v.page.fill("input[name=mobile]", mobile)
    v.page.fill("input[name=password1]", PASSWORD)
    v.page.fill("input[name=password2]", PASSWORD)
    v.page.check("input[name=accept_notice]")
    v.shot("register-filled")
    v.page.get_by_role("button", name="创建账号").click()
    expect(message(v)).to_contain_text("欢迎")
    expect(heading(v)).to_have_text("获得用气")
    expect(v.page.get_by_role("heading", name="我的申请")).to_be_visible()
    v.shot("registered-home")


def fill_application(v: Visitor, *, uscc: str, contact: str, mobile: str, district: str) -> str:
    """The one application form, section by section; returns the enterprise name that licence
    sharing filled in."""
    page = v.page
    # 1 enterprise: the USCC first; licence sharing (证照共享) fills the licence fields
    page.fill("input[name=enterprise-uscc]", uscc)
    page.locator("input[name=enterprise-uscc]").press("Tab")
    name_input = page.locator("input[name=enterprise-name]")
    expect(name_input).to_have_value(re.compile(r"^武汉.+有限公司$"))
    expect(page.locator("#licence-fields")).to_contain_text("证照共享")
    enterprise = name_input.input_value()
    page.fill("input[name=enterprise-contact_name]", contact)
    page.fill("input[name=enterprise-contact_mobile]", mobile)
    # 2 address
    page.select_option("select[name=district]", label=district)
    page.fill("input[name=street]", "关东街道")
    page.fill("input[name=address_detail]", "光谷大道 77 号 1 栋 101")
    # 3 usage and appliances: the peak load adds up as the rows are typed
    page.select_option("select[name=usage_type]", value="restaurant")
    page.fill("input[name=annual_consumption]", "36000")
    page.fill("input[name=appliances-0-name]", "中餐炒灶")
    page.fill("input[name=appliances-0-rated_flow]", "4.5")
    page.fill("input[name=appliances-0-count]", "2")
    page.get_by_role("button", name=re.compile("添加设备")).click()
    page.fill("input[name=appliances-1-name]", "蒸箱")
    page.fill("input[name=appliances-1-rated_flow]", "2.8")
    expect(page.locator("#peak-load")).to_have_text("11.8")
    # 4 documents
    page.set_input_files("input[name=att-file_0]", files=[SITE_PLAN])
    return enterprise


def accept_privacy(v: Visitor) -> None:
    v.page.check("input[name=privacy-accept]")


# --- the customer ------------------------------------------------------------------------------


def apply(v: Visitor, *, uscc: str, contact: str, mobile: str, district: str) -> tuple[str, str]:
    """From the portal home: 申请用气 → the form → submitted. Returns (number, enterprise)."""
    page = v.page
    page.locator("a.portal-apply").click()
    expect(heading(v)).to_have_text("申请用气")
    # the customer's two steps, the first one current
    expect(page.locator(".steps .step.current")).to_contain_text("用气申请")
    enterprise = fill_application(v, uscc=uscc, contact=contact, mobile=mobile, district=district)
    accept_privacy(v)
    v.shot("apply-filled")
    page.get_by_role("button", name="提交申请").click()
    expect(message(v)).to_contain_text("已提交")
    number = heading(v).inner_text().strip()
    assert re.fullmatch(r"TQ\d{15}", number), number
    expect(message(v)).to_contain_text(number)
    expect(status_tag(v)).to_have_text("已提交，待受理")
    expect(page.locator(".pg-aside")).to_contain_text("时限自受理次日（工作日）起计算")
    expect(page.locator(".contact-card")).to_contain_text("客户经理")
    expect(page.get_by_role("link", name=re.compile("现场平面图.pdf"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(CHANNEL[v.device])
    v.shot("submitted")
    return number, enterprise


def open_my_application(v: Visitor, number: str) -> None:
    """Portal home → the application's card → its page."""
    v.goto("/portal/")
    v.page.locator("a.app-card", has_text=number).click()
    expect(heading(v)).to_have_text(number)


def clock(v: Visitor):
    return v.page.locator(".clock").first


def expect_clock(v: Visitor, *, used: str, limit: int, deadline: str) -> None:
    """已用 0 / 3 个工作日 · 截止 2026-12-02 24:00 (UI.md: working days shown this way)."""
    expect(clock(v)).to_contain_text(f"已用 {used} / {limit} 个工作日")
    expect(clock(v)).to_contain_text(f"截止 {deadline}")


def supply_commitment(v: Visitor, items: str) -> None:
    """容缺: the customer uploads the promised document from the application page."""
    page = v.page
    page.get_by_role("link", name="上传材料").click()
    expect(heading(v)).to_have_text("补交容缺材料")
    expect(page.locator("main")).to_contain_text(items)
    page.set_input_files("input[name=file]", files=[{**SITE_PLAN, "name": "房屋租赁合同.pdf"}])
    v.shot("supply")
    page.get_by_role("button", name=re.compile("上传")).click()
    expect(message(v)).to_contain_text(items)


def confirm_quote(v: Visitor, number: str, total: str) -> None:
    page = v.page
    expect(status_tag(v)).to_have_text("方案报价待确认")
    page.get_by_role("link", name="查看并确认").click()
    expect(page.locator("main")).to_contain_text(total)
    expect(page.locator("main")).to_contain_text("¥0.00")  # 零费用: gas-source works
    page.check("input[name=agree]")
    v.shot("quote-to-confirm")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(message(v)).to_contain_text("谢谢，图纸与报价已确认。")
    v.shot("quote-confirmed")
    open_my_application(v, number)
    expect(status_tag(v)).to_have_text("方案报价已确认，工程实施中")


def request_acceptance(v: Visitor, preferred: str) -> None:
    page = v.page
    page.get_by_role("link", name="申请验收").click()
    expect(heading(v)).to_contain_text("验收")
    page.fill("input[name=preferred_date]", preferred)
    page.fill("textarea[name=note]", "现场联系人陈女士，工程已完工。")
    v.shot("request-acceptance")
    page.locator("main form button[type=submit]").click()
    expect(message(v)).to_contain_text("验收")
    expect(status_tag(v)).to_have_text("已申请验收")
    v.shot("acceptance-requested")


def rate_service(v: Visitor) -> None:
    """After gas-on: 服务评价 on the application page → the survey → thanks."""
    page = v.page
    page.get_by_role("link", name="服务评价").click()
    expect(heading(v)).to_have_text("服务评价")
    for name in ("overall", "speed", "attitude", "professional", "transparency", "convenience"):
        page.locator(f"input[name={name}][value='5']").check()
    page.fill("textarea[name=comment]", "客户经理很专业，三天就通气了。")
    v.shot("survey")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("谢谢")
    v.shot("survey-thanks")


# --- staff -------------------------------------------------------------------------------------


def open_from_queue(v: Visitor, number: str, queue: str) -> None:
    """The workbench: the queue tab shows the application with its clock; open it."""
    page = v.page
    expect(page.locator("nav.tabs a[aria-current=page]")).to_contain_text(queue)
    row = page.locator("tr", has_text=number)
    expect(row).to_be_visible()
    # the tab counts arrive after the list (htmx), and the current tab stays current
    expect(page.locator("nav.tabs .count").first).to_be_visible()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_contain_text(queue)
    v.shot("queue")
    row.get_by_role("link", name=number).click()
    expect(heading(v)).to_contain_text(number)


def act(v: Visitor, label: str, title: str) -> None:
    """A button on the application page → its form."""
    v.page.locator(".app-actions").get_by_role("link", name=label, exact=True).click()
    expect(heading(v)).to_have_text(title)


def submit_action(v: Visitor, done: str) -> None:
    v.page.locator("main form button[type=submit]").first.click()
    expect(message(v)).to_contain_text(done)
