"""The directory plugins list people from: cohorts, programmes and ateliers, by role, active people only."""

import sqlalchemy as sa

from portal.extensions import db
from portal.members import (
    atelier_member_ids,
    atelier_members,
    cohort_headcount,
    cohort_members,
    programme_members,
)
from portal.models import Cohort, Role


def emails(users) -> list[str]:
    return [u.email for u in users]


def test_cohort_members_by_role_by_name_each_once(world):
    assert emails(cohort_members([world.cohort_a.id], Role.LEARNER)) == [
        "learner_a1@example.org",
        "learner_a2@example.org",
    ]
    both = cohort_members([world.cohort_a.id, world.cohort_b.id], Role.LEARNER, Role.STAFF)
    assert emails(both) == sorted(emails(both), key=lambda e: e.replace("_", " ").upper())
    assert len(both) == len(set(emails(both))) == 5
    assert emails(cohort_members([world.cohort_a.id], Role.LEARNER, only=[world.learner_a2.id])) == [
        "learner_a2@example.org"
    ]
    assert cohort_members([world.cohort_a.id], Role.LEARNER, only=[]) == []
    assert world.nobody.email not in emails(cohort_members([world.cohort_a.id, world.cohort_b.id]))


def test_inactive_people_are_left_out(world):
    world.learner_a1.active = False
    db.session.commit()
    assert emails(cohort_members([world.cohort_a.id], Role.LEARNER)) == ["learner_a2@example.org"]
    assert atelier_members([world.atelier_a1.id], Role.LEARNER) == []


def test_programme_and_atelier_members(world):
    assert emails(programme_members(world.programme.id, Role.LECTURER)) == ["lecturer_a@example.org"]
    assert emails(atelier_members([world.atelier_a1.id])) == [
        "learner_a1@example.org",
        "tutor_a1@example.org",
    ]
    assert emails(atelier_members([world.atelier_a1.id, world.atelier_b1.id], Role.LEARNER)) == [
        "learner_a1@example.org",
        "learner_b1@example.org",
    ]


def test_atelier_member_ids_per_atelier_in_one_query(world):
    a1, a2, b1 = world.atelier_a1.id, world.atelier_a2.id, world.atelier_b1.id
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        tutors = atelier_member_ids([a1, a2, b1], Role.TUTOR)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert tutors == {a1: (world.tutor_a1.id,)}
    assert atelier_member_ids([a1]) == {a1: tuple(sorted((world.learner_a1.id, world.tutor_a1.id)))}
    world.tutor_a1.active = False
    db.session.commit()
    assert atelier_member_ids([a1], Role.TUTOR) == {}


def test_cohort_headcount_is_a_column_of_the_enclosing_query(world):
    rows = db.session.execute(
        sa.select(Cohort.name, cohort_headcount(Cohort.id, Role.LEARNER).correlate(Cohort)).order_by(
            Cohort.name
        )
    ).all()
    assert rows == [("Promotion A", 2), ("Promotion B", 1)]
