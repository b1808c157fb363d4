"""Visit pages in Chromium as the browser sweep and `make screenshots` do: one signed-in tab per role, each
page at each width, with what must hold on every page checked (status, assets, console, axe-core, no sideways
scroll)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from portal.demo import DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS, LiveServer, axe_violations, log_in
from tests.e2e.pages import ROLES, Swept

#: A desktop and a common phone; the page must fit both (WCAG 1.4.10 asks for 320 px: see test_accessibility).
WIDTHS = (1280, 375)
HEIGHT = {1280: 900, 375: 812}


class Tab:
    """A tab signed in as one role, recording the console errors and failed requests of each visit."""

    def __init__(self, page: Page, server: LiveServer):
        self.page, self.server = page, server
        self.console: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # "Failed to load resource" repeats what _on_response records (and the error pages' own status).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(message.text)

    def _on_response(self, response: Response) -> None:
        own = response.url.startswith(self.server.url)
        if response.status >= 400 and own and not response.request.is_navigation_request():
            self.failed.append(f"{response.status} {response.url}")

    def visit(
        self, swept: Swept, path: str, width: int, shoot: Callable[[Page, int], None] | None = None
    ) -> list[str]:
        """Open the page at this width and return what is wrong with it, each line naming the page."""
        self.console.clear()
        self.failed.clear()
        self.page.set_viewport_size({"width": width, "height": HEIGHT[width]})
        response = self.page.goto(self.server(path))
        where = f"[{swept.role} {swept.name} {width}px {path}]"
        problems = []
        if response is None or response.status != swept.status:
            problems.append(f"{where} status {response and response.status}, expected {swept.status}")
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{where} {overflow}px wider than the {width}px window (scrolls sideways)")
        problems += [f"{where} asset {failure}" for failure in self.failed]
        problems += [f"{where} console: {message}" for message in self.console]
        problems += [f"{where} axe: {violation}" for violation in axe_violations(self.page)]
        if shoot is not None:
            shoot(self.page, width)
        return problems


@contextmanager
def signed_in_tab(browser: Browser, server: LiveServer, role: str) -> Iterator[Tab]:
    """A fresh context (French), signed in through the login form unless the role is anonymous."""
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTHS[0], "height": HEIGHT[WIDTHS[0]]})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        if ROLES[role]:
            log_in(page, server, ROLES[role], DEMO_PASSWORD)
            page.wait_for_url(server("/"))
        yield Tab(page, server)
    finally:
        context.close()


def sweep_role(
    browser: Browser,
    server: LiveServer,
    role: str,
    pages: list[tuple[Swept, str]],
    shots: Path | None = None,
) -> list[str]:
    """Visit each (page, path) as `role` at every width; with `shots`, save a full-page PNG of each there."""
    problems = []
    with signed_in_tab(browser, server, role) as tab:
        for swept, path in pages:

            def shoot(page: Page, width: int, swept=swept) -> None:
                page.screenshot(path=shots / role / f"{swept.name}-{width}.png", full_page=True)

            for width in WIDTHS:
                problems += tab.visit(swept, path, width, shoot if shots else None)
    return problems
