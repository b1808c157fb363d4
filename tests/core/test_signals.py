"""Signals are sent after the commit, with the arguments their docstrings promise."""

import sqlalchemy as sa

from portal import signals
from portal.extensions import db
from portal.models import Enrolment, Role


def test_every_signal_is_documented():
    for name in dir(signals):
        signal = getattr(signals, name)
        if hasattr(signal, "receivers"):
            assert signal.__doc__ and "sender" in signal.__doc__, name


def test_enrolment_through_the_staff_page_sends_user_enrolled_after_commit(app, world, login_as):
    received = []

    def receiver(user, cohort, role):
        # Committed: a new session (another connection) already sees the row.
        with db.engine.connect() as connection:
            count = connection.scalar(
                sa.select(sa.func.count()).where(
                    Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id
                )
            )
        received.append((user.email, cohort.name, role, count))

    signals.user_enrolled.connect(receiver)
    try:
        staff = login_as(world.staff_a)
        staff.post(
            f"/admin/cohorts/{world.cohort_a.id}/enrol",
            data={"enrol-email": world.nobody.email, "enrol-role": "lecturer"},
        )
    finally:
        signals.user_enrolled.disconnect(receiver)
    assert received == [(world.nobody.email, "Promotion A", Role.LECTURER, 1)]


def test_atelier_changed_on_member_removal(app, world, login_as):
    received = []

    def receiver(atelier, added, removed):
        received.append((atelier.name, added, removed))

    signals.atelier_changed.connect(receiver)
    try:
        login_as(world.staff_a).post(
            f"/admin/ateliers/{world.atelier_a1.id}/members/{world.learner_a1.id}/remove"
        )
    finally:
        signals.atelier_changed.disconnect(receiver)
    assert received == [("Atelier A1", [], [world.learner_a1.id])]


def test_deactivation_sends_user_deactivated(app, world, login_as):
    received = []
    signals.user_deactivated.connect(received.append, weak=False)
    try:
        login_as(world.admin).post(f"/admin/users/{world.learner_b1.id}/deactivate")
    finally:
        signals.user_deactivated.disconnect(received.append)
    assert [u.email for u in received] == [world.learner_b1.email]
