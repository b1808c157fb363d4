"""Security by default: every route checks CSRF and login, headers, cookies, secrets and error pages."""

import re

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

#: Endpoints of the core an anonymous visitor may reach; plugins declare theirs in `public_endpoints`.
PUBLIC = {"auth.login", "auth.reset_request", "auth.reset_password", "static"}


def _public(app) -> set[str]:
    from portal.plugins import loaded_plugins

    return PUBLIC.union(*(plugin.public_endpoints for plugin in loaded_plugins(app)))


def _urls(app, methods: set[str]):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not (rule.methods & methods):
            continue
        # Every route argument in this app is an int id, except reset tokens.
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        yield rule.endpoint, re.sub(r"<[^>]+>", "x", url)


def _row_counts() -> dict[str, int]:
    """Rows per table of the database (models of plugins not under test have none)."""
    existing = set(sa.inspect(db.session.connection()).get_table_names())
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
        if t.name in existing
    }


def test_every_non_public_route_sends_anonymous_visitors_to_login(app, client, world):
    checked = 0
    public = _public(app)
    for endpoint, url in _urls(app, {"GET", "POST"}):
        if endpoint in public:
            continue
        rule_methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        response = client.get(url) if "GET" in rule_methods else client.post(url)
        assert response.status_code == 302, (endpoint, response.status_code)
        assert "/auth/login" in response.headers["Location"], endpoint
        checked += 1
    assert checked > 30


def test_every_state_changing_route_refuses_a_post_without_csrf_token(app, world, login_as):
    admin = login_as(world.admin)
    before = _row_counts()
    checked = 0
    for endpoint, url in _urls(app, {"POST"}):
        response = admin.post(url, data={"name": "x", "email": "x@example.org"}, csrf=False)
        assert response.status_code == 400, (endpoint, response.status_code)
        assert "Le formulaire a expiré" in response.get_data(as_text=True), endpoint
        checked += 1
    assert checked > 20
    assert _row_counts() == before


def test_security_headers_on_every_response(client):
    for url in ("/auth/login", "/nowhere", "/static/css/portal.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(world, login_as):
    for url in ("/", "/auth/profile", "/admin/users"):
        page = login_as(world.admin).get(url).get_data(as_text=True)
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, url


def test_default_secret_is_refused_outside_debug(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="default SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DEBUG": True})
    assert app.debug and app.config["SESSION_COOKIE_SECURE"] is False


def test_cookies_are_secure_outside_debug(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]


def test_error_pages_leak_nothing(app, world, login_as):
    app.testing = False

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/boom-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erreur du serveur" in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_not_found_page_is_french_and_in_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_method_not_allowed_page(client):
    response = client.put("/auth/login")
    assert response.status_code == 405
    assert "Méthode non autorisée" in response.get_data(as_text=True)


def test_oversized_request_is_refused_with_a_clear_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/auth/login", data={"email": "a" * 2000, "password": "x"})
    assert response.status_code == 413
    assert "dépasse la taille autorisée" in response.get_data(as_text=True)


def test_user_markdown_is_sanitised():
    from portal.text import render_markdown

    payloads = [
        "<script>alert(1)</script>",
        "[clic](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "![x](javascript:alert(1))",
        '<svg onload="alert(1)"></svg>',
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ]
    for payload in payloads:
        html = str(render_markdown(payload))
        assert "<script" not in html and "<svg" not in html and "<img src=x" not in html
        assert not re.search(r"(href|src)=\"(javascript|data):", html), html
        assert not re.search(r"<[^>]+\son\w+=", html), html
    assert str(render_markdown("**gras** [lien](https://example.org)")).count("<strong>gras</strong>") == 1
