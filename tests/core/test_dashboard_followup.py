"""The tutor's follow-up of their ateliers on the dashboard: each learner's latest activity on the site, a
flag for those inactive for a while, and the plugins' alerts; only the tutor's own ateliers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import utcnow
from tests.example_plugin.models import ExampleNote
from tests.helpers import text


def widget(client) -> str:
    page = " ".join(text(client.get("/")).split())
    start = page.find("Suivi de mes ateliers")
    assert start >= 0
    return page[start : start + 3000]


def test_the_tutor_sees_each_learner_and_who_needs_a_look(app, world, login_as):
    app.config["INACTIVE_LEARNER_DAYS"] = 10
    world.learner_a1.last_login_dt = utcnow() - timedelta(days=12)
    db.session.add(ExampleNote(user_id=world.learner_a1.id, text="une note"))
    db.session.commit()
    tutor = login_as(world.tutor_a1)
    shown = widget(tutor)
    assert "Atelier A1" in shown and world.learner_a1.full_name in shown
    assert "inactif·ve depuis 12 jours" in shown and "1 note(s)" in shown and "1 à suivre" in shown
    # Logging in is activity: the flag goes, the plugin's alert stays.
    login_as(world.learner_a1)
    shown = widget(tutor)
    assert "inactif·ve depuis" not in shown and "1 note(s)" in shown


def test_learners_of_other_ateliers_are_not_shown(world, login_as):
    shown = widget(login_as(world.tutor_a1))
    assert world.learner_a2.full_name not in shown and world.learner_b1.full_name not in shown


@pytest.mark.parametrize("who", ["learner_a1", "staff_a", "lecturer_a", "admin"])
def test_only_tutors_get_the_follow_up(world, login_as, who):
    assert "Suivi de mes ateliers" not in text(login_as(getattr(world, who)).get("/"))
