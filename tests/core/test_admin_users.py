"""Staff pages for people: list, search, pages, create, edit, deactivate, reset link, enrolments."""

import re
from email.header import decode_header, make_header
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AtelierMember, Enrolment, Role, User
from tests.conftest import TEST_PASSWORD
from tests.factories import enrol, make_user
from tests.helpers import rows_of, text

NON_STAFF = ["learner_a1", "tutor_a1", "lecturer_a", "nobody"]


# -- helpers -----------------------------------------------------------------------------------------
def listed(page: str) -> list[str]:
    """The accounts listed on a page of the user list, in order (the part before @example.org)."""
    return re.findall(r'<td data-label="Adresse électronique">([a-z_0-9]+)@example\.org</td>', page)


def reload(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def snapshot() -> dict:
    """Everything the user pages can change (but the login times), to check that nothing changed."""
    return rows_of(
        {"user": ("last_login_dt", "updated_dt"), "enrolment": ("created_dt",), "atelier_member": ()}
    )


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def enrolment_of(user: User, cohort_id: int, role: Role) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.cohort_id == cohort_id, Enrolment.role == role
        )
    )


def user_form(**changes) -> dict:
    data = {"email": "zoe.martin@example.org", "first_name": "Zoé", "last_name": "Martin", "locale": "fr"}
    data.update(changes)
    return data


def ids(world) -> dict:
    """The ids the URL templates below refer to."""
    return {
        "target": world.learner_a2.id,
        "enrolment": enrolment_of(world.learner_a2, world.cohort_a.id, Role.LEARNER).id,
        "cohort_a": world.cohort_a.id,
    }


#: (method, URL, form data): every user page and action, aimed at learner_a2 (cohort A).
USER_PAGES = [
    ("GET", "/admin/", None),
    ("GET", "/admin/users", None),
    ("GET", "/admin/users?q=learner", None),
    ("GET", "/admin/users/new", None),
    ("POST", "/admin/users/new", user_form(send_welcome="y")),
    ("GET", "/admin/users/{target}", None),
    ("POST", "/admin/users/{target}", user_form(email="learner_a2@example.org", last_name="PIRATE")),
    ("POST", "/admin/users/{target}/deactivate", {}),
    ("POST", "/admin/users/{target}/activate", {}),
    ("POST", "/admin/users/{target}/send-reset", {}),
    ("POST", "/admin/users/{target}/enrol", {"enrol-cohort_id": "{cohort_a}", "enrol-role": "staff"}),
    ("POST", "/admin/enrolments/{enrolment}/delete", {"back": "user"}),
]


def call(client, method, url, data, world):
    """Fill the page's templates with the world's ids and send the request."""
    values = ids(world)
    url = url.format(**values)
    if data is not None:
        data = {key: value.format(**values) for key, value in data.items()}
    return client.open(url, method=method, data=data)


# -- who gets in -------------------------------------------------------------------------------------
def test_anonymous_visitor_is_sent_to_login_from_every_page_and_changes_nothing(client, world, mailbox):
    before = snapshot()
    for method, url, data in USER_PAGES:
        response = call(client, method, url, data, world)
        assert response.status_code == 302, url
        assert urlparse(response.headers["Location"]).path == "/auth/login", url
    assert snapshot() == before
    assert mailbox.messages == []


@pytest.mark.parametrize("who", NON_STAFF)
def test_learners_tutors_lecturers_and_the_unenrolled_get_404_everywhere_and_change_nothing(
    world, login_as, mailbox, who
):
    client = login_as(getattr(world, who))
    before = snapshot()
    for method, url, data in USER_PAGES:
        response = call(client, method, url, data, world)
        assert response.status_code == 404, url
        page = text(response)
        assert "Page introuvable" in page, url
        assert "LEARNER A2" not in page and "learner_a2@example.org" not in page, url
    assert snapshot() == before
    assert mailbox.messages == []


def test_staff_of_cohort_b_cannot_reach_a_person_of_cohort_a(world, login_as, mailbox):
    client = login_as(world.staff_b)
    before = snapshot()
    for method, url, data in USER_PAGES:
        if "{" not in url:
            continue
        response = call(client, method, url, data, world)
        assert response.status_code == 404, url
        page = text(response)
        for leak in ("LEARNER A2", "learner_a2@example.org", "Promotion A"):
            assert leak not in page, (url, leak)
    assert snapshot() == before
    assert mailbox.messages == []


def test_staff_cannot_reach_an_admin_account_even_one_enrolled_in_their_cohort(world, login_as, mailbox):
    enrol(world.admin, world.cohort_a, Role.LECTURER)
    client = login_as(world.staff_a)
    before = snapshot()
    assert client.get(f"/admin/users/{world.admin.id}").status_code == 404
    for action in ("", "/deactivate", "/activate", "/send-reset", "/enrol"):
        data = (
            {"enrol-cohort_id": str(world.cohort_a.id), "enrol-role": "staff"}
            if action == "/enrol"
            else user_form(email="admin@example.org", last_name="PIRATE", is_admin="")
        )
        response = client.post(f"/admin/users/{world.admin.id}{action}", data=data)
        assert response.status_code == 404, action
        assert "admin@example.org" not in text(response) and "ADMIN" not in text(response)
    assert snapshot() == before
    assert mailbox.messages == []


def test_unknown_user_answers_404(world, login_as):
    assert login_as(world.admin).get("/admin/users/999999").status_code == 404


def test_staff_home_lists_only_the_cohorts_one_manages(world, login_as):
    page = text(login_as(world.staff_a).get("/admin/"))
    assert "Promotion A" in page and "Promotion B" not in page
    page = text(login_as(world.admin).get("/admin/"))
    assert "Promotion A" in page and "Promotion B" in page


def test_administration_link_only_for_those_who_may_use_it(world, login_as):
    assert 'href="/admin/"' in login_as(world.staff_a).get("/").get_data(as_text=True)
    assert 'href="/admin/"' not in login_as(world.learner_a1).get("/").get_data(as_text=True)


# -- list, search, pages -----------------------------------------------------------------------------
def test_admin_sees_every_account(world, login_as):
    page = text(login_as(world.admin).get("/admin/users"))
    assert "10 personnes" in page
    for email in ("admin@example.org", "learner_b1@example.org", "staff_b@example.org", "nobody@example.org"):
        assert email in page
    assert "Promotion B (Auditeur·rice)" in page


def test_staff_see_their_cohorts_people_and_unenrolled_accounts_only(world, login_as):
    page = text(login_as(world.staff_a).get("/admin/users"))
    assert "6 personnes" in page
    assert "coordinator@example.org" not in page
    for email in ("learner_a1", "learner_a2", "tutor_a1", "lecturer_a", "staff_a", "nobody"):
        assert f"{email}@example.org" in page
    for hidden in ("admin@example.org", "learner_b1@example.org", "staff_b@example.org", "LEARNER B1"):
        assert hidden not in page
    assert "Promotion B" not in page


#: (query, the accounts it finds): address, either name order, any case, blanks around.
SEARCHES = [
    ("learner_a1@", ["learner_a1"]),
    ("LEARNER", ["learner_a1", "learner_a2", "learner_b1"]),
    ("learner a2", ["learner_a2"]),
    ("Learner LEARNER A2", ["learner_a2"]),
    ("  tutor  ", ["tutor_a1"]),
    ("tutor_a1@EXAMPLE.org", ["tutor_a1"]),
    ("nobody nobody", ["nobody"]),
]


def test_search_matches_address_and_names_in_either_order_ignoring_case(world, login_as):
    client = login_as(world.admin)
    for q, found in SEARCHES:
        assert listed(text(client.get("/admin/users", query_string={"q": q}))) == found, q


def test_search_finds_accented_names(world, login_as):
    make_user(first_name="Hélène", last_name="Bénard", email="helene@example.org")
    client = login_as(world.admin)
    for q in ("hélène", "Bénard", "hélène bénard", "bénard hélène"):
        assert "helene@example.org" in text(client.get("/admin/users", query_string={"q": q})), q


def test_search_folds_accented_capitals(world, login_as):
    make_user(first_name="Élodie", last_name="Étienne", email="elodie@example.org")
    client = login_as(world.admin)
    for q in ("élodie", "ÉLODIE", "étienne élodie"):
        assert "elodie@example.org" in text(client.get("/admin/users", query_string={"q": q})), q


def test_search_matches_percent_and_underscore_literally(world, login_as):
    make_user(first_name="Anne_Marie", last_name="Cent", email="am@example.org")
    client = login_as(world.admin)
    assert "am@example.org" in text(client.get("/admin/users", query_string={"q": "anne_m"}))
    page = text(client.get("/admin/users", query_string={"q": "%"}))
    assert "0 personne" in page and world.learner_a1.email not in page
    page = text(client.get("/admin/users", query_string={"q": "a_n"}))
    assert "am@example.org" not in page


def test_search_stays_within_the_staff_members_people(world, login_as):
    page = text(login_as(world.staff_a).get("/admin/users", query_string={"q": "learner"}))
    assert "learner_a1@example.org" in page and "learner_a2@example.org" in page
    assert "learner_b1@example.org" not in page and "2 personnes" in page


def test_search_without_match_says_so_and_keeps_the_query(world, login_as):
    page = text(login_as(world.admin).get("/admin/users", query_string={"q": "zzz-personne"}))
    assert "Aucune personne ne correspond." in page
    assert 'value="zzz-personne"' in page
    assert "0 personne" in page


def test_list_is_paginated_in_name_order(app, world, login_as):
    app.config["USER_LIST_PAGE_SIZE"] = 4
    client = login_as(world.admin)
    first = text(client.get("/admin/users"))
    assert "Page 1 sur 3" in first and "Page suivante" in first and "Page précédente" not in first
    assert listed(first) == ["admin", "coordinator", "learner_a1", "learner_a2"]
    second = text(client.get("/admin/users?page=2"))
    assert "Page 2 sur 3" in second and "Page précédente" in second and "Page suivante" in second
    assert listed(second) == ["learner_b1", "lecturer_a", "nobody", "staff_a"]
    last = text(client.get("/admin/users?page=3"))
    assert listed(last) == ["staff_b", "tutor_a1"]
    assert "Page suivante" not in last
    # Beyond the last page, and beyond any page a list can have, there is nothing: 404.
    assert client.get("/admin/users?page=9").status_code == 404
    assert client.get(f"/admin/users?page={2**63}").status_code == 404
    assert client.get("/admin/users?page=abc").status_code == 200


def test_pagination_links_keep_the_search(app, world, login_as):
    app.config["USER_LIST_PAGE_SIZE"] = 2
    client = login_as(world.admin)
    page = text(client.get("/admin/users", query_string={"q": "learner"}))
    assert "3 personnes" in page and "Page 1 sur 2" in page
    assert "/admin/users?q=learner&page=2" in page
    second = text(client.get("/admin/users?q=learner&page=2"))
    assert listed(second) == ["learner_b1"]


def test_search_query_is_escaped_in_the_page(world, login_as):
    raw = login_as(world.admin).get("/admin/users", query_string={"q": '"><script>x</script>'})
    assert "<script>x</script>" not in raw.get_data(as_text=True)


# -- create ------------------------------------------------------------------------------------------
def test_admin_creates_an_account_and_the_welcome_mail_lets_the_person_choose_a_password(
    client, world, login_as, mailbox
):
    staff = login_as(world.admin)
    response = staff.post(
        "/admin/users/new", data=user_form(email="  Zoe.Martin@Example.ORG ", locale="en", send_welcome="y")
    )
    user = db.session.scalar(sa.select(User).where(User.email == "zoe.martin@example.org"))
    assert user is not None
    assert (user.first_name, user.last_name, user.locale, user.is_admin, user.active) == (
        "Zoé",
        "Martin",
        "en",
        False,
        True,
    )
    assert user.password_hash is None
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert "Le compte de Zoé Martin est créé." in text(staff.get(response.headers["Location"]))
    [message] = mailbox.wait_for(1)
    assert message["To"] == "zoe.martin@example.org"
    assert subject(message) == "Bienvenue sur Portail ESS"
    link = re.search(r"http://localhost(/auth/reset/\S+)", body(message)).group(1)
    assert "Bonjour Zoé," in body(message)
    new_password = "une-phrase-de-passe-solide"
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": new_password, "confirm": new_password})
    assert response.status_code == 303
    assert reload(user.id).check_password(new_password)


def test_account_created_without_welcome_mail_sends_nothing(world, login_as, mailbox):
    response = login_as(world.staff_a).post("/admin/users/new", data=user_form())
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User).where(User.email == "zoe.martin@example.org")) is not None
    assert mailbox.messages == []


def test_admin_may_create_another_admin(world, login_as):
    login_as(world.admin).post("/admin/users/new", data=user_form(is_admin="y"))
    assert db.session.scalar(sa.select(User.is_admin).where(User.email == "zoe.martin@example.org")) is True


def test_staff_cannot_create_an_admin(world, login_as):
    client = login_as(world.staff_a)
    assert 'name="is_admin"' not in client.get("/admin/users/new").get_data(as_text=True)
    response = client.post("/admin/users/new", data=user_form(is_admin="y"))
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User.is_admin).where(User.email == "zoe.martin@example.org")) is False


#: (changes to a valid account form, the message the page must show)
BAD_ACCOUNTS = [
    ({"email": ""}, "Ce champ est obligatoire."),
    ({"email": "pas-une-adresse"}, "Saisissez une adresse électronique valide."),
    ({"first_name": "   "}, "Ce champ est obligatoire."),
    ({"last_name": ""}, "Ce champ est obligatoire."),
    ({"last_name": "M" * 101}, "Le champ ne peut pas contenir plus de 100 caractères."),
    ({"locale": "de"}, "N'est pas un choix valide."),
]


def test_new_account_with_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    world, login_as, mailbox
):
    client = login_as(world.admin)
    before = snapshot()
    for changes, message in BAD_ACCOUNTS:
        data = {**user_form(send_welcome="y"), **changes}
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 200, changes
        page = text(response)
        assert message in page, changes
        assert "Le formulaire contient des erreurs" in page
        for field in ("email", "first_name", "last_name"):
            if data[field].strip():
                assert f'value="{data[field].strip()}"' in page, (changes, field)
    assert snapshot() == before
    assert mailbox.messages == []


def test_new_account_with_an_address_already_taken_is_refused(world, login_as, mailbox):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        "/admin/users/new", data=user_form(email="LEARNER_B1@example.org", send_welcome="y")
    )
    page = text(response)
    assert response.status_code == 200 and "Un compte utilise déjà cette adresse." in page
    assert 'value="Zoé"' in page and 'value="learner_b1@example.org"' in page
    assert "LEARNER B1" not in page
    assert snapshot() == before
    assert mailbox.messages == []


def test_new_account_without_csrf_token_is_refused(world, login_as, mailbox):
    before = snapshot()
    response = login_as(world.admin).post("/admin/users/new", data=user_form(send_welcome="y"), csrf=False)
    assert response.status_code == 400
    assert snapshot() == before
    assert mailbox.messages == []


# -- edit --------------------------------------------------------------------------------------------
def test_user_page_shows_the_account_and_its_enrolments(world, login_as):
    page = text(login_as(world.staff_a).get(f"/admin/users/{world.learner_a1.id}"))
    assert 'value="learner_a1@example.org"' in page and 'value="LEARNER A1"' in page
    assert "Promotion A — Auditeur·rice" in page
    assert 'name="is_admin"' not in page
    assert 'name="is_admin"' in login_as(world.admin).get(f"/admin/users/{world.learner_a1.id}").get_data(
        as_text=True
    )


def test_staff_edit_a_person_of_their_cohort(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/users/{world.learner_a1.id}",
        data=user_form(email="  Nouvelle@Example.org", first_name=" Léa ", last_name="Durand", locale="en"),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{world.learner_a1.id}"
    user = reload(world.learner_a1.id)
    assert (user.email, user.first_name, user.last_name, user.locale) == (
        "nouvelle@example.org",
        "Léa",
        "Durand",
        "en",
    )
    assert "Le compte est enregistré." in text(client.get(response.headers["Location"]))


def test_staff_edit_an_account_enrolled_nowhere(world, login_as):
    response = login_as(world.staff_b).post(
        f"/admin/users/{world.nobody.id}", data=user_form(email="nobody@example.org", last_name="PERSONNE")
    )
    assert response.status_code == 303
    assert reload(world.nobody.id).last_name == "PERSONNE"


def test_staff_edit_a_person_also_enrolled_in_another_cohort(world, login_as):
    enrol(world.learner_b1, world.cohort_a, Role.LECTURER)
    response = login_as(world.staff_a).post(
        f"/admin/users/{world.learner_b1.id}", data=user_form(email="learner_b1@example.org", last_name="B")
    )
    assert response.status_code == 303
    assert reload(world.learner_b1.id).last_name == "B"


def test_staff_cannot_make_someone_admin(world, login_as):
    response = login_as(world.staff_a).post(
        f"/admin/users/{world.learner_a1.id}", data=user_form(email="learner_a1@example.org", is_admin="y")
    )
    assert response.status_code == 303
    assert reload(world.learner_a1.id).is_admin is False


def test_staff_saving_their_own_account_stays_non_admin(world, login_as):
    response = login_as(world.staff_a).post(
        f"/admin/users/{world.staff_a.id}", data=user_form(email="staff_a@example.org", is_admin="y")
    )
    assert response.status_code == 303
    assert reload(world.staff_a.id).is_admin is False


def test_admin_grants_and_removes_admin_rights(world, login_as):
    client = login_as(world.admin)
    client.post(f"/admin/users/{world.nobody.id}", data=user_form(email="nobody@example.org", is_admin="y"))
    assert reload(world.nobody.id).is_admin is True
    client.post(f"/admin/users/{world.nobody.id}", data=user_form(email="nobody@example.org"))
    assert reload(world.nobody.id).is_admin is False


def test_admin_cannot_remove_their_own_admin_rights(world, login_as):
    before = snapshot()
    response = login_as(world.admin).post(
        f"/admin/users/{world.admin.id}", data=user_form(email="admin@example.org", first_name="Chef")
    )
    assert response.status_code == 200
    page = text(response)
    assert "Vous ne pouvez pas retirer vos propres droits d'administration." in page
    assert 'value="Chef"' in page
    assert snapshot() == before


def test_edit_with_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    taken = ({"email": "learner_a2@example.org"}, "Un compte utilise déjà cette adresse.")
    for changes, message in [*BAD_ACCOUNTS, taken]:
        data = {**user_form(email="learner_a1@example.org", first_name="Tapé"), **changes}
        response = client.post(f"/admin/users/{world.learner_a1.id}", data=data)
        assert response.status_code == 200, changes
        page = text(response)
        assert message in page, changes
        for field in ("email", "first_name", "last_name"):
            if data[field].strip():
                assert f'value="{data[field].strip()}"' in page, (changes, field)
    assert snapshot() == before


# -- deactivate, activate, reset link ------------------------------------------------------------------
def test_deactivation_ends_the_persons_sessions_and_stops_logins(client, auth, world, login_as):
    learner = login_as(world.learner_a1)
    assert learner.get("/").status_code == 200
    staff = login_as(world.staff_a)
    response = staff.post(f"/admin/users/{world.learner_a1.id}/deactivate")
    assert response.status_code == 303
    assert reload(world.learner_a1.id).active is False
    page = text(staff.get(response.headers["Location"]))
    assert "Le compte de Learner LEARNER A1 est désactivé." in page and "Réactiver le compte" in page
    assert learner.get("/").status_code == 302
    assert auth.login(world.learner_a1).status_code == 200
    assert "désactivé" in text(staff.get("/admin/users", query_string={"q": "learner_a1"}))


def test_reactivation_lets_the_person_log_in_again(auth, world, login_as):
    world.learner_a1.active = False
    db.session.commit()
    staff = login_as(world.staff_a)
    response = staff.post(f"/admin/users/{world.learner_a1.id}/activate")
    assert response.status_code == 303
    assert reload(world.learner_a1.id).active is True
    assert "Le compte de Learner LEARNER A1 est réactivé." in text(staff.get(response.headers["Location"]))
    assert auth.login(world.learner_a1, TEST_PASSWORD).status_code == 303


def test_nobody_can_deactivate_their_own_account(world, login_as):
    client = login_as(world.staff_a)
    assert "Désactiver le compte" not in text(client.get(f"/admin/users/{world.staff_a.id}"))
    before = snapshot()
    response = client.post(f"/admin/users/{world.staff_a.id}/deactivate", follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(response)
    assert snapshot() == before
    assert client.get("/admin/").status_code == 200


def test_account_actions_need_post_with_csrf(world, login_as, mailbox):
    client = login_as(world.admin)
    before = snapshot()
    for action in ("deactivate", "activate", "send-reset"):
        assert client.get(f"/admin/users/{world.learner_a1.id}/{action}").status_code == 405, action
        assert client.post(f"/admin/users/{world.learner_a1.id}/{action}", csrf=False).status_code == 400, (
            action
        )
    assert snapshot() == before
    assert mailbox.messages == []


def test_staff_send_a_password_link(client, world, login_as, mailbox):
    staff = login_as(world.staff_a)
    response = staff.post(f"/admin/users/{world.learner_a1.id}/send-reset", follow_redirects=True)
    assert "Un lien pour choisir un mot de passe a été envoyé à learner_a1@example.org." in text(response)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "learner_a1@example.org"
    assert subject(message) == "Réinitialisation de votre mot de passe"
    link = re.search(r"http://localhost(/auth/reset/\S+)", body(message)).group(1)
    assert client.get(link).status_code == 200


def test_no_password_link_for_a_deactivated_account(world, login_as, mailbox):
    world.learner_a1.active = False
    db.session.commit()
    response = login_as(world.staff_a).post(
        f"/admin/users/{world.learner_a1.id}/send-reset", follow_redirects=True
    )
    assert "Ce compte est désactivé : réactivez-le d'abord." in text(response)
    assert mailbox.messages == []


# -- enrolments from the user page ---------------------------------------------------------------------
def test_enrol_form_offers_only_the_cohorts_one_manages(world, login_as):
    page = text(login_as(world.staff_a).get(f"/admin/users/{world.nobody.id}"))
    assert f'<option value="{world.cohort_a.id}">Promotion A (Paris)</option>' in page
    assert "Promotion B" not in page
    page = text(login_as(world.admin).get(f"/admin/users/{world.nobody.id}"))
    assert "Promotion A (Paris)" in page and "Promotion B (Lille)" in page


def test_staff_enrol_a_person_in_their_cohort(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        f"/admin/users/{world.nobody.id}/enrol",
        data={"enrol-cohort_id": str(world.cohort_a.id), "enrol-role": "tutor"},
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/users/{world.nobody.id}"
    assert enrolment_of(world.nobody, world.cohort_a.id, Role.TUTOR) is not None
    page = text(client.get(response.headers["Location"]))
    assert "Nobody NOBODY est inscrit·e dans « Promotion A » comme Responsable d'atelier." in page
    assert "Promotion A — Responsable d'atelier" in page


def test_enrolling_twice_in_the_same_role_adds_nothing(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post(
        f"/admin/users/{world.learner_a1.id}/enrol",
        data={"enrol-cohort_id": str(world.cohort_a.id), "enrol-role": "learner"},
        follow_redirects=True,
    )
    assert "Learner LEARNER A1 a déjà ce rôle dans cette promotion." in text(response)
    assert snapshot() == before


def test_enrolment_outside_ones_cohorts_or_with_a_bad_role_is_refused(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    for cohort_id, role in [
        (world.cohort_b.id, "learner"),
        (999999, "learner"),
        (world.cohort_a.id, "admin"),
        ("", "learner"),
        ("abc", ""),
    ]:
        data = {"enrol-cohort_id": str(cohort_id), "enrol-role": role}
        response = client.post(f"/admin/users/{world.nobody.id}/enrol", data=data, follow_redirects=True)
        assert response.status_code == 200, data
        assert "Choisissez une promotion et un rôle." in text(response), data
    assert snapshot() == before


def test_unenrol_from_the_user_page_removes_the_role_and_the_atelier_place(world, login_as):
    client = login_as(world.staff_a)
    enrolment = enrolment_of(world.learner_a1, world.cohort_a.id, Role.LEARNER)
    page = text(client.get(f"/admin/users/{world.learner_a1.id}"))
    assert f"/admin/enrolments/{enrolment.id}/delete" in page
    response = client.post(f"/admin/enrolments/{enrolment.id}/delete", data={"back": "user"})
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/admin/users/{world.learner_a1.id}"
    )
    db.session.expire_all()
    assert enrolment_of(world.learner_a1, world.cohort_a.id, Role.LEARNER) is None
    assert (
        db.session.scalar(sa.select(AtelierMember).where(AtelierMember.user_id == world.learner_a1.id))
        is None
    )
    page = text(client.get(response.headers["Location"]))
    assert "L'inscription est retirée." in page and "Aucune inscription dans vos promotions." in page


def test_user_page_offers_no_removal_of_another_cohorts_enrolment(world, login_as):
    enrol(world.learner_b1, world.cohort_a, Role.LECTURER)
    in_b = enrolment_of(world.learner_b1, world.cohort_b.id, Role.LEARNER)
    in_a = enrolment_of(world.learner_b1, world.cohort_a.id, Role.LECTURER)
    client = login_as(world.staff_a)
    page = text(client.get(f"/admin/users/{world.learner_b1.id}"))
    assert f"/admin/enrolments/{in_a.id}/delete" in page
    assert f"/admin/enrolments/{in_b.id}/delete" not in page
    before = snapshot()
    assert client.post(f"/admin/enrolments/{in_b.id}/delete", data={"back": "user"}).status_code == 404
    assert snapshot() == before
