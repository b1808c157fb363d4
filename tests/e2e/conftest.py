"""End-to-end fixtures: the per-test app served over real HTTP, one headless Chromium per session, a page;
and the helpers every browser test shares (axe-core, a second logged-in context)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from portal.demo import DEMO_PASSWORD
from tests.conftest import TEST_PASSWORD

#: Debian's Chromium; CHROMIUM_PATH points elsewhere (Playwright never downloads a browser here).
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Playwright's waits, in milliseconds: every page is served locally, so a longer wait means a failure.
TIMEOUT_MS = 10_000


class LiveServer:
    """The test app on 127.0.0.1, served by werkzeug in a background thread."""

    def __init__(self, app):
        # Port 0: the system picks a free port when binding, so two runs never race for one.
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
        )

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of a path on this server."""
        return self.url + path

    def start(self) -> None:
        """Serve requests until stop()."""
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The per-test app over real HTTP; stopped before the app's database is emptied."""
    # SESSION_COOKIE_SECURE stays True, as in production: Chromium keeps Secure cookies from http://127.0.0.1,
    # a potentially trustworthy origin (test_login_dashboard_logout checks the cookie and the login).
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run; skipped locally if absent, a failure in CI."""
    executable = shutil.which(CHROMIUM_PATH)
    if executable is None:
        message = f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    """A fresh page in its own context (no cookies), in French, closed before the server stops."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, server: LiveServer, email: str, password: str = TEST_PASSWORD) -> None:
    """Fill in and send the real login form, as a person would."""
    page.goto(server("/auth/login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def user_menu(page: Page):
    """The header's user menu button (the signed-in person's name), shown only to signed-in people."""
    return page.get_by_role("banner").locator(".user-menu > button")


def log_out(page: Page) -> None:
    """Open the user menu and press "Se déconnecter", as a person would."""
    user_menu(page).click()
    page.get_by_role("button", name="Se déconnecter").click()


@pytest.fixture
def login(page, live_server) -> Callable:
    """login(user) logs `page` in through the form and waits for the dashboard."""

    def _login(user, password: str = TEST_PASSWORD) -> Page:
        log_in(page, live_server, user.email, password)
        page.wait_for_url(live_server("/"))
        expect(user_menu(page)).to_be_visible()
        return page

    return _login


AXE = Axe()
#: WCAG 2.1 A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is now: one line per violating element, with rule, target and help."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}) {', '.join(map(str, node['target']))}: {v['help']} — {v['helpUrl']}"
        for v in violations
        for node in v["nodes"]
    ]


def signed_in(browser: Browser, server: LiveServer, email: str, password: str = DEMO_PASSWORD) -> Page:
    """A page in a new browser context (French, downloads accepted), logged in through the form; the demo
    password by default."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, server, email, password)
    page.wait_for_url(server("/"))
    return page
