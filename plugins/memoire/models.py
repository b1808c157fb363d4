"""The memoire plugin's tables: assignments, date overrides, submissions and their versions, feedback,
supervision log and sent reminders."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, Bloc, Cohort, User, UTCDateTime, utcnow, value_enum
from portal.storage import StoredFile


class AssignmentKind(enum.StrEnum):
    """A mémoire milestone or a continuous-assessment writing of a bloc."""

    MILESTONE = "milestone"
    WRITING = "writing"


class SubmissionStatus(enum.StrEnum):
    """Where a learner's submission stands."""

    #: being prepared, never sent
    DRAFT = "draft"
    #: sent for grading: no new version until a tutor reopens it
    SUBMITTED = "submitted"
    #: a tutor allowed a new version
    REOPENED = "reopened"
    #: a tutor closed it: nothing can be sent any more
    LOCKED = "locked"


class Level(enum.StrEnum):
    """How well one quality of the work is achieved."""

    INSUFFICIENT = "insufficient"
    CONSOLIDATE = "consolidate"
    SATISFACTORY = "satisfactory"
    VERY_SATISFACTORY = "very_satisfactory"


class Decision(enum.StrEnum):
    """The tutor's decision on a version."""

    VALIDATED = "validated"
    REWORK = "rework"
    NOT_VALIDATED = "not_validated"


class LogKind(enum.StrEnum):
    """What a supervision log entry records."""

    MEETING = "meeting"
    DECISION = "decision"
    NEXT_STEPS = "next_steps"


#: The four qualities of a good mémoire, as columns of the feedback.
QUALITIES = ("distanciation", "argumentation", "coherence", "pertinence")


class Assignment(db.Model):
    """Work a cohort's learners hand in: a mémoire milestone or a bloc's writing."""

    __tablename__ = "memoire_assignment"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[AssignmentKind] = so.mapped_column(value_enum(AssignmentKind, "assignment_kind"))
    #: the bloc a continuous-assessment writing validates
    bloc_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("bloc.id", ondelete="SET NULL"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: Markdown
    instructions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: before it, nothing can be handed in (None: open at once)
    open_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    due_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: after it, nothing can be handed in (None: late work accepted at any time)
    cutoff_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: accepted MIME types, comma-separated, from portal.storage's allow-list
    allowed_types: so.Mapped[str] = so.mapped_column(sa.String(1000), default="application/pdf")
    max_files: so.Mapped[int] = so.mapped_column(default=1)
    #: per file, in megabytes
    max_size_mb: so.Mapped[int] = so.mapped_column(default=20)
    #: whether the learner may (also) type a text answer
    text_answer: so.Mapped[bool] = so.mapped_column(default=False)
    #: whether the learner must tick the originality statement to send
    statement_required: so.Mapped[bool] = so.mapped_column(default=False)
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cohort: so.Mapped[Cohort] = so.relationship()
    bloc: so.Mapped[Bloc | None] = so.relationship()
    overrides: so.Mapped[list[Override]] = so.relationship(
        back_populates="assignment", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def type_list(self) -> list[str]:
        """The accepted MIME types."""
        return [t for t in self.allowed_types.split(",") if t]


class Override(db.Model):
    """Other dates for one atelier or one learner (the learner's own override wins)."""

    __tablename__ = "memoire_override"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "atelier_id"),
        sa.UniqueConstraint("assignment_id", "user_id"),
        sa.CheckConstraint("(atelier_id IS NULL) <> (user_id IS NULL)", name="one_target"),
        KEEP_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assignment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_assignment.id", ondelete="CASCADE"), index=True
    )
    atelier_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("atelier.id", ondelete="CASCADE"))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    due_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: None: no cut-off for this target
    cutoff_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    assignment: so.Mapped[Assignment] = so.relationship(back_populates="overrides")
    user: so.Mapped[User | None] = so.relationship()


class Submission(db.Model):
    """One learner's work on one assignment: the draft being prepared and the versions sent."""

    __tablename__ = "memoire_submission"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "user_id"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assignment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_assignment.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[SubmissionStatus] = so.mapped_column(
        value_enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.DRAFT
    )
    #: the text answer being prepared
    draft_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: how many versions were sent (the next one gets this number plus one)
    version_count: so.Mapped[int] = so.mapped_column(default=0)
    #: last change by anyone, for the tutor's grid
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    assignment: so.Mapped[Assignment] = so.relationship()
    user: so.Mapped[User] = so.relationship()
    draft_files: so.Mapped[list[DraftFile]] = so.relationship(
        cascade="all, delete-orphan", order_by="DraftFile.id"
    )
    versions: so.Mapped[list[Version]] = so.relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Version.number"
    )


class DraftFile(db.Model):
    """A file of a submission's draft (shared with the versions that were sent with it)."""

    __tablename__ = "memoire_draft_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_submission.id", ondelete="CASCADE"), index=True
    )
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id"), index=True)

    stored: so.Mapped[StoredFile] = so.relationship()


class Version(db.Model):
    """What the learner sent once: files, text, time and lateness; never changed afterwards."""

    __tablename__ = "memoire_version"
    __table_args__ = (sa.UniqueConstraint("submission_id", "number"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_submission.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3 ... per submission
    number: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    submitted_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: seconds after the learner's due date (0 when on time)
    late_seconds: so.Mapped[int] = so.mapped_column(default=0)
    #: the learner ticked the originality statement
    statement: so.Mapped[bool] = so.mapped_column(default=False)

    submission: so.Mapped[Submission] = so.relationship(back_populates="versions")
    files: so.Mapped[list[VersionFile]] = so.relationship(
        cascade="all, delete-orphan", order_by="VersionFile.id"
    )
    feedback: so.Mapped[Feedback | None] = so.relationship(
        back_populates="version", cascade="all, delete-orphan", uselist=False
    )


class VersionFile(db.Model):
    """A file sent with a version."""

    __tablename__ = "memoire_version_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_version.id", ondelete="CASCADE"), index=True
    )
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id"), index=True)

    stored: so.Mapped[StoredFile] = so.relationship()


class Feedback(db.Model):
    """A tutor's feedback on one version: a draft until released."""

    __tablename__ = "memoire_feedback"

    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_version.id", ondelete="CASCADE"), primary_key=True
    )
    #: Markdown
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    distanciation: so.Mapped[Level | None] = so.mapped_column(value_enum(Level, "level_distanciation"))
    argumentation: so.Mapped[Level | None] = so.mapped_column(value_enum(Level, "level_argumentation"))
    coherence: so.Mapped[Level | None] = so.mapped_column(value_enum(Level, "level_coherence"))
    pertinence: so.Mapped[Level | None] = so.mapped_column(value_enum(Level, "level_pertinence"))
    decision: so.Mapped[Decision | None] = so.mapped_column(value_enum(Decision, "decision"))
    #: out of 20, two decimals
    mark: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(4, 2))
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: None while it is a draft that only tutors and staff see
    released_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    version: so.Mapped[Version] = so.relationship(back_populates="feedback")
    author: so.Mapped[User | None] = so.relationship()
    files: so.Mapped[list[FeedbackFile]] = so.relationship(
        cascade="all, delete-orphan", order_by="FeedbackFile.id"
    )


class FeedbackFile(db.Model):
    """A file attached to feedback (an annotated copy, a grid ...)."""

    __tablename__ = "memoire_feedback_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_feedback.version_id", ondelete="CASCADE"), index=True
    )
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id"), index=True)

    stored: so.Mapped[StoredFile] = so.relationship()


class LogEntry(db.Model):
    """A dated entry of a learner's supervision log: a meeting, a decision, next steps."""

    __tablename__ = "memoire_log_entry"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    #: the learner whose mémoire it follows
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    entry_date: so.Mapped[date]
    kind: so.Mapped[LogKind] = so.mapped_column(value_enum(LogKind, "log_kind"))
    #: Markdown
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])


class SentReminder(db.Model):
    """A due-date reminder sent to a learner; the key makes each reminder go once."""

    __tablename__ = "memoire_sent_reminder"

    assignment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("memoire_assignment.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    #: the due date reminded of: a later extension gets its own reminder
    due_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, primary_key=True)
    sent_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
