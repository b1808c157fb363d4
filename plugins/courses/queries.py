"""Loading material in a bounded number of queries, whatever the number of items and learners."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.courses.models import CourseItem, CourseItemFile, CourseProgress, SeminarLecturer
from portal.extensions import db
from portal.models import Bloc, Seminar


def items_of_seminars(seminar_ids: list[int]) -> list[CourseItem]:
    """Items of these seminars in order, with their files and cohort restrictions (three queries)."""
    if not seminar_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(CourseItem)
            .where(CourseItem.seminar_id.in_(seminar_ids))
            .options(
                so.selectinload(CourseItem.files).joinedload(CourseItemFile.stored),
                so.selectinload(CourseItem.cohorts),
            )
            .order_by(CourseItem.seminar_id, CourseItem.position, CourseItem.id)
        )
    )


def items_by_bloc(programme_id: int) -> dict[int, list[CourseItem]]:
    """Every item of a programme, grouped by bloc id (four queries)."""
    query = sa.select(Seminar.id, Seminar.bloc_id).join(Bloc).where(Bloc.programme_id == programme_id)
    seminar_bloc = {seminar_id: bloc_id for seminar_id, bloc_id in db.session.execute(query)}
    grouped: dict[int, list[CourseItem]] = {}
    for item in items_of_seminars(list(seminar_bloc)):
        grouped.setdefault(seminar_bloc[item.seminar_id], []).append(item)
    return grouped


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
