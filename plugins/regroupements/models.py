"""Tables of the regroupements plugin: weeks, sessions, personal events, attendance and feed tokens."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, Bloc, Seminar, User, UTCDateTime, utcnow, value_enum
from portal.storage import StoredFile


class SessionKind(enum.StrEnum):
    """What a session is."""

    SEMINAR = "seminar"
    ATELIER = "atelier"
    METHODOLOGY = "methodology"


class SessionStatus(enum.StrEnum):
    """Whether a session takes place as planned."""

    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"


class Presence(enum.StrEnum):
    """A learner's attendance at a session."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class Decision(enum.StrEnum):
    """The staff's answer to an absence justification."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class Week(db.Model):
    """A regroupement week of a cohort."""

    __tablename__ = "regroupements_week"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "number"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    #: 1, 2 ... in the cohort's order
    number: so.Mapped[int]
    #: first and last day (Paris dates), inclusive
    start_date: so.Mapped[date]
    end_date: so.Mapped[date]
    theme: so.Mapped[str] = so.mapped_column(sa.String(255), default="")

    sessions: so.Mapped[list[Session]] = so.relationship(
        back_populates="week", cascade="all, delete-orphan", order_by="Session.start_dt"
    )


class Session(db.Model):
    """A session of a regroupement week: a seminar, an atelier mémoire or a methodology session."""

    __tablename__ = "regroupements_session"
    __table_args__ = (sa.Index("ix_regroupements_session_cohort_start", "cohort_id", "start_dt"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    week_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("regroupements_week.id", ondelete="CASCADE"), index=True
    )
    #: the week's cohort, repeated so that calendars query sessions without the week
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    #: start and end, UTC (typed and shown in Paris time)
    start_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    end_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: its length, kept with start and end so that reports sum hours in SQL on SQLite and PostgreSQL alike
    minutes: so.Mapped[int] = so.mapped_column(default=0)
    kind: so.Mapped[SessionKind] = so.mapped_column(value_enum(SessionKind, "session_kind"))
    #: the bloc whose hours the session counts towards (None: outside any bloc)
    bloc_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("bloc.id", ondelete="SET NULL"))
    seminar_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("seminar.id", ondelete="SET NULL"))
    #: shown instead of the seminar's title when set
    title: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: videoconference address (http or https)
    link: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    room: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    status: so.Mapped[SessionStatus] = so.mapped_column(
        value_enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    #: why the session moved or was cancelled, shown to everyone
    status_note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    week: so.Mapped[Week] = so.relationship(back_populates="sessions")
    bloc: so.Mapped[Bloc | None] = so.relationship()
    seminar: so.Mapped[Seminar | None] = so.relationship()
    lecturers: so.Mapped[list[User]] = so.relationship(
        secondary="regroupements_session_lecturer", order_by="User.last_name"
    )

    @property
    def label(self) -> str:
        """The session's title: its own, else its seminar's."""
        return self.title or (self.seminar.title if self.seminar else "")

    @property
    def hours(self) -> float:
        """Its length in hours."""
        return (self.end_dt - self.start_dt).total_seconds() / 3600


@sa.event.listens_for(Session, "before_insert")
@sa.event.listens_for(Session, "before_update")
def _keep_minutes(_mapper, _connection, session: Session) -> None:
    """Keep `minutes` in step with start and end on every ORM write."""
    session.minutes = round((session.end_dt - session.start_dt).total_seconds() / 60)


class SessionLecturer(db.Model):
    """A lecturer of a session."""

    __tablename__ = "regroupements_session_lecturer"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("regroupements_session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PersonalEvent(db.Model):
    """An event a user adds to their own calendar; nobody else sees it."""

    __tablename__ = "regroupements_event"
    __table_args__ = (sa.Index("ix_regroupements_event_user_start", "user_id", "start_dt"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    start_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    end_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    location: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")


class Attendance(db.Model):
    """A learner's attendance at a session, as it stands now (its changes are in AttendanceChange)."""

    __tablename__ = "regroupements_attendance"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("regroupements_session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: so.Mapped[Presence] = so.mapped_column(value_enum(Presence, "presence"))
    #: when the learner checked in themself (None: recorded by a tutor or staff)
    checked_in_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: who recorded the current status
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    recorded_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class AttendanceChange(db.Model):
    """One change of a learner's attendance: who, when, from what to what."""

    __tablename__ = "regroupements_attendance_change"
    __table_args__ = (
        sa.Index("ix_regroupements_attendance_change_session", "session_id", "user_id"),
        KEEP_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("regroupements_session.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: None for the first record
    old_status: so.Mapped[Presence | None] = so.mapped_column(value_enum(Presence, "old_presence"))
    new_status: so.Mapped[Presence] = so.mapped_column(value_enum(Presence, "new_presence"))
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    changed_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    changed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[changed_by_id])


class Justification(db.Model):
    """A learner's justification of an absence, with an optional file, accepted or refused by staff."""

    __tablename__ = "regroupements_justification"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("regroupements_session.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    file_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="SET NULL"))
    decision: so.Mapped[Decision] = so.mapped_column(
        value_enum(Decision, "decision"), default=Decision.PENDING
    )
    submitted_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[Session] = so.relationship()
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    stored: so.Mapped[StoredFile | None] = so.relationship()


class FeedToken(db.Model):
    """A user's private calendar feed: only the SHA-256 of its secret is kept."""

    __tablename__ = "regroupements_feed"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    #: hex SHA-256 of the secret in the feed's address
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
