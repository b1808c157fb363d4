"""Who belongs to a cohort, a programme or an atelier: the lists plugins show, count and mail.

portal.permissions answers "may this user do that"; this module answers "who are the learners of this
cohort", so that plugins never query the membership tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AtelierMember, Cohort, Enrolment, Role, User


def _listed(query: sa.Select, only: Iterable[int] | None) -> list[User]:
    if only is not None:
        only = sorted(set(only))
        if not only:
            return []
        query = query.where(User.id.in_(only))
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(*_by_name())))


def _by_name():
    return User.last_name, User.first_name, User.id


def cohort_members(cohort_ids: Iterable[int], *roles: Role, only: Iterable[int] | None = None) -> list[User]:
    """Active people enrolled in any of the cohorts with one of the roles (any role when none is given), each
    once, by name; among `only` (user ids) when given."""
    enrolled = sa.select(Enrolment.user_id).where(Enrolment.cohort_id.in_(sorted(set(cohort_ids))))
    if roles:
        enrolled = enrolled.where(Enrolment.role.in_(roles))
    return _listed(sa.select(User).where(User.id.in_(enrolled)), only)


def programme_members(programme_id: int, *roles: Role) -> list[User]:
    """Active people enrolled in any cohort of the programme with one of the roles, each once, by name."""
    cohorts = sa.select(Cohort.id).where(Cohort.programme_id == programme_id)
    enrolled = sa.select(Enrolment.user_id).where(Enrolment.cohort_id.in_(cohorts))
    if roles:
        enrolled = enrolled.where(Enrolment.role.in_(roles))
    return _listed(sa.select(User).where(User.id.in_(enrolled)), None)


def atelier_members(atelier_ids: Iterable[int], *roles: Role) -> list[User]:
    """Active learners and tutors of any of the ateliers, with one of the roles when given, each once, by
    name."""
    members = sa.select(AtelierMember.user_id).where(AtelierMember.atelier_id.in_(sorted(set(atelier_ids))))
    if roles:
        members = members.where(AtelierMember.role.in_(roles))
    return _listed(sa.select(User).where(User.id.in_(members)), None)


def atelier_member_ids(atelier_ids: Iterable[int], *roles: Role) -> dict[int, tuple[int, ...]]:
    """For each atelier, the ids of its active members with one of the roles (any role when none is given),
    in one query; ateliers without any are left out."""
    query = (
        sa.select(AtelierMember.atelier_id, AtelierMember.user_id)
        .join(User, User.id == AtelierMember.user_id)
        .where(AtelierMember.atelier_id.in_(sorted(set(atelier_ids))), User.active.is_(True))
        .order_by(AtelierMember.atelier_id, AtelierMember.user_id)
    )
    if roles:
        query = query.where(AtelierMember.role.in_(roles))
    found: dict[int, list[int]] = {}
    for atelier_id, user_id in db.session.execute(query):
        found.setdefault(atelier_id, []).append(user_id)
    return {atelier_id: tuple(ids) for atelier_id, ids in found.items()}


def cohort_headcount(cohort_id: sa.ColumnElement[int], role: Role) -> sa.ScalarSelect[int]:
    """SQL: how many people hold the role in the cohort `cohort_id` (a column of the enclosing query)."""
    return (
        sa.select(sa.func.count(Enrolment.id))
        .where(Enrolment.cohort_id == cohort_id, Enrolment.role == role)
        .scalar_subquery()
    )
