"""Flask extensions, created here unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from portal.aftercommit import PortalSession

#: Stable constraint names, so that Alembic revisions can name what they alter on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PortalLimiter(Limiter):
    """Flask-Limiter, able to keep its counts in the site's database (RATELIMIT_STORAGE_URI "database://")."""

    def init_app(self, app) -> None:
        """Bind to the app, its storage built from the app's config."""
        # The database storage registers its scheme with `limits` when imported; imported here, once models
        # can be, since its table is one of them.
        from portal.auth import throttle  # noqa: F401

        super().init_app(app)


class Base(DeclarativeBase):
    """Declarative base of every model, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": PortalSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = PortalLimiter(key_func=get_remote_address, default_limits=[])
