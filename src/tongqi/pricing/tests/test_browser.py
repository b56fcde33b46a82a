"""手持电子报价: the quote builder in a real browser at a phone's 390 px — nothing wider than
the screen, and the summary recomputes as the account manager types (htmx, no inline script)."""

from __future__ import annotations

import pytest

from tongqi.testing.factories import PASSWORD
from tongqi.testing.liveserver import live_server, require_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(transactional_db):
    """A live server for this test only (its database connections closed at the end, so
    PostgreSQL can drop the test database afterwards)."""
    with live_server() as site:
        yield site


@pytest.fixture
def page(server):
    executable = require_browser()  # skipped without chromium; fails when CI requires it
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        yield ctx.new_page()
        browser.close()


def sign_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_quote_builder_on_a_phone(surveyed, people, catalogue, server, page):
    sign_in(page, server.url, people.am_a)
    page.goto(f"{server.url}/pricing/applications/{surveyed.pk}/quote/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    summary = page.locator("#quote-summary")
    assert "¥23,800.00" in summary.inner_text()  # 10+N at 17.3 m: N = 0
    # the account manager types the measured length: N and the total follow
    page.fill("input[name=pipe_length_m]", "31.2")
    page.locator("input[name=pipe_length_m]").dispatch_event("change")
    from playwright.sync_api import expect

    # (the page's CSP forbids eval, so the wait is a locator expectation, not a JS predicate)
    expect(summary).to_contain_text("25,340.00")
    expect(page.locator("#sticky-total")).to_contain_text("25,340.00")
    # save and find the draft
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    # (checked on the page: an ORM call inside Playwright's greenlet would open a second
    # database connection that outlives the test)
    expect(page.locator("main")).to_contain_text("¥25,340.00")
    expect(page.locator("form[action$='/issue/'] button")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
