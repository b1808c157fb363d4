"""The courses plugin's tables: material items of seminars, their files, cohort restrictions, progress."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, Seminar, User, UTCDateTime, utcnow, value_enum
from portal.storage import StoredFile


class ItemKind(enum.StrEnum):
    """What an item of material is."""

    FILE = "file"
    FOLDER = "folder"
    LINK = "link"
    PAGE = "page"


class CourseItem(db.Model):
    """A piece of material of a seminar."""

    __tablename__ = "courses_item"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[ItemKind] = so.mapped_column(value_enum(ItemKind, "item_kind", 10))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: a short presentation shown in the list
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: order inside the seminar
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: the address, for a link (http or https only)
    url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    #: the Markdown text, for a page
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: hidden from learners and tutors whatever the dates
    hidden: so.Mapped[bool] = so.mapped_column(default=False)
    available_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    available_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    seminar: so.Mapped[Seminar] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship()
    files: so.Mapped[list[CourseItemFile]] = so.relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="CourseItemFile.id"
    )
    cohorts: so.Mapped[list[CourseItemCohort]] = so.relationship(cascade="all, delete-orphan")

    @property
    def size(self) -> int:
        """Total size of its files, in bytes."""
        return sum(f.stored.size for f in self.files)


class CourseItemFile(db.Model):
    """A stored file of a file or folder item."""

    __tablename__ = "courses_item_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("courses_item.id", ondelete="CASCADE"), index=True
    )
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id"), index=True)

    item: so.Mapped[CourseItem] = so.relationship(back_populates="files")
    stored: so.Mapped[StoredFile] = so.relationship()


class CourseItemCohort(db.Model):
    """Limits an item to some cohorts of the programme (no row: every cohort)."""

    __tablename__ = "courses_item_cohort"

    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("courses_item.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )


class CourseProgress(db.Model):
    """A learner marked an item as done."""

    __tablename__ = "courses_progress"

    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("courses_item.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    done_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class CourseVisit(db.Model):
    """When a user last looked at a programme's material, for "new since your last visit"."""

    __tablename__ = "courses_visit"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    programme_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    seen_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class SeminarLecturer(db.Model):
    """A lecturer who teaches a seminar."""

    __tablename__ = "courses_seminar_lecturer"

    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)

    user: so.Mapped[User] = so.relationship()
