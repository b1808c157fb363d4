"""No input breaks the site: on the demo, as every kind of user, every page reached by following links answers
without a server error; the same addresses with ids beyond the database's integer range, or pages beyond the
last, answer 404; every form sent with NUL in its text fields is refused and stores nothing (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import sqlalchemy as sa

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests import conftest
from tests.crawl import Visit, crawl

#: The demo's accounts: one of each kind of user, a learner whose promotion ended, another promotion's staff.
ACCOUNTS = [
    "admin@example.org",
    "coordination@example.org",
    "equipe@example.org",
    "tuteur@example.org",
    "intervenant@example.org",
    "auditrice@example.org",
    "ancienne@example.org",
    "nathalie.vermeulen@example.org",
]
HUGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999")
NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")


@pytest.fixture
def demo_app(app):
    """The app with the demo site loaded."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def _client(app, email):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303, email
    return client


def _with_huge_ids(url: str):
    """The address with each of its numbers in turn replaced by ids no row can have."""
    path = url.partition("?")[0]
    for match in NUMBER.finditer(path):
        for huge in HUGE_IDS:
            yield path[: match.start()] + huge + path[match.end() :]


def _beyond_last_page(url: str) -> str | None:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if "page" not in query:
        return None
    query["page"] = "999999"
    return f"{parts.path}?{urlencode(query)}"


def _hostile(form) -> dict[str, str]:
    data = {}
    for name, value, kind in form.fields:
        if kind == "text":
            data[name] = f"a\x00b{value}"
        elif kind == "textarea":
            data[name] = f"x\x00y\n{value}"
        elif kind != "file":
            data[name] = value
    return data


def _sweep(app, email) -> list[Visit]:
    client = _client(app, email)
    # The search page is reached through the header's form, not a link.
    visits = crawl(app, client, start=("/", "/search/?q=projet"))
    failures = [(v.url, v.status) for v in visits if v.status >= 500]
    assert failures == [], email
    for visit in [v for v in visits if v.status == 200]:
        for url in [*_with_huge_ids(visit.url), _beyond_last_page(visit.url)]:
            if url is not None:
                assert client.get(url).status_code == 404, (email, url)
    posted: set[str] = set()
    for visit in visits:
        for form in visit.forms:
            if not form.has_text or form.action in posted or "/auth/logout" in form.action:
                continue
            posted.add(form.action)
            target = urlsplit(form.action)
            if form.method == "get":
                # A browser replaces the action's query with the form's fields.
                response = client.get(target.path, query_string=_hostile(form))
            else:
                url = target.path + (f"?{target.query}" if target.query else "")
                response = client.post(url, data=_hostile(form))
            assert response.status_code < 500, (email, form.action)
    return visits


def test_no_route_or_form_breaks_for_any_demo_user(demo_app):
    reached: set[str] = set()
    for email in ACCOUNTS:
        reached |= {visit.endpoint for visit in _sweep(demo_app, email)}
    # The crawl went everywhere: the staff pages and every plugin's.
    blueprints = {endpoint.split(".")[0] for endpoint in reached}
    assert {"dashboard", "admin", "auth", "search", *conftest.tested_plugins()} <= blueprints
    if db.engine.dialect.name == "sqlite":
        # PostgreSQL refuses NUL in text outright; SQLite stores it: nothing may have been.
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                for column in table.c:
                    if isinstance(column.type, sa.String | sa.Text):
                        found = connection.scalar(
                            sa.select(sa.func.count()).where(sa.func.instr(column, "\x00") > 0)
                        )
                        assert not found, f"{table.name}.{column.name} holds NUL"


def test_anonymous_forms_refuse_nul(client):
    for url, data in (
        ("/auth/login", {"email": "a\x00@example.org", "password": "x\x00"}),
        ("/auth/reset", {"email": "a\x00@example.org"}),
    ):
        assert client.post(url, data=data).status_code < 500, url


def test_nul_in_a_query_string_or_path_is_a_clear_error(world, login_as):
    client = login_as(world.learner_a1)
    response = client.get("/search/", query_string={"q": "a\x00b"})
    assert response.status_code == 400 and "Requête invalide" in response.get_data(as_text=True)
    assert client.get("/files/1/a%00b.pdf").status_code == 404
