"""The library's tables: monographs, their themes and attachments, and the two lists staff edit."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, User, UTCDateTime, utcnow, value_enum
from portal.storage import StoredFile


class Status(enum.StrEnum):
    """Where a monograph is in its review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"


class Visibility(enum.StrEnum):
    """Who may read a published monograph."""

    ALL = "all"
    STAFF = "staff"


class LegalForm(db.Model):
    """A legal form of the list staff edit (association, SCOP, SCIC ...)."""

    __tablename__ = "library_legal_form"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)


class Sector(db.Model):
    """A sector of activity of the list staff edit (social, culture, habitat ...)."""

    __tablename__ = "library_sector"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)


class Monograph(db.Model):
    """The monograph of a remarkable project of the social and solidarity economy."""

    __tablename__ = "library_monograph"
    # The review queue, its count on the staff's dashboard and the pages of published ones read only the
    # monographs of one status, by date of change: without it each reads the whole table, bodies included.
    __table_args__ = (sa.Index("ix_library_monograph_status_updated", "status", "updated_dt"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the organisation the monograph is about
    organisation: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    legal_form_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("library_legal_form.id", ondelete="SET NULL"), index=True
    )
    sector_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("library_sector.id", ondelete="SET NULL"), index=True
    )
    region: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    department: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    town: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    #: the year the organisation was founded
    year_founded: so.Mapped[int | None] = so.mapped_column()
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: Markdown
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: where it comes from, e.g. "Mémoire, promotion Paris 2024"
    source: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: the authors' names as they are to be cited
    authors: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    status: so.Mapped[Status] = so.mapped_column(
        value_enum(Status, "library_status", 10), default=Status.DRAFT
    )
    visibility: so.Mapped[Visibility] = so.mapped_column(
        value_enum(Visibility, "library_visibility", 10), default=Visibility.ALL
    )
    #: the staff's last request for changes, shown to the author
    review_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: who proposed it: sees and edits it while it is a draft
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    legal_form: so.Mapped[LegalForm | None] = so.relationship()
    sector: so.Mapped[Sector | None] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship()
    themes: so.Mapped[list[MonographTheme]] = so.relationship(
        cascade="all, delete-orphan", order_by="MonographTheme.name"
    )
    attachments: so.Mapped[list[Attachment]] = so.relationship(
        back_populates="monograph", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def theme_names(self) -> list[str]:
        """Its themes, alphabetical."""
        return [t.name for t in self.themes]

    @property
    def decade(self) -> str:
        """The decade it was founded in, e.g. "1980", or ""."""
        return str(self.year_founded // 10 * 10) if self.year_founded else ""


class MonographTheme(db.Model):
    """A theme (tag) of a monograph."""

    __tablename__ = "library_monograph_theme"

    monograph_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("library_monograph.id", ondelete="CASCADE"), primary_key=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)


class Attachment(db.Model):
    """A PDF, DOCX or ODT document of a monograph, with its text kept for the index."""

    __tablename__ = "library_attachment"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    monograph_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("library_monograph.id", ondelete="CASCADE"), index=True
    )
    file_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="CASCADE"), index=True
    )
    #: the text extracted at upload, indexed with the monograph (not re-extracted by `portal reindex`)
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    monograph: so.Mapped[Monograph] = so.relationship(back_populates="attachments")
    stored: so.Mapped[StoredFile] = so.relationship()
