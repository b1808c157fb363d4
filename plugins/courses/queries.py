"""Loading material in a bounded number of queries, whatever the number of items and learners."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.courses.models import CourseItem, CourseItemFile, CourseProgress, SeminarLecturer
from plugins.courses.permissions import Reader, readable
from portal.extensions import db
from portal.models import Bloc, Seminar

#: The columns a list of items shows; a page's body can be long and is read only on the item's own page.
LISTED_COLUMNS = (
    CourseItem.seminar_id,
    CourseItem.kind,
    CourseItem.title,
    CourseItem.position,
    CourseItem.hidden,
    CourseItem.available_from,
    CourseItem.available_until,
    CourseItem.updated_dt,
)


def items_of_seminars(seminar_ids: list[int], reader: Reader, now: datetime) -> list[CourseItem]:
    """The items of these seminars the reader may open, in order, with their files and cohort restrictions
    (three queries)."""
    if not seminar_ids or not reader.reads_anything:
        return []
    return list(
        db.session.scalars(
            sa.select(CourseItem)
            .where(CourseItem.seminar_id.in_(seminar_ids), readable(reader, now))
            .options(
                so.load_only(*LISTED_COLUMNS),
                so.selectinload(CourseItem.files).joinedload(CourseItemFile.stored),
                so.selectinload(CourseItem.cohorts),
            )
            .order_by(CourseItem.seminar_id, CourseItem.position, CourseItem.id)
        )
    )


def progress_by_bloc(
    programme_id: int, reader: Reader, user_id: int, now: datetime
) -> dict[int, tuple[int, int]]:
    """For each bloc of the programme: how many of the items the reader may open they marked as done, and
    how many there are (one query)."""
    if not reader.reads_anything:
        return {}
    done = sa.and_(CourseProgress.item_id == CourseItem.id, CourseProgress.user_id == user_id)
    query = (
        sa.select(Seminar.bloc_id, sa.func.count(CourseProgress.item_id), sa.func.count(CourseItem.id))
        .join(Seminar, Seminar.id == CourseItem.seminar_id)
        .join(Bloc, Bloc.id == Seminar.bloc_id)
        .outerjoin(CourseProgress, done)
        .where(Bloc.programme_id == programme_id, readable(reader, now))
        .group_by(Seminar.bloc_id)
    )
    return {bloc_id: (done_count, total) for bloc_id, done_count, total in db.session.execute(query)}


def new_items(
    programme_id: int, reader: Reader, since: datetime | None, now: datetime, limit: int
) -> tuple[int, list[CourseItem]]:
    """How many items the reader may open were added to the programme after `since`, and the latest
    `limit` of them (two queries)."""
    if not reader.reads_anything:
        return 0, []
    condition = sa.and_(
        Seminar.bloc_id.in_(sa.select(Bloc.id).where(Bloc.programme_id == programme_id)),
        readable(reader, now),
        CourseItem.created_dt > since if since is not None else sa.true(),
    )
    count = db.session.scalar(
        sa.select(sa.func.count(CourseItem.id))
        .join(Seminar, Seminar.id == CourseItem.seminar_id)
        .where(condition)
    )
    latest = db.session.scalars(
        sa.select(CourseItem)
        .join(Seminar, Seminar.id == CourseItem.seminar_id)
        .where(condition)
        .options(so.load_only(CourseItem.title, CourseItem.created_dt))
        .order_by(CourseItem.created_dt.desc(), CourseItem.id.desc())
        .limit(limit)
    )
    return count or 0, list(latest)


def done_ids(user_id: int, item_ids: list[int]) -> set[int]:
    """Which of these items the user marked as done (one query)."""
    if not item_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(CourseProgress.item_id).where(
                CourseProgress.user_id == user_id, CourseProgress.item_id.in_(item_ids)
            )
        )
    )


def lecturers_of(seminar_ids: list[int]) -> dict[int, list]:
    """The lecturers of each seminar (one query)."""
    found: dict[int, list] = {}
    if not seminar_ids:
        return found
    rows = db.session.scalars(
        sa.select(SeminarLecturer)
        .where(SeminarLecturer.seminar_id.in_(seminar_ids))
        .options(so.joinedload(SeminarLecturer.user))
    )
    for row in rows:
        found.setdefault(row.seminar_id, []).append(row.user)
    return found
