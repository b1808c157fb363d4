"""Dashboard data: a learner's next session; the staff's sessions of today and missing check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.regroupements.models import Attendance, Session, SessionStatus
from plugins.regroupements.service import local, paris
from portal.extensions import db
from portal.members import cohort_headcount
from portal.models import Cohort, Role


def learner_widget(cohort_ids: set[int], now: datetime) -> dict:
    """The next (or current) session of the learner's cohorts that is not cancelled."""
    session = db.session.scalar(
        sa.select(Session)
        .where(
            Session.cohort_id.in_(cohort_ids),
            Session.end_dt > now,
            Session.status != SessionStatus.CANCELLED,
        )
        .options(so.joinedload(Session.seminar))
        .order_by(Session.start_dt)
        .limit(1)
    )
    return {"session": session, "now": now}


def staff_widget(cohort_ids: set[int] | None, now: datetime) -> dict:
    """Today's sessions of the managed cohorts (None: all), each with its learners not yet recorded."""
    day = local(now).date()
    query = (
        sa.select(Session)
        .where(
            Session.start_dt >= paris(day, datetime.min.time()),
            Session.start_dt < paris(day + timedelta(days=1), datetime.min.time()),
        )
        .options(so.joinedload(Session.seminar))
        .order_by(Session.start_dt)
    )
    if cohort_ids is not None:
        query = query.where(Session.cohort_id.in_(cohort_ids))
    sessions = list(db.session.scalars(query))
    missing: dict[int, int] = {}
    if sessions:
        learners = cohort_headcount(Session.cohort_id, Role.LEARNER).correlate(Session)
        recorded = (
            sa.select(sa.func.count())
            .select_from(Attendance)
            .where(Attendance.session_id == Session.id)
            .correlate(Session)
            .scalar_subquery()
        )
        missing = dict(
            db.session.execute(
                sa.select(Session.id, learners - recorded).where(Session.id.in_([s.id for s in sessions]))
            ).all()
        )
    names = (
        dict(
            db.session.execute(
                sa.select(Cohort.id, Cohort.name).where(Cohort.id.in_({s.cohort_id for s in sessions}))
            ).all()
        )
        if sessions
        else {}
    )
    return {"sessions": sessions, "missing": missing, "cohorts": names, "now": now}
