"""The library plugin: the issue's flow, search and facets, permissions, bad input, through real requests."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from plugins.library.models import Attachment, Monograph, Status
from portal.extensions import db
from portal.storage import StoredFile
from tests.helpers import pdf_bytes, rows_of, text
from tests.plugins.library.conftest import monograph_data, propose, upload

TABLES = {
    "library_monograph": (),
    "library_monograph_theme": (),
    "library_attachment": (),
    "stored_file": (),
}
RESULT_LINK = re.compile(r'<h3><a href="/library/m/(\d+)">')


def found_ids(client, **params) -> set[int]:
    response = client.get("/library/", query_string=params)
    assert response.status_code == 200
    return {int(n) for n in RESULT_LINK.findall(response.get_data(as_text=True))}


# -- the flow -------------------------------------------------------------------------------------
def test_a_learner_proposes_with_a_pdf_staff_publish_and_a_word_of_the_pdf_finds_it(world, lists, login_as):
    learner, staff, other = login_as(world.learner_a1), login_as(world.learner_b1), None
    staff = login_as(world.staff_a)
    other = login_as(world.learner_b1)
    data = monograph_data(lists, "La Coopérative du Marais", themes="habitat, jardins partagés")
    data["attachments"] = upload(pdf_bytes("Annexe : la tourbière et les maraîchers"), "annexe.pdf")
    response = learner.post("/library/new", data=data)
    assert response.status_code == 303
    monograph = db.session.scalar(sa.select(Monograph))
    assert monograph.status == Status.DRAFT and len(monograph.attachments) == 1
    assert "tourbière" in monograph.attachments[0].text

    # The draft: its author sees it, nobody else finds or opens it.
    assert "La Coopérative du Marais" in text(learner.get(f"/library/m/{monograph.id}"))
    assert other.get(f"/library/m/{monograph.id}").status_code == 404
    assert staff.get(f"/library/m/{monograph.id}").status_code == 404
    assert found_ids(other, q="tourbière") == set()

    assert learner.post(f"/library/m/{monograph.id}/submit").status_code == 303
    assert other.get(f"/library/m/{monograph.id}").status_code == 404
    assert "La Coopérative du Marais" in text(staff.get("/library/review"))
    assert found_ids(other, q="tourbière") == set()

    assert staff.post(f"/library/m/{monograph.id}/publish").status_code == 303
    page = text(other.get("/library/", query_string={"q": "tourbières"}))
    assert found_ids(other, q="tourbières") == {monograph.id}
    assert "<mark>tourbière</mark>" in page

    # The attachment is readable now, by whoever may read the monograph.
    stored = db.session.scalar(sa.select(StoredFile))
    assert other.get(f"/files/{stored.id}/{stored.name}").status_code == 200

    assert staff.post(f"/library/m/{monograph.id}/unpublish").status_code == 303
    assert found_ids(other, q="tourbière") == set()
    assert other.get(f"/library/m/{monograph.id}").status_code == 404
    assert other.get(f"/files/{stored.id}/{stored.name}").status_code == 404


def test_staff_ask_for_changes_with_a_comment_the_author_sees(world, lists, login_as):
    learner, staff = login_as(world.learner_a1), login_as(world.staff_a)
    monograph = propose(learner, lists, "Épicerie du quartier")
    learner.post(f"/library/m/{monograph.id}/submit")
    response = staff.post(f"/library/m/{monograph.id}/request-changes", data={"comment": ""})
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    assert db.session.get(Monograph, monograph.id).status == Status.SUBMITTED
    response = staff.post(
        f"/library/m/{monograph.id}/request-changes", data={"comment": "Précisez le modèle économique."}
    )
    assert response.status_code == 303
    assert db.session.get(Monograph, monograph.id).status == Status.DRAFT
    page = text(learner.get(f"/library/m/{monograph.id}"))
    assert "Précisez le modèle économique." in page
    # Back to a draft: staff no longer open it, its author edits it again.
    assert staff.get(f"/library/m/{monograph.id}").status_code == 404
    assert learner.get(f"/library/m/{monograph.id}/edit").status_code == 200


# -- search, facets, sort, similar ------------------------------------------------------------------------
def test_search_with_facets_sort_and_pagination(world, published, login_as):
    a = published(
        "Coopérative d'habitants de Rennes",
        region="Bretagne",
        legal_form="SCIC",
        year=2012,
        body="Une coopérative d'habitat participatif.",
        themes="habitat",
    )
    b = published(
        "Habitat groupé de Toulouse",
        region="Occitanie",
        legal_form="SCIC",
        year=1995,
        body="Les coopératives d'habitat en Occitanie.",
        themes="habitat, autopromotion",
    )
    c = published(
        "Menuiserie coopérative",
        region="Bretagne",
        legal_form="SCOP",
        year=1987,
        body="Une coopérative de menuisiers.",
        themes="bois",
    )
    reader = login_as(world.learner_b1)
    assert found_ids(reader, q="coopérative habitat") >= {a.id, b.id}
    page = text(reader.get("/library/", query_string={"q": "coopérative habitat"}))
    assert "<mark>" in page
    assert "Bretagne (2)" in page and "Occitanie (1)" in page and "SCIC (2)" in page
    assert "Années 1990 (1)" in page
    assert found_ids(reader, q="coopérative habitat", region="Bretagne") == {a.id, c.id} & found_ids(
        reader, q="coopérative habitat"
    )
    assert found_ids(reader, q="coopérative", region="Bretagne", legal_form="SCOP") == {c.id}
    assert found_ids(reader, q="coopérative", region=["Bretagne", "Occitanie"]) == {a.id, b.id, c.id}
    assert found_ids(reader, theme="autopromotion") == {b.id}
    assert found_ids(reader, decade="1980") == {c.id}
    page = reader.get("/library/", query_string={"q": "coopérative", "sort": "year_asc"}).get_data(
        as_text=True
    )
    assert [int(n) for n in RESULT_LINK.findall(page)] == [c.id, b.id, a.id]
    page = reader.get("/library/", query_string={"sort": "year_desc"}).get_data(as_text=True)
    assert [int(n) for n in RESULT_LINK.findall(page)] == [a.id, b.id, c.id]


def test_pagination_keeps_the_query_and_filters(world, published, login_as):
    for n in range(12):
        published(f"Monographie {n:02d}", region="Normandie", year=1990 + n, body="tiers-lieu rural")
    reader = login_as(world.learner_b1)
    first = reader.get("/library/", query_string={"q": "tiers-lieu", "region": "Normandie"})
    page = text(first)
    assert "12 monographies" in page and "Page 1 sur 2" in page
    assert "region=Normandie" in page and "page=2" in page
    assert len(found_ids(reader, q="tiers-lieu", region="Normandie", page=2)) == 2


def test_a_misspelt_word_gets_a_suggestion(world, published, login_as):
    published("Radio de pays", body="Une radio associative de pays.")
    page = text(login_as(world.learner_b1).get("/library/", query_string={"q": "associatve"}))
    assert "Essayez plutôt" in page and "associative</a>" in page


def test_similar_monographs_share_themes_or_legal_form(world, published, login_as):
    a = published("Coopérative A", legal_form="SCIC", themes="énergie")
    b = published("Coopérative B", legal_form="SCOP", themes="énergie, climat")
    c = published("Coopérative C", legal_form="SCIC", themes="alimentation")
    d = published("Association D", legal_form="Association", themes="culture")
    page = text(login_as(world.learner_b1).get(f"/library/m/{a.id}"))
    section = page.split("Monographies proches")[1]
    assert "Coopérative B" in section and "Coopérative C" in section and "Association D" not in section
    assert d.id and b.id and c.id


# -- permissions ------------------------------------------------------------------------------------------
def test_drafts_and_staff_only_never_reach_others_results_facets_suggestions_or_similar(
    world, lists, published, login_as
):
    author, staff = login_as(world.learner_a1), login_as(world.staff_a)
    public = published(
        "Coopérative ouverte",
        legal_form="SCIC",
        region="Bretagne",
        themes="énergie",
        body="photovoltaïque citoyen",
    )
    secret = published(
        "Fondation confidentielle",
        legal_form="SCIC",
        region="Corse",
        themes="énergie",
        visibility="staff",
        body="photovoltaïque hydrolienne",
    )
    draft = propose(
        author,
        lists,
        "Brouillon caché",
        legal_form="SCIC",
        region="Guyane",
        themes="énergie",
        body="photovoltaïque marémotrice",
    )
    reader = login_as(world.learner_b1)
    page = text(reader.get("/library/", query_string={"q": "photovoltaïque"}))
    assert found_ids(reader, q="photovoltaïque") == {public.id}
    assert "Corse" not in page and "Guyane" not in page and "SCIC (1)" in page
    assert "Fondation confidentielle" not in page and "Brouillon caché" not in page
    for word in ("hydroliene", "maremotrise"):
        page = text(reader.get("/library/", query_string={"q": word}))
        assert "Essayez plutôt" not in page, word
    similar = text(reader.get(f"/library/m/{public.id}"))
    assert "Fondation confidentielle" not in similar and "Brouillon caché" not in similar
    for url in (f"/library/m/{secret.id}", f"/library/m/{draft.id}", f"/library/m/{draft.id}/edit"):
        response = reader.get(url)
        assert response.status_code == 404, url
        assert "Fondation confidentielle" not in text(response) and "Brouillon caché" not in text(response)
    # Staff see the staff-only monograph, in results and similar links, but never someone's draft.
    assert found_ids(staff, q="photovoltaïque") == {public.id, secret.id}
    assert "Fondation confidentielle" in text(staff.get(f"/library/m/{public.id}"))
    assert staff.get(f"/library/m/{draft.id}").status_code == 404
    # Tutors and lecturers are not staff.
    for user in (world.tutor_a1, world.lecturer_a):
        assert login_as(user).get(f"/library/m/{secret.id}").status_code == 404


@pytest.mark.parametrize("who", ["learner_a2", "learner_b1", "tutor_a1", "staff_a"])
def test_nobody_but_the_author_acts_on_a_draft(world, lists, login_as, who):
    draft = propose(login_as(world.learner_a1), lists, "Brouillon privé")
    client = login_as(getattr(world, who))
    before = rows_of(TABLES)
    for method, url, data in [
        ("POST", f"/library/m/{draft.id}/submit", {}),
        ("POST", f"/library/m/{draft.id}/publish", {}),
        ("POST", f"/library/m/{draft.id}/edit", monograph_data(lists, "Volé")),
        ("GET", f"/library/m/{draft.id}/delete", {}),
        ("POST", f"/library/m/{draft.id}/delete", {}),
    ]:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url)
        assert "Brouillon privé" not in text(response)
    assert rows_of(TABLES) == before


def test_learners_do_not_review_publish_or_edit_the_lists(world, lists, login_as):
    author = login_as(world.learner_a1)
    monograph = propose(author, lists, "En relecture")
    author.post(f"/library/m/{monograph.id}/submit")
    assert author.post(f"/library/m/{monograph.id}/publish").status_code == 403
    assert author.post(f"/library/m/{monograph.id}/edit", data=monograph_data(lists, "x")).status_code == 403
    assert db.session.get(Monograph, monograph.id).status == Status.SUBMITTED
    for client in (author, login_as(world.tutor_a1)):
        assert client.get("/library/review").status_code == 404
        assert client.get("/library/lists").status_code == 404
        assert (
            client.post("/library/lists", data={"list": "sector", "sector-name": "Intrus"}).status_code == 404
        )
        assert client.post(f"/library/lists/sector/{lists['sector']['Culture']}/delete").status_code == 404
    assert client.get(f"/library/m/{monograph.id}").status_code == 404  # submitted: author and staff only


def test_staff_edit_the_two_lists(world, lists, published, login_as):
    staff = login_as(world.staff_b)
    assert (
        staff.post(
            "/library/lists", data={"list": "legal_form", "legal_form-name": "Coopérative HLM"}
        ).status_code
        == 303
    )
    assert "Coopérative HLM" in text(staff.get("/library/lists"))
    response = staff.post("/library/lists", data={"list": "legal_form", "legal_form-name": "SCOP"})
    assert response.status_code == 400 and "« SCOP » est déjà dans la liste." in text(response)
    response = staff.post("/library/lists", data={"list": "sector", "sector-name": ""})
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    published("Utilise SCOP", legal_form="SCOP")
    staff.post(f"/library/lists/legal_form/{lists['form']['SCOP']}/delete")
    staff.post(f"/library/lists/legal_form/{lists['form']['ESAT']}/delete")
    page = text(staff.get("/library/lists"))
    assert "<td>SCOP</td>" in page and "<td>ESAT</td>" not in page


# -- bad input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("le la les de des", "ne contient que des mots trop courants ou de la ponctuation"),
        ("?!;:,.", "ne contient que des mots trop courants ou de la ponctuation"),
        ("coopérative " * 1000, "seuls ses 500 premiers caractères sont pris en compte"),
        ('"coopérative habitat', "monographie"),
        ('coopérative "', "monographie"),
        ("(((", "monographie"),
        ("-", "monographie"),
        ("OR AND NOT", "monographie"),
    ],
)
def test_odd_queries_get_a_clear_answer(world, published, login_as, query, expected):
    published("Coopérative témoin", body="coopérative habitat")
    response = login_as(world.learner_b1).get("/library/", query_string={"q": query})
    assert response.status_code == 200
    assert expected in text(response)


def test_an_empty_title_or_a_bad_attachment_stores_nothing_and_keeps_what_was_typed(world, lists, login_as):
    learner = login_as(world.learner_a1)
    before = rows_of(TABLES)
    response = learner.post("/library/new", data=monograph_data(lists, "", organisation="Garde ça"))
    assert response.status_code == 400
    page = text(response)
    assert "Ce champ est obligatoire." in page and 'value="Garde ça"' in page
    data = monograph_data(lists, "Avec un mauvais fichier", organisation="Garde ça aussi")
    data["attachments"] = upload(b"MZ\x90\x00 not a document at all", "virus.pdf")
    response = learner.post("/library/new", data=data)
    assert response.status_code == 415
    page = text(response)
    assert "Ce type de fichier n'est pas accepté ici." in page and 'value="Avec un mauvais fichier"' in page
    data["attachments"] = upload(b"", "vide.pdf")
    response = learner.post("/library/new", data=data)
    assert response.status_code == 400 and "Le fichier est vide." in text(response)
    data = monograph_data(lists, "Année impossible", year=2999)
    response = learner.post("/library/new", data=data)
    assert response.status_code == 400 and "Indiquez une année entre 1800" in text(response)
    assert rows_of(TABLES) == before


def test_edit_with_a_bad_attachment_changes_nothing(world, lists, login_as):
    learner = login_as(world.learner_a1)
    monograph = propose(learner, lists, "Titre initial")
    before = rows_of(TABLES)
    data = monograph_data(lists, "Titre changé")
    data["attachments"] = upload(b"plain text is not allowed here", "notes.pdf")
    response = learner.post(f"/library/m/{monograph.id}/edit", data=data)
    assert response.status_code == 415 and 'value="Titre changé"' in text(response)
    assert rows_of(TABLES) == before


# -- the index follows every change ---------------------------------------------------------------------
def test_the_index_follows_edit_attachment_removal_and_delete(world, lists, published, login_as):
    staff, reader = login_as(world.staff_a), login_as(world.learner_b1)
    monograph = published("Ressourcerie", body="réemploi des objets")
    data = monograph_data(lists, "Ressourcerie du port", body="réparation de vélos")
    data["attachments"] = upload(pdf_bytes("Annexe sur les cargos"), "annexe.pdf")
    assert staff.post(f"/library/m/{monograph.id}/edit", data=data).status_code == 303
    assert found_ids(reader, q="vélos") == {monograph.id} and found_ids(reader, q="réemploi") == set()
    assert found_ids(reader, q="cargos") == {monograph.id}
    attachment = db.session.scalar(sa.select(Attachment))
    assert staff.post(f"/library/m/{monograph.id}/attachments/{attachment.id}/remove").status_code == 303
    assert found_ids(reader, q="cargos") == set()
    assert staff.post(f"/library/m/{monograph.id}/delete").status_code == 303
    assert found_ids(reader, q="vélos") == set()
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0


def test_reindex_rebuilds_only_published_monographs(app, world, lists, published, login_as):
    published("Publiée pour l'index", body="luthier")
    propose(login_as(world.learner_a1), lists, "Brouillon pour l'index", body="luthier")
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert found_ids(login_as(world.learner_b1), q="luthier") == {
        db.session.scalar(sa.select(Monograph.id).where(Monograph.title == "Publiée pour l'index"))
    }
    assert len(found_ids(login_as(world.admin), q="luthier")) == 1


def test_the_user_data_export_lists_their_proposals(world, lists, login_as):
    from plugins.library.plugin import LibraryPlugin

    propose(login_as(world.learner_a1), lists, "Ma proposition")
    data = LibraryPlugin().user_data(world.learner_a1)
    assert [m["title"] for m in data["monographs"]] == ["Ma proposition"]
    assert LibraryPlugin().user_data(world.learner_b1) == {"monographs": []}


def test_erasing_a_user_deletes_their_drafts_and_keeps_what_was_published(world, lists, published, login_as):
    from plugins.library.plugin import LibraryPlugin

    kept = published("Publiée avant l'effacement")
    data = monograph_data(lists, "Brouillon à effacer")
    data["attachments"] = upload(pdf_bytes("brouillon"), "brouillon.pdf")
    assert login_as(world.learner_a1).post("/library/new", data=data).status_code == 303
    LibraryPlugin().erase_user(world.learner_a1)
    db.session.commit()
    titles = set(db.session.scalars(sa.select(Monograph.title)))
    assert titles == {"Publiée avant l'effacement"}
    assert db.session.get(Monograph, kept.id).created_by_id is None
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0
