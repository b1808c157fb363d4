"""Default settings; overridden by instance/config.py, then by PORTAL_* environment variables."""

import json
import os
from datetime import timedelta

#: The placeholder secret; create_app refuses to start with it outside debug and testing.
DEFAULT_SECRET_KEY = "change-me"  # noqa: S105


class DefaultConfig:
    """Settings every site starts from."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    #: None means: a SQLite file in the instance folder.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    #: Enabled plugins by entry-point name (or "module:attribute"); None means every installed one.
    PLUGINS: list[str] | None = None

    SITE_NAME = "Portail ESS"
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: None means: Secure unless the app runs in debug mode.
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    #: None means: the largest file plus 1 MiB for the rest of the form.
    MAX_CONTENT_LENGTH: int | None = None
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 1000

    #: Where the login throttle counts failed attempts: "database://" (the site's database, shared by every
    #: worker and host), "redis://127.0.0.1:6379" for large sites, or "memory://" (one process only).
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"

    PASSWORD_MIN_LENGTH = 8
    #: werkzeug's method string; scrypt's default cost suits a login form
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    PASSWORD_RESET_MAX_AGE = 3600

    #: Outgoing mail: with MAIL_SERVER unset, mail is written to MAIL_OUTBOX (default: instance/outbox).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "Portail ESS <no-reply@localhost>"
    MAIL_OUTBOX: str | None = None

    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = 0
    #: The site's public address (e.g. "https://formation.example.org"), for links in mail and feeds; without
    #: it, links use the request's host, and http://localhost in commands run from cron.
    SITE_URL: str | None = None

    #: Stored files (default: instance/files) and the largest file accepted, in bytes.
    STORAGE_PATH: str | None = None
    STORAGE_MAX_FILE_SIZE = 50 * 1024 * 1024
    #: A stored file no row points to is removed by `portal sweep` after this many hours.
    STORAGE_SWEEP_GRACE_HOURS = 24

    #: The search index folder (default: instance/search-index).
    SEARCH_INDEX_PATH: str | None = None
    SEARCH_PAGE_SIZE = 10

    #: Add a Server-Timing header (time in the app, SQL queries and their time) to every response.
    SERVER_TIMING = False

    #: Days of access a person keeps after their enrolment ends (a learner's ends with the cohort).
    ACCESS_GRACE_DAYS = 30
    #: Days without any activity after which a learner is flagged on their tutor's dashboard.
    INACTIVE_LEARNER_DAYS = 21
    #: Notifications older than this are removed by `portal notifications` (daily).
    NOTIFICATIONS_KEEP_DAYS = 90

    USER_LIST_PAGE_SIZE = 50
    CSV_IMPORT_MAX_ROWS = 2000


def from_environment(prefix: str = "PORTAL_") -> dict:
    """Return the settings given as PORTAL_* environment variables, JSON-decoded when they parse."""
    settings = {}
    for name, raw in os.environ.items():
        if not name.startswith(prefix) or name.startswith("PORTAL_TEST_"):
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        settings[name.removeprefix(prefix)] = value
    return settings
