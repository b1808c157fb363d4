"""Who may see and change what in the regroupements plugin; built on portal.permissions."""

from __future__ import annotations

from portal.models import Role
from portal.permissions import may_manage_cohort, memberships, role_in


def may_view_cohort(user, cohort_id: int) -> bool:
    """Admins and anyone enrolled in the cohort see its timetable."""
    return bool(user.is_admin or role_in(user, cohort_id))


def may_edit_timetable(user, cohort_id: int) -> bool:
    """The cohort's staff (and admins) build and edit its timetable and decide on justifications."""
    return may_manage_cohort(user, cohort_id)


def tutored_atelier_ids(user, cohort_id: int) -> set[int]:
    """The ateliers of the cohort that the user follows as tutor."""
    mine = memberships(user)
    return {
        aid
        for aid, role in mine.atelier_roles.items()
        if role == Role.TUTOR and mine.atelier_cohort.get(aid) == cohort_id
    }


def may_record_attendance(user, cohort_id: int) -> bool:
    """Staff of the cohort, and its tutors (for their ateliers' learners), record attendance."""
    return may_manage_cohort(user, cohort_id) or bool(tutored_atelier_ids(user, cohort_id))


def is_learner(user, cohort_id: int) -> bool:
    """Whether the user is a learner of the cohort."""
    return Role.LEARNER in role_in(user, cohort_id)


def watched_learners(user, cohort_id: int) -> set[int] | None:
    """Ids of the learners whose attendance the user may see in the cohort; None means all of them.

    Staff see their cohort, tutors the learners of their ateliers, a learner only themself.
    """
    from plugins.regroupements.queries import atelier_learner_ids

    if may_manage_cohort(user, cohort_id):
        return None
    seen: set[int] = set()
    ateliers = tutored_atelier_ids(user, cohort_id)
    if ateliers:
        seen |= atelier_learner_ids(ateliers)
    if is_learner(user, cohort_id):
        seen.add(user.id)
    return seen


def may_see_learner(user, cohort_id: int, learner_id: int) -> bool:
    """Whether the user may see this learner's attendance in the cohort."""
    watched = watched_learners(user, cohort_id)
    return watched is None or learner_id in watched
