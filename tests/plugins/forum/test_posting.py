"""Discussions and replies: posting, quoting, attachments, the edit window, moderation, bad input."""

from __future__ import annotations

import io

import sqlalchemy as sa

from plugins.forum.models import Discussion, Post
from portal.extensions import db
from portal.storage import StoredFile, path_of
from tests.helpers import rows_of, text
from tests.plugins.forum.conftest import TABLES, age, answer, first_post, start, txt_file

FORM_ERROR = "Le formulaire contient des erreurs"


def test_two_learners_discuss_with_quote_and_attachment(world, forums, login_as):
    from portal import people
    from portal.models import Role
    from tests.conftest import TEST_PASSWORD
    from tests.factories import make_user

    mate = make_user(TEST_PASSWORD, email="mate@example.org", first_name="Maïa", last_name="Ndiaye")
    people.enrol(mate, world.cohort_a, Role.LEARNER)
    people.add_to_atelier(world.atelier_a1, mate, Role.LEARNER)
    db.session.commit()
    alice, maia = login_as(world.learner_a1), login_as(mate)
    discussion = start(alice, forums.a1, "Terrain d'enquête", "Je vise **trois** ressourceries.")
    quote_form = text(maia.get(f"/forum/post/{first_post(discussion).id}/reply?quote=1"))
    assert "> **Learner LEARNER A1 a écrit :**" in quote_form
    assert "> Je vise **trois** ressourceries." in quote_form
    body = "> Je vise **trois** ressourceries.\n\nBonne idée, voici ma grille."
    reply = answer(maia, first_post(discussion), body, files=txt_file("Grille d'entretien", "grille.txt"))
    assert reply.files[0].stored.name == "grille.txt"
    page = text(alice.get(f"/forum/discussion/{discussion.id}"))
    assert "<strong>trois</strong>" in page
    assert "<blockquote>" in page
    assert "grille.txt" in page
    assert "Maïa Ndiaye" in page
    db.session.refresh(discussion)
    assert discussion.post_count == 2


def test_discussions_by_last_activity_pinned_first_paginated(app, world, forums, login_as):
    app.config["FORUM_DISCUSSIONS_PER_PAGE"] = 2
    learner = login_as(world.learner_a1)
    old = start(learner, forums.a1, "Ancienne")
    start(learner, forums.a1, "Moyenne")
    start(learner, forums.a1, "Récente")
    answer(learner, first_post(old), "Relance.")
    page1 = text(learner.get(f"/forum/{forums.a1.id}"))
    assert page1.index("Ancienne") < page1.index("Récente")
    assert "Moyenne" not in page1 and "Page 1 sur 2" in page1
    assert "Moyenne" in text(learner.get(f"/forum/{forums.a1.id}?page=2"))
    middle = db.session.scalar(sa.select(Discussion).where(Discussion.subject == "Moyenne"))
    assert login_as(world.tutor_a1).post(f"/forum/discussion/{middle.id}/pin").status_code == 303
    page1 = text(learner.get(f"/forum/{forums.a1.id}"))
    assert page1.index("Moyenne") < page1.index("Ancienne")


def test_nested_or_flat_as_the_reader_chooses(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Arbre")
    root = first_post(discussion)
    child = answer(learner, root, "Réponse A.")
    answer(learner, root, "Réponse B.")
    answer(learner, child, "Réponse à A.")
    nested = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert nested.index("Réponse A.") < nested.index("Réponse à A.") < nested.index("Réponse B.")
    response = learner.post("/forum/preferences", data={"display": "flat", "mail_mode": "post"})
    assert response.status_code == 303
    flat = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert flat.index("Réponse A.") < flat.index("Réponse B.") < flat.index("Réponse à A.")


def test_author_edits_and_deletes_within_window_only(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Fenêtre")
    reply = answer(learner, first_post(discussion), "Première version.")
    assert learner.post(f"/forum/post/{reply.id}/edit", data={"body": "Version corrigée."}).status_code == 303
    db.session.refresh(reply)
    assert reply.body == "Version corrigée." and reply.edited_by_id is None
    assert "Modifier" in text(learner.get(f"/forum/discussion/{discussion.id}"))
    age(reply, 31)
    age(first_post(discussion), 31)
    page = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert f"/forum/post/{reply.id}/edit" not in page and f"/forum/post/{reply.id}/delete" not in page
    response = learner.post(f"/forum/post/{reply.id}/edit", data={"body": "Trop tard."})
    assert response.status_code == 303
    assert "délai de modification" in text(learner.get(response.headers["Location"], follow_redirects=True))
    learner.post(f"/forum/post/{reply.id}/delete")
    db.session.refresh(reply)
    assert reply.body == "Version corrigée." and reply.deleted_dt is None


def test_edit_window_is_configurable(app, world, forums, login_as):
    app.config["FORUM_EDIT_WINDOW_MINUTES"] = 5
    learner = login_as(world.learner_a1)
    reply = answer(learner, first_post(start(learner, forums.a1, "Court")), "Texte.")
    age(reply, 6)
    learner.post(f"/forum/post/{reply.id}/edit", data={"body": "Modifié."})
    db.session.refresh(reply)
    assert reply.body == "Texte."


def test_learner_cannot_edit_or_delete_anothers_post(world, forums, login_as):
    from portal import people
    from portal.models import Role

    people.enrol(world.learner_a2, world.cohort_a, Role.LEARNER)
    discussion = start(login_as(world.learner_a1), forums.cohort_a, "Entre promos")
    post = first_post(discussion)
    other = login_as(world.learner_a2)
    assert other.get(f"/forum/post/{post.id}/edit").status_code == 403
    assert other.post(f"/forum/post/{post.id}/edit", data={"body": "Piraté."}).status_code == 403
    assert other.post(f"/forum/post/{post.id}/delete").status_code == 403
    db.session.refresh(post)
    assert post.body == "Premier message." and post.deleted_dt is None


def test_moderator_edit_is_marked_and_delete_keeps_thread(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Modération")
    reply = answer(learner, first_post(discussion), "Propos à reformuler.")
    answer(learner, reply, "Réponse à la réponse.")
    age(reply, 120)
    tutor = login_as(world.tutor_a1)
    assert tutor.post(f"/forum/post/{reply.id}/edit", data={"body": "Propos reformulé."}).status_code == 303
    page = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert "Propos reformulé." in page and "modifié par Tutor TUTOR A1" in page
    assert tutor.post(f"/forum/post/{reply.id}/delete").status_code == 303
    page = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert "Propos reformulé." not in page and "Ce message a été supprimé." in page
    assert "Réponse à la réponse." in page
    response = learner.post(f"/forum/post/{reply.id}/reply", data={"body": "Encore ?"})
    assert response.status_code == 303
    assert "supprimé : vous ne pouvez plus y répondre" in text(
        learner.get(response.headers["Location"], follow_redirects=True)
    )
    assert db.session.scalar(sa.select(Post).where(Post.body == "Encore ?")) is None


def test_deleting_first_post_deletes_discussion_and_files(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "À supprimer", files=txt_file())
    stored = first_post(discussion).files[0].stored
    path = path_of(stored)
    assert path.is_file()
    assert learner.post(f"/forum/post/{first_post(discussion).id}/delete").status_code == 303
    assert db.session.scalar(sa.select(Discussion.id)) is None
    assert db.session.scalar(sa.select(StoredFile)) is None
    assert not path.exists()


def test_lock_stops_learner_replies_not_the_tutor(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "À clore")
    tutor = login_as(world.tutor_a1)
    assert tutor.post(f"/forum/discussion/{discussion.id}/lock").status_code == 303
    before = rows_of(TABLES)
    response = learner.post(f"/forum/post/{first_post(discussion).id}/reply", data={"body": "Encore un mot."})
    assert response.status_code == 303
    assert "verrouillée : vous ne pouvez plus y répondre" in text(
        learner.get(response.headers["Location"], follow_redirects=True)
    )
    assert rows_of(TABLES) == before
    assert "Publier la réponse" not in text(learner.get(f"/forum/discussion/{discussion.id}"))
    answer(tutor, first_post(discussion), "Le mot de la fin.", private="y")
    assert learner.post(f"/forum/discussion/{discussion.id}/lock").status_code == 403
    assert tutor.post(f"/forum/discussion/{discussion.id}/lock").status_code == 303
    answer(learner, first_post(discussion), "Rouverte, merci.")


def test_bad_input_stores_nothing_and_keeps_typing(app, world, forums, login_as):
    app.config["FORUM_MAX_POST_LENGTH"] = 100
    learner = login_as(world.learner_a1)
    before = rows_of(TABLES)
    response = learner.post(f"/forum/{forums.a1.id}/new", data={"subject": "  ", "body": "Mon texte gardé"})
    page = text(response)
    assert response.status_code == 400
    assert FORM_ERROR in page and "Donnez un sujet à la discussion." in page and "Mon texte gardé" in page
    response = learner.post(f"/forum/{forums.a1.id}/new", data={"subject": "Sujet gardé", "body": "   "})
    assert "Écrivez un message." in text(response) and "Sujet gardé" in text(response)
    response = learner.post(f"/forum/{forums.a1.id}/new", data={"subject": "Long", "body": "x" * 101})
    assert "Le message est trop long : 101 caractères pour 100 au plus." in text(response)
    response = learner.post(
        f"/forum/{forums.a1.id}/new",
        data={
            "subject": "Fichier refusé",
            "body": "Voir pièce jointe",
            "files": (io.BytesIO(b"MZ\x90\x00" * 50), "virus.exe"),
        },
    )
    assert response.status_code == 415
    assert "Ce type de fichier n'est pas accepté ici." in text(response) and "Voir pièce jointe" in text(
        response
    )
    assert rows_of(TABLES) == before
    discussion = start(learner, forums.a1, "Valide")
    before = rows_of(TABLES)
    response = learner.post(f"/forum/post/{first_post(discussion).id}/reply", data={"body": ""})
    assert response.status_code == 400 and "Écrivez un message." in text(response)
    response = learner.post(
        f"/forum/post/{first_post(discussion).id}/reply",
        data={"body": "Réponse gardée", "files": (io.BytesIO(b""), "vide.txt")},
    )
    assert "Le fichier est vide." in text(response) and "Réponse gardée" in text(response)
    assert rows_of(TABLES) == before


def test_moderator_sets_subscription_mode(world, forums, login_as):
    learner = login_as(world.learner_a1)
    assert learner.get(f"/forum/{forums.a1.id}/settings").status_code == 403
    tutor = login_as(world.tutor_a1)
    response = tutor.post(f"/forum/{forums.a1.id}/settings", data={"subscription_mode": "nonsense"})
    assert response.status_code == 400 and FORM_ERROR in text(response)
    assert (
        tutor.post(f"/forum/{forums.a1.id}/settings", data={"subscription_mode": "forced"}).status_code == 303
    )
    db.session.refresh(forums.a1)
    assert forums.a1.subscription_mode.value == "forced"
    assert "Abonnement imposé" in text(learner.get(f"/forum/{forums.a1.id}"))


def test_long_discussion_is_paginated_and_links_find_the_page(app, world, forums, login_as):
    from html.parser import HTMLParser

    app.config["FORUM_POSTS_PER_PAGE"] = 3
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Longue", "Message 0.")
    parent = first_post(discussion)
    for n in range(1, 6):
        parent = answer(learner, parent, f"Message {n}.")  # a chain: each answers the previous
    page1 = text(learner.get(f"/forum/discussion/{discussion.id}"))
    assert "Message 2." in page1 and "Message 3." not in page1 and "Page 1 sur 2" in page1
    page2 = learner.get(f"/forum/discussion/{discussion.id}?page=2").get_data(as_text=True)
    assert "Message 5." in page2 and "Message 2." not in page2
    assert "Suite d'un fil commencé à la page précédente" in text(
        learner.get(f"/forum/discussion/{discussion.id}?page=2")
    )

    class Balance(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("ul", "li", "article"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            if tag in ("ul", "li", "article"):
                assert self.stack.pop() == tag

    for html in (page1, page2):
        checker = Balance()
        checker.feed(html)
        assert checker.stack == []
    last = parent
    response = learner.get(f"/forum/post/{last.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forum/discussion/{discussion.id}?page=2#post-{last.id}")
