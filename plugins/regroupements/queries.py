"""Reads shared by the pages, the feed, the reports and the widgets, each in a bounded number of queries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.regroupements.models import (
    Attendance,
    Justification,
    PersonalEvent,
    Presence,
    Session,
    SessionStatus,
)
from portal.extensions import db
from portal.members import atelier_members, cohort_members
from portal.models import Role, User


def cohort_people(cohort_id: int, role: Role, only: set[int] | None = None) -> list[User]:
    """The users enrolled in the cohort with the role, by last name; restricted to `only` when given."""
    return cohort_members([cohort_id], role, only=only)


def atelier_learner_ids(atelier_ids: set[int]) -> set[int]:
    """Ids of the learners of these ateliers."""
    return {user.id for user in atelier_members(atelier_ids, Role.LEARNER)} if atelier_ids else set()


def sessions_between(cohort_ids: set[int] | None, start: datetime, end: datetime) -> list[Session]:
    """Sessions of the cohorts (None: all) overlapping [start, end), with seminar and lecturers."""
    if cohort_ids is not None and not cohort_ids:
        return []
    query = (
        sa.select(Session)
        .where(Session.start_dt < end, Session.end_dt > start)
        .options(so.joinedload(Session.seminar), so.selectinload(Session.lecturers))
        .order_by(Session.start_dt, Session.id)
    )
    if cohort_ids is not None:
        query = query.where(Session.cohort_id.in_(cohort_ids))
    return list(db.session.scalars(query))


def personal_events_between(user_id: int, start: datetime, end: datetime) -> list[PersonalEvent]:
    """The user's own events overlapping [start, end)."""
    return list(
        db.session.scalars(
            sa.select(PersonalEvent)
            .where(
                PersonalEvent.user_id == user_id, PersonalEvent.start_dt < end, PersonalEvent.end_dt > start
            )
            .order_by(PersonalEvent.start_dt)
        )
    )


def attendance_of(
    session_ids: list[int], user_ids: set[int] | None = None
) -> dict[tuple[int, int], Attendance]:
    """(session id, user id) -> attendance, for these sessions (and users when given)."""
    if not session_ids:
        return {}
    query = sa.select(Attendance).where(Attendance.session_id.in_(session_ids))
    if user_ids is not None:
        if not user_ids:
            return {}
        query = query.where(Attendance.user_id.in_(user_ids))
    return {(a.session_id, a.user_id): a for a in db.session.scalars(query)}


def justifications_of(
    session_ids: list[int], user_ids: set[int] | None = None
) -> dict[tuple[int, int], Justification]:
    """(session id, user id) -> justification, for these sessions (and users when given)."""
    if not session_ids:
        return {}
    query = sa.select(Justification).where(Justification.session_id.in_(session_ids))
    if user_ids is not None:
        if not user_ids:
            return {}
        query = query.where(Justification.user_id.in_(user_ids))
    return {
        (j.session_id, j.user_id): j
        for j in db.session.scalars(query.options(so.joinedload(Justification.stored)))
    }


def hours_table(cohort_id: int, learner_ids: list[int]) -> dict:
    """Planned hours per bloc and each learner's attended hours per bloc, summed in SQL (two queries).

    A session counts when it is not cancelled; a learner attended it when marked present or late.
    Returns {"planned": {bloc_id: hours}, "attended": {user_id: {bloc_id: hours}}}.
    """
    counted = (Session.cohort_id == cohort_id, Session.status != SessionStatus.CANCELLED)
    planned = {
        bloc_id: minutes / 60
        for bloc_id, minutes in db.session.execute(
            sa.select(Session.bloc_id, sa.func.sum(Session.minutes)).where(*counted).group_by(Session.bloc_id)
        )
    }
    attended: dict[int, dict[int | None, float]] = {uid: {} for uid in learner_ids}
    if learner_ids and planned:
        rows = db.session.execute(
            sa.select(Attendance.user_id, Session.bloc_id, sa.func.sum(Session.minutes))
            .join(Session, Session.id == Attendance.session_id)
            .where(
                *counted,
                Attendance.user_id.in_(learner_ids),
                Attendance.status.in_((Presence.PRESENT, Presence.LATE)),
            )
            .group_by(Attendance.user_id, Session.bloc_id)
        )
        for user_id, bloc_id, minutes in rows:
            attended[user_id][bloc_id] = minutes / 60
    return {"planned": planned, "attended": attended}
