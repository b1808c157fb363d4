"""The example plugin's one table."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS
from portal.storage import StoredFile


class ExampleNote(db.Model):
    """A private note, optionally in a cohort and with an attached file."""

    __tablename__ = "example_note"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the author
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: whose staff may read it too
    cohort_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="SET NULL"))
    file_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="SET NULL"))

    file: so.Mapped[StoredFile | None] = so.relationship()


def notes_of(user) -> list[ExampleNote]:
    """The user's notes."""
    return list(db.session.scalars(sa.select(ExampleNote).where(ExampleNote.user_id == user.id)))


def count_notes(user) -> int:
    """How many notes the user wrote."""
    return db.session.scalar(sa.select(sa.func.count()).where(ExampleNote.user_id == user.id))
