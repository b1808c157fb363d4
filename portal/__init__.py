"""The portal's application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as default_config
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.plugins import load_plugins

#: The core's Alembic environment and revisions, beside the package in the checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then PORTAL_* variables, then `config` (tests)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("PORTAL_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(default_config.DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(default_config.from_environment())
    app.config.update(config)
    _finish_config(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        _tune_engine(app)
    from portal import routing, timing

    routing.init_app(app)

    # Registered first, so that the time it reports includes the CSRF check and the rate limiter.
    timing.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)

    from portal import collector, errors, once, security, templating  # noqa: F401 - once: its table
    from portal.admin.section import AdminSection
    from portal.auth.views import bp as auth_bp
    from portal.dashboard.section import DashboardSection
    from portal.files import bp as files_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.search_views import bp as search_bp

    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(files_bp, url_prefix="/files")
    app.register_blueprint(search_bp, url_prefix="/search")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    plugins = load_plugins(app, builtins=[DashboardSection(), AdminSection()])
    _init_babel(app, plugins)
    _init_migration_branches(app, plugins)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    collector.init_app(app)

    from portal import cli

    cli.register(app)
    return app


def _finish_config(app: Flask) -> None:
    if app.config["SECRET_KEY"] == default_config.DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError(
            "The portal refuses to start with the default SECRET_KEY outside debug mode: "
            "run `portal init` or set PORTAL_SECRET_KEY."
        )
    url = app.config.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{Path(app.instance_path) / 'portal.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["STORAGE_MAX_FILE_SIZE"] + 1024 * 1024
    app.config["RATELIMIT_ENABLED"] = app.config.get("RATELIMIT_ENABLED", True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def _tune_engine(app: Flask) -> None:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        # WAL lets readers work while a request writes; foreign keys make ON DELETE CASCADE real.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite's own lower() folds ASCII only; searches must match "Élodie" as PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _init_login(app: Flask) -> None:
    import hmac

    from flask_babel import lazy_gettext as _l

    from portal.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
            return None
        return user


def _init_babel(app: Flask, plugins) -> None:
    from flask import has_request_context, request
    from flask_login import current_user

    directories = [str(Path(__file__).parent / "translations")]
    directories += [str(p.translations_dir()) for p in plugins if p.translations_dir() and not p.builtin]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)

    def select_locale() -> str:
        if not has_request_context():
            return app.config["BABEL_DEFAULT_LOCALE"]
        if current_user and current_user.is_authenticated and current_user.locale in app.config["LANGUAGES"]:
            return current_user.locale
        return (
            request.accept_languages.best_match(app.config["LANGUAGES"]) or app.config["BABEL_DEFAULT_LOCALE"]
        )

    babel.init_app(app, locale_selector=select_locale)


def _init_migration_branches(app: Flask, plugins) -> None:
    locations = [str(MIGRATIONS_DIR / "versions")]
    locations += [str(p.migrations_dir()) for p in plugins if p.migrations_dir()]
    app.extensions["portal.migration_locations"] = locations


@migrate.configure
def _version_locations(alembic_config):
    """Each enabled plugin's revisions are an Alembic branch in its own folder."""
    from flask import current_app

    alembic_config.set_main_option("path_separator", "os")
    alembic_config.set_main_option(
        "version_locations", os.pathsep.join(current_app.extensions["portal.migration_locations"])
    )
    return alembic_config
