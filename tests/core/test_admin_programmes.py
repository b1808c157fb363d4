"""Staff pages for programmes, their blocs and seminars, and the hours they add up to."""

import html
import re
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Bloc, Programme, Seminar, SeminarKind
from tests.factories import make_cohort, make_programme
from tests.helpers import rows_of, text

#: Nobody of these changes a programme: what belongs to several promotions needs the right over all of them.
NOT_MANAGING = ["staff_a", "staff_b", "learner_a1", "tutor_a1", "lecturer_a", "nobody"]


# -- helpers -----------------------------------------------------------------------------------------
def visible(response) -> str:
    """The words of the page without tags, blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def snapshot() -> dict:
    """Every row the programme pages can change, to check that a refused request changed nothing."""
    return rows_of({"programme": (), "bloc": (), "seminar": (), "cohort": ()})


def programme_form(**changes) -> dict:
    data = {
        "title": "Gestion de projet ESS",
        "rncp_code": "RNCP 12345",
        "level": "6",
        "hours": "420",
        "description": "Une formation **en alternance**.",
    }
    data.update(changes)
    return data


def bloc_form(**changes) -> dict:
    data = {"number": "3", "title": "Piloter un projet", "hours": "40", "is_certifying": "y"}
    data.update(changes)
    return data


def seminar_form(**changes) -> dict:
    data = {"title": "Comptabilité associative", "kind": "technical", "hours": "12", "position": "2"}
    data.update(changes)
    return data


def bloc_number(programme: Programme, number: int) -> Bloc | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Bloc).where(Bloc.programme_id == programme.id, Bloc.number == number))


@pytest.fixture
def other_programme(world):
    """A second programme with a cohort that nobody of the world manages."""
    programme = make_programme("Autre formation", blocs=1)
    make_cohort(programme, "Promotion Z", centre="Angers")
    return programme


def ids(programme: Programme) -> dict:
    """The ids the URL templates below refer to: the programme, its first bloc and that bloc's seminar."""
    bloc = programme.blocs[0]
    return {"programme": programme.id, "bloc": bloc.id, "seminar": bloc.seminars[0].id}


#: (method, URL, form data) of every page about one programme.
PROGRAMME_PAGES = [
    ("GET", "/admin/programmes/{programme}", None),
    ("GET", "/admin/programmes/{programme}/edit", None),
    ("POST", "/admin/programmes/{programme}/edit", programme_form(title="PIRATE")),
    ("GET", "/admin/programmes/{programme}/blocs/new", None),
    ("POST", "/admin/programmes/{programme}/blocs/new", bloc_form(title="PIRATE")),
    ("GET", "/admin/blocs/{bloc}/edit", None),
    ("POST", "/admin/blocs/{bloc}/edit", bloc_form(number="1", title="PIRATE")),
    ("POST", "/admin/blocs/{bloc}/delete", {}),
    ("GET", "/admin/blocs/{bloc}/seminars/new", None),
    ("POST", "/admin/blocs/{bloc}/seminars/new", seminar_form(title="PIRATE")),
    ("GET", "/admin/seminars/{seminar}/edit", None),
    ("POST", "/admin/seminars/{seminar}/edit", seminar_form(title="PIRATE")),
    ("POST", "/admin/seminars/{seminar}/delete", {}),
]
#: ... and the pages about programmes in general.
ALL_PAGES = [
    ("GET", "/admin/programmes", None),
    ("GET", "/admin/programmes/new", None),
    ("POST", "/admin/programmes/new", programme_form()),
    *PROGRAMME_PAGES,
]


def call(client, method, url, data, programme):
    """Fill the page's templates with the programme's ids and send the request."""
    url = url.format(**ids(programme))
    return client.open(url, method=method, data=data)


# -- who gets in -------------------------------------------------------------------------------------
def test_anonymous_visitor_is_sent_to_login_from_every_page_and_changes_nothing(client, world):
    before = snapshot()
    for method, url, data in ALL_PAGES:
        response = call(client, method, url, data, world.programme)
        assert response.status_code == 302, url
        assert urlparse(response.headers["Location"]).path == "/auth/login", url
    assert snapshot() == before


@pytest.mark.parametrize("who", NOT_MANAGING)
def test_staff_learners_tutors_lecturers_and_the_unenrolled_get_404_everywhere_and_change_nothing(
    world, login_as, who
):
    client = login_as(getattr(world, who))
    before = snapshot()
    for method, url, data in PROGRAMME_PAGES:
        response = call(client, method, url, data, world.programme)
        assert response.status_code == 404, url
        assert "Bloc de test" not in text(response), url
    for method, url, data in ALL_PAGES[1:3]:
        assert call(client, method, url, data, world.programme).status_code == 404, url
    assert snapshot() == before


def test_coordinator_gets_404_on_a_programme_they_do_not_coordinate(world, login_as, other_programme):
    client = login_as(world.coordinator)
    before = snapshot()
    for method, url, data in PROGRAMME_PAGES:
        response = call(client, method, url, data, other_programme)
        assert response.status_code == 404, url
        assert "Autre formation" not in text(response) and "Bloc de test" not in text(response), url
    assert snapshot() == before


def test_the_coordinator_and_admins_edit_the_programme(world, login_as):
    for who in (world.coordinator, world.admin):
        client = login_as(who)
        assert client.get(f"/admin/programmes/{world.programme.id}").status_code == 200
        response = client.post(f"/admin/programmes/{world.programme.id}/edit", data=programme_form())
        assert response.status_code == 303


def test_staff_see_no_programme_to_edit(world, login_as):
    page = text(login_as(world.staff_a).get("/admin/programmes"))
    assert "Manager ESS" not in page


def test_only_admins_create_programmes(world, login_as):
    client = login_as(world.coordinator)
    assert "Nouvelle formation" not in text(client.get("/admin/programmes"))
    before = snapshot()
    assert client.get("/admin/programmes/new").status_code == 404
    assert client.post("/admin/programmes/new", data=programme_form()).status_code == 404
    assert snapshot() == before
    assert "Nouvelle formation" in text(login_as(world.admin).get("/admin/programmes"))


def test_programme_list_shows_the_programmes_one_may_edit(world, login_as, other_programme):
    page = visible(login_as(world.coordinator).get("/admin/programmes"))
    assert "Manager ESS" in page and "RNCP 35080 · niveau 7 · 511 h" in page
    assert "Autre formation" not in page
    page = visible(login_as(world.admin).get("/admin/programmes"))
    assert "Manager ESS" in page and "Autre formation" in page


def test_unknown_programme_bloc_and_seminar_answer_404(world, login_as):
    client = login_as(world.admin)
    for url in ("/admin/programmes/999999", "/admin/blocs/999999/edit", "/admin/seminars/999999/edit"):
        assert client.get(url).status_code == 404, url


def test_deletions_need_post_with_csrf(world, login_as):
    client = login_as(world.coordinator)
    before = snapshot()
    for url in ("/admin/blocs/{bloc}/delete", "/admin/seminars/{seminar}/delete"):
        url = url.format(**ids(world.programme))
        assert client.get(url).status_code == 405, url
        assert client.post(url, csrf=False).status_code == 400, url
    assert snapshot() == before


# -- programmes --------------------------------------------------------------------------------------
def test_admin_creates_a_programme(world, login_as):
    client = login_as(world.admin)
    response = client.post("/admin/programmes/new", data=programme_form(title="  Gestion de projet ESS "))
    programme = db.session.scalar(sa.select(Programme).where(Programme.title == "Gestion de projet ESS"))
    assert programme is not None
    assert (programme.rncp_code, programme.level, programme.hours, programme.description) == (
        "RNCP 12345",
        6,
        420,
        "Une formation **en alternance**.",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/programmes/{programme.id}"
    page = visible(client.get(response.headers["Location"]))
    assert "La formation est créée." in page
    assert "RNCP 12345 · niveau 6 · 420 h au total · blocs certifiants : 0 h" in page


def test_programme_without_code_or_level_is_accepted(world, login_as):
    response = login_as(world.admin).post(
        "/admin/programmes/new", data=programme_form(rncp_code="", level="")
    )
    assert response.status_code == 303
    programme = db.session.scalar(sa.select(Programme).where(Programme.title == "Gestion de projet ESS"))
    assert (programme.rncp_code, programme.level) in {("", None), (None, None)}


#: (changes to a valid programme form, the message the page must show)
BAD_PROGRAMMES = [
    ({"title": " "}, "Ce champ est obligatoire."),
    ({"title": "T" * 256}, "Le champ ne peut pas contenir plus de 255 caractères."),
    ({"rncp_code": "R" * 21}, "Le champ ne peut pas contenir plus de 20 caractères."),
    ({"level": "9"}, "Entre 1 et 8."),
    ({"level": "sept"}, "N'est pas un entier valide."),
    ({"hours": ""}, "Ce champ est obligatoire."),
    ({"hours": "-1"}, "Entre 0 et 10 000."),
    ({"hours": "10001"}, "Entre 0 et 10 000."),
    ({"hours": "cinq cents"}, "N'est pas un entier valide."),
]


def test_programme_with_bad_input_is_refused_and_keeps_what_was_typed(world, login_as):
    admin, staff = login_as(world.admin), login_as(world.coordinator)
    before = snapshot()
    for client, url in (
        (admin, "/admin/programmes/new"),
        (staff, f"/admin/programmes/{world.programme.id}/edit"),
    ):
        for changes, message in BAD_PROGRAMMES:
            data = programme_form(**changes)
            response = client.post(url, data=data)
            assert response.status_code == 200, (url, changes)
            page = text(response)
            assert message in page and "Le formulaire contient des erreurs" in page, (url, changes)
            for field in ("title", "rncp_code", "level", "hours"):
                if data[field].strip():
                    assert f'value="{data[field].strip()}"' in page, (url, changes, field)
            assert "Une formation **en alternance**." in page
    assert snapshot() == before


def test_coordinator_edit_their_programme(world, login_as):
    client = login_as(world.coordinator)
    page = text(client.get(f"/admin/programmes/{world.programme.id}/edit"))
    assert 'value="Manager ESS"' in page and 'value="511"' in page
    response = client.post(
        f"/admin/programmes/{world.programme.id}/edit", data=programme_form(title="Manager ESS (2024)")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/programmes/{world.programme.id}"
    db.session.expire_all()
    programme = db.session.get(Programme, world.programme.id)
    assert (programme.title, programme.hours, programme.level) == ("Manager ESS (2024)", 420, 6)
    assert "La formation est enregistrée." in text(client.get(response.headers["Location"]))


def test_programme_page_shows_blocs_seminars_and_hours(world, login_as):
    page = visible(login_as(world.coordinator).get(f"/admin/programmes/{world.programme.id}"))
    assert "RNCP 35080 · niveau 7 · 511 h au total · blocs certifiants : 100 h" in page
    assert "Bloc 1 — Bloc de test 1 (50 h)" in page and "Bloc 2 — Bloc de test 2 (50 h)" in page
    assert "Séminaire 1.1 (Thématique)" in page and "Séminaire 2.1 (Thématique)" in page
    assert page.index("Bloc 1 —") < page.index("Séminaire 1.1") < page.index("Bloc 2 —")


# -- blocs -------------------------------------------------------------------------------------------
def test_coordinator_add_a_bloc_and_the_certifying_hours_add_up(world, login_as):
    client = login_as(world.coordinator)
    response = client.post(f"/admin/programmes/{world.programme.id}/blocs/new", data=bloc_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/programmes/{world.programme.id}"
    bloc = bloc_number(world.programme, 3)
    assert (bloc.title, bloc.hours, bloc.is_certifying) == ("Piloter un projet", 40, True)
    page = visible(client.get(response.headers["Location"]))
    assert "Le bloc est enregistré." in page
    assert "Bloc 3 — Piloter un projet (40 h)" in page and "blocs certifiants : 140 h" in page


def test_a_non_certifying_module_does_not_count_in_certifying_hours(world, login_as):
    client = login_as(world.coordinator)
    client.post(
        f"/admin/programmes/{world.programme.id}/blocs/new",
        data=bloc_form(number="9", title="Anglais", hours="30", is_certifying=""),
    )
    assert bloc_number(world.programme, 9).is_certifying is False
    page = visible(client.get(f"/admin/programmes/{world.programme.id}"))
    assert "Module complémentaire (non certifiant) — Anglais (30 h)" in page
    assert "blocs certifiants : 100 h" in page


#: (changes to a valid bloc form, the message the page must show)
BAD_BLOCS = [
    ({"number": "2"}, "Un autre bloc de cette formation porte ce numéro."),
    ({"number": "0"}, "Entre 1 et 99."),
    ({"number": "100"}, "Entre 1 et 99."),
    ({"number": ""}, "Ce champ est obligatoire."),
    ({"title": ""}, "Ce champ est obligatoire."),
    ({"hours": "-5"}, "Entre 0 et 5 000."),
    ({"hours": "beaucoup"}, "N'est pas un entier valide."),
]


def test_bloc_with_bad_input_is_refused_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.coordinator)
    before = snapshot()
    bloc = world.programme.blocs[0]
    for url in (f"/admin/programmes/{world.programme.id}/blocs/new", f"/admin/blocs/{bloc.id}/edit"):
        for changes, message in BAD_BLOCS:
            data = bloc_form(**changes)
            response = client.post(url, data=data)
            assert response.status_code == 200, (url, changes)
            page = text(response)
            assert message in page, (url, changes)
            for field in ("number", "title", "hours"):
                if data[field]:
                    assert f'value="{data[field]}"' in page, (url, changes, field)
    assert snapshot() == before


def test_coordinator_edit_a_bloc_keeping_its_number(world, login_as):
    bloc = world.programme.blocs[0]
    client = login_as(world.coordinator)
    assert 'value="Bloc de test 1"' in text(client.get(f"/admin/blocs/{bloc.id}/edit"))
    response = client.post(
        f"/admin/blocs/{bloc.id}/edit", data=bloc_form(number="1", title="Fondamentaux", hours="161")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/programmes/{world.programme.id}"
    edited = bloc_number(world.programme, 1)
    assert (edited.id, edited.title, edited.hours) == (bloc.id, "Fondamentaux", 161)
    assert "blocs certifiants : 211 h" in visible(client.get(response.headers["Location"]))


def test_bloc_numbers_are_per_programme(world, login_as, other_programme):
    response = login_as(world.admin).post(
        f"/admin/programmes/{other_programme.id}/blocs/new", data=bloc_form(number="2")
    )
    assert response.status_code == 303
    assert bloc_number(other_programme, 2) is not None


def test_deleting_a_bloc_deletes_its_seminars(world, login_as):
    bloc = world.programme.blocs[0]
    bloc_id, seminar_id = bloc.id, bloc.seminars[0].id
    client = login_as(world.coordinator)
    response = client.post(f"/admin/blocs/{bloc_id}/delete")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Bloc, bloc_id) is None and db.session.get(Seminar, seminar_id) is None
    assert bloc_number(world.programme, 2) is not None
    page = visible(client.get(response.headers["Location"]))
    assert (
        "Le bloc est supprimé." in page
        and "Bloc de test 1" not in page
        and "blocs certifiants : 50 h" in page
    )


# -- seminars ----------------------------------------------------------------------------------------
def test_new_seminar_form_proposes_the_next_position(world, login_as):
    bloc = world.programme.blocs[0]
    page = text(login_as(world.coordinator).get(f"/admin/blocs/{bloc.id}/seminars/new"))
    assert re.search(r'<input[^>]*name="position"[^>]*value="2"', page)


def test_coordinator_add_a_seminar(world, login_as):
    bloc = world.programme.blocs[0]
    client = login_as(world.coordinator)
    response = client.post(
        f"/admin/blocs/{bloc.id}/seminars/new", data=seminar_form(description="Bilan, compte")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/programmes/{world.programme.id}"
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.title == "Comptabilité associative"))
    assert (seminar.bloc_id, seminar.kind, seminar.hours, seminar.position, seminar.description) == (
        bloc.id,
        SeminarKind.TECHNICAL,
        12,
        2,
        "Bilan, compte",
    )
    page = visible(client.get(response.headers["Location"]))
    assert "Le séminaire est ajouté." in page
    assert page.index("Séminaire 1.1") < page.index("Comptabilité associative (Technique, 12 h)")
    assert page.index("Comptabilité associative") < page.index("Bloc 2 —")


def test_seminar_without_hours_is_accepted(world, login_as):
    bloc = world.programme.blocs[0]
    login_as(world.coordinator).post(f"/admin/blocs/{bloc.id}/seminars/new", data=seminar_form(hours=""))
    assert (
        db.session.scalar(sa.select(Seminar.hours).where(Seminar.title == "Comptabilité associative")) is None
    )


#: (changes to a valid seminar form, the message the page must show)
BAD_SEMINARS = [
    ({"title": ""}, "Ce champ est obligatoire."),
    ({"kind": "lecture"}, "N'est pas un choix valide."),
    ({"hours": "1001"}, "Entre 0 et 1 000."),
    ({"hours": "douze"}, "N'est pas un entier valide."),
    ({"position": "-1"}, "Entre 0 et 999."),
    ({"position": ""}, "Ce champ est obligatoire."),
]


def test_seminar_with_bad_input_is_refused_and_keeps_what_was_typed(world, login_as):
    bloc = world.programme.blocs[0]
    seminar = bloc.seminars[0]
    client = login_as(world.coordinator)
    before = snapshot()
    for url in (f"/admin/blocs/{bloc.id}/seminars/new", f"/admin/seminars/{seminar.id}/edit"):
        for changes, message in BAD_SEMINARS:
            data = seminar_form(**changes)
            response = client.post(url, data=data)
            assert response.status_code == 200, (url, changes)
            page = text(response)
            assert message in page, (url, changes)
            for field in ("title", "hours", "position"):
                if data[field]:
                    assert f'value="{data[field]}"' in page, (url, changes, field)
    assert snapshot() == before


def test_coordinator_edit_a_seminar(world, login_as):
    seminar = world.programme.blocs[1].seminars[0]
    client = login_as(world.coordinator)
    assert 'value="Séminaire 2.1"' in text(client.get(f"/admin/seminars/{seminar.id}/edit"))
    response = client.post(
        f"/admin/seminars/{seminar.id}/edit", data=seminar_form(title="Gouvernance", kind="theoretical")
    )
    assert response.status_code == 303
    db.session.expire_all()
    edited = db.session.get(Seminar, seminar.id)
    assert (edited.title, edited.kind, edited.hours) == ("Gouvernance", SeminarKind.THEORETICAL, 12)
    page = visible(client.get(response.headers["Location"]))
    assert "Le séminaire est enregistré." in page and "Gouvernance (Théorique, 12 h)" in page


def test_coordinator_delete_a_seminar(world, login_as):
    seminar_id = world.programme.blocs[1].seminars[0].id
    client = login_as(world.coordinator)
    response = client.post(f"/admin/seminars/{seminar_id}/delete")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Seminar, seminar_id) is None
    page = visible(client.get(response.headers["Location"]))
    assert "Le séminaire est supprimé." in page and "Séminaire 2.1" not in page and "Bloc de test 2" in page
