"""Who may read and who may edit course material, asked of portal.permissions."""

from __future__ import annotations

from datetime import datetime

from plugins.courses.models import CourseItem
from portal.models import Role
from portal.permissions import programme_cohorts

EDITOR_ROLES = frozenset({Role.LECTURER, Role.STAFF})


def may_view_programme(user, programme_id: int) -> bool:
    """Admins and anyone enrolled in a cohort of the programme."""
    return bool(user.is_authenticated and (user.is_admin or programme_cohorts(user, programme_id)))


def may_edit(user, programme_id: int) -> bool:
    """Admins, and the programme's lecturers and staff, add, edit, hide and delete its material."""
    if not user.is_authenticated:
        return False
    return user.is_admin or any(
        roles & EDITOR_ROLES for roles in programme_cohorts(user, programme_id).values()
    )


def programme_of(item: CourseItem) -> int:
    """The programme the item belongs to."""
    return item.seminar.bloc.programme_id


def may_read(user, item: CourseItem, now: datetime, programme_id: int | None = None) -> bool:
    """Editors read everything; learners and tutors read available items meant for one of their cohorts."""
    programme_id = programme_id or programme_of(item)
    if may_edit(user, programme_id):
        return True
    cohorts = programme_cohorts(user, programme_id) if user.is_authenticated else {}
    if not cohorts or not item.is_available(now):
        return False
    restricted = {c.cohort_id for c in item.cohorts}
    return not restricted or bool(restricted & cohorts.keys())
