"""Search never returns what the user cannot open; atelier changes keep the forums and their access right."""

from __future__ import annotations

import sqlalchemy as sa

from plugins.forum.models import Forum, Post
from portal import people, search
from portal.extensions import db
from portal.models import Atelier, AtelierMember, Role
from tests.helpers import text
from tests.plugins.forum.conftest import answer, first_post, start, txt_file


def hits(client, words: str) -> str:
    response = client.get("/search/", query_string={"q": words})
    assert response.status_code == 200
    return text(response)


def test_search_respects_forum_access(world, forums, login_as):
    start(login_as(world.learner_a1), forums.a1, "Ressourcerie de Montreuil", "Entretien avec la directrice.")
    start(login_as(world.learner_a2), forums.cohort_a, "Covoiturage mutualisé", "Départ de Lille.")
    start(login_as(world.learner_b1), forums.b1, "Monnaie locale", "La monnaie complémentaire du Nord.")
    assert "Ressourcerie de Montreuil" in hits(login_as(world.learner_a1), "ressourcerie")
    assert "Ressourcerie de Montreuil" in hits(login_as(world.staff_a), "ressourcerie")
    assert "Ressourcerie" not in hits(login_as(world.learner_a2), "ressourcerie")
    assert "Ressourcerie" not in hits(login_as(world.staff_b), "ressourcerie")
    assert "Covoiturage mutualisé" in hits(login_as(world.learner_a1), "covoiturage")
    assert "Covoiturage" not in hits(login_as(world.learner_b1), "covoiturage")
    assert "Monnaie locale" not in hits(login_as(world.learner_a1), "monnaie")


def test_attachment_text_is_searchable(world, forums, login_as):
    start(
        login_as(world.learner_a1),
        forums.a1,
        "Compte rendu",
        "Voir fichier.",
        files=txt_file("Gouvernance sociocratique"),
    )
    assert "Compte rendu" in hits(login_as(world.tutor_a1), "sociocratique")


def test_deleted_post_leaves_the_index(world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Sujet")
    reply = answer(learner, first_post(discussion), "Mot introuvable zygomatique.")
    assert f"/forum/post/{reply.id}" in hits(learner, "zygomatique")
    learner.post(f"/forum/post/{reply.id}/delete")
    assert f"/forum/post/{reply.id}" not in hits(learner, "zygomatique")


def test_reindex_rebuilds_the_same_access(app, world, forums, login_as):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Indexation complète")
    answer(login_as(world.tutor_a1), first_post(discussion), "Conseil privé.", private="y")
    from portal.plugins import loaded_plugins

    plugin = next(p for p in loaded_plugins(app) if p.name == "forum")
    with app.test_request_context():
        docs = {d.doc_id: d for d in plugin.search_documents()}
    private = next(d for d in docs.values() if d.visibility == "private")
    assert set(private.reader_ids) == {world.learner_a1.id, world.tutor_a1.id}
    assert private.owner_id is None and private.cohort_id == world.cohort_a.id
    public = docs[f"forum:discussion:{discussion.id}"]
    assert (public.visibility, public.atelier_id) == ("atelier", world.atelier_a1.id)


def test_new_atelier_gets_its_forum_and_deleted_one_loses_it(world, login_as):
    staff = login_as(world.staff_a)
    response = staff.post(f"/admin/cohorts/{world.cohort_a.id}/ateliers", data={"atelier-name": "Atelier A3"})
    assert response.status_code in (302, 303), text(response)
    atelier = db.session.scalar(sa.select(Atelier).where(Atelier.name == "Atelier A3"))
    forum = db.session.scalar(sa.select(Forum).where(Forum.atelier_id == atelier.id))
    assert forum is not None and forum.title == "Atelier A3"
    learner = login_as(world.learner_a1)
    a1 = db.session.scalar(sa.select(Forum).where(Forum.atelier_id == world.atelier_a1.id))
    start(learner, a1, "Avant suppression", files=txt_file())
    a1_id = world.atelier_a1.id
    assert staff.post(f"/admin/ateliers/{a1_id}/delete").status_code == 303
    assert db.session.scalar(sa.select(Forum).where(Forum.key == f"atelier:{a1_id}")) is None
    assert db.session.scalar(sa.select(Post.id)) is None
    assert "Avant suppression" not in hits(login_as(world.admin), "suppression")


def test_leaving_the_atelier_closes_its_forum(world, forums, login_as):
    discussion = start(login_as(world.learner_a1), forums.a1, "Avant départ")
    people.remove_from_atelier(db.session.get(AtelierMember, (world.atelier_a1.id, world.learner_a1.id)))
    client = login_as(world.learner_a1)
    assert client.get(f"/forum/discussion/{discussion.id}").status_code == 404
    assert "Avant départ" not in hits(client, "départ")


def test_tutor_change_reindexes_private_replies(world, forums, login_as):
    discussion = start(login_as(world.learner_a1), forums.a1, "Question")
    private = answer(login_as(world.tutor_a1), first_post(discussion), "Réponse confidentielle.", private="y")
    from tests.conftest import TEST_PASSWORD
    from tests.factories import make_user

    new_tutor = make_user(TEST_PASSWORD, email="newtutor@example.org")
    people.enrol(new_tutor, world.cohort_a, Role.TUTOR)
    people.add_to_atelier(world.atelier_a1, new_tutor, Role.TUTOR)
    db.session.commit()
    from portal.signals import atelier_changed

    atelier_changed.send(world.atelier_a1, added=[new_tutor.id], removed=[])
    assert f"/forum/post/{private.id}" in hits(login_as(new_tutor), "confidentielle")
    assert search is not None
