"""Every page of tests/e2e/pages, on the demo site, as each role that sees it, at 1280 and 375 px in Chromium:
the expected status, no failed asset, no console error, no axe-core violation, no sideways scroll."""

from __future__ import annotations

import pytest

from portal.demo import load_demo
from tests.e2e.pages import collect
from tests.e2e.sweep import sweep_role

pytestmark = pytest.mark.e2e

PAGES = collect()


@pytest.mark.parametrize("role", sorted({p.role for p in PAGES}))
def test_every_page_holds_in_chromium(role, app, browser, live_server):
    load_demo()
    pages = [(p, p.url_path()) for p in PAGES if p.role == role]
    problems = sweep_role(browser, live_server, role, pages)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
