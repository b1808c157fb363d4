"""Read tracking, the dashboard widget, the participation view, subscriptions and the user's data."""

from __future__ import annotations

import re
from datetime import timedelta

from plugins.forum.models import ForumPreference
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import rows_of, text
from tests.plugins.forum.conftest import answer, first_post, start


def unread_cell(page: str, name: str) -> str:
    row = re.search(rf"{re.escape(name)}.*?</tr>", page, re.S).group(0)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[1]


def test_unread_counts_and_mark_all_read(world, forums, login_as):
    learner, tutor = login_as(world.learner_a1), login_as(world.tutor_a1)
    one = start(tutor, forums.a1, "Consigne un")
    start(tutor, forums.a1, "Consigne deux")
    answer(tutor, first_post(one), "Précision.")
    index = text(learner.get("/forum/"))
    assert "3 non lus" in index
    forum_page = text(learner.get(f"/forum/{forums.a1.id}"))
    assert ">2</span>" in unread_cell(forum_page, "Consigne un")
    discussion_page = text(learner.get(f"/forum/discussion/{one.id}"))
    assert discussion_page.count(">nouveau</span>") == 2
    assert "1 non lu" in text(learner.get("/forum/"))
    assert "nouveau</span>" not in text(learner.get(f"/forum/discussion/{one.id}"))
    assert learner.post(f"/forum/{forums.a1.id}/read").status_code == 303
    assert "non lu" not in text(learner.get("/forum/")).replace("Non lus", "")
    # The author's own posts are never unread.
    assert "non lu" not in text(tutor.get("/forum/")).replace("Non lus", "")


def test_dashboard_widget_shows_unread_in_my_ateliers(world, forums, login_as):
    start(login_as(world.tutor_a1), forums.a1, "Lecture pour jeudi")
    start(login_as(world.staff_a), forums.news_a, "Annonce")
    dashboard = text(login_as(world.learner_a1).get("/"))
    assert "Forums de mes ateliers" in dashboard
    assert "1 message non lu" in dashboard and "Lecture pour jeudi" in dashboard
    other = text(login_as(world.learner_a2).get("/"))
    assert "Lecture pour jeudi" not in other and "rien de nouveau" in other


def test_participation_per_learner_over_a_period(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Participation")
    answer(learner, first_post(discussion), "Réponse une.")
    old = answer(learner, first_post(discussion), "Réponse ancienne.")
    old.created_dt = utcnow() - timedelta(days=90)
    db.session.commit()
    tutor = login_as(world.tutor_a1)
    page = text(tutor.get(f"/forum/{forums.a1.id}/participation"))
    row = re.search(r"LEARNER A1 Learner</th><td>(\d+)</td><td>(\d+)</td>", page)
    assert row.groups() == ("1", "1")
    long_ago = (utcnow() - timedelta(days=120)).date().isoformat()
    page = text(tutor.get(f"/forum/{forums.a1.id}/participation", query_string={"start": long_ago}))
    assert re.search(r"LEARNER A1 Learner</th><td>1</td><td>2</td>", page)
    bad = tutor.get(
        f"/forum/{forums.a1.id}/participation", query_string={"start": "2024-05-01", "end": "2024-04-01"}
    )
    assert bad.status_code == 400 and "La fin doit être postérieure au début." in text(bad)
    assert login_as(world.learner_a1).get(f"/forum/{forums.a1.id}/participation").status_code == 404
    assert login_as(world.tutor_a1).get(f"/forum/{forums.cohort_a.id}/participation").status_code == 404


def test_discussion_subscription_toggle(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(login_as(world.learner_a2), forums.cohort_a, "À suivre")
    assert "Suivre la discussion" in text(learner.get(f"/forum/discussion/{discussion.id}"))
    learner.post(f"/forum/discussion/{discussion.id}/subscribe")
    assert "Ne plus suivre" in text(learner.get(f"/forum/discussion/{discussion.id}"))
    response = learner.post(f"/forum/{forums.news_a.id}/subscribe")
    assert "ne se choisit pas" in text(learner.get(response.headers["Location"], follow_redirects=True))


def test_preferences_bad_input_keeps_previous(world, forums, login_as):
    learner = login_as(world.learner_a1)
    before = rows_of({"forum_preference": ()})
    response = learner.post("/forum/preferences", data={"display": "spiral", "mail_mode": "digest"})
    assert response.status_code == 400 and "Le formulaire contient des erreurs" in text(response)
    assert rows_of({"forum_preference": ()}) == before
    assert (
        learner.post("/forum/preferences", data={"display": "flat", "mail_mode": "digest"}).status_code == 303
    )
    assert db.session.get(ForumPreference, world.learner_a1.id).mail_mode.value == "digest"


def test_user_data_and_erase(app, world, forums, login_as):
    from portal.plugins import loaded_plugins

    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Mes données", "Texte personnel.")
    reply = answer(learner, first_post(discussion), "Réponse personnelle.")
    plugin = next(p for p in loaded_plugins(app) if p.name == "forum")
    data = plugin.user_data(world.learner_a1)
    assert [p["text"] for p in data["posts"]] == ["Texte personnel.", "Réponse personnelle."]
    plugin.erase_user(world.learner_a1)
    db.session.commit()
    db.session.refresh(reply)
    assert reply.body == "" and reply.author_id is None and reply.deleted_dt is not None
    assert plugin.user_data(world.learner_a1)["posts"] == []
