"""The questions every plugin asks about who may do what; with portal.members (who belongs where), the only
reader of the membership tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_app_context

from portal.extensions import db
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Programme, Role, User


@dataclass(frozen=True)
class Memberships:
    """Everything one user is enrolled in, loaded in one query."""

    #: cohort id -> the user's roles in it
    cohort_roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    #: cohort id -> programme id, for the cohorts above
    cohort_programme: dict[int, int] = field(default_factory=dict)
    #: atelier id -> the user's role in it (learner or tutor)
    atelier_roles: dict[int, Role] = field(default_factory=dict)
    #: atelier id -> its cohort id, for the ateliers above
    atelier_cohort: dict[int, int] = field(default_factory=dict)


def _load(user_id: int) -> Memberships:
    # One query for both tables: every page asks, and on PostgreSQL each query is a network round trip.
    cohorts = (
        sa.select(sa.literal("cohort"), Enrolment.cohort_id, Enrolment.role, Cohort.programme_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == user_id)
    )
    ateliers = (
        sa.select(sa.literal("atelier"), AtelierMember.atelier_id, AtelierMember.role, Atelier.cohort_id)
        .join(Atelier, Atelier.id == AtelierMember.atelier_id)
        .where(AtelierMember.user_id == user_id)
    )
    roles: dict[int, set[Role]] = {}
    programmes: dict[int, int] = {}
    atelier_roles: dict[int, Role] = {}
    atelier_cohort: dict[int, int] = {}
    for kind, object_id, role, parent_id in db.session.execute(sa.union_all(cohorts, ateliers)):
        if kind == "cohort":
            roles.setdefault(object_id, set()).add(Role(role))
            programmes[object_id] = parent_id
        else:
            atelier_roles[object_id] = Role(role)
            atelier_cohort[object_id] = parent_id
    return Memberships(
        {cid: frozenset(r) for cid, r in roles.items()}, programmes, atelier_roles, atelier_cohort
    )


def memberships(user: User | None) -> Memberships:
    """The user's memberships, cached for the current app context (one request, one CLI command)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Memberships()
    if not has_app_context():
        return _load(user.id)
    cache = g.setdefault("_portal_memberships", {})
    if user.id not in cache:
        cache[user.id] = _load(user.id)
    return cache[user.id]


def forget_memberships() -> None:
    """Drop the cached memberships after enrolments or ateliers changed."""
    if has_app_context():
        g.pop("_portal_memberships", None)


def role_in(user: User | None, cohort: Cohort | int) -> frozenset[Role]:
    """The user's roles in a cohort (empty when not enrolled)."""
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    return memberships(user).cohort_roles.get(cohort_id, frozenset())


def cohort_ids(user: User | None, *roles: Role) -> set[int]:
    """Ids of the cohorts the user is enrolled in, with one of the given roles if any are given."""
    return {
        cid for cid, have in memberships(user).cohort_roles.items() if not roles or have.intersection(roles)
    }


def programme_cohorts(user: User | None, programme: Programme | int) -> dict[int, frozenset[Role]]:
    """The user's cohorts of a programme, each with the user's roles in it."""
    programme_id = programme if isinstance(programme, int) else programme.id
    mine = memberships(user)
    return {
        cid: roles for cid, roles in mine.cohort_roles.items() if mine.cohort_programme[cid] == programme_id
    }


def is_member(user: User | None, atelier: Atelier | int) -> bool:
    """Whether the user is a learner or a tutor of the atelier."""
    atelier_id = atelier if isinstance(atelier, int) else atelier.id
    return atelier_id in memberships(user).atelier_roles


def is_tutor(user: User | None, atelier: Atelier | int) -> bool:
    """Whether the user is a tutor of the atelier."""
    atelier_id = atelier if isinstance(atelier, int) else atelier.id
    return memberships(user).atelier_roles.get(atelier_id) == Role.TUTOR


def atelier_ids(user: User | None, role: Role | None = None) -> set[int]:
    """Ids of the ateliers the user belongs to, optionally only those where they hold the given role."""
    return {aid for aid, have in memberships(user).atelier_roles.items() if role is None or have == role}


def may_see_atelier(user: User | None, atelier: Atelier) -> bool:
    """Members, and those who manage the atelier's cohort, may see an atelier and what it holds."""
    return is_member(user, atelier) or may_manage_cohort(user, atelier.cohort_id)


def may_manage_cohort(user: User | None, cohort: Cohort | int) -> bool:
    """Admins and the cohort's staff manage its people, ateliers and calendar."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or Role.STAFF in role_in(user, cohort)


def managed_cohort_ids(user: User | None) -> set[int] | None:
    """Ids of the cohorts the user manages; None means every cohort (an admin)."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_admin:
        return None
    return cohort_ids(user, Role.STAFF)


def may_manage_programme(user: User | None, programme: Programme | int) -> bool:
    """Admins, and staff of a cohort of the programme, edit its blocs and seminars and open cohorts."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    programme_id = programme if isinstance(programme, int) else programme.id
    mine = memberships(user)
    return any(
        Role.STAFF in mine.cohort_roles[cid] and pid == programme_id
        for cid, pid in mine.cohort_programme.items()
    )


def may_manage_people(user: User | None) -> bool:
    """Admins and staff of any cohort reach the staff pages."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or bool(cohort_ids(user, Role.STAFF))


def may_edit_user(actor: User | None, target: User) -> bool:
    """Admins edit anyone; staff edit non-admins enrolled in a cohort they manage, or enrolled nowhere."""
    if not may_manage_people(actor):
        return False
    if actor.is_admin:
        return True
    if target.is_admin:
        return False
    target_cohorts = set(
        db.session.scalars(sa.select(Enrolment.cohort_id).where(Enrolment.user_id == target.id))
    )
    return not target_cohorts or bool(target_cohorts & cohort_ids(actor, Role.STAFF))
