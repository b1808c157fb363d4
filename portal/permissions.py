"""The questions every plugin asks about who may do what; with portal.members (who belongs where), the only
reader of the membership tables.

Roles come from enrolments, which end: a learner's with their cohort (or their own end date), any role's on
its own end date, each after a grace period (ACCESS_GRACE_DAYS) unless staff extended it (`access_until`).
An ended role no longer counts anywhere (`role_in`, `cohort_ids`, ateliers); a learner whose role ended keeps
a read-only archive of their own work (`has_archive`). Programme coordinators run a whole programme: its
structure and every cohort of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from portal.dates import today
from portal.extensions import db
from portal.models import (
    Atelier,
    AtelierMember,
    Cohort,
    Enrolment,
    Programme,
    ProgrammeCoordinator,
    Role,
    User,
)

#: Days of access a person keeps after their enrolment ends, when the site does not say otherwise.
DEFAULT_GRACE_DAYS = 30


@dataclass(frozen=True)
class Memberships:
    """Everything one user is enrolled in, loaded in one query."""

    #: cohort id -> the user's current roles in it
    cohort_roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    #: cohort id -> programme id, for the cohorts of `cohort_roles` and `archived_roles`
    cohort_programme: dict[int, int] = field(default_factory=dict)
    #: atelier id -> the user's role in it (learner or tutor), while that role lasts in the cohort
    atelier_roles: dict[int, Role] = field(default_factory=dict)
    #: atelier id -> its cohort id, for the ateliers above
    atelier_cohort: dict[int, int] = field(default_factory=dict)
    #: cohort id -> the user's roles in it whose access has ended
    archived_roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    #: ids of the programmes the user coordinates
    coordinated_programmes: frozenset[int] = frozenset()
    #: ids of the cohorts of those programmes
    coordinated_cohorts: frozenset[int] = frozenset()


def access_ends_on(
    role: Role, ends_on: date | None, cohort_end: date | None, access_until: date | None, grace_days: int
) -> date | None:
    """The last day an enrolment gives access (None: no end). A learner's ends with the cohort unless the
    enrolment has its own end; other roles end only on their own end date; the grace period follows; an
    extension by staff wins when it is later."""
    end = ends_on or (cohort_end if role == Role.LEARNER else None)
    if end is None:
        return None
    last = end + timedelta(days=grace_days)
    return max(last, access_until) if access_until else last


def grace_days() -> int:
    """Days of access kept after an enrolment ends (ACCESS_GRACE_DAYS)."""
    if not has_app_context():
        return DEFAULT_GRACE_DAYS
    return int(current_app.config.get("ACCESS_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def _load(user_id: int) -> Memberships:
    # One query for the three tables: every page asks, and on PostgreSQL each query is a network round trip.
    cohorts = (
        sa.select(
            sa.literal("cohort").label("kind"),
            Enrolment.cohort_id.label("object_id"),
            Enrolment.role.label("role"),
            Cohort.programme_id.label("parent_id"),
            Enrolment.ends_on.label("ends_on"),
            Cohort.end_date.label("cohort_end"),
            Enrolment.access_until.label("access_until"),
        )
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == user_id)
    )
    ateliers = (
        sa.select(
            sa.literal("atelier"),
            AtelierMember.atelier_id,
            AtelierMember.role,
            Atelier.cohort_id,
            sa.null(),
            sa.null(),
            sa.null(),
        )
        .join(Atelier, Atelier.id == AtelierMember.atelier_id)
        .where(AtelierMember.user_id == user_id)
    )
    coordinated = (
        sa.select(
            sa.literal("programme"),
            Cohort.id,
            sa.null(),
            ProgrammeCoordinator.programme_id,
            sa.null(),
            sa.null(),
            sa.null(),
        )
        .outerjoin(Cohort, Cohort.programme_id == ProgrammeCoordinator.programme_id)
        .where(ProgrammeCoordinator.user_id == user_id)
    )
    day, grace = today(), grace_days()
    current: dict[int, set[Role]] = {}
    ended: dict[int, set[Role]] = {}
    programmes: dict[int, int] = {}
    places: list[tuple[int, Role, int]] = []
    coordinated_programmes: set[int] = set()
    coordinated_cohorts: set[int] = set()
    for row in db.session.execute(sa.union_all(cohorts, ateliers, coordinated)):
        if row.kind == "cohort":
            role = Role(row.role)
            last = access_ends_on(role, row.ends_on, row.cohort_end, row.access_until, grace)
            (current if last is None or day <= last else ended).setdefault(row.object_id, set()).add(role)
            programmes[row.object_id] = row.parent_id
        elif row.kind == "atelier":
            places.append((row.object_id, Role(row.role), row.parent_id))
        else:
            coordinated_programmes.add(row.parent_id)
            if row.object_id is not None:
                coordinated_cohorts.add(row.object_id)
    # An atelier place lasts as long as the same role in the cohort.
    kept = [
        (aid, role, cid)
        for aid, role, cid in places
        if role in current.get(cid, ()) or role not in ended.get(cid, ())
    ]
    return Memberships(
        cohort_roles={cid: frozenset(r) for cid, r in current.items()},
        cohort_programme=programmes,
        atelier_roles={aid: role for aid, role, _ in kept},
        atelier_cohort={aid: cid for aid, _, cid in kept},
        archived_roles={cid: frozenset(r - current.get(cid, set())) for cid, r in ended.items()},
        coordinated_programmes=frozenset(coordinated_programmes),
        coordinated_cohorts=frozenset(coordinated_cohorts),
    )


def _logged_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def memberships(user: User | None) -> Memberships:
    """The user's memberships, cached for the current app context (one request, one CLI command)."""
    if not _logged_in(user):
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


def _id(obj) -> int:
    return obj if isinstance(obj, int) else obj.id


# -- the site ------------------------------------------------------------------------------------------
def is_admin(user: User | None) -> bool:
    """Whether the user runs the site."""
    return _logged_in(user) and bool(user.is_admin)


# -- cohorts -------------------------------------------------------------------------------------------
def role_in(user: User | None, cohort: Cohort | int) -> frozenset[Role]:
    """The user's current roles in a cohort (empty when not enrolled, or when every role has ended)."""
    return memberships(user).cohort_roles.get(_id(cohort), frozenset())


def is_enrolled(user: User | None, cohort: Cohort | int, *roles: Role) -> bool:
    """Whether the user currently holds a role in the cohort (one of `roles` when given)."""
    have = role_in(user, cohort)
    return bool(have.intersection(roles) if roles else have)


def cohort_ids(user: User | None, *roles: Role) -> set[int]:
    """Ids of the cohorts the user currently holds a role in (one of `roles` when given)."""
    return {
        cid for cid, have in memberships(user).cohort_roles.items() if not roles or have.intersection(roles)
    }


def has_archive(user: User | None, cohort: Cohort | int) -> bool:
    """Whether the user was a learner of the cohort whose access has ended: they read their own work there
    (submissions, feedback, attendance, attestations) and do nothing else."""
    return Role.LEARNER in memberships(user).archived_roles.get(_id(cohort), frozenset())


def archived_cohort_ids(user: User | None) -> set[int]:
    """Ids of the cohorts where the user keeps a learner's archive."""
    return {cid for cid, roles in memberships(user).archived_roles.items() if Role.LEARNER in roles}


def may_view_cohort(user: User | None, cohort: Cohort | int) -> bool:
    """Admins, the coordinators of its programme, and everyone currently enrolled in it."""
    return is_admin(user) or _coordinates_cohort(user, cohort) or is_enrolled(user, cohort)


def may_manage_cohort(user: User | None, cohort: Cohort | int) -> bool:
    """Admins, the coordinators of its programme and its staff manage its people, ateliers and calendar."""
    return is_admin(user) or _coordinates_cohort(user, cohort) or is_enrolled(user, cohort, Role.STAFF)


def managed_cohort_ids(user: User | None) -> set[int] | None:
    """Ids of the cohorts the user manages; None means every cohort (an admin)."""
    if is_admin(user):
        return None
    return cohort_ids(user, Role.STAFF) | set(memberships(user).coordinated_cohorts)


def visible_cohort_ids(user: User | None) -> set[int] | None:
    """Ids of the cohorts whose name the user may see (in lists, choices, forms); None means every cohort."""
    if is_admin(user):
        return None
    return cohort_ids(user) | set(memberships(user).coordinated_cohorts)


def _coordinates_cohort(user: User | None, cohort: Cohort | int) -> bool:
    return _id(cohort) in memberships(user).coordinated_cohorts


# -- programmes ----------------------------------------------------------------------------------------
def programme_cohorts(user: User | None, programme: Programme | int) -> dict[int, frozenset[Role]]:
    """The user's current cohorts of a programme, each with the user's roles in it."""
    programme_id = _id(programme)
    mine = memberships(user)
    return {
        cid: roles for cid, roles in mine.cohort_roles.items() if mine.cohort_programme[cid] == programme_id
    }


def is_coordinator(user: User | None, programme: Programme | int) -> bool:
    """Whether the user coordinates the programme."""
    return _id(programme) in memberships(user).coordinated_programmes


def may_manage_programme(user: User | None, programme: Programme | int) -> bool:
    """Admins and the programme's coordinators change it, its blocs and seminars, and open its cohorts:
    what belongs to several cohorts needs the right over all of them."""
    return is_admin(user) or is_coordinator(user, programme)


def may_view_programme(user: User | None, programme: Programme | int) -> bool:
    """Admins, its coordinators, and everyone currently enrolled in one of its cohorts."""
    return may_manage_programme(user, programme) or bool(programme_cohorts(user, programme))


# -- ateliers ------------------------------------------------------------------------------------------
def is_member(user: User | None, atelier: Atelier | int) -> bool:
    """Whether the user is a learner or a tutor of the atelier."""
    return _id(atelier) in memberships(user).atelier_roles


def is_tutor(user: User | None, atelier: Atelier | int) -> bool:
    """Whether the user is a tutor of the atelier."""
    return memberships(user).atelier_roles.get(_id(atelier)) == Role.TUTOR


def atelier_ids(user: User | None, role: Role | None = None) -> set[int]:
    """Ids of the ateliers the user belongs to, optionally only those where they hold the given role."""
    return {aid for aid, have in memberships(user).atelier_roles.items() if role is None or have == role}


def my_ateliers(user: User | None, cohort: Cohort | int, role: Role | None = None) -> set[int]:
    """Ids of the user's ateliers in one cohort, optionally only those where they hold the given role."""
    mine = memberships(user)
    cohort_id = _id(cohort)
    return {
        aid
        for aid, have in mine.atelier_roles.items()
        if mine.atelier_cohort[aid] == cohort_id and (role is None or have == role)
    }


def may_see_atelier(user: User | None, atelier: Atelier) -> bool:
    """Members, and those who manage the atelier's cohort, may see an atelier and what it holds."""
    return is_member(user, atelier) or may_manage_cohort(user, atelier.cohort_id)


# -- people --------------------------------------------------------------------------------------------
def may_manage_people(user: User | None) -> bool:
    """Admins, coordinators and staff of any cohort reach the staff pages."""
    return is_admin(user) or bool(cohort_ids(user, Role.STAFF) or memberships(user).coordinated_programmes)


def people_managed_by(user: User | None) -> sa.Select | None:
    """SQL: the ids of the people enrolled (now or before) in a cohort the user manages; None means everyone
    (an admin)."""
    managed = managed_cohort_ids(user)
    if managed is None:
        return None
    return sa.select(Enrolment.user_id).where(Enrolment.cohort_id.in_(sorted(managed)))


def manages_person(user: User | None, person: User | int) -> bool:
    """Whether the user manages a cohort the person is (or was) enrolled in; admins manage everyone."""
    managed = people_managed_by(user)
    if managed is None:
        return True
    return db.session.scalar(sa.select(sa.exists(managed.where(Enrolment.user_id == _id(person))))) or False


def editable_people(actor: User | None) -> sa.ColumnElement[bool] | None:
    """SQL condition on User: the accounts the actor may edit on the staff pages; None means every account (an
    admin). Staff and coordinators edit the people of the cohorts they manage and accounts enrolled nowhere,
    never an admin's or a coordinator's (an address changed there would hand the account over)."""
    if is_admin(actor):
        return None
    if not may_manage_people(actor):
        return sa.false()
    enrolled_here = sa.select(Enrolment.user_id).where(
        Enrolment.cohort_id.in_(sorted(managed_cohort_ids(actor)))
    )
    return sa.and_(
        ~User.is_admin,
        User.id.not_in(sa.select(ProgrammeCoordinator.user_id)),
        sa.or_(User.id.in_(enrolled_here), User.id.not_in(sa.select(Enrolment.user_id))),
    )


def may_edit_user(actor: User | None, target: User) -> bool:
    """Whether the actor may edit the target's account (see `editable_people`)."""
    condition = editable_people(actor)
    if condition is None:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(User.id == target.id, condition))))
