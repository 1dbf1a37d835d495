"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Every page of the service (sign-in, consent, the docs, the browsable API, the admin) is
loaded in a real browser under its real ``Content-Security-Policy``; a test asserts the
page rendered and that the browser reported nothing: no console error, no uncaught
exception, no CSP violation, no request leaving the live server. The fixtures:

- ``browser`` (session): ``/usr/bin/chromium`` (Debian's package, which ``.ci/run``
  installs), headless; Playwright never downloads a browser. Missing, the tests fail under
  ``CI=true`` and are skipped elsewhere.
- ``page``: a fresh browser context per test, 1280x800, watched by ``problems``.
- ``live_server``: pytest-django's, on 127.0.0.1, in this process: the test database
  (transactional: what a test writes is committed, the server thread sees it) and the
  static files (WhiteNoise, from the finders).
- ``screenshot(page, name)``: ``var/screenshots/<name>-1280.png`` and ``-360.png`` (look at
  them: a page can pass every assertion and still be unreadable on a phone).
- ``client_uri``: an OAuth client's redirect URI served on loopback (its page: ``#client``).
- ``sign_in(page, url, username, password)``: fills and posts Django's login form
  (``/login`` and ``/admin/login/`` alike).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Playwright, Response, sync_playwright

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
# No sandbox (the tests may run as root in a container), and none of the browser's own
# traffic: no update checks, no component downloads, no sync, no QUIC probes.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # the browser asks no name server either: every host but 127.0.0.1 and localhost (where
    # the tests' servers listen) is unknown, so a redirect to another host fails at once
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]  # fmt: skip
SCREENSHOTS = ROOT / "var" / "screenshots"
DESKTOP, PHONE = 1280, 360
PASSWORD = "correct horse battery staple"

# The live server by address: loopback, and no name to resolve.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

# Sent to Python from the page (an exposed function and a script the browser runs before the
# page's own, neither of which the page's CSP governs).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  [event.violatedDirective, event.blockedURI, event.sourceFile, event.lineNumber].join(" ")));
"""


def chromium_missing_message() -> str:
    return (
        f"the browser tests need Debian's Chromium at {CHROMIUM}: `apt-get install chromium` "
        "(.ci/run installs it; Playwright's own browser downloads are never used)"
    )


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(chromium_missing_message())
        pytest.skip(chromium_missing_message())
    # Playwright's sync API keeps its event loop running on this thread between calls, and
    # Django refuses the ORM under a running loop (SynchronousOnlyOperation); the test code
    # here is plain synchronous code, so Django is told so while the browser is up.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class ClientPage(BaseHTTPRequestHandler):
    """What the OAuth client serves at its redirect URI."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>client</title><p id=client>client</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def client_uri() -> Iterator[str]:
    """An OAuth client's redirect URI, on another origin: a server of its own on loopback,
    whose page says ``client`` (``#client``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ClientPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/callback"
    server.shutdown()
    server.server_close()


@dataclass
class Problems:
    """What the browser reported while a test ran; every page test ends with ``assert_none()``."""

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def console_line(self, line: ConsoleMessage) -> None:
        if line.type == "error":
            self.console.append(f"{line.text} ({line.location['url']})")

    def assert_none(self, *expected: str) -> None:
        """Nothing reported, but console lines and violations naming one of ``expected``."""
        console = [line for line in self.console if not any(known in line for known in expected)]
        violations = [line for line in self.violations if not any(known in line for known in expected)]
        assert (console, self.exceptions, violations, self.offsite) == ([], [], [], []), self


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Browser, live_server: Any, problems: Problems) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": DESKTOP, "height": 800})
    context.expose_function("reportCspViolation", lambda text: problems.violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)

    # Anything not for the live server is refused, and noted. (Playwright routes no redirect
    # hop: where a page may redirect elsewhere, the page's CSP is what guards it.)
    def offsite(route: Any) -> None:
        problems.offsite.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(live_server.url + "/"), offsite)
    context.on("console", problems.console_line)  # the context's: popups' too
    context.on("weberror", lambda error: problems.exceptions.append(f"{error.error} ({error.page and error.page.url})"))
    page = context.new_page()
    yield page
    context.close()


def csp_directives(response: Response | None) -> dict[str, list[str]]:
    """The ``Content-Security-Policy`` of a page's response, directive -> sources."""
    assert response is not None
    policy = response.headers.get("content-security-policy")
    assert policy, f"{response.url} has no Content-Security-Policy"
    return {name: sources for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


def assert_strict_csp(response: Response | None) -> dict[str, list[str]]:
    """The page's policy: scripts only from this origin (or by nonce), never inline; no framing."""
    directives = csp_directives(response)
    assert directives["script-src"][0] == "'self'", directives
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    return directives


def screenshot(page: Page, name: str, *, focus: Locator | None = None) -> list[Path]:
    """The page at desktop and at phone width: ``var/screenshots/<name>-<width>.png``.

    The whole page; or, with ``focus`` (for the docs, whose whole pages run to tens of
    thousands of pixels), the window scrolled to that element.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    paths = []
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 800})
        if focus is not None:
            focus.scroll_into_view_if_needed()
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=focus is None)
        paths.append(path)
    if size:
        page.set_viewport_size(size)
    return paths


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> Response | None:
    """Open a Django login form at ``url``, sign in, and return the response the browser lands on."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as landed:
        page.click("[type=submit]")
    return landed.value


@pytest.fixture
def carol(django_user_model: Any) -> Any:
    """A user with a password, to sign in as (committed: the live server's thread reads it)."""
    return django_user_model.objects.create_user("carol", email="carol@example.org", password=PASSWORD)
