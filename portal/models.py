"""Core models: who is who (users, enrolments, ateliers) and the programme's structure."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes, store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        """Attach UTC to what SQLite returns naive."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def value_enum(kind: type[enum.Enum], name: str, length: int = 20) -> sa.Enum:
    """A column type for a StrEnum, stored as its value (VARCHAR) with a CHECK constraint named `name`."""
    return sa.Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


#: Table option for every table whose ids appear in URLs, mail, file names or feeds: on SQLite, AUTOINCREMENT
#: keeps a deleted row's id from going to the next row (PostgreSQL sequences never reuse ids anyway).
KEEP_IDS = {"sqlite_autoincrement": True}


class Role(enum.StrEnum):
    """A person's role in a cohort."""

    LEARNER = "learner"
    TUTOR = "tutor"
    LECTURER = "lecturer"
    STAFF = "staff"


class SeminarKind(enum.StrEnum):
    """The seminar types of the programme."""

    THEORETICAL = "theoretical"
    THEMATIC = "thematic"
    TECHNICAL = "technical"
    MONOGRAPHIC = "monographic"
    METHODOLOGICAL = "methodological"


def _new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A person with an account; their roles come from enrolments."""

    __tablename__ = "user"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the login, stored lower-case
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    first_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    last_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: scrypt hash; None until the person sets a password through a reset link
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    #: a deactivated user cannot log in and loses every session
    active: so.Mapped[bool] = so.mapped_column(default=True)
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    #: interface language, "fr" or "en"
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="fr")
    #: part of the session identity: changing it ends every session of the user
    session_token: so.Mapped[str] = so.mapped_column(sa.String(32), default=_new_session_token)
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    enrolments: so.Mapped[list[Enrolment]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        """First and last name, as shown to people."""
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        """Last name first, for lists."""
        return f"{self.last_name} {self.first_name}"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    def get_id(self) -> str:
        """Session identity: the id and the session token, so that rotating the token logs out everywhere."""
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        """Hash and store a new password; other sessions end."""
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether the password matches; always False when none is set."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user."""
        self.session_token = _new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Programme(db.Model):
    """A diploma, e.g. the RNCP 35080 manager programme."""

    __tablename__ = "programme"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: e.g. "RNCP 35080"
    rncp_code: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    #: the European qualification level, e.g. 7
    level: so.Mapped[int | None]
    #: total hours of the programme
    hours: so.Mapped[int] = so.mapped_column(default=0)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    blocs: so.Mapped[list[Bloc]] = so.relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Bloc.number"
    )
    cohorts: so.Mapped[list[Cohort]] = so.relationship(back_populates="programme")
    coordinators: so.Mapped[list[ProgrammeCoordinator]] = so.relationship(
        back_populates="programme", cascade="all, delete-orphan"
    )


class ProgrammeCoordinator(db.Model):
    """A person who runs a whole programme: its blocs and seminars, and every cohort of it."""

    __tablename__ = "programme_coordinator"

    programme_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    programme: so.Mapped[Programme] = so.relationship(back_populates="coordinators")
    user: so.Mapped[User] = so.relationship()


class Bloc(db.Model):
    """A block of competences of a programme (or a non-certifying module)."""

    __tablename__ = "bloc"
    __table_args__ = (sa.UniqueConstraint("programme_id", "number"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"))
    #: order and label: Bloc 1, Bloc 2 ...
    number: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    hours: so.Mapped[int] = so.mapped_column(default=0)
    #: False for an optional module outside the certification
    is_certifying: so.Mapped[bool] = so.mapped_column(default=True)

    programme: so.Mapped[Programme] = so.relationship(back_populates="blocs")
    seminars: so.Mapped[list[Seminar]] = so.relationship(
        back_populates="bloc", cascade="all, delete-orphan", order_by="Seminar.position"
    )


class Seminar(db.Model):
    """A teaching unit inside a bloc."""

    __tablename__ = "seminar"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bloc_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("bloc.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    kind: so.Mapped[SeminarKind] = so.mapped_column(
        value_enum(SeminarKind, "seminar_kind"), default=SeminarKind.THEMATIC
    )
    #: planned hours, when known
    hours: so.Mapped[int | None]
    #: order inside the bloc
    position: so.Mapped[int] = so.mapped_column(default=0)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    bloc: so.Mapped[Bloc] = so.relationship(back_populates="seminars")


class Cohort(db.Model):
    """A promotion: one intake of a programme at one centre."""

    __tablename__ = "cohort"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programme.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    #: the Cnam centre: Paris, Lille, Dijon ...
    centre: so.Mapped[str] = so.mapped_column(sa.String(80))
    start_date: so.Mapped[date]
    end_date: so.Mapped[date]

    programme: so.Mapped[Programme] = so.relationship(back_populates="cohorts")
    enrolments: so.Mapped[list[Enrolment]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    ateliers: so.Mapped[list[Atelier]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="Atelier.name"
    )


def role_type() -> sa.Enum:
    """A column type for Role, stored as its value with a CHECK constraint (one per column)."""
    return value_enum(Role, "role")


class Enrolment(db.Model):
    """A person's role in a cohort; one row per role."""

    __tablename__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("user_id", "cohort_id", "role"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[Role] = so.mapped_column(role_type())
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: the last day of this enrolment when it ends before its cohort (learners) or at all (other roles)
    ends_on: so.Mapped[date | None]
    #: access granted by staff until this day, whatever the end dates and the grace period
    access_until: so.Mapped[date | None]

    user: so.Mapped[User] = so.relationship(back_populates="enrolments")
    cohort: so.Mapped[Cohort] = so.relationship(back_populates="enrolments")


class Atelier(db.Model):
    """An atelier mémoire: a few learners of a cohort and their tutors."""

    __tablename__ = "atelier"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "name"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="ateliers")
    members: so.Mapped[list[AtelierMember]] = so.relationship(
        back_populates="atelier", cascade="all, delete-orphan"
    )


class AtelierMember(db.Model):
    """A learner or a tutor in an atelier."""

    __tablename__ = "atelier_member"

    atelier_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("atelier.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: Role.LEARNER or Role.TUTOR
    role: so.Mapped[Role] = so.mapped_column(role_type())

    atelier: so.Mapped[Atelier] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship()
