"""Fixtures: a real database (SQLite file, or PostgreSQL with PORTAL_TEST_DATABASE_URL), migrated once per
run; an app per test on a temporary instance folder; a client that sends CSRF tokens; a real SMTP server."""

from __future__ import annotations

import contextvars
import os
import re
import secrets
import socket
import threading
import time
from email import message_from_bytes
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.globals import _cv_app
from flask.testing import FlaskClient

from portal import create_app
from portal.extensions import db
from portal.plugins import installed_plugin_names
from tests.factories import World, build_world

EXAMPLE_PLUGIN = "tests.example_plugin:plugin"
TEST_PASSWORD = "correct-horse-battery-staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# -- database ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this run: a SQLite file, or a new PostgreSQL database dropped at the end."""
    server_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal-test.sqlite3'}"
        return
    url = sa.make_url(server_url)
    name = f"portal_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Mailbox:
    """Messages received by the test SMTP server."""

    def __init__(self):
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        """Keep each message; answer as a real server would."""
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self.lock:
            self.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        """The messages, once at least `count` arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    """The test SMTP server's mailbox, empty at the start of the test."""
    _, box = smtp_server
    box.clear()
    return box


def tested_plugins() -> list[str]:
    """Every installed plugin, or those of PORTAL_TEST_PLUGINS (comma-separated) to test a few alone."""
    chosen = os.environ.get("PORTAL_TEST_PLUGINS")
    if chosen is None:
        return installed_plugin_names()
    return [name.strip() for name in chosen.split(",") if name.strip()]


def make_test_config(database_url, instance_path, smtp_port) -> dict:
    """The settings every test app gets."""
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(16),
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "PLUGINS": [*tested_plugins(), EXAMPLE_PLUGIN],
        # Fast hashing keeps the suite quick; production uses scrypt (tested in test_auth).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory, smtp_server):
    """The test database built by the migrations (core and every plugin branch), once per run."""
    from flask_migrate import upgrade

    controller, _ = smtp_server
    app = create_app(make_test_config(database_url, tmp_path_factory.mktemp("instance"), controller.port))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return database_url


@pytest.fixture
def app(migrated_database, tmp_path, smtp_server):
    """An app on a temporary instance folder; the database is emptied after the test."""
    controller, _ = smtp_server
    app = create_app(make_test_config(migrated_database, tmp_path / "instance", controller.port))
    app.test_client_class = CsrfClient
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            # Tests may import the models of plugins not under test (PORTAL_TEST_PLUGINS): no table for those.
            existing = set(sa.inspect(connection).get_table_names())
            for table in reversed(db.metadata.sorted_tables):
                if table.name in existing:
                    connection.execute(table.delete())
        db.engine.dispose()


# -- clients ----------------------------------------------------------------------------------------
class CsrfClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts, as a browser on our pages would."""

    def csrf_token(self) -> str:
        """A token for this client's session, read from a page like a browser would."""
        page = super().open("/auth/reset", method="GET").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def open(self, *args, **kwargs):
        """Run the request in its own app context, as in production, then expire what the test holds."""
        response = contextvars.copy_context().run(self._open_isolated, *args, **kwargs)
        db.session.expire_all()
        return response

    def _open_isolated(self, *args, **kwargs):
        # The test keeps an app context open for its own queries; hiding it makes the request push a fresh
        # one, so that `g` (the logged-in user, cached permissions) and the DB session never leak between
        # requests.
        _cv_app.set(None)
        return self._open_with_token(*args, **kwargs)

    def _open_with_token(self, *args, **kwargs):
        """Add csrf_token to POSTed form data unless the test passes csrf=False."""
        add_token = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if add_token and method == "POST" and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app) -> CsrfClient:
    """An anonymous client."""
    return app.test_client()


class AuthActions:
    """Log a client in and out through the real login form."""

    def __init__(self, client: CsrfClient):
        self.client = client

    def login(self, user_or_email, password: str = TEST_PASSWORD):
        """Post the login form; returns the response."""
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        """Post the logout form."""
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    """Login helper bound to `client`."""
    return AuthActions(client)


@pytest.fixture
def login_as(app):
    """A factory of logged-in clients: login_as(user) returns a new client with that user's session."""

    def _login(user) -> CsrfClient:
        other = app.test_client()
        response = AuthActions(other).login(user)
        assert response.status_code == 303, f"login of {user.email} failed"
        return other

    return _login


@pytest.fixture
def world(app) -> World:
    """Two cohorts of one programme with people in every role (see tests/factories.py)."""
    return build_world(TEST_PASSWORD)


@pytest.fixture
def gunicorn_server(app, tmp_path):
    """A factory: gunicorn_server(workers=3) serves the test database with real worker processes (stopped
    before the database is emptied); see tests/servers.py for logged-in browsers and requests sent at once."""
    from tests.servers import Gunicorn

    started: list[Gunicorn] = []

    def _start(workers: int = 3) -> Gunicorn:
        started.append(Gunicorn(app, tmp_path / f"gunicorn-{len(started)}", workers=workers))
        return started[-1]

    yield _start
    for server in started:
        server.stop()
