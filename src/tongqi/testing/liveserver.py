"""A live server and a real browser for the journey tests (``tests/browser/``).

- :func:`live_server` runs the site in a thread of the test process (Django's
  ``LiveServerThread`` with static files), and at the end stops it and waits for its request
  threads, so that every database connection it opened is closed and PostgreSQL can drop the
  test database.
- :func:`require_browser` finds Debian's chromium; without it the test is skipped, unless
  ``TONGQI_REQUIRE_BROWSER=1`` (CI), when it fails. Browsers are never downloaded.
- :class:`Browser` starts Playwright on first use and opens one :class:`Visitor` per person
  (their own context: cookies, viewport, kiosk mode). A visitor fails the test on any JavaScript
  error, console error (CSP violations included) or request to a host other than the server,
  and writes a screenshot of each step to
  ``$TONGQI_ARTIFACTS_DIR/screenshots/<journey>/<nn>-<person>-<step>.png`` (default
  ``var/artifacts/screenshots``).
- :func:`orm` runs database code while the browser is open. Playwright's sync API keeps an
  event loop running in the test's thread, where Django refuses database calls (and would open
  a second connection that outlives the test), so the call runs in a short-lived thread that
  closes its connection.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from tongqi.testing.factories import PASSWORD

T = TypeVar("T")
HOST = "127.0.0.1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
KIOSK = {"width": 1080, "height": 1920}  # a portrait self-service terminal
# A phone opening the official account's H5 page inside WeChat (the portal sees "mobile").
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50"
)
TOUCH_TARGETS = (
    "main .btn, main select, main textarea, "
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])"
)
DEVICES = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True, "user_agent": PHONE_AGENT},
    "kiosk": {"viewport": KIOSK, "has_touch": True},
}


def chromium_path() -> str | None:
    """``$TONGQI_CHROMIUM`` when set, else Debian's ``chromium`` on the PATH."""
    configured = os.environ.get("TONGQI_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> str:
    """The chromium to drive; skip without one (fail when ``TONGQI_REQUIRE_BROWSER=1``)."""
    required = os.environ.get("TONGQI_REQUIRE_BROWSER", "") == "1"
    path = chromium_path()
    problem = None
    if path is None:
        problem = "no chromium on this machine (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (pip install -e '.[test]')"
    if problem:
        if required:
            pytest.fail(f"TONGQI_REQUIRE_BROWSER=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    return path


@dataclass(frozen=True)
class Server:
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@contextmanager
def live_server() -> Iterator[Server]:
    """The site on a free port of 127.0.0.1 until the block ends."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    before = set(threading.enumerate())
    thread = LiveServerThread(HOST, StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield Server(f"http://{HOST}:{thread.port}")
    finally:
        thread.terminate()
        # request threads close their database connection when the browser's socket closes
        for t in set(threading.enumerate()) - before:
            t.join(timeout=10)


def orm(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` in its own thread (its own database connection, closed at the end)."""
    from django.db import connections

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=run, name="journey-orm")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def artifacts_dir(root: Path) -> Path:
    """Where CI collects artefacts: ``$TONGQI_ARTIFACTS_DIR`` or ``<root>/var/artifacts``."""
    configured = os.environ.get("TONGQI_ARTIFACTS_DIR")
    return Path(configured) if configured else root / "var" / "artifacts"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "step"


@dataclass
class Visitor:
    """One person in their own browser context: a page, the problems seen, the screenshots."""

    name: str
    page: Any
    server: Server
    shots: Path
    counter: list[int]
    problems: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    dialogs: list[str] = field(default_factory=list)
    device: str = "desktop"

    def goto(self, path: str) -> Any:
        return self.page.goto(self.server(path))

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """The real sign-in page; lands on the role's home."""
        from playwright.sync_api import expect

        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.locator("form button[type=submit]").last.click()
        expect(self.page.locator("input[name=password]")).to_have_count(0)

    def shot(self, step: str) -> Path:
        """Write this step's screenshot, then fail on anything wrong so far (the screenshot
        shows the broken page). Waits for the page's ``load`` event first: a heading can be
        there before the stylesheets, and an unstyled page measures wrong."""
        self.page.wait_for_load_state("load")
        self.counter[0] += 1
        path = self.shots / f"{self.counter[0]:02d}-{_slug(self.name)}-{_slug(step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.check()
        if self.device == "phone":
            self.fits_width()
        if self.device == "kiosk":
            self.large_targets()
        return path

    def check(self) -> None:
        if self.problems:
            found, self.problems[:] = list(self.problems), []
            pytest.fail(f"{self.name}: " + "\n".join(found), pytrace=False)

    def large_targets(self, minimum: int = 48) -> None:
        """Kiosk (UI.md): every visible button and field is at least 48 px high."""
        small = self.page.locator(TOUCH_TARGETS).evaluate_all(
            f"""els => els.filter(e => e.offsetParent !== null)
                .map(e => [Math.round(e.getBoundingClientRect().height),
                           e.name || e.textContent.trim().slice(0, 30)])
                .filter(([h]) => h < {minimum})"""
        )
        assert not small, f"{self.name}: touch targets under {minimum}px: {small}"

    def fits_width(self) -> None:
        """Nothing wider than the screen (no sideways scrolling on a phone)."""
        width = self.page.viewport_size["width"]
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{self.name}: page is {scroll}px wide on a {width}px screen"
        bar = self.page.locator(".topbar-inner").bounding_box()
        assert bar is None or bar["height"] <= 64, f"{self.name}: the top bar wraps ({bar})"

    # --- wiring ----------------------------------------------------------------------------
    def _watch(self) -> None:
        page = self.page
        page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        """Answer "OK" to the confirmations before irreversible actions (``data-confirm``),
        keeping their text for the test to check."""
        self.dialogs.append(dialog.message)
        dialog.accept()

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _response(self, response) -> None:
        if response.status >= 500 or (
            response.status >= 400 and response.status not in self.allowed_statuses
        ):
            self.problems.append(f"HTTP {response.status} for {response.url}")


def _font_env(scratch: Path) -> dict[str, str]:
    """Chinese glyphs in the screenshots on a machine without CJK fonts: fontconfig also reads
    the Noto Sans SC that ships with ``justmytype-intl-cjk`` (a dependency, for the PDFs)."""
    env = dict(os.environ)
    try:
        import justmytype_intl_cjk
    except ImportError:
        return env
    fonts = Path(justmytype_intl_cjk.__file__).parent / "fonts"
    conf = scratch / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{scratch / 'fontcache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    env["FONTCONFIG_FILE"] = str(conf)
    return env


class Browser:
    """Chromium through Playwright, started on first use (after the test's data is set up)."""

    def __init__(self, server: Server, shots_root: Path, journey: str):
        self.server = server
        self.shots = shots_root / _slug(journey)
        self._pw = None
        self._browser = None
        self._visitors: list[Visitor] = []
        self._counter = [0]
        self.foreign: list[str] = []

    def _start(self) -> None:
        if self._browser is not None:
            return
        executable = require_browser()
        from playwright.sync_api import sync_playwright

        if self.shots.exists():
            shutil.rmtree(self.shots)
        self.shots.mkdir(parents=True)
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox"],
            env=_font_env(Path(tempfile.mkdtemp(prefix="tongqi-fonts-"))),
        )

    def visitor(self, name: str, device: str = "desktop") -> Visitor:
        """A new person with their own cookies (a customer, an account manager…) on a
        ``desktop``, a ``phone`` (390 px, touch, WeChat) or a ``kiosk`` (1080×1920 portrait)."""
        from playwright.sync_api import expect

        self._start()
        context = self._browser.new_context(
            **DEVICES[device], locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(15_000)
        expect.set_options(timeout=15_000)
        problems: list[str] = []
        context.route("**/*", lambda route: self._route(route, problems))
        v = Visitor(name, context.new_page(), self.server, self.shots, self._counter, problems)
        v.device = device
        v._watch()
        self._visitors.append(v)
        return v

    def _route(self, route, problems: list[str]) -> None:
        """Only the server (this host and port) may be asked for anything: no CDN, no font
        service, no tracker, no link to another site."""
        url = route.request.url
        parts = urlsplit(url)
        server = urlsplit(self.server.url).netloc
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != server:
            self.foreign.append(url)
            problems.append(f"request to another host: {url}")
            route.abort()
            return
        route.continue_()

    def close(self) -> None:
        try:
            for v in self._visitors:
                v.check()
            assert not self.foreign, f"requests to other hosts: {self.foreign}"
        finally:
            if self._browser is not None:
                self._browser.close()
                self._pw.stop()
                self._browser = self._pw = None


__all__ = [
    "DESKTOP",
    "DEVICES",
    "KIOSK",
    "PHONE",
    "Browser",
    "Server",
    "Visitor",
    "artifacts_dir",
    "live_server",
    "orm",
    "require_browser",
]
