"""Staff pages for cohorts and ateliers: list, create, edit, people, enrolment by address, atelier members."""

import html
import re
from datetime import date
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Role, User
from tests.factories import enrol, make_cohort, make_programme
from tests.helpers import rows_of, text

NON_STAFF = ["learner_a1", "tutor_a1", "lecturer_a", "nobody"]


# -- helpers -----------------------------------------------------------------------------------------
def visible(response) -> str:
    """The words of the page without tags, blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def offered(response) -> set[int]:
    """Ids of the people the atelier page offers to add."""
    return {int(value) for value in re.findall(r'<option value="(\d+)"', response.get_data(as_text=True))}


def snapshot() -> dict:
    """Every row the cohort pages can change, to check that a refused request changed nothing."""
    return rows_of(
        {
            "user": ("last_login_dt", "updated_dt"),
            "cohort": (),
            "enrolment": (),
            "atelier": (),
            "atelier_member": (),
        }
    )


def roles_of(user, cohort_id: int) -> set[Role]:
    return set(
        db.session.scalars(
            sa.select(Enrolment.role).where(Enrolment.user_id == user.id, Enrolment.cohort_id == cohort_id)
        )
    )


def ateliers_of(user) -> dict[str, Role]:
    """The user's ateliers by name, with their role in each."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Atelier.name, AtelierMember.role)
        .join(AtelierMember)
        .where(AtelierMember.user_id == user.id)
    )
    return dict(rows.all())


def atelier_named(cohort_id: int, name: str) -> Atelier | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Atelier).where(Atelier.cohort_id == cohort_id, Atelier.name == name))


def cohort_form(programme_id: int, **changes) -> dict:
    data = {
        "programme_id": str(programme_id),
        "name": "Promotion C",
        "centre": "Dijon",
        "start_date": "2023-02-01",
        "end_date": "2025-01-31",
    }
    data.update(changes)
    return data


@pytest.fixture
def other_programme(world):
    """A second programme, with a cohort that nobody of the world manages."""
    programme = make_programme("Autre formation", blocs=1)
    make_cohort(programme, "Promotion Z", centre="Angers")
    return programme


def ids(world) -> dict:
    """The ids the URL templates below refer to."""
    enrolment = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.user_id == world.learner_a1.id, Enrolment.cohort_id == world.cohort_a.id
        )
    )
    return {
        "programme": world.programme.id,
        "cohort_a": world.cohort_a.id,
        "a1": world.atelier_a1.id,
        "a2": world.atelier_a2.id,
        "learner_a1": world.learner_a1.id,
        "tutor_a1": world.tutor_a1.id,
        "enrolment": enrolment,
    }


#: (method, URL, form data): every cohort and atelier page and action, aimed at cohort A.
COHORT_PAGES = [
    ("GET", "/admin/cohorts", None),
    ("GET", "/admin/cohorts/new", None),
    ("POST", "/admin/cohorts/new", cohort_form("{programme}")),
    ("GET", "/admin/cohorts/{cohort_a}", None),
    ("GET", "/admin/cohorts/{cohort_a}/edit", None),
    ("POST", "/admin/cohorts/{cohort_a}/edit", cohort_form("{programme}", name="PIRATE")),
    ("POST", "/admin/cohorts/{cohort_a}/enrol", {"enrol-email": "nobody@example.org", "enrol-role": "staff"}),
    ("POST", "/admin/cohorts/{cohort_a}/ateliers", {"atelier-name": "Atelier pirate"}),
    ("POST", "/admin/enrolments/{enrolment}/delete", {}),
    ("GET", "/admin/ateliers/{a1}", None),
    ("POST", "/admin/ateliers/{a1}", {"name": "PIRATE"}),
    ("POST", "/admin/ateliers/{a2}/members", {"member-user_id": "{tutor_a1}", "member-role": "tutor"}),
    ("POST", "/admin/ateliers/{a1}/members/{learner_a1}/remove", {}),
    ("POST", "/admin/ateliers/{a1}/delete", {}),
]


def call(client, method, url, data, world):
    """Fill the page's templates with the world's ids and send the request."""
    values = ids(world)
    url = url.format(**values)
    if data is not None:
        data = {key: value.format(**values) for key, value in data.items()}
    return client.open(url, method=method, data=data)


# -- who gets in -------------------------------------------------------------------------------------
def test_anonymous_visitor_is_sent_to_login_from_every_page_and_changes_nothing(client, world):
    before = snapshot()
    for method, url, data in COHORT_PAGES:
        response = call(client, method, url, data, world)
        assert response.status_code == 302, url
        assert urlparse(response.headers["Location"]).path == "/auth/login", url
    assert snapshot() == before


@pytest.mark.parametrize("who", NON_STAFF)
def test_learners_tutors_lecturers_and_the_unenrolled_get_404_everywhere_and_change_nothing(
    world, login_as, who
):
    client = login_as(getattr(world, who))
    before = snapshot()
    for method, url, data in COHORT_PAGES:
        response = call(client, method, url, data, world)
        assert response.status_code == 404, url
        assert "Atelier A2" not in text(response) and "LEARNER A2" not in text(response), url
    assert snapshot() == before


def test_staff_of_cohort_b_get_404_on_cohort_a_and_change_nothing(world, login_as):
    client = login_as(world.staff_b)
    before = snapshot()
    for method, url, data in COHORT_PAGES:
        if "{" not in url:
            continue
        response = call(client, method, url, data, world)
        assert response.status_code == 404, url
        page = text(response)
        for name in ("Promotion A", "Atelier A1", "Atelier A2", "LEARNER A1", "TUTOR A1"):
            assert name not in page, (url, name)
    assert snapshot() == before


def test_unknown_cohort_and_atelier_answer_404(world, login_as):
    client = login_as(world.admin)
    assert client.get("/admin/cohorts/999999").status_code == 404
    assert client.get("/admin/ateliers/999999").status_code == 404
    assert client.post("/admin/ateliers/999999/delete").status_code == 404


def test_removals_need_post_with_csrf(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for url in (
        "/admin/ateliers/{a1}/delete",
        "/admin/ateliers/{a1}/members/{learner_a1}/remove",
        "/admin/enrolments/{enrolment}/delete",
    ):
        url = url.format(**ids(world))
        assert client.get(url).status_code == 405, url
        assert client.post(url, csrf=False).status_code == 400, url
    assert snapshot() == before


# -- cohorts -----------------------------------------------------------------------------------------
def test_cohort_list_shows_only_the_cohorts_one_manages(world, login_as, other_programme):
    page = text(login_as(world.staff_a).get("/admin/cohorts"))
    assert "Promotion A" in page and "Promotion B" not in page and "Promotion Z" not in page
    assert "Nouvelle promotion" not in page
    page = text(login_as(world.coordinator).get("/admin/cohorts"))
    assert "Promotion A" in page and "Promotion B" in page and "Promotion Z" not in page
    assert "Nouvelle promotion" in page
    page = text(login_as(world.admin).get("/admin/cohorts"))
    assert all(name in page for name in ("Promotion A", "Promotion B", "Promotion Z"))


def test_admin_opens_a_cohort(world, login_as):
    client = login_as(world.admin)
    response = client.post("/admin/cohorts/new", data=cohort_form(world.programme.id))
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Promotion C"))
    assert cohort is not None
    assert (cohort.programme_id, cohort.centre, cohort.start_date, cohort.end_date) == (
        world.programme.id,
        "Dijon",
        date(2023, 2, 1),
        date(2025, 1, 31),
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/cohorts/{cohort.id}"
    assert "La promotion « Promotion C » est créée." in text(client.get(response.headers["Location"]))
    assert roles_of(world.admin, cohort.id) == set()


def test_the_coordinator_opens_a_cohort_of_the_programme_and_then_manages_it(world, login_as):
    client = login_as(world.coordinator)
    response = client.post("/admin/cohorts/new", data=cohort_form(world.programme.id))
    assert response.status_code == 303
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Promotion C"))
    assert roles_of(world.coordinator, cohort.id) == set()
    page = text(client.get(response.headers["Location"]))
    assert "La promotion « Promotion C » est créée." in page
    assert "Promotion C" in text(client.get("/admin/cohorts"))


def test_staff_do_not_open_cohorts(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    assert client.get("/admin/cohorts/new").status_code == 404
    assert client.post("/admin/cohorts/new", data=cohort_form(world.programme.id)).status_code == 404
    assert snapshot() == before


def test_the_coordinator_cannot_open_a_cohort_of_another_programme(world, login_as, other_programme):
    client = login_as(world.coordinator)
    page = text(client.get("/admin/cohorts/new"))
    assert "Manager ESS" in page and "Autre formation" not in page
    before = snapshot()
    response = client.post("/admin/cohorts/new", data=cohort_form(other_programme.id))
    assert response.status_code == 200
    assert "N'est pas un choix valide." in text(response)
    assert snapshot() == before


#: (changes to a valid cohort form, the message the page must show)
BAD_COHORTS = [
    ({"name": ""}, "Ce champ est obligatoire."),
    ({"name": "P" * 121}, "Le champ ne peut pas contenir plus de 120 caractères."),
    ({"centre": "   "}, "Ce champ est obligatoire."),
    ({"start_date": ""}, "Saisissez une date valide."),
    ({"start_date": "01/02/2023"}, "N'est pas une date valide."),
    ({"end_date": "2023-02-01"}, "La fin doit être postérieure au début."),
    ({"end_date": "2022-12-31"}, "La fin doit être postérieure au début."),
    ({"programme_id": "abc"}, "Choix non valide, ne peut pas être converti."),
]


def test_new_cohort_with_bad_input_is_refused_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.coordinator)
    before = snapshot()
    for changes, message in BAD_COHORTS:
        data = {**cohort_form(world.programme.id, name="Promotion tapée"), **changes}
        response = client.post("/admin/cohorts/new", data=data)
        assert response.status_code == 200, changes
        page = text(response)
        assert message in page and "Le formulaire contient des erreurs" in page, changes
        for field in ("name", "centre", "start_date", "end_date"):
            if data[field].strip():
                assert f'value="{data[field].strip()}"' in page, (changes, field)
    assert snapshot() == before


def test_staff_edit_their_cohort(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/cohorts/{world.cohort_a.id}/edit",
        data=cohort_form(
            world.programme.id, name=" Promotion A bis ", centre="Guéret", end_date="2023-06-30"
        ),
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/admin/cohorts/{world.cohort_a.id}"
    )
    db.session.expire_all()
    cohort = db.session.get(Cohort, world.cohort_a.id)
    assert (cohort.name, cohort.centre, cohort.start_date, cohort.end_date) == (
        "Promotion A bis",
        "Guéret",
        date(2023, 2, 1),
        date(2023, 6, 30),
    )
    page = text(client.get(response.headers["Location"]))
    assert "La promotion est enregistrée." in page and "Guéret" in page


def test_edit_form_shows_the_cohorts_values(world, login_as):
    page = text(login_as(world.staff_a).get(f"/admin/cohorts/{world.cohort_a.id}/edit"))
    start = world.cohort_a.start_date.isoformat()
    assert 'value="Promotion A"' in page and 'value="Paris"' in page and f'value="{start}"' in page


def test_cohort_edit_with_bad_input_is_refused_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for changes, message in BAD_COHORTS:
        data = {**cohort_form(world.programme.id, name="Promotion tapée"), **changes}
        response = client.post(f"/admin/cohorts/{world.cohort_a.id}/edit", data=data)
        assert response.status_code == 200, changes
        page = text(response)
        assert message in page, changes
        for field in ("name", "centre", "start_date", "end_date"):
            if data[field].strip():
                assert f'value="{data[field].strip()}"' in page, (changes, field)
    assert snapshot() == before


def test_a_cohort_cannot_move_to_another_programme(world, login_as, other_programme):
    before = snapshot()
    response = login_as(world.admin).post(
        f"/admin/cohorts/{world.cohort_a.id}/edit", data=cohort_form(other_programme.id)
    )
    assert response.status_code == 200 and "N'est pas un choix valide." in text(response)
    assert snapshot() == before


def test_cohort_page_lists_people_by_role_and_ateliers_with_their_learner_counts(world, login_as):
    page = visible(login_as(world.staff_a).get(f"/admin/cohorts/{world.cohort_a.id}"))
    for expected in (
        "Auditeur·rice (2)",
        "Responsable d'atelier (1)",
        "Intervenant·e (1)",
        "Équipe pédagogique (1)",
        "LEARNER A1 Learner",
        "TUTOR A1 Tutor",
        "Atelier A1 — 1 auditeur·rice ",
        "Atelier A2 — 1 auditeur·rice ",
    ):
        assert expected in page
    assert "LEARNER B1" not in page and "Atelier B1" not in page and "STAFF B" not in page


# -- enrolment by address ------------------------------------------------------------------------------
def test_staff_enrol_an_existing_account_by_address(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/cohorts/{world.cohort_a.id}/enrol",
        data={"enrol-email": "  NOBODY@example.org ", "enrol-role": "tutor"},
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/admin/cohorts/{world.cohort_a.id}"
    )
    assert roles_of(world.nobody, world.cohort_a.id) == {Role.TUTOR}
    page = text(client.get(response.headers["Location"]))
    assert "Nobody NOBODY est inscrit·e dans « Promotion A » comme Responsable d'atelier." in page
    assert "Responsable d'atelier (2)" in page


def test_enrolling_an_account_in_a_role_it_holds_adds_nothing(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        f"/admin/cohorts/{world.cohort_a.id}/enrol",
        data={"enrol-email": "learner_a1@example.org", "enrol-role": "learner"},
        follow_redirects=True,
    )
    assert "Learner LEARNER A1 a déjà ce rôle dans cette promotion." in text(response)
    assert snapshot() == before


def test_enrol_by_address_refuses_bad_input_and_accounts_one_does_not_manage(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    not_managed = "Aucun compte que vous gérez n'a cette adresse : créez-le d'abord."
    for email, role, message in [
        ("personne@example.org", "learner", not_managed),
        ("learner_b1@example.org", "learner", not_managed),
        ("admin@example.org", "staff", not_managed),
        ("pas-une-adresse", "learner", "Saisissez une adresse électronique valide."),
        ("", "learner", "Ce champ est obligatoire."),
        ("nobody@example.org", "boss", "N'est pas un choix valide."),
    ]:
        response = client.post(
            f"/admin/cohorts/{world.cohort_a.id}/enrol", data={"enrol-email": email, "enrol-role": role}
        )
        assert response.status_code == 200, email
        page = text(response)
        assert message in page, email
        if email:
            assert f'value="{email}"' in page, email
        assert "LEARNER B1" not in page and "ADMIN" not in page, email
    assert snapshot() == before


def test_unenrol_from_the_cohort_page_also_frees_the_atelier_place(world, login_as):
    client = login_as(world.staff_a)
    enrolment_id = ids(world)["enrolment"]
    response = client.post(f"/admin/enrolments/{enrolment_id}/delete")
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/admin/cohorts/{world.cohort_a.id}"
    )
    assert roles_of(world.learner_a1, world.cohort_a.id) == set()
    assert ateliers_of(world.learner_a1) == {}
    page = text(client.get(response.headers["Location"]))
    assert "L'inscription est retirée." in page and "Auditeur·rice (1)" in page


def test_unenrolling_a_tutor_takes_them_out_of_their_ateliers(world, login_as):
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == world.tutor_a1.id))
    login_as(world.staff_a).post(f"/admin/enrolments/{enrolment.id}/delete")
    assert ateliers_of(world.tutor_a1) == {}
    assert db.session.get(User, world.tutor_a1.id) is not None


# -- ateliers ----------------------------------------------------------------------------------------
def test_staff_create_an_atelier(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/cohorts/{world.cohort_a.id}/ateliers", data={"atelier-name": " Atelier A3 "}
    )
    atelier = atelier_named(world.cohort_a.id, "Atelier A3")
    assert atelier is not None
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/ateliers/{atelier.id}"
    page = text(client.get(response.headers["Location"]))
    assert "L'atelier « Atelier A3 » est créé." in page and "Aucun membre." in page
    assert "Atelier A3" in text(client.get(f"/admin/cohorts/{world.cohort_a.id}"))


def test_new_atelier_with_bad_name_is_refused_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for name, message in [
        ("atelier a1", "Un atelier de cette promotion porte déjà ce nom."),
        ("", "Ce champ est obligatoire."),
        ("A" * 121, "Le champ ne peut pas contenir plus de 120 caractères."),
    ]:
        response = client.post(f"/admin/cohorts/{world.cohort_a.id}/ateliers", data={"atelier-name": name})
        assert response.status_code == 200, name
        page = text(response)
        assert message in page, name
        if name:
            assert f'value="{name}"' in page, name
    assert snapshot() == before


def test_two_cohorts_may_have_ateliers_of_the_same_name(world, login_as):
    response = login_as(world.staff_b).post(
        f"/admin/cohorts/{world.cohort_b.id}/ateliers", data={"atelier-name": "Atelier A1"}
    )
    assert response.status_code == 303
    assert atelier_named(world.cohort_b.id, "Atelier A1") is not None


def test_atelier_page_lists_members_and_offers_only_unplaced_people_of_the_cohort(world, login_as):
    enrol(world.nobody, world.cohort_a, Role.LEARNER)
    enrol(world.learner_b1, world.cohort_a, Role.LECTURER)
    client = login_as(world.staff_a)
    response = client.get(f"/admin/ateliers/{world.atelier_a1.id}")
    page = visible(response)
    assert "LEARNER A1 Learner — Auditeur·rice" in page and "TUTOR A1 Tutor — Responsable d'atelier" in page
    assert "LEARNER A2" not in page
    assert offered(response) == {world.nobody.id}
    response = client.get(f"/admin/ateliers/{world.atelier_a2.id}")
    assert offered(response) == {world.nobody.id, world.tutor_a1.id}
    assert "TUTOR A1 Tutor — Responsable d'atelier" in visible(response)
    client.post(
        f"/admin/ateliers/{world.atelier_a2.id}/members",
        data={"member-user_id": str(world.nobody.id), "member-role": "learner"},
    )
    page = visible(client.get(f"/admin/ateliers/{world.atelier_a1.id}"))
    assert "Tous les auditeurs de la promotion ont un atelier." in page


def test_staff_rename_an_atelier(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(f"/admin/ateliers/{world.atelier_a1.id}", data={"name": "Atelier Solidarité"})
    assert response.status_code == 303
    assert atelier_named(world.cohort_a.id, "Atelier Solidarité").id == world.atelier_a1.id
    assert "L'atelier est renommé." in text(client.get(response.headers["Location"]))


def test_an_atelier_may_change_the_case_of_its_own_name(world, login_as):
    response = login_as(world.staff_a).post(
        f"/admin/ateliers/{world.atelier_a1.id}", data={"name": "ATELIER A1"}
    )
    assert response.status_code == 303
    assert atelier_named(world.cohort_a.id, "ATELIER A1") is not None


def test_rename_with_bad_name_is_refused_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for name, message in [
        ("Atelier a2", "Un atelier de cette promotion porte déjà ce nom."),
        ("  ", "Ce champ est obligatoire."),
        ("A" * 121, "Le champ ne peut pas contenir plus de 120 caractères."),
    ]:
        response = client.post(f"/admin/ateliers/{world.atelier_a1.id}", data={"name": name})
        assert response.status_code == 200, name
        page = text(response)
        assert message in page, name
        if name.strip():
            assert f'value="{name}"' in page, name
    assert snapshot() == before


def test_staff_add_a_learner_to_an_atelier(world, login_as):
    enrol(world.nobody, world.cohort_a, Role.LEARNER)
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/ateliers/{world.atelier_a1.id}/members",
        data={"member-user_id": str(world.nobody.id), "member-role": "learner"},
    )
    assert (
        response.status_code == 303
        and response.headers["Location"] == f"/admin/ateliers/{world.atelier_a1.id}"
    )
    assert ateliers_of(world.nobody) == {"Atelier A1": Role.LEARNER}
    assert "Nobody NOBODY rejoint l'atelier." in text(client.get(response.headers["Location"]))
    assert "Atelier A1 — 2 auditeur·rice·s" in visible(client.get(f"/admin/cohorts/{world.cohort_a.id}"))


def test_a_tutor_may_lead_several_ateliers(world, login_as):
    response = login_as(world.staff_a).post(
        f"/admin/ateliers/{world.atelier_a2.id}/members",
        data={"member-user_id": str(world.tutor_a1.id), "member-role": "tutor"},
    )
    assert response.status_code == 303
    assert ateliers_of(world.tutor_a1) == {"Atelier A1": Role.TUTOR, "Atelier A2": Role.TUTOR}


def test_a_learner_cannot_be_in_two_ateliers_of_one_cohort(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        f"/admin/ateliers/{world.atelier_a1.id}/members",
        data={"member-user_id": str(world.learner_a2.id), "member-role": "learner"},
        follow_redirects=True,
    )
    assert "Choisissez une personne de la promotion et son rôle." in text(response)
    assert snapshot() == before
    assert ateliers_of(world.learner_a2) == {"Atelier A2": Role.LEARNER}


def test_a_learner_who_is_also_a_tutor_still_cannot_join_a_second_atelier_as_learner(world, login_as):
    enrol(world.learner_a2, world.cohort_a, Role.TUTOR)
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        f"/admin/ateliers/{world.atelier_a1.id}/members",
        data={"member-user_id": str(world.learner_a2.id), "member-role": "learner"},
        follow_redirects=True,
    )
    assert "Learner LEARNER A2 est déjà dans l'atelier « Atelier A2 »." in text(response)
    assert snapshot() == before


def test_only_the_role_held_in_the_cohort_gives_a_place(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        f"/admin/ateliers/{world.atelier_a2.id}/members",
        data={"member-user_id": str(world.tutor_a1.id), "member-role": "learner"},
        follow_redirects=True,
    )
    assert "Tutor TUTOR A1 n'a pas ce rôle dans la promotion de l'atelier." in text(response)
    assert snapshot() == before


def test_people_without_a_place_in_the_cohort_or_with_a_bad_role_cannot_join_its_ateliers(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for who, role in [
        ("learner_b1", "learner"),
        ("lecturer_a", "learner"),
        ("staff_a", "tutor"),
        ("nobody", "learner"),
        ("tutor_a1", "staff"),
    ]:
        response = client.post(
            f"/admin/ateliers/{world.atelier_a2.id}/members",
            data={"member-user_id": str(getattr(world, who).id), "member-role": role},
            follow_redirects=True,
        )
        assert "Choisissez une personne de la promotion et son rôle." in text(response), who
    assert snapshot() == before


def test_staff_take_someone_out_of_an_atelier_who_stays_enrolled(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(f"/admin/ateliers/{world.atelier_a1.id}/members/{world.learner_a1.id}/remove")
    assert response.status_code == 303
    assert ateliers_of(world.learner_a1) == {}
    assert roles_of(world.learner_a1, world.cohort_a.id) == {Role.LEARNER}
    page = client.get(response.headers["Location"])
    assert "Learner LEARNER A1 a quitté l'atelier." in text(page)
    assert world.learner_a1.id in offered(page)


def test_removing_someone_who_is_not_a_member_answers_404(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(f"/admin/ateliers/{world.atelier_a1.id}/members/{world.learner_a2.id}/remove")
    assert response.status_code == 404
    assert snapshot() == before


def test_staff_delete_an_atelier_whose_members_stay_enrolled(world, login_as):
    client = login_as(world.staff_a)
    atelier_id, cohort_id = world.atelier_a1.id, world.cohort_a.id
    response = client.post(f"/admin/ateliers/{atelier_id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/cohorts/{cohort_id}"
    assert atelier_named(cohort_id, "Atelier A1") is None
    assert db.session.scalar(sa.select(AtelierMember).where(AtelierMember.atelier_id == atelier_id)) is None
    assert roles_of(world.learner_a1, cohort_id) == {Role.LEARNER}
    assert roles_of(world.tutor_a1, cohort_id) == {Role.TUTOR}
    page = text(client.get(response.headers["Location"]))
    assert "L'atelier « Atelier A1 » est supprimé." in page
    assert client.get(f"/admin/ateliers/{atelier_id}").status_code == 404


def test_staff_removing_their_own_staff_role_land_outside_the_cohort(world, login_as):
    client = login_as(world.staff_a)
    enrolment = next(e for e in world.staff_a.enrolments if e.cohort_id == world.cohort_a.id)
    response = client.post(f"/admin/enrolments/{enrolment.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_staff_see_only_their_cohorts_enrolments_of_a_shared_person(world, login_as):
    enrol(world.learner_a1, world.cohort_b, Role.LECTURER)
    client = login_as(world.staff_a)
    for url in (f"/admin/users/{world.learner_a1.id}", "/admin/users?q=learner_a1"):
        page = client.get(url).get_data(as_text=True)
        assert "Promotion A" in page and "Promotion B" not in page, url
