"""Who sees which forum: another atelier's forum, discussions, posts, files and private replies answer 404
and leak nothing; announcements are written by staff and tutors only."""

from __future__ import annotations

import pytest

from tests.helpers import text
from tests.plugins.forum.conftest import answer, first_post, start, txt_file

SECRET = "Hypothèse confidentielle sur la coopérative"


@pytest.fixture
def a1_thread(world, forums, login_as):
    """A discussion with an attachment in atelier A1, and a private reply of the tutor."""
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, SECRET, "Texte du message A1.", files=txt_file("Contenu A1"))
    tutor = login_as(world.tutor_a1)
    private = answer(tutor, first_post(discussion), "Remarque réservée à toi.", private="y")
    return discussion, private


def test_index_lists_only_readable_forums(world, forums, login_as):
    page = text(login_as(world.learner_a2).get("/forum/"))
    assert "Atelier A2" in page
    assert "Forum de la promotion — Promotion A" in page
    assert "Annonces — Promotion A" in page
    assert "Atelier A1" not in page
    assert "Atelier B1" not in page
    assert "Promotion B" not in page


def test_forums_are_created_lazily_for_existing_ateliers(world, login_as):
    page = text(login_as(world.learner_a1).get("/forum/"))
    assert "Atelier A1" in page


@pytest.mark.parametrize("who", ["learner_a2", "learner_b1", "lecturer_a", "staff_b", "nobody"])
def test_other_atelier_gets_404_everywhere(world, forums, login_as, a1_thread, who):
    discussion, private = a1_thread
    client = login_as(getattr(world, who))
    post = first_post(discussion)
    stored = post.files[0].stored
    urls = [
        f"/forum/{forums.a1.id}",
        f"/forum/{forums.a1.id}/new",
        f"/forum/{forums.a1.id}/participation",
        f"/forum/discussion/{discussion.id}",
        f"/forum/post/{post.id}",
        f"/forum/post/{post.id}/reply",
        f"/forum/post/{post.id}/edit",
        f"/forum/post/{post.id}/delete",
        f"/forum/post/{private.id}",
        f"/files/{stored.id}/{stored.name}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in text(response)
    for url in [
        f"/forum/{forums.a1.id}/subscribe",
        f"/forum/{forums.a1.id}/read",
        f"/forum/discussion/{discussion.id}/lock",
        f"/forum/post/{post.id}/reply",
    ]:
        assert client.post(url, data={"body": "intrusion"}).status_code == 404, url
    assert "intrusion" not in {p.body for p in discussion.posts}
    assert SECRET not in text(client.get("/forum/"))
    assert SECRET not in text(client.get("/search/", query_string={"q": "coopérative"}))
    assert "Atelier A1" not in text(client.get("/"))


def test_members_and_staff_read_the_atelier_forum(world, forums, login_as, a1_thread):
    discussion, _ = a1_thread
    for who in ("learner_a1", "tutor_a1", "staff_a", "admin"):
        page = text(login_as(getattr(world, who)).get(f"/forum/discussion/{discussion.id}"))
        assert SECRET in page, who


def test_attachment_served_to_members_only(world, forums, login_as, a1_thread):
    discussion, _ = a1_thread
    stored = first_post(discussion).files[0].stored
    url = f"/files/{stored.id}/{stored.name}"
    response = login_as(world.learner_a1).get(url)
    assert response.status_code == 200
    assert response.get_data() == b"Contenu A1"
    assert login_as(world.learner_a2).get(url).status_code == 404


def test_private_reply_seen_by_learner_tutor_staff_only(world, forums, login_as, a1_thread):
    discussion, private = a1_thread
    from portal import people
    from portal.extensions import db
    from portal.models import Role
    from tests.conftest import TEST_PASSWORD
    from tests.factories import make_user

    other = make_user(TEST_PASSWORD, email="learner_a1bis@example.org")
    people.enrol(other, world.cohort_a, Role.LEARNER)
    people.add_to_atelier(world.atelier_a1, other, Role.LEARNER)
    db.session.commit()
    for who, sees in [
        (world.learner_a1, True),
        (world.tutor_a1, True),
        (world.staff_a, True),
        (other, False),
    ]:
        client = login_as(who)
        page = text(client.get(f"/forum/discussion/{discussion.id}"))
        assert ("Remarque réservée à toi." in page) is sees, who.email
        assert (client.get(f"/forum/post/{private.id}").status_code == 303) is sees
        found = text(client.get("/search/", query_string={"q": "remarque réservée"}))
        assert (f"/forum/post/{private.id}" in found) is sees, who.email
    assert SECRET in text(login_as(other).get(f"/forum/discussion/{discussion.id}"))


def test_learner_cannot_reply_privately(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Question ouverte")
    tutor_post = answer(login_as(world.tutor_a1), first_post(discussion), "Réponse du tuteur.")
    response = learner.post(f"/forum/post/{tutor_post.id}/reply", data={"body": "En privé ?", "private": "y"})
    assert response.status_code == 400
    assert "En privé ?" not in {p.body for p in discussion.posts}


def test_announcements_written_by_staff_and_tutors(world, forums, login_as):
    learner = login_as(world.learner_a1)
    assert learner.get(f"/forum/{forums.news_a.id}/new").status_code == 403
    assert (
        learner.post(f"/forum/{forums.news_a.id}/new", data={"subject": "X", "body": "Y"}).status_code == 403
    )
    assert "Nouvelle discussion" not in text(learner.get(f"/forum/{forums.news_a.id}"))
    start(login_as(world.staff_a), forums.news_a, "Réunion de rentrée")
    start(login_as(world.tutor_a1), forums.news_a, "Permanence des tuteurs")
    page = text(learner.get(f"/forum/{forums.news_a.id}"))
    assert "Réunion de rentrée" in page and "Permanence des tuteurs" in page


def test_cohort_forum_is_the_cohorts(world, forums, login_as):
    start(login_as(world.learner_a2), forums.cohort_a, "Covoiturage")
    assert "Covoiturage" in text(login_as(world.learner_a1).get(f"/forum/{forums.cohort_a.id}"))
    assert login_as(world.learner_b1).get(f"/forum/{forums.cohort_a.id}").status_code == 404


def test_anonymous_is_sent_to_login(client, forums):
    response = client.get(f"/forum/{forums.a1.id}")
    assert response.status_code in (302, 303)
    assert "/auth/login" in response.headers["Location"]
