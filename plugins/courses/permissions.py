"""Who may read and who may edit course material, asked of portal.permissions.

What a learner may read is one SQL condition (`readable`), used by every list, count and single-item check,
so that the bloc page, the progress counts, the dashboard and a direct URL can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from plugins.courses.models import CourseItem, CourseItemCohort
from portal.extensions import db
from portal.models import Role
from portal.permissions import programme_cohorts

EDITOR_ROLES = frozenset({Role.LECTURER, Role.STAFF})


@dataclass(frozen=True)
class Reader:
    """What one user may read of one programme's material, worked out once per page."""

    editor: bool
    cohort_ids: frozenset[int]

    @property
    def reads_anything(self) -> bool:
        """Editors read everything; others read only when enrolled in a cohort of the programme."""
        return self.editor or bool(self.cohort_ids)


def reader_of(user, programme_id: int) -> Reader:
    """The user's reading rights on a programme's material."""
    if not user.is_authenticated:
        return Reader(editor=False, cohort_ids=frozenset())
    cohorts = programme_cohorts(user, programme_id)
    editor = user.is_admin or any(roles & EDITOR_ROLES for roles in cohorts.values())
    return Reader(editor=editor, cohort_ids=frozenset(cohorts))


def readable(reader: Reader, now: datetime) -> sa.ColumnElement[bool]:
    """SQL condition on CourseItem: the items the reader may open now."""
    if reader.editor:
        return sa.true()
    if not reader.cohort_ids:
        return sa.false()
    cohort_rows = sa.select(CourseItemCohort.item_id).where(CourseItemCohort.item_id == CourseItem.id)
    return sa.and_(
        sa.not_(CourseItem.hidden),
        sa.or_(CourseItem.available_from.is_(None), CourseItem.available_from <= now),
        sa.or_(CourseItem.available_until.is_(None), CourseItem.available_until > now),
        sa.or_(
            ~cohort_rows.exists(),
            cohort_rows.where(CourseItemCohort.cohort_id.in_(sorted(reader.cohort_ids))).exists(),
        ),
    )


def may_view_programme(user, programme_id: int) -> bool:
    """Admins and anyone enrolled in a cohort of the programme."""
    return bool(user.is_authenticated and (user.is_admin or programme_cohorts(user, programme_id)))


def may_edit(user, programme_id: int) -> bool:
    """Admins, and the programme's lecturers and staff, add, edit, hide and delete its material."""
    return reader_of(user, programme_id).editor


def programme_of(item: CourseItem) -> int:
    """The programme the item belongs to."""
    return item.seminar.bloc.programme_id


def may_read(user, item: CourseItem, now: datetime) -> bool:
    """Editors read everything; learners and tutors read available items meant for one of their cohorts."""
    reader = reader_of(user, programme_of(item))
    if reader.editor or not reader.cohort_ids:
        return reader.editor
    query = sa.select(CourseItem.id).where(CourseItem.id == item.id, readable(reader, now))
    return db.session.scalar(query) is not None
