"""Changes to who is who: accounts, enrolments and atelier members, each followed by its signal."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.aftercommit import announce
from portal.extensions import db
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Role, User, utcnow
from portal.permissions import forget_memberships
from portal.rows import insert_or_ignore
from portal.signals import atelier_changed, user_created, user_deactivated, user_enrolled, user_unenrolled

#: The roles a person can hold inside an atelier.
ATELIER_ROLES = (Role.LEARNER, Role.TUTOR)


class MembershipError(ValueError):
    """A change to enrolments or ateliers that the rules refuse; str() is a message for people."""


def create_user(email: str, first_name: str, last_name: str, password: str | None = None, **fields) -> User:
    """Add a user to the session (flushed, not committed); user_created follows the commit."""
    user = User(email=email.strip().lower(), first_name=first_name, last_name=last_name, **fields)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    announce(user_created, user)
    return user


def deactivate(user: User) -> None:
    """Deactivate a user and end every session of theirs; commits."""
    user.active = False
    user.end_sessions()
    announce(user_deactivated, user)
    db.session.commit()


def enrol(user: User, cohort: Cohort, role: Role) -> Enrolment | None:
    """Give a user a role in a cohort (flushed, not committed; user_enrolled follows the commit); None when
    they already hold it, even when another request gave it at the same moment."""
    db.session.flush()
    values = {"user_id": user.id, "cohort_id": cohort.id, "role": role, "created_dt": utcnow()}
    if not insert_or_ignore(Enrolment, values, ["user_id", "cohort_id", "role"]):
        return None
    # Loaded collections do not see a row inserted by a statement.
    db.session.expire(user, ["enrolments"])
    db.session.expire(cohort, ["enrolments"])
    forget_memberships()
    announce(user_enrolled, user, cohort=cohort, role=role)
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id, Enrolment.role == role
        )
    )


def unenrol(enrolment: Enrolment) -> None:
    """Remove a role (and, for learners and tutors, the matching atelier places in the cohort); commits."""
    user, cohort, role = enrolment.user, enrolment.cohort, enrolment.role
    changed: list[Atelier] = []
    if role in ATELIER_ROLES:
        places = db.session.scalars(
            sa.select(AtelierMember)
            .join(Atelier)
            .where(
                Atelier.cohort_id == cohort.id, AtelierMember.user_id == user.id, AtelierMember.role == role
            )
        ).all()
        for place in places:
            changed.append(place.atelier)
            db.session.delete(place)
    db.session.delete(enrolment)
    announce(user_unenrolled, user, cohort=cohort, role=role)
    for atelier in changed:
        announce(atelier_changed, atelier, added=[], removed=[user.id])
    db.session.commit()
    forget_memberships()


def check_atelier_place(atelier: Atelier, user: User, role: Role) -> None:
    """Raise MembershipError unless the user may join the atelier with that role."""
    if role not in ATELIER_ROLES:
        raise MembershipError(
            _("Seuls les auditeurs et les responsables d'atelier ont une place dans un atelier.")
        )
    roles = set(
        db.session.scalars(
            sa.select(Enrolment.role).where(
                Enrolment.user_id == user.id, Enrolment.cohort_id == atelier.cohort_id
            )
        )
    )
    if role not in roles:
        raise MembershipError(
            _("%(name)s n'a pas ce rôle dans la promotion de l'atelier.", name=user.full_name)
        )
    if role == Role.LEARNER:
        other = db.session.scalar(
            sa.select(Atelier.name)
            .join(AtelierMember)
            .where(
                Atelier.cohort_id == atelier.cohort_id,
                AtelierMember.user_id == user.id,
                AtelierMember.role == Role.LEARNER,
                Atelier.id != atelier.id,
            )
        )
        if other is not None:
            raise MembershipError(
                _("%(name)s est déjà dans l'atelier « %(other)s ».", name=user.full_name, other=other)
            )
    if db.session.get(AtelierMember, (atelier.id, user.id)) is not None:
        raise MembershipError(_("%(name)s est déjà dans cet atelier.", name=user.full_name))


def add_to_atelier(atelier: Atelier, user: User, role: Role) -> AtelierMember:
    """Put a user in an atelier after check_atelier_place (flushed, not committed; atelier_changed follows the
    commit)."""
    check_atelier_place(atelier, user, role)
    db.session.flush()
    values = {"atelier_id": atelier.id, "user_id": user.id, "role": role}
    # Another request may have placed them at the same moment: one place, and no error for either.
    if insert_or_ignore(AtelierMember, values, ["atelier_id", "user_id"]):
        db.session.expire(atelier, ["members"])
        forget_memberships()
        announce(atelier_changed, atelier, added=[user.id], removed=[])
    return db.session.get(AtelierMember, (atelier.id, user.id))


def remove_from_atelier(member: AtelierMember) -> None:
    """Take a user out of an atelier; commits and sends atelier_changed."""
    atelier, user_id = member.atelier, member.user_id
    db.session.delete(member)
    announce(atelier_changed, atelier, added=[], removed=[user_id])
    db.session.commit()
    forget_memberships()
