"""CSV import of users (Moodle columns): preview, every bad line with its reason, then all or nothing."""

import html
import io
import re
from email.header import decode_header, make_header
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from portal.admin.csv_views import MAX_CSV_BYTES
from portal.extensions import db
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Role, User
from tests.factories import enrol, make_user
from tests.helpers import rows_of, text

NON_STAFF = ["learner_a1", "tutor_a1", "lecturer_a", "nobody"]
HEADER = "email,firstname,lastname,cohort1,role1,group1"
REFUSED = "Rien n'a été enregistré."


# -- helpers -----------------------------------------------------------------------------------------
def visible(response) -> str:
    """The words of the page without tags, blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def upload(client, data: bytes, filename: str = "personnes.csv", send_welcome: bool = True):
    """Post a file to the import page, as the upload form does."""
    form = {"csv_file": (io.BytesIO(data), filename)}
    if send_welcome:
        form["send_welcome"] = "y"
    return client.post("/admin/users/import", data=form, content_type="multipart/form-data")


def errors(response) -> list[tuple[int, str]]:
    """The (line, reason) rows of the preview's error table."""
    rows = re.findall(
        r'<tr><td data-label="Ligne">(\d+)</td><td data-label="Raison">(.*?)</td></tr>',
        response.get_data(as_text=True),
    )
    return [(int(number), html.unescape(reason)) for number, reason in rows]


def confirm_fields(preview) -> dict:
    """What the preview's confirm form posts back, as a browser sends it (line breaks as CRLF)."""
    raw = preview.get_data(as_text=True)
    found = dict(re.findall(r'<input[^>]*name="(content|send_welcome)"[^>]*value="([^"]*)"', raw))
    content = html.unescape(found["content"]).replace("\r\n", "\n").replace("\n", "\r\n")
    return {"content": content, "send_welcome": found["send_welcome"]}


def import_file(client, data: bytes, send_welcome: bool = True):
    """Upload, check the preview accepts the file, confirm; returns the confirm response."""
    preview = upload(client, data, send_welcome=send_welcome)
    assert preview.status_code == 200
    assert errors(preview) == [], errors(preview)
    assert "Confirmer l'import" in text(preview)
    return client.post("/admin/users/import/confirm", data=confirm_fields(preview))


def snapshot() -> dict:
    """Every row an import can write, to check that a refused file wrote nothing."""
    return rows_of(
        {"user": ("last_login_dt", "updated_dt"), "enrolment": (), "atelier": (), "atelier_member": ()}
    )


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def roles_of(person: User, cohort: Cohort) -> set[Role]:
    return set(
        db.session.scalars(
            sa.select(Enrolment.role).where(Enrolment.user_id == person.id, Enrolment.cohort_id == cohort.id)
        )
    )


def ateliers_of(person: User) -> dict[str, Role]:
    rows = db.session.execute(
        sa.select(Atelier.name, AtelierMember.role)
        .join(AtelierMember)
        .where(AtelierMember.user_id == person.id)
    )
    return dict(rows.all())


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


# -- the upload page and who may use it ----------------------------------------------------------------
def test_import_page_explains_the_expected_columns(world, login_as):
    page = visible(login_as(world.staff_a).get("/admin/users/import"))
    assert "Obligatoires : email, firstname, lastname." in page
    assert "rien n'est enregistré tant que tout le fichier n'est pas valide" in page


def test_anonymous_visitor_is_sent_to_login_and_imports_nothing(client, world, mailbox):
    before = snapshot()
    for response in (
        client.get("/admin/users/import"),
        upload(client, csv_file(HEADER, "zoe@example.org,Zoé,Martin,Promotion A,,")),
        client.post(
            "/admin/users/import/confirm", data={"content": "email,firstname,lastname\nzoe@example.org,Z,M"}
        ),
    ):
        assert response.status_code == 302
        assert urlparse(response.headers["Location"]).path == "/auth/login"
    assert snapshot() == before
    assert mailbox.messages == []


def test_people_without_staff_role_get_404_and_import_nothing(world, login_as, mailbox):
    before = snapshot()
    for who in NON_STAFF:
        client = login_as(getattr(world, who))
        assert client.get("/admin/users/import").status_code == 404, who
        assert upload(client, csv_file(HEADER, "zoe@example.org,Zoé,Martin,,,")).status_code == 404, who
        response = client.post(
            "/admin/users/import/confirm",
            data={
                "content": "email,firstname,lastname\r\nzoe@example.org,Zoé,Martin\r\n",
                "send_welcome": "1",
            },
        )
        assert response.status_code == 404, who
    assert snapshot() == before
    assert mailbox.messages == []


# -- a valid file: preview, then import ----------------------------------------------------------------
VALID = csv_file(
    HEADER,
    "zoe.martin@example.org,Zoé,Martin,Promotion A,student,Atelier A3",
    "Leo.Petit@Example.org, Léo , Petit ,promotion a,learner,atelier a1",
    "nobody@example.org,Ignoré,Ignoré,Promotion A,editingteacher,",
    "tom@example.org,Tom,Durand,Promotion A,teacher,Atelier A3",
)


def test_preview_shows_what_the_import_would_do_and_writes_nothing(world, login_as, mailbox):
    client = login_as(world.staff_a)
    before = snapshot()
    response = upload(client, VALID)
    assert response.status_code == 200
    page = visible(response)
    assert "4 lignes valides." in page
    assert "2 Zoé Martin <zoe.martin@example.org> nouveau Promotion A — Auditeur·rice — Atelier A3" in page
    assert "3 Léo Petit <leo.petit@example.org> nouveau Promotion A — Auditeur·rice — atelier a1" in page
    assert "4 Ignoré Ignoré <nobody@example.org> existant (non modifié) Promotion A — Intervenant·e" in page
    assert "Ateliers qui seront créés dans « Promotion A » : Atelier A3" in page
    assert "Confirmer l'import" in page
    assert snapshot() == before
    assert mailbox.messages == []


def test_confirm_imports_accounts_enrolments_and_ateliers(world, login_as, mailbox):
    client = login_as(world.staff_a)
    response = import_file(client, VALID)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    flashed = text(client.get("/admin/users"))
    assert "Import terminé : 3 compte(s) créé(s), 4 inscription(s) ajoutée(s)." in flashed

    zoe, leo, tom = user("zoe.martin@example.org"), user("leo.petit@example.org"), user("tom@example.org")
    assert (zoe.first_name, zoe.last_name, zoe.locale, zoe.active, zoe.is_admin) == (
        "Zoé",
        "Martin",
        "fr",
        True,
        False,
    )
    assert (leo.first_name, leo.last_name) == ("Léo", "Petit")
    assert zoe.password_hash is None
    assert roles_of(zoe, world.cohort_a) == {Role.LEARNER}
    assert roles_of(tom, world.cohort_a) == {Role.TUTOR}
    assert ateliers_of(zoe) == {"Atelier A3": Role.LEARNER}
    assert ateliers_of(tom) == {"Atelier A3": Role.TUTOR}
    assert ateliers_of(leo) == {"Atelier A1": Role.LEARNER}
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Atelier).where(Atelier.cohort_id == world.cohort_a.id)
        )
        == 3
    )

    nobody = user("nobody@example.org")
    assert (nobody.first_name, nobody.last_name) == ("Nobody", "NOBODY")
    assert roles_of(nobody, world.cohort_a) == {Role.LECTURER}


def test_confirm_sends_a_welcome_mail_to_each_new_account_only(client, world, login_as, mailbox):
    import_file(login_as(world.staff_a), VALID)
    messages = mailbox.wait_for(3)
    assert sorted(m["To"] for m in messages) == [
        "leo.petit@example.org",
        "tom@example.org",
        "zoe.martin@example.org",
    ]
    assert {subject(m) for m in messages} == {"Bienvenue sur Portail ESS"}
    body = next(m for m in messages if m["To"] == "zoe.martin@example.org").get_payload(decode=True).decode()
    assert "Bonjour Zoé," in body
    link = re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)
    assert client.get(link).status_code == 200


def test_import_without_welcome_mails_sends_none(world, login_as, mailbox):
    response = import_file(login_as(world.staff_a), VALID, send_welcome=False)
    assert response.status_code == 303
    assert user("zoe.martin@example.org") is not None
    assert mailbox.messages == []


def test_admin_imports_into_several_cohorts_by_name_or_id_with_a_language(world, login_as):
    data = csv_file(
        "username,email,firstname,lastname,lang,cohort1,role1,group1,cohort2,role2,group2",
        "ines,ines@example.org,Inès,Haddad,EN,Promotion A,learner,Atelier A2,"
        f"{world.cohort_b.id},tutor,Atelier B1",
    )
    assert import_file(login_as(world.admin), data).status_code == 303
    ines = user("ines@example.org")
    assert ines.locale == "en"
    assert roles_of(ines, world.cohort_a) == {Role.LEARNER} and roles_of(ines, world.cohort_b) == {Role.TUTOR}
    assert ateliers_of(ines) == {"Atelier A2": Role.LEARNER, "Atelier B1": Role.TUTOR}


def test_role_names_of_moodle_and_french_words_are_understood(world, login_as):
    aliases = {
        "": Role.LEARNER,
        "Student": Role.LEARNER,
        "auditrice": Role.LEARNER,
        "teacher": Role.TUTOR,
        "tuteur": Role.TUTOR,
        "editingteacher": Role.LECTURER,
        "intervenante": Role.LECTURER,
        "manager": Role.STAFF,
        "équipe": Role.STAFF,
    }
    lines = [f"p{n}@example.org,P{n},N{n},Promotion A,{alias}," for n, alias in enumerate(aliases)]
    assert import_file(login_as(world.staff_a), csv_file(HEADER, *lines)).status_code == 303
    for n, role in enumerate(aliases.values()):
        assert roles_of(user(f"p{n}@example.org"), world.cohort_a) == {role}, n


def test_reimporting_people_already_in_place_adds_nothing(world, login_as):
    client = login_as(world.staff_a)
    data = csv_file(
        HEADER,
        "learner_a1@example.org,L,A1,Promotion A,learner,ATELIER A1",
        "tutor_a1@example.org,T,A1,Promotion A,tutor,Atelier A1",
    )
    before = snapshot()
    response = import_file(client, data)
    assert response.status_code == 303
    assert "Import terminé : 0 compte(s) créé(s), 0 inscription(s) ajoutée(s)." in text(
        client.get("/admin/users")
    )
    assert snapshot() == before


def test_one_new_atelier_named_on_several_lines_is_created_once(world, login_as):
    data = csv_file(
        HEADER,
        "a@example.org,A,A,Promotion A,learner,Atelier Neuf",
        "b@example.org,B,B,Promotion A,learner,atelier neuf",
    )
    assert import_file(login_as(world.staff_a), data).status_code == 303
    names = db.session.scalars(
        sa.select(Atelier.name).where(Atelier.name.in_(["Atelier Neuf", "atelier neuf"]))
    )
    assert list(names) == ["Atelier Neuf"]
    assert ateliers_of(user("b@example.org")) == {"Atelier Neuf": Role.LEARNER}


# -- file formats ------------------------------------------------------------------------------------
@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_semicolon_and_tab_delimiters_are_detected(world, login_as, delimiter):
    data = csv_file(
        HEADER.replace(",", delimiter),
        delimiter.join(
            ["zoe@example.org", "Zoé", "Martin, dite Zaza", "Promotion A", "learner", "Atelier A1"]
        ),
    )
    assert import_file(login_as(world.staff_a), data).status_code == 303
    zoe = user("zoe@example.org")
    assert zoe.last_name == "Martin, dite Zaza"
    assert ateliers_of(zoe) == {"Atelier A1": Role.LEARNER}


def test_blank_lines_before_the_header_are_skipped(world, login_as):
    data = b"\n  \nemail;firstname;lastname;cohort1\nzoe@example.org;Zo\xc3\xa9;Martin;Promotion A\n"
    assert import_file(login_as(world.staff_a), data).status_code == 303
    assert roles_of(user("zoe@example.org"), world.cohort_a) == {Role.LEARNER}


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8-sig", "\n"), ("cp1252", "\r\n"), ("utf-8", "\r\n")],
    ids=["utf8-bom", "cp1252-crlf", "utf8-crlf"],
)
def test_utf8_with_bom_and_windows_1252_files_keep_their_accents(world, login_as, encoding, newline):
    lines = ["Email;FirstName;LastName;Cohort1", "helene@example.org;Hélène;Bénard-Œuvray;Promotion A"]
    data = (newline.join(lines) + newline).encode(encoding)
    client = login_as(world.staff_a)
    preview = upload(client, data)
    assert "Hélène Bénard-Œuvray <helene@example.org>" in visible(preview)
    response = client.post("/admin/users/import/confirm", data=confirm_fields(preview))
    assert response.status_code == 303
    helene = user("helene@example.org")
    assert (helene.first_name, helene.last_name) == ("Hélène", "Bénard-Œuvray")
    assert roles_of(helene, world.cohort_a) == {Role.LEARNER}


def test_a_txt_file_is_accepted(world, login_as):
    response = upload(login_as(world.staff_a), csv_file(HEADER, "z@example.org,Z,M,,,"), filename="liste.TXT")
    assert response.status_code == 200 and "1 ligne valide." in text(response)


# -- refused files: every bad line with its number and reason, nothing stored ---------------------------
def assert_refused(response, expected: list[tuple[int, str]], before: dict, mailbox) -> None:
    """The preview lists exactly these errors, offers no confirmation, and nothing was written."""
    assert response.status_code in (200, 422)
    assert errors(response) == expected
    page = visible(response)
    assert REFUSED in page and "Envoyer un fichier corrigé" in page
    assert "Confirmer l'import" not in page
    assert snapshot() == before
    assert mailbox.messages == []


def test_a_file_with_two_bad_lines_is_refused_with_both_reasons_and_nothing_is_stored(
    world, login_as, mailbox
):
    client = login_as(world.staff_a)
    before = snapshot()
    data = csv_file(
        HEADER,
        "zoe@example.org,Zoé,Martin,Promotion A,learner,Atelier A3",
        "ali@example.org,Ali,Ben,Promotion B,learner,",
        "leo@example.org,Léo,Petit,Promotion A,learner,Atelier A1",
        "eve@example.org,Ève,Roux,Promotion A,directeur,",
    )
    response = upload(client, data)
    assert_refused(
        response,
        [
            (3, "promotion inconnue ou que vous ne gérez pas : « Promotion B »"),
            (5, "rôle inconnu « directeur » (learner, tutor, lecturer, staff)"),
        ],
        before,
        mailbox,
    )
    assert "Le fichier est refusé : 2 erreurs. Rien n'a été enregistré." in visible(response)
    for email in ("zoe@example.org", "leo@example.org"):
        assert user(email) is None


FULL_HEADER = "email,firstname,lastname,lang,cohort1,role1,group1,cohort2,role2,group2"
GOOD_LINE = "ok@example.org,Bon,Exemple,fr,Promotion A,learner,Atelier A1,,,"

#: (a bad line, the reasons reported for it): one fault per line, but the last.
BAD_LINES = [
    ("pas-une-adresse,A,B,,,,,,,", ["adresse électronique invalide (« pas-une-adresse »)"]),
    (",A,B,,,,,,,", ["adresse électronique absente"]),
    ("OK@example.org,A,B,,,,,,,", ["adresse déjà présente ligne 2"]),
    ("n1@example.org,,B,,,,,,,", ["prénom et nom sont obligatoires pour un nouveau compte"]),
    ("n2@example.org,A, ,,,,,,,", ["prénom et nom sont obligatoires pour un nouveau compte"]),
    (f"n3@example.org,{'A' * 101},B,,,,,,,", ["prénom ou nom trop long (100 caractères au plus)"]),
    ("n4@example.org,A,B,de,,,,,,", ["langue inconnue « de » (fr ou en)"]),
    (
        "n5@example.org,A,B,,Promotion X,learner,,,,",
        ["promotion inconnue ou que vous ne gérez pas : « Promotion X »"],
    ),
    (
        "n6@example.org,A,B,,Promotion B,learner,,,,",
        ["promotion inconnue ou que vous ne gérez pas : « Promotion B »"],
    ),
    (
        "n7@example.org,A,B,,Promotion A,admin,,,,",
        ["rôle inconnu « admin » (learner, tutor, lecturer, staff)"],
    ),
    (
        "n8@example.org,A,B,,Promotion A,lecturer,Atelier A1,,,",
        ["seuls les auditeurs et les tuteurs ont un atelier (group1)"],
    ),
    (
        "n9@example.org,A,B,,,,,Promotion A,manager,Atelier A1",
        ["seuls les auditeurs et les tuteurs ont un atelier (group2)"],
    ),
    ("n10@example.org,A,B,,,learner,,,,", ["role1 ou group1 sans cohort1"]),
    (
        f"n11@example.org,A,B,,Promotion A,learner,{'G' * 121},,,",
        ["nom d'atelier trop long (120 caractères au plus)"],
    ),
    (
        "learner_b1@example.org,A,B,,Promotion A,learner,,,,",
        ["ce compte existe déjà et vous ne gérez pas ses inscriptions"],
    ),
    (
        "admin@example.org,A,B,,Promotion A,staff,,,,",
        ["ce compte existe déjà et vous ne gérez pas ses inscriptions"],
    ),
    (
        "learner_a2@example.org,A,B,,Promotion A,learner,Atelier A1,,,",
        ["déjà dans l'atelier « Atelier A2 » de cette promotion"],
    ),
    (
        "n12@example.org,A,B,,Promotion A,learner,Atelier A1,Promotion A,student,Atelier A2",
        ["déjà dans l'atelier « Atelier A1 » de cette promotion"],
    ),
    (
        "faux,,B,xx,Promotion B,,,,chef,",
        [
            "adresse électronique invalide (« faux »)",
            "prénom et nom sont obligatoires pour un nouveau compte",
            "langue inconnue « xx » (fr ou en)",
            "promotion inconnue ou que vous ne gérez pas : « Promotion B »",
            "role2 ou group2 sans cohort2",
        ],
    ),
]


def test_every_bad_line_is_reported_with_its_number_and_reasons(world, login_as, mailbox):
    before = snapshot()
    lines = [line for line, _ in BAD_LINES]
    response = upload(login_as(world.staff_a), csv_file(FULL_HEADER, GOOD_LINE, *lines))
    expected = [(number, reason) for number, (_, reasons) in enumerate(BAD_LINES, 3) for reason in reasons]
    assert_refused(response, expected, before, mailbox)
    assert f"Le fichier est refusé : {len(expected)} erreurs." in visible(response)


def test_the_reasons_do_not_tell_which_cohorts_or_accounts_exist_elsewhere(world, login_as):
    page = visible(
        upload(
            login_as(world.staff_a),
            csv_file(
                HEADER,
                "learner_b1@example.org,A,B,Promotion B,learner,Atelier B1",
                "x@example.org,A,B,Promotion Inexistante,learner,",
            ),
        )
    )
    assert "LEARNER B1" not in page and "Lille" not in page
    assert page.count("promotion inconnue ou que vous ne gérez pas") == 2


def test_line_numbers_are_those_of_the_file_despite_blank_lines_and_quoted_line_breaks(
    world, login_as, mailbox
):
    before = snapshot()
    data = csv_file(
        "username,email,firstname,lastname",
        "a,a@example.org,A,A",
        "",
        'b,b@example.org,B,"Nom sur',
        'deux lignes"',
        " , , , ",
        "c,mauvaise-adresse,C,C",
    )
    assert_refused(
        upload(login_as(world.staff_a), data),
        [(7, "adresse électronique invalide (« mauvaise-adresse »)")],
        before,
        mailbox,
    )


def test_a_bad_header_is_refused_with_every_problem(world, login_as, mailbox):
    client = login_as(world.staff_a)
    before = snapshot()
    for header, reasons in [
        ("email,firstname,lastname,phone", ["Colonne inconnue : « phone »."]),
        ("email,firstname,lastname,is_admin,cohort1", ["Colonne inconnue : « is_admin »."]),
        (
            "email,prenom,lastname",
            ["Colonne inconnue : « prenom ».", "Colonne obligatoire absente : « firstname »."],
        ),
        (
            "username,cohort1",
            [
                "Colonne obligatoire absente : « email ».",
                "Colonne obligatoire absente : « firstname ».",
                "Colonne obligatoire absente : « lastname ».",
            ],
        ),
    ]:
        response = upload(client, csv_file(header, "zoe@example.org,Zoé,Martin,x,Promotion A"))
        assert_refused(response, [(1, reason) for reason in reasons], before, mailbox)


def test_header_names_ignore_case_and_blanks(world, login_as):
    data = csv_file(" Email ,FIRSTNAME, LastName ,Cohort1", "zoe@example.org,Zoé,Martin,Promotion A")
    assert import_file(login_as(world.staff_a), data).status_code == 303
    assert roles_of(user("zoe@example.org"), world.cohort_a) == {Role.LEARNER}


def test_empty_files_are_refused(world, login_as, mailbox):
    client = login_as(world.staff_a)
    before = snapshot()
    for data, reason in [
        (b"", "Le fichier est vide."),
        (b"\n \n;;\n", "Le fichier est vide."),
        (b"email,firstname,lastname\n\n", "Le fichier ne contient aucune ligne de données."),
    ]:
        assert_refused(upload(client, data), [(1, reason)], before, mailbox)


def test_a_file_with_too_many_lines_is_refused(app, world, login_as, mailbox):
    app.config["CSV_IMPORT_MAX_ROWS"] = 2
    before = snapshot()
    data = csv_file(HEADER, *[f"p{n}@example.org,P,N,Promotion A,," for n in range(3)])
    assert_refused(
        upload(login_as(world.staff_a), data),
        [(1, "Le fichier dépasse 2 lignes : découpez-le.")],
        before,
        mailbox,
    )


def test_a_file_too_big_is_refused_before_it_is_read(world, login_as, mailbox):
    before = snapshot()
    line = b"zoe@example.org,Zoe,Martin,Promotion A,learner,\n"
    data = HEADER.encode() + b"\n" + line * (MAX_CSV_BYTES // len(line) + 1)
    assert len(data) > MAX_CSV_BYTES
    response = upload(login_as(world.staff_a), data)
    assert response.status_code == 200
    page = visible(response)
    assert "Le fichier dépasse 2 Mo." in page and "Aperçu de l'import" not in page
    assert snapshot() == before
    assert mailbox.messages == []


def test_upload_form_refuses_a_missing_or_non_csv_file(world, login_as):
    client = login_as(world.staff_a)
    before = snapshot()
    missing = client.post("/admin/users/import", data={"send_welcome": "y"})
    spreadsheet = upload(client, csv_file(HEADER, "zoe@example.org,Zoé,Martin,,,"), filename="personnes.xlsx")
    for response, message in [
        (missing, "Choisissez un fichier."),
        (spreadsheet, "Le fichier doit être au format CSV (.csv)."),
    ]:
        assert response.status_code == 200
        assert message in visible(response) and "Aperçu de l'import" not in visible(response)
    assert snapshot() == before


def test_names_in_the_preview_are_escaped(world, login_as):
    response = upload(
        login_as(world.staff_a), csv_file(HEADER, "x@example.org,<script>alert(1)</script>,M,,,")
    )
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


# -- the confirm step checks the file again --------------------------------------------------------------
def test_confirm_refuses_a_file_changed_after_the_preview(world, login_as, mailbox):
    client = login_as(world.staff_a)
    fields = confirm_fields(upload(client, VALID))
    fields["content"] += "eve@example.org,Ève,Roux,Promotion B,learner,\r\n"
    before = snapshot()
    response = client.post("/admin/users/import/confirm", data=fields)
    assert response.status_code == 422
    assert_refused(
        response, [(6, "promotion inconnue ou que vous ne gérez pas : « Promotion B »")], before, mailbox
    )


def test_confirm_refuses_a_file_that_became_invalid_since_the_preview(world, login_as, mailbox):
    client = login_as(world.staff_a)
    preview = upload(client, VALID)
    # Meanwhile someone else opens an account with one of the addresses, in a cohort staff A does not manage.
    tom = make_user(email="tom@example.org")
    enrol(tom, world.cohort_b, Role.LEARNER)
    before = snapshot()
    response = client.post("/admin/users/import/confirm", data=confirm_fields(preview))
    assert response.status_code == 422
    assert_refused(
        response, [(5, "ce compte existe déjà et vous ne gérez pas ses inscriptions")], before, mailbox
    )
    assert user("zoe.martin@example.org") is None


def test_confirm_without_the_file_sends_back_to_the_upload(world, login_as, mailbox):
    client = login_as(world.staff_a)
    before = snapshot()
    response = client.post("/admin/users/import/confirm", data={"send_welcome": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users/import"
    assert "Le fichier n'a pas été transmis : recommencez l'import." in text(
        client.get("/admin/users/import")
    )
    assert snapshot() == before
    assert mailbox.messages == []


def test_confirm_without_csrf_token_is_refused(world, login_as, mailbox):
    client = login_as(world.staff_a)
    fields = confirm_fields(upload(client, VALID))
    before = snapshot()
    response = client.post("/admin/users/import/confirm", data=fields, csrf=False)
    assert response.status_code == 400
    assert snapshot() == before
    assert mailbox.messages == []


def test_upload_without_csrf_token_is_refused(world, login_as):
    client = login_as(world.staff_a)
    response = client.post(
        "/admin/users/import",
        data={"csv_file": (io.BytesIO(VALID), "personnes.csv")},
        content_type="multipart/form-data",
        csrf=False,
    )
    assert response.status_code == 400


def test_a_trailing_delimiter_on_the_header_is_ignored_and_case_variants_make_one_atelier(world, login_as):
    client = login_as(world.staff_a)
    content = (
        "email,firstname,lastname,cohort1,role1,group1,\n"
        "v1@example.org,Val,Un,Promotion A,learner,Atelier Neuf,\n"
        "v2@example.org,Val,Deux,Promotion A,learner,atelier neuf,\n"
    )
    response = client.post(
        "/admin/users/import",
        data={"csv_file": (io.BytesIO(content.encode()), "users.csv")},
        content_type="multipart/form-data",
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "Colonne inconnue" not in page
    assert "Ateliers qui seront créés dans « Promotion A » : Atelier Neuf" in page
    assert "atelier neuf," not in page.split("Ateliers qui seront créés")[1].split("</p>")[0]


def test_a_nameless_column_in_the_middle_is_reported(world, login_as):
    client = login_as(world.staff_a)
    content = "email,,firstname,lastname\nx@example.org,,X,Y\n"
    response = client.post(
        "/admin/users/import",
        data={"csv_file": (io.BytesIO(content.encode()), "users.csv")},
        content_type="multipart/form-data",
    )
    assert "La colonne 2 n&#39;a pas de nom." in response.get_data(as_text=True)


def test_the_import_announces_every_account_enrolment_and_atelier_it_creates(world, login_as):
    """Plugins learn about what an import creates as they do about a change made by hand (search access to an
    atelier's private replies and submissions follows its tutors): one after-commit announcement each."""
    from portal.signals import atelier_changed, user_created, user_enrolled

    heard: list[tuple[str, object]] = []

    def listen(name):
        def receiver(sender, **kwargs):
            heard.append((name, kwargs.get("added") if name == "atelier" else sender.email))

        return receiver

    receivers = {"created": listen("created"), "enrolled": listen("enrolled"), "atelier": listen("atelier")}
    user_created.connect(receivers["created"])
    user_enrolled.connect(receivers["enrolled"])
    atelier_changed.connect(receivers["atelier"])
    try:
        assert import_file(login_as(world.staff_a), VALID).status_code == 303
    finally:
        user_created.disconnect(receivers["created"])
        user_enrolled.disconnect(receivers["enrolled"])
        atelier_changed.disconnect(receivers["atelier"])
    tom = user("tom@example.org")
    assert sorted(email for name, email in heard if name == "created") == [
        "leo.petit@example.org",
        "tom@example.org",
        "zoe.martin@example.org",
    ]
    assert len([name for name, _ in heard if name == "enrolled"]) == 4
    # The new atelier's tutor, added by the import, is announced like a tutor added on the atelier's page.
    assert [tom.id] in [added for name, added in heard if name == "atelier"]
