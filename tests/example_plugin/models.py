"""The example plugin's one table."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db


class ExampleNote(db.Model):
    """A note written by a user."""

    __tablename__ = "example_note"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the author
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(200))


def notes_of(user) -> list[ExampleNote]:
    """The user's notes."""
    return list(db.session.scalars(sa.select(ExampleNote).where(ExampleNote.user_id == user.id)))


def count_notes(user) -> int:
    """How many notes the user wrote."""
    return db.session.scalar(sa.select(sa.func.count()).where(ExampleNote.user_id == user.id))
