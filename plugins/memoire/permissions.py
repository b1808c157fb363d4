"""Who may see and do what in the memoire plugin, asked of portal.permissions.

A learner sees their own work; a tutor the work of the learners of the ateliers they follow; the cohort's
staff (and admins) everything of the cohort. Anything else is answered with 404 by the views.
"""

from __future__ import annotations

from portal.extensions import db
from portal.models import Role, User
from portal.permissions import atelier_ids, may_manage_cohort, memberships, role_in


def may_manage(user, cohort_id: int) -> bool:
    """Admins and the cohort's staff create assignments and date overrides."""
    return may_manage_cohort(user, cohort_id)


def may_see_assignment(user, cohort_id: int) -> bool:
    """Anyone with a role in the cohort, and admins."""
    return bool(user.is_authenticated and (user.is_admin or role_in(user, cohort_id)))


def is_learner(user, cohort_id: int) -> bool:
    """Whether the user is a learner of the cohort."""
    return Role.LEARNER in role_in(user, cohort_id)


def learner_ateliers(learner: User | int, cohort_id: int) -> set[int]:
    """The ateliers of the cohort in which the user is a learner."""
    if isinstance(learner, int):
        learner = db.session.get(User, learner)
    mine = memberships(learner)
    return {
        aid
        for aid, role in mine.atelier_roles.items()
        if role == Role.LEARNER and mine.atelier_cohort[aid] == cohort_id
    }


def follows(user, learner: User | int, cohort_id: int) -> bool:
    """Whether the user tutors an atelier of the cohort in which the learner is."""
    tutored = atelier_ids(user, Role.TUTOR)
    return bool(tutored and tutored & learner_ateliers(learner, cohort_id))


def may_supervise(user, learner: User | int, cohort_id: int) -> bool:
    """Tutors of the learner's atelier and the cohort's staff give feedback, reopen and lock."""
    return may_manage_cohort(user, cohort_id) or follows(user, learner, cohort_id)


def may_see_learner(user, learner: User | int, cohort_id: int) -> bool:
    """The learner themself, their tutors and the cohort's staff see the learner's work and log."""
    learner_id = learner if isinstance(learner, int) else learner.id
    return user.is_authenticated and (user.id == learner_id or may_supervise(user, learner, cohort_id))


def may_tutor_atelier(user, atelier) -> bool:
    """The atelier's tutors and the cohort's staff open its grid."""
    from portal.permissions import is_tutor

    return is_tutor(user, atelier) or may_manage_cohort(user, atelier.cohort_id)
