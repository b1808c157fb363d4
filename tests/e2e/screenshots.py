"""`make screenshots`: serve the demo in a temporary instance and save a full-page PNG of every page of
tests/e2e/pages, per role and width, into screenshots/<role>/<page>-<width>.png, for people to review.

    python -m tests.e2e.screenshots [--role learner] [--page dashboard] [--out screenshots]

It reports the sweep's problems too (status, assets, console, axe-core, sideways scroll) but never fails on
them: the browser sweep test does.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright

from portal import create_app
from portal.cli import _reindex
from portal.demo import load_demo
from portal.extensions import db
from tests.e2e.conftest import CHROMIUM_ARGS, CHROMIUM_PATH, LiveServer
from tests.e2e.pages import collect
from tests.e2e.sweep import sweep_role


def main() -> None:
    """Parse the options, build the demo site, photograph its pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", action="append", help="only this role (repeatable)")
    parser.add_argument("--page", action="append", help="only the pages of this name (repeatable)")
    parser.add_argument("--out", default="screenshots", type=Path, help="folder of the PNG files")
    options = parser.parse_args()

    pages = [
        p
        for p in collect()
        if (not options.role or p.role in options.role) and (not options.page or p.name in options.page)
    ]
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as instance:
        app = create_app(
            {
                "SECRET_KEY": secrets.token_hex(16),
                "INSTANCE_PATH": instance,
                "DATABASE_URL": f"sqlite:///{instance}/portal.sqlite3",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "MAIL_SERVER": None,
            }
        )
        with app.app_context():
            upgrade(revision="heads")
            print(load_demo())
            print(f"Search index: {_reindex(app)} document(s).")
            paths = {id(p): p.url_path() for p in pages}
            db.session.remove()
        server = LiveServer(app)
        server.start()
        problems: list[str] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
                for role in dict.fromkeys(p.role for p in pages):
                    shutil.rmtree(options.out / role, ignore_errors=True)
                    (options.out / role).mkdir(parents=True)
                    mine = [(p, paths[id(p)]) for p in pages if p.role == role]
                    problems += sweep_role(browser, server, role, mine, shots=options.out)
                    print(f"{role}: {len(mine)} page(s)")
                browser.close()
        finally:
            server.stop()
    print(f"Screenshots in {options.out}/")
    print("\n".join(problems) if problems else "No problem found.")


if __name__ == "__main__":
    main()
