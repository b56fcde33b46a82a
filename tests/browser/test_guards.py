"""The journeys' guards work: a missing browser skips (or fails in CI), and a JavaScript error,
a console error or a request to another host fails the visitor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tongqi.testing import liveserver
from tongqi.testing.liveserver import require_browser


def test_without_chromium_the_journeys_are_skipped(monkeypatch, tmp_path):
    monkeypatch.setenv("TONGQI_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.delenv("TONGQI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        require_browser()


def test_without_chromium_ci_fails_instead_of_skipping(monkeypatch, tmp_path):
    monkeypatch.setenv("TONGQI_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setenv("TONGQI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="TONGQI_REQUIRE_BROWSER=1"):
        require_browser()


def test_artifacts_go_where_ci_collects_them(monkeypatch, tmp_path):
    monkeypatch.delenv("TONGQI_ARTIFACTS_DIR", raising=False)
    assert liveserver.artifacts_dir(tmp_path) == tmp_path / "var" / "artifacts"
    monkeypatch.setenv("TONGQI_ARTIFACTS_DIR", "/ci/out")
    assert str(liveserver.artifacts_dir(tmp_path)) == "/ci/out"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_errors_and_foreign_requests_fail_the_visitor(browser):
    v = browser.visitor("guard")
    v.goto("/")
    expect(v.page.locator("h1")).to_be_visible()
    # a script error, and a picture from a CDN (refused by the CSP, a console error)
    with v.page.expect_event("pageerror"):
        v.page.evaluate("setTimeout(() => { throw new Error('boom') }, 0)")
    with v.page.expect_event("console"):
        v.page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', "
            "'<img src=\"https://cdn.example.com/logo.png\">')"
        )
    with pytest.raises(pytest.fail.Exception) as failed:
        v.shot("broken")
    text = str(failed.value)
    assert "JavaScript error: boom" in text
    assert "Content Security Policy" in text and "cdn.example.com/logo.png" in text
    # a link off the site (no CSP stops navigation): the request never leaves the machine
    with pytest.raises(PlaywrightError):
        v.page.goto("https://cdn.example.com/page")
    with pytest.raises(pytest.fail.Exception, match="request to another host"):
        v.check()
    assert browser.foreign == ["https://cdn.example.com/page"]
    browser.foreign.clear()  # seen; the teardown would fail on it otherwise
