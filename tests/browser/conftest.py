"""Browser journeys: Playwright driving Chromium against the live test server.

Every page a test loads must pass axe-core without serious or critical
violations, and no page may break the Content Security Policy or throw a
JavaScript error. `ui.arrived()` checks the page the browser is on; a test that
loads a page and never checks it fails at teardown.
"""

import os
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import DEFAULT_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, running one request's application code at a time.

    On an in-memory SQLite database the server's request threads all use the
    test's one connection, and two requests at once (two people's pages
    polling) misuse it: "bad parameter or other API misuse". Connections
    stay threaded, so a kept-alive one holds nobody up; only the application
    (the whole response, streamed ones too) waits its turn.
    """

    application_lock = threading.Lock()

    def get_app(self):
        application = super().get_app()

        def one_at_a_time(environ, start_response):
            with self.application_lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return one_at_a_time


_DATABASE = settings.DATABASES["default"]
if _DATABASE["ENGINE"].endswith("sqlite3") and not _DATABASE["TEST"].get("NAME"):
    LiveServerThread.server_class = OneRequestAtATime

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def chromium_executable() -> str | None:
    """The system Chromium when there is one, else Playwright's own download."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


# What makes a page wider than its window: the outermost elements that stick
# out on the right, leaving aside those inside a box that scrolls or clips.
SIDEWAYS_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return "";
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const parent = el.parentElement;
    if (el.getBoundingClientRect().right <= width + 0.5) continue;
    if (parent.getBoundingClientRect().right > width + 0.5) continue;
    if (getComputedStyle(parent).overflowX !== "visible") continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.classList.length ? "." + [...el.classList].join(".") : "");
    out.push(name + " to " + Math.round(el.getBoundingClientRect().right) + "px");
  }
  return root.scrollWidth + "px wide in a " + width + "px window; "
    + (out.slice(0, 5).join(", ") || "no single element");
}"""


# Whether the focused element's focus ring is drawn whole: not cut by the
# nearest box around it that clips what overflows (a scrolling row, a cell
# that ends in an ellipsis, a card with rounded corners).
FOCUS_RING_CUT = """element => {
  const style = getComputedStyle(element);
  if (style.outlineStyle === "none") return "not drawn";
  const ring = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
  const box = element.getBoundingClientRect();
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    const clip = getComputedStyle(parent);
    if (clip.overflowX === "visible" && clip.overflowY === "visible") continue;
    const edge = parent.getBoundingClientRect();
    const left = edge.left + parseFloat(clip.borderLeftWidth);
    const right = edge.right - parseFloat(clip.borderRightWidth);
    const top = edge.top + parseFloat(clip.borderTopWidth);
    const bottom = edge.bottom - parseFloat(clip.borderBottomWidth);
    const cut = [];
    if (box.left - ring < left - 0.5) cut.push("left");
    if (box.right + ring > right + 0.5) cut.push("right");
    if (box.top - ring < top - 0.5) cut.push("top");
    if (box.bottom + ring > bottom + 0.5) cut.push("bottom");
    return cut.length ? "cut on the " + cut.join(", ") : "";
  }
  return "";
}"""


class BrowserSession:
    """One person's browser tab, with the checks every journey needs."""

    axe = Axe()

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page: Page = context.new_page()
        self.problems: list[str] = []
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.page.on("console", self._on_console)
        self.page.on(
            "pageerror", lambda error: self.problems.append(f"JS error: {error}")
        )
        self.page.on("load", lambda page: self.loaded.append(page.url))

    def _on_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP violation: {text}")
        elif message.type == "error" and "Failed to load resource" not in text:
            self.problems.append(f"console error: {text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        """Open a page by its path and check it."""
        self.page.goto(self.url(path))
        self.arrived()

    def arrived(self, path: str | re.Pattern | None = None):
        """Wait until the browser shows `path` (if given), then check the page."""
        if path is not None:
            pattern = (
                path
                if isinstance(path, re.Pattern)
                else re.compile(re.escape(self.base_url + path) + r"(\?.*)?$")
            )
            expect(self.page).to_have_url(pattern)
        self.page.wait_for_load_state("load")
        self.check_a11y()

    def check_a11y(self, label: str = ""):
        """Run axe-core on the page as it is now (after htmx changes, too).

        The page must also fit the window's width: nothing may make it scroll
        sideways, on a phone least of all.
        """
        overflow = self.page.evaluate(SIDEWAYS_OVERFLOW)
        if overflow:
            raise AssertionError(
                f"{self.page.url} {label} scrolls sideways: {overflow}"
            )
        results = self.axe.run(self.page)
        blocking = [
            violation
            for violation in results.response["violations"]
            if violation.get("impact") in BLOCKING_IMPACTS
        ]
        self.checked.add(self._key(self.page.url))
        if blocking:
            details = "\n".join(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} — "
                + "; ".join(node["target"][0] for node in violation["nodes"][:5])
                for violation in blocking
            )
            raise AssertionError(
                f"Accessibility violations on {self.page.url} {label}:\n{details}"
            )

    def assert_focus_ring_whole(self, locator):
        """Reach `locator` with the keyboard and check its focus ring shows whole."""
        locator.focus()
        self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.press("Tab")
        expect(locator).to_be_focused()
        cut = locator.evaluate(FOCUS_RING_CUT)
        assert not cut, f"the focus ring of {locator} is {cut}"

    def sign_in(self, user, password: str = DEFAULT_PASSWORD):
        self.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(user.email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.arrived("/")

    def screenshot(self, name: str, full_page: bool = True):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    @staticmethod
    def _key(url: str) -> str:
        parts = urlsplit(url)
        return parts.path

    def finish(self):
        unchecked = sorted(
            {self._key(url) for url in self.loaded} - self.checked - {"blank"}
        )
        unchecked = [path for path in unchecked if path and path != "blank"]
        problems = list(self.problems)
        if unchecked:
            problems.append(
                "pages loaded but never checked with ui.arrived(): "
                + ", ".join(unchecked)
            )
        return problems


@pytest.fixture
def browser_session(browser, live_server):
    """A factory of browser sessions (one per person), closed after the test."""
    sessions: list[BrowserSession] = []

    def make(viewport=None, color_scheme="light", touch=False) -> BrowserSession:
        # `touch`: a phone's touch screen and nothing else to point with.
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            color_scheme=color_scheme,
            has_touch=touch,
            is_mobile=touch,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        session = BrowserSession(context, live_server.url)
        sessions.append(session)
        return session

    yield make
    problems = []
    for session in sessions:
        problems.extend(session.finish())
        session.context.close()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture
def ui(browser_session) -> BrowserSession:
    """The default single browser session of a journey."""
    return browser_session()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def authenticator_code(secret: str, *, margin: float = 5.0) -> str:
    """The code an authenticator app shows now for `secret`.

    Codes change every period (30 seconds) and the server accepts only the
    current one; a code read in the last seconds of its period could expire
    before the form reaches the server, so those seconds are waited out.
    """
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
