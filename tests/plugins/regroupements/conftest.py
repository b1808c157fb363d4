"""Fixtures of the regroupements tests: a week of cohort A with sessions, built through the models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest

from plugins.regroupements.models import Session, SessionKind, Week
from plugins.regroupements.service import local, paris
from portal.extensions import db
from portal.models import utcnow


@dataclass
class Timetable:
    """Week 1 of cohort A (past, two sessions), week 2 around today with a session now and one later."""

    past_week: Week
    past_morning: Session
    past_afternoon: Session
    week_now: Week
    now_session: Session
    later_session: Session


def add_session(
    week: Week, day: date, start: time, end: time, bloc_id=None, seminar_id=None, **fields
) -> Session:
    """A session of the week; committed."""
    session = Session(
        week_id=week.id,
        cohort_id=week.cohort_id,
        start_dt=paris(day, start),
        end_dt=paris(day, end),
        kind=fields.pop("kind", SessionKind.SEMINAR),
        bloc_id=bloc_id,
        seminar_id=seminar_id,
        link=fields.pop("link", "https://visio.example.org/salle-a"),
        **fields,
    )
    db.session.add(session)
    db.session.commit()
    return session


@pytest.fixture
def timetable(world) -> Timetable:
    """Cohort A's timetable: a past week and a week around today."""
    return build_timetable(world)


def build_timetable(world) -> Timetable:
    """Cohort A's timetable: a past week and a week around today; committed."""
    bloc1, bloc2 = world.programme.blocs
    past = Week(
        cohort_id=world.cohort_a.id,
        number=1,
        start_date=date(2021, 2, 1),
        end_date=date(2021, 2, 5),
        theme="Rentrée",
    )
    now = local(utcnow())
    today = now.date()
    current = Week(
        cohort_id=world.cohort_a.id,
        number=2,
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=3),
        theme="Semaine en cours",
    )
    db.session.add_all([past, current])
    db.session.commit()
    morning = add_session(
        past, date(2021, 2, 1), time(9), time(12, 30), bloc1.id, bloc1.seminars[0].id, title=""
    )
    afternoon = add_session(
        past, date(2021, 2, 1), time(13, 30), time(17), bloc2.id, bloc2.seminars[0].id, title=""
    )
    # A session running now (kept inside today whatever the hour) and one two days later.
    start = max(now - timedelta(minutes=5), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + timedelta(minutes=60), now.replace(hour=23, minute=59, second=0, microsecond=0))
    running = add_session(
        current,
        today,
        start.time().replace(second=0, microsecond=0),
        end.time().replace(second=0, microsecond=0),
        bloc1.id,
        title="Séance en cours",
    )
    later = add_session(
        current, today + timedelta(days=2), time(9), time(12), bloc2.id, title="Séance à venir"
    )
    return Timetable(past, morning, afternoon, current, running, later)
