"""Reads of the library: the editable lists, a user's proposals, the review queue, the dashboard's counts."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.library.models import Attachment, LegalForm, Monograph, Status
from portal.extensions import db
from portal.forms import choices


def list_choices(model) -> list[tuple[int | str, str]]:
    """The entries of an editable list as select choices, with an empty first choice."""
    rows = db.session.execute(sa.select(model.id, model.name).order_by(model.name))
    return choices([("", "—"), *((row.id, row.name) for row in rows)])


def list_entries(model) -> list[tuple[object, int]]:
    """The entries of an editable list with how many monographs use each."""
    column = Monograph.legal_form_id if model is LegalForm else Monograph.sector_id
    used = sa.select(sa.func.count(Monograph.id)).where(column == model.id).scalar_subquery()
    return [
        (entry, count) for entry, count in db.session.execute(sa.select(model, used).order_by(model.name))
    ]


def load(monograph_id: int) -> Monograph | None:
    """A monograph with what its page shows."""
    return db.session.scalar(
        sa.select(Monograph)
        .where(Monograph.id == monograph_id)
        .options(
            so.selectinload(Monograph.themes),
            so.selectinload(Monograph.attachments).joinedload(Attachment.stored),
            so.joinedload(Monograph.legal_form),
            so.joinedload(Monograph.sector),
            so.joinedload(Monograph.created_by),
        )
    )


def proposals_of(user_id: int) -> list[Monograph]:
    """The monographs the user proposed, newest change first."""
    return list(
        db.session.scalars(
            sa.select(Monograph)
            .where(Monograph.created_by_id == user_id)
            .order_by(Monograph.updated_dt.desc())
        )
    )


def changes_requested_of(user_id: int, limit: int) -> list[tuple[int, str, object]]:
    """(id, title, updated_dt) of the user's drafts that staff sent back with a comment, newest first."""
    return list(
        db.session.execute(
            sa.select(Monograph.id, Monograph.title, Monograph.updated_dt)
            .where(
                Monograph.created_by_id == user_id,
                Monograph.status == Status.DRAFT,
                Monograph.review_comment != "",
            )
            .order_by(Monograph.updated_dt.desc(), Monograph.id.desc())
            .limit(limit)
        )
    )


def count_submitted() -> int:
    """How many monographs wait for review."""
    return db.session.scalar(
        sa.select(sa.func.count(Monograph.id)).where(Monograph.status == Status.SUBMITTED)
    )


def submitted() -> list[Monograph]:
    """The review queue, with the authors, oldest change first."""
    return list(
        db.session.scalars(
            sa.select(Monograph)
            .where(Monograph.status == Status.SUBMITTED)
            .options(so.joinedload(Monograph.created_by))
            .order_by(Monograph.updated_dt, Monograph.id)
        )
    )


def published_page(page: int, per_page: int):
    """A page of the published monographs, with their authors, latest change first (a Pagination)."""
    query = (
        sa.select(Monograph)
        .where(Monograph.status == Status.PUBLISHED)
        .options(so.joinedload(Monograph.created_by))
        .order_by(Monograph.updated_dt.desc(), Monograph.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
