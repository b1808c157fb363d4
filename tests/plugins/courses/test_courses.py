"""The courses plugin: permissions, the issue's flow, bad input and behaviour, through real requests."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from plugins.courses.models import CourseItem, CourseItemFile, CourseProgress
from plugins.courses.service import utc_to_paris
from portal.extensions import db
from portal.models import Bloc, Seminar
from portal.storage import StoredFile, path_of
from tests.helpers import pdf_bytes, rows_of, text

TABLES = {
    "courses_item": (),
    "courses_item_file": (),
    "courses_item_cohort": (),
    "courses_progress": (),
    "stored_file": (),
}
FORM_ERROR = "Le formulaire contient des erreurs"


# -- helpers ------------------------------------------------------------------------------------------


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


def seminar_of(world, bloc_number: int) -> Seminar:
    return db.session.scalar(
        sa.select(Seminar)
        .join(Bloc)
        .where(Bloc.programme_id == world.programme.id, Bloc.number == bloc_number)
    )


def bloc_of(world, bloc_number: int) -> Bloc:
    return db.session.scalar(
        sa.select(Bloc).where(Bloc.programme_id == world.programme.id, Bloc.number == bloc_number)
    )


def add_item(client, seminar: Seminar, kind: str, title: str, **fields) -> CourseItem:
    """Post the 'new item' form as an editor; returns the created item."""
    data = {"title": title, **fields}
    if kind == "page":
        data.setdefault("body", f"Texte de {title}.")
    if kind == "link":
        data.setdefault("url", "https://www.example.org/ressource")
    if kind == "file":
        data.setdefault("files", upload(pdf_bytes("Contenu du support"), "support.pdf"))
    response = client.post(f"/courses/seminar/{seminar.id}/new/{kind}", data=data)
    assert response.status_code == 303, text(response)
    return db.session.scalar(sa.select(CourseItem).where(CourseItem.title == title))


def stored_paths() -> set[Path]:
    return {path_of(s) for s in db.session.scalars(sa.select(StoredFile))}


def search_page(client, words: str) -> str:
    response = client.get("/search/", query_string={"q": words})
    assert response.status_code == 200
    return text(response)


def file_url(link: CourseItemFile) -> str:
    return f"/files/{link.stored.id}/{link.stored.name}"


def in_paris(days: int) -> str:
    """A date-time field value `days` from now, as typed in the form (Paris wall-clock time)."""
    return utc_to_paris(datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# -- permissions -------------------------------------------------------------------------------------
@pytest.fixture
def folders(world, login_as):
    """Folders of one PDF each, in four situations, added by the lecturer."""
    lecturer = login_as(world.lecturer_a)
    seminar = seminar_of(world, 2)
    made = {}
    for case, extra in {
        "open": {},
        "cohort_a": {"cohorts": [str(world.cohort_a.id)]},
        "hidden": {"hidden": "y"},
        "future": {"available_from": in_paris(3)},
        "expired": {"available_until": in_paris(-3)},
    }.items():
        made[case] = add_item(
            lecturer,
            seminar,
            "folder",
            f"Dossier {case}",
            files=[upload(pdf_bytes(f"Dossier {case}"), f"{case}.pdf")],
            **extra,
        )
    return made


def urls_of(item: CourseItem) -> list[str]:
    return [f"/courses/item/{item.id}", file_url(item.files[0]), f"/courses/item/{item.id}/zip"]


FORBIDDEN_READS = [
    ("cohort_a", "learner_b1"),
    ("hidden", "learner_a1"),
    ("hidden", "tutor_a1"),
    ("hidden", "learner_b1"),
    ("future", "learner_a1"),
    ("future", "tutor_a1"),
    ("expired", "learner_a1"),
    ("expired", "tutor_a1"),
    ("open", "nobody"),
]


@pytest.mark.parametrize(("case", "reader"), FORBIDDEN_READS)
def test_unreadable_item_file_and_zip_answer_404(world, folders, login_as, case, reader):
    client = login_as(getattr(world, reader))
    for url in urls_of(folders[case]):
        response = client.get(url)
        assert response.status_code == 404, url
        assert folders[case].title not in text(response)
    bloc = client.get(f"/courses/bloc/{bloc_of(world, 2).id}")
    assert folders[case].title not in text(bloc)
    # marking it done is refused too, and nothing is recorded
    assert client.post(f"/courses/item/{folders[case].id}/done").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseProgress)) == 0


@pytest.mark.parametrize(
    ("case", "reader"),
    [
        ("cohort_a", "learner_a1"),
        ("cohort_a", "tutor_a1"),
        ("open", "learner_b1"),
        ("hidden", "staff_a"),
        ("cohort_a", "staff_b"),
        ("future", "lecturer_a"),
        ("expired", "admin"),
    ],
)
def test_allowed_readers_open_item_file_and_zip(world, folders, login_as, case, reader):
    client = login_as(getattr(world, reader))
    for url in urls_of(folders[case]):
        assert client.get(url).status_code == 200, url
    assert folders[case].title in text(client.get(f"/courses/bloc/{bloc_of(world, 2).id}"))


def test_editors_see_hidden_and_unavailable_items_marked(world, folders, login_as):
    page = text(login_as(world.staff_a).get(f"/courses/bloc/{bloc_of(world, 2).id}"))
    for case in folders:
        assert f"Dossier {case}" in page
    assert "masqué" in page
    assert "visible à partir du" in page
    assert "plus visible depuis le" in page
    assert "réservé à certaines promotions" in page


@pytest.mark.parametrize(
    ("reader", "readable"),
    [("learner_a1", 2), ("tutor_a1", 2), ("learner_b1", 1), ("staff_a", 5), ("lecturer_a", 5)],
)
def test_bloc_programme_and_dashboard_count_the_same_readable_items(
    world, folders, login_as, reader, readable
):
    client = login_as(getattr(world, reader))
    learner = reader.startswith("learner")
    if learner:  # one done item among the readable ones: the open folder
        client.post(f"/courses/item/{folders['open'].id}/done", follow_redirects=True)
    expected = f"{int(learner)} sur {readable} faits"
    bloc_page = text(client.get(f"/courses/bloc/{bloc_of(world, 2).id}"))
    assert (expected in bloc_page) is not reader.endswith(("staff_a", "lecturer_a"))  # editors mark nothing
    assert bloc_page.count(">Dossier ") == readable  # the links to the items
    assert expected in text(client.get(f"/courses/programme/{world.programme.id}"))
    assert expected in text(client.get("/"))


def test_nobody_gets_404_on_programme_and_bloc(world, login_as):
    client = login_as(world.nobody)
    assert client.get(f"/courses/programme/{world.programme.id}").status_code == 404
    assert client.get(f"/courses/bloc/{bloc_of(world, 1).id}").status_code == 404
    assert client.get(f"/courses/seminar/{seminar_of(world, 1).id}/new/page").status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(f"/courses/programme/{world.programme.id}")
    assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


def edit_posts(world, item: CourseItem, folder: CourseItem) -> list[tuple[str, str, dict]]:
    seminar = seminar_of(world, 2)
    return [
        ("GET", f"/courses/seminar/{seminar.id}/new/page", {}),
        ("POST", f"/courses/seminar/{seminar.id}/new/page", {"title": "Intrus", "body": "x"}),
        (
            "POST",
            f"/courses/seminar/{seminar.id}/new/file",
            {"title": "Intrus", "files": upload(pdf_bytes("intrus"), "intrus.pdf")},
        ),
        ("GET", f"/courses/item/{item.id}/edit", {}),
        ("POST", f"/courses/item/{item.id}/edit", {"title": "Changé", "body": "changé"}),
        ("POST", f"/courses/item/{item.id}/move/up", {}),
        ("POST", f"/courses/item/{item.id}/move/down", {}),
        ("POST", f"/courses/item/{item.id}/visibility", {}),
        ("GET", f"/courses/item/{item.id}/delete", {}),
        ("POST", f"/courses/item/{item.id}/delete", {}),
        ("POST", f"/courses/item/{folder.id}/files/{folder.files[0].id}/remove", {}),
    ]


@pytest.mark.parametrize("who", ["learner_a1", "learner_b1", "tutor_a1", "nobody"])
def test_readers_cannot_edit_and_nothing_changes(world, login_as, who):
    lecturer = login_as(world.lecturer_a)
    seminar = seminar_of(world, 2)
    first = add_item(lecturer, seminar, "page", "Première page")
    add_item(lecturer, seminar, "page", "Deuxième page")
    folder = add_item(lecturer, seminar, "folder", "Dossier", files=[upload(pdf_bytes("garde"), "garde.pdf")])
    before, files_before = rows_of(TABLES), stored_paths()
    client = login_as(getattr(world, who))
    for method, url, data in edit_posts(world, first, folder):
        response = client.open(url, method=method, data=data or None)
        assert response.status_code in (403, 404), (method, url, response.status_code)
    assert rows_of(TABLES) == before
    assert stored_paths() == files_before and all(p.is_file() for p in files_before)


@pytest.mark.parametrize("who", ["lecturer_a", "staff_a", "staff_b", "admin"])
def test_lecturer_staff_of_any_cohort_of_the_programme_and_admin_edit(world, login_as, who):
    """permissions.may_edit: lecturers and staff of any cohort of the programme (staff_b included), admins."""
    client = login_as(getattr(world, who))
    seminar = seminar_of(world, 2)
    item = add_item(client, seminar, "page", f"Page de {who}")
    assert item.created_by_id == getattr(world, who).id
    response = client.post(
        f"/courses/item/{item.id}/edit", data={"title": "Titre revu", "body": "Texte revu"}
    )
    assert response.status_code == 303
    db.session.refresh(item)
    assert (item.title, item.body) == ("Titre revu", "Texte revu")
    item_id = item.id
    assert client.post(f"/courses/item/{item_id}/visibility").status_code == 303
    assert client.get(f"/courses/item/{item_id}/delete").status_code == 200
    assert client.post(f"/courses/item/{item_id}/delete").status_code == 303
    assert db.session.get(CourseItem, item_id) is None


def test_edit_posts_need_the_csrf_token(world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 2), "page", "Protégée")
    before = rows_of(TABLES)
    for url in ("visibility", "move/up", "delete", "done"):
        assert lecturer.post(f"/courses/item/{item.id}/{url}", csrf=False).status_code == 400, url
    assert rows_of(TABLES) == before


# -- the flow --------------------------------------------------------------------------------
def test_done_when_flow(world, login_as):
    lecturer = login_as(world.lecturer_a)
    seminar = seminar_of(world, 2)
    bloc = bloc_of(world, 2)
    page = add_item(
        lecturer, seminar, "page", "Notes de cours", body="La gouvernance *coopérative* en pratique."
    )
    pdf = add_item(
        lecturer,
        seminar,
        "file",
        "Support du séminaire",
        files=upload(pdf_bytes("Les tiers-lieux et la permaculture urbaine"), "support.pdf"),
        cohorts=[str(world.cohort_a.id)],
    )
    link = add_item(lecturer, seminar, "link", "Site de référence", url="https://www.ess-france.org/")
    assert lecturer.post(f"/courses/item/{page.id}/visibility").status_code == 303

    learner = login_as(world.learner_a1)
    bloc_page = text(learner.get(f"/courses/bloc/{bloc.id}"))
    assert "Support du séminaire" in bloc_page and "Site de référence" in bloc_page
    assert "Notes de cours" not in bloc_page
    assert "0 sur 2 faits" in bloc_page
    assert "Fichier" in bloc_page and "application/pdf" in bloc_page  # kind, type
    assert bloc_page.count("Marquer comme fait") == 2  # done straight from the bloc page
    response = learner.post(f"/courses/item/{pdf.id}/done", data={"back": "bloc"}, follow_redirects=True)
    assert response.request.path == f"/courses/bloc/{bloc.id}"
    assert "1 sur 2 faits" in text(response)
    assert "1 sur 2 faits" in text(learner.get(f"/courses/programme/{world.programme.id}"))
    assert "1 sur 2 faits" in text(learner.get("/"))
    # the file itself is served, as a PDF
    served = learner.get(file_url(pdf.files[0]))
    assert served.status_code == 200 and served.data.startswith(b"%PDF")

    other = login_as(world.learner_b1)
    assert other.get(f"/courses/item/{pdf.id}").status_code == 404
    assert other.get(file_url(pdf.files[0])).status_code == 404
    assert other.get(f"/courses/item/{link.id}").status_code == 200
    assert "0 sur 1 faits" in text(other.get(f"/courses/bloc/{bloc.id}"))

    assert "Support du séminaire" in search_page(learner, "permaculture")
    assert "Support du séminaire" not in search_page(other, "permaculture")
    for reader in (learner, other, login_as(world.tutor_a1)):
        assert "Notes de cours" not in search_page(reader, "gouvernance")
    assert "Notes de cours" in search_page(login_as(world.staff_a), "gouvernance")
    # shown again: learners find it
    assert lecturer.post(f"/courses/item/{page.id}/visibility").status_code == 303
    assert "Notes de cours" in search_page(learner, "gouvernance")


def test_unavailable_and_deleted_items_leave_search(world, login_as):
    lecturer = login_as(world.lecturer_a)
    seminar = seminar_of(world, 1)
    future = add_item(
        lecturer, seminar, "page", "Page future", body="Monographie agroécologie", available_from=in_paris(2)
    )
    learner = login_as(world.learner_a1)
    assert "Page future" not in search_page(learner, "agroécologie")
    assert "Page future" in search_page(login_as(world.staff_a), "agroécologie")
    assert (
        lecturer.post(
            f"/courses/item/{future.id}/edit",
            data={"title": "Page future", "body": "Monographie agroécologie", "available_from": ""},
        ).status_code
        == 303
    )
    assert "Page future" in search_page(learner, "agroecologie")
    assert lecturer.post(f"/courses/item/{future.id}/delete").status_code == 303
    assert "Page future" not in search_page(login_as(world.admin), "agroécologie")


# -- bad input ------------------------------------------------------------------------------------------
def post_new(client, world, kind: str, data: dict):
    return client.post(f"/courses/seminar/{seminar_of(world, 2).id}/new/{kind}", data=data)


def test_empty_title_is_refused_and_typed_text_kept(world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(lecturer, world, "page", {"title": "   ", "body": "Mon texte précieux"})
    assert response.status_code == 200
    page = text(response)
    assert "Ce champ est obligatoire." in page and FORM_ERROR in page
    assert "Mon texte précieux" in page
    assert rows_of(TABLES) == before


def test_over_long_title_is_refused_in_french(world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(lecturer, world, "page", {"title": "T" * 201, "body": "Texte gardé"})
    assert response.status_code == 200
    page = text(response)
    assert "200 caractères" in page and FORM_ERROR in page
    assert "T" * 201 in page and "Texte gardé" in page
    assert rows_of(TABLES) == before


def test_empty_page_body_is_refused(world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(lecturer, world, "page", {"title": "Sans texte", "body": "  "})
    assert response.status_code == 200 and "Ce champ est obligatoire." in text(response)
    assert rows_of(TABLES) == before


def no_stored_bytes(app) -> bool:
    root = Path(app.instance_path) / "files"
    return not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_file_over_the_limit_is_refused(app, world, login_as):
    app.config["STORAGE_MAX_FILE_SIZE"] = 2000
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    big = pdf_bytes("trop gros " * 300)
    assert len(big) > 2000
    response = post_new(lecturer, world, "file", {"title": "Gros fichier", "files": upload(big, "gros.pdf")})
    assert response.status_code == 413
    page = text(response)
    assert "Le fichier dépasse la taille autorisée" in page
    assert 'value="Gros fichier"' in page
    assert rows_of(TABLES) == before
    assert no_stored_bytes(app)


def test_refused_type_is_refused(app, world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    html_page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    response = post_new(
        lecturer, world, "folder", {"title": "Dossier piégé", "files": [upload(html_page, "cours.pdf")]}
    )
    assert response.status_code == 415
    page = text(response)
    assert "Ce type de fichier n'est pas accepté ici." in page and 'value="Dossier piégé"' in page
    assert rows_of(TABLES) == before
    assert no_stored_bytes(app)


def test_refused_file_on_edit_keeps_the_old_file(app, world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 2), "file", "Fichier stable")
    before, paths = rows_of(TABLES), stored_paths()
    response = lecturer.post(
        f"/courses/item/{item.id}/edit",
        data={"title": "Nouveau titre", "files": upload(b"<html><body>x</body></html>", "x.html")},
    )
    assert response.status_code == 415 and "Ce type de fichier n'est pas accepté ici." in text(response)
    assert rows_of(TABLES) == before
    assert stored_paths() == paths and all(p.is_file() for p in paths)


def test_file_item_needs_a_file(world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(lecturer, world, "file", {"title": "Sans fichier"})
    assert response.status_code == 200 and "Choisissez un fichier." in text(response)
    assert rows_of(TABLES) == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://example.org/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "www.example.org",
        "https://",
        "http//example.org",
        "https://exa mple.org/",
        "ftp://example.org/file",
        "",
    ],
)
def test_bad_links_are_refused(world, login_as, url):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(lecturer, world, "link", {"title": "Lien douteux", "url": url})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Saisissez une adresse web complète commençant par https:// ou http://." in text(response)
    assert 'value="Lien douteux"' in page
    if url:
        assert 'href="' + url not in page
    assert rows_of(TABLES) == before


def test_window_end_before_start_is_refused(world, login_as):
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(
        lecturer,
        world,
        "page",
        {
            "title": "Fenêtre",
            "body": "x",
            "available_from": "2030-05-02T10:00",
            "available_until": "2030-05-01T10:00",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "La fin doit être postérieure au début." in page and "2030-05-02T10:00" in page
    assert rows_of(TABLES) == before


def test_zip_of_an_empty_folder_says_so(world, login_as):
    lecturer = login_as(world.lecturer_a)
    folder = add_item(lecturer, seminar_of(world, 2), "folder", "Dossier vide")
    assert folder.files == []
    learner = login_as(world.learner_a1)
    response = learner.get(f"/courses/item/{folder.id}/zip")
    assert response.status_code == 303
    response = learner.get(response.headers["Location"])
    assert "Ce dossier est vide : il n'y a rien à télécharger." in text(response)
    # a ZIP of something that is not a folder does not exist
    page = add_item(lecturer, seminar_of(world, 2), "page", "Une page")
    assert learner.get(f"/courses/item/{page.id}/zip").status_code == 404


def test_unknown_kind_and_missing_objects_answer_404(world, login_as):
    lecturer = login_as(world.lecturer_a)
    assert lecturer.get(f"/courses/seminar/{seminar_of(world, 2).id}/new/video").status_code == 404
    for url in (
        "/courses/item/999999",
        "/courses/bloc/999999",
        "/courses/programme/999999",
        "/courses/seminar/999999/new/page",
    ):
        assert lecturer.get(url).status_code == 404, url


# -- behaviour ------------------------------------------------------------------------------------------
def order_on_page(page: str, titles: list[str]) -> list[str]:
    listing = page[page.index("<section") :]  # after the flashed messages
    return sorted(titles, key=listing.index)


def test_move_up_and_down(world, login_as):
    lecturer = login_as(world.lecturer_a)
    seminar, bloc = seminar_of(world, 1), bloc_of(world, 1)
    a, b, c = (add_item(lecturer, seminar, "page", t) for t in ("Alpha", "Bravo", "Charlie"))
    titles = ["Alpha", "Bravo", "Charlie"]
    assert order_on_page(text(lecturer.get(f"/courses/bloc/{bloc.id}")), titles) == titles
    response = lecturer.post(f"/courses/item/{c.id}/move/up")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{c.id}")
    assert order_on_page(text(lecturer.get(f"/courses/bloc/{bloc.id}")), titles) == [
        "Alpha",
        "Charlie",
        "Bravo",
    ]
    lecturer.post(f"/courses/item/{a.id}/move/down")
    learner_page = text(login_as(world.learner_a1).get(f"/courses/bloc/{bloc.id}"))
    assert order_on_page(learner_page, titles) == ["Charlie", "Alpha", "Bravo"]
    # the ends do not move
    lecturer.post(f"/courses/item/{c.id}/move/up")
    lecturer.post(f"/courses/item/{b.id}/move/down")
    assert order_on_page(text(lecturer.get(f"/courses/bloc/{bloc.id}")), titles) == [
        "Charlie",
        "Alpha",
        "Bravo",
    ]
    assert lecturer.post(f"/courses/item/{a.id}/move/sideways").status_code == 400


def test_hide_and_show(world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 1), "page", "Cachée puis montrée")
    learner = login_as(world.learner_a1)
    assert learner.get(f"/courses/item/{item.id}").status_code == 200
    response = lecturer.post(f"/courses/item/{item.id}/visibility", follow_redirects=True)
    assert "« Cachée puis montrée » est masqué." in text(response)
    assert learner.get(f"/courses/item/{item.id}").status_code == 404
    response = lecturer.post(f"/courses/item/{item.id}/visibility", follow_redirects=True)
    assert "« Cachée puis montrée » est visible." in text(response)
    assert learner.get(f"/courses/item/{item.id}").status_code == 200


def test_delete_asks_then_removes_item_progress_and_file(world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 1), "file", "À supprimer")
    path = path_of(item.files[0].stored)
    assert path.is_file()
    learner = login_as(world.learner_a1)
    assert learner.post(f"/courses/item/{item.id}/done").status_code == 303
    confirm = lecturer.get(f"/courses/item/{item.id}/delete")
    assert confirm.status_code == 200
    assert "Supprimer « À supprimer » ?" in text(confirm) and "Supprimer définitivement" in text(confirm)
    assert db.session.get(CourseItem, item.id) is not None and path.is_file()  # the GET changed nothing
    response = lecturer.post(f"/courses/item/{item.id}/delete", follow_redirects=True)
    assert "« À supprimer » est supprimé." in text(response)
    assert rows_of(TABLES) == {name: set() for name in TABLES}
    assert not path.exists()


def test_folder_zip_contains_its_files_and_remove_one(world, login_as):
    lecturer = login_as(world.lecturer_a)
    folder = add_item(
        lecturer,
        seminar_of(world, 1),
        "folder",
        "Lectures",
        files=[
            upload(pdf_bytes("premier"), "lecture.pdf"),
            upload(pdf_bytes("second"), "lecture.pdf"),
            upload(b"Bibliographie\n", "biblio.txt"),
        ],
    )
    assert len(folder.files) == 3
    response = login_as(world.learner_a1).get(f"/courses/item/{folder.id}/zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["biblio.txt", "lecture (2).pdf", "lecture.pdf"]
        assert archive.read("biblio.txt") == b"Bibliographie\n"
        assert archive.read("lecture.pdf").startswith(b"%PDF")
    # adding files on edit keeps the others
    response = lecturer.post(
        f"/courses/item/{folder.id}/edit",
        data={"title": "Lectures", "files": [upload(b"Encore\n", "encore.txt")]},
    )
    assert response.status_code == 303
    db.session.refresh(folder)
    assert len(folder.files) == 4
    link = folder.files[0]
    path = path_of(link.stored)
    response = lecturer.post(f"/courses/item/{folder.id}/files/{link.id}/remove", follow_redirects=True)
    assert "Le fichier est retiré." in text(response)
    assert not path.exists()
    db.session.refresh(folder)
    assert len(folder.files) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 3


def test_replacing_the_file_of_a_file_item(world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 1), "file", "Version")
    old_path = path_of(item.files[0].stored)
    response = lecturer.post(
        f"/courses/item/{item.id}/edit",
        data={"title": "Version", "files": upload(pdf_bytes("version deux"), "v2.pdf")},
    )
    assert response.status_code == 303
    db.session.refresh(item)
    assert [f.stored.name for f in item.files] == ["v2.pdf"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 1
    assert not old_path.exists()


def test_visibility_window_is_typed_in_paris_time(world, login_as):
    lecturer = login_as(world.lecturer_a)
    seminar = seminar_of(world, 1)
    later = add_item(lecturer, seminar, "page", "Plus tard", available_from="2030-07-01T10:00")
    assert later.available_from == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # CEST = UTC+2
    earlier = add_item(lecturer, seminar, "page", "Trop tard", available_until="2020-01-15T10:00")
    assert earlier.available_until == datetime(2020, 1, 15, 9, 0, tzinfo=UTC)  # CET = UTC+1
    form = text(lecturer.get(f"/courses/item/{later.id}/edit"))
    assert 'value="2030-07-01T10:00"' in form
    learner = login_as(world.learner_a1)
    for item in (later, earlier):
        assert learner.get(f"/courses/item/{item.id}").status_code == 404
    staff_page = text(login_as(world.staff_a).get(f"/courses/item/{later.id}"))
    assert "visible à partir du 01/07/2030 10:00" in staff_page
    # a window open now
    now = add_item(
        lecturer, seminar, "page", "En ce moment", available_from=in_paris(-1), available_until=in_paris(1)
    )
    assert learner.get(f"/courses/item/{now.id}").status_code == 200


def test_markdown_page_is_rendered_and_sanitised(world, login_as):
    lecturer = login_as(world.lecturer_a)
    body = (
        "# Le modèle coopératif\n\nUne **SCOP** et une *SCIC*.\n\n"
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[lien](javascript:alert(2))\n"
    )
    item = add_item(lecturer, seminar_of(world, 1), "page", "Page riche", body=body)
    page = login_as(world.learner_a1).get(f"/courses/item/{item.id}").get_data(as_text=True)
    assert "<strong>SCOP</strong>" in page and "<em>SCIC</em>" in page
    assert "Le modèle coopératif" in page
    assert "<script>alert" not in page
    assert "<img" not in page
    assert 'href="javascript:' not in page


def test_progress_toggles(world, login_as):
    lecturer = login_as(world.lecturer_a)
    item = add_item(lecturer, seminar_of(world, 1), "link", "Lien utile")
    learner = login_as(world.learner_a1)
    response = learner.post(f"/courses/item/{item.id}/done", follow_redirects=True)
    assert "« Lien utile » est marqué comme fait." in text(response)
    assert "Ne plus marquer comme fait" in text(response)
    assert db.session.get(CourseProgress, (item.id, world.learner_a1.id)) is not None
    response = learner.post(f"/courses/item/{item.id}/done", follow_redirects=True)
    assert "« Lien utile » n'est plus marqué comme fait." in text(response)
    assert db.session.get(CourseProgress, (item.id, world.learner_a1.id)) is None
    assert "0 sur 1 faits" in text(learner.get(f"/courses/bloc/{bloc_of(world, 1).id}"))


def test_dashboard_widget_shows_what_is_new(world, login_as):
    lecturer = login_as(world.lecturer_a)
    learner = login_as(world.learner_a1)
    learner.get(f"/courses/bloc/{bloc_of(world, 1).id}")  # a visit
    add_item(lecturer, seminar_of(world, 1), "page", "Toute nouvelle page")
    hidden = add_item(lecturer, seminar_of(world, 1), "page", "Nouvelle cachée", hidden="y")
    dashboard = text(learner.get("/"))
    assert "Mes cours" in dashboard
    assert "1 nouveauté depuis votre dernière visite" in dashboard and "Toute nouvelle page" in dashboard
    assert hidden.title not in dashboard
    learner.get(f"/courses/bloc/{bloc_of(world, 1).id}")
    assert "nouveauté" not in text(learner.get("/"))
    assert "Mes cours" not in text(login_as(world.nobody).get("/"))


def test_a_visit_is_written_only_when_material_is_new(world, login_as):
    from plugins.courses.models import CourseVisit

    lecturer = login_as(world.lecturer_a)
    learner = login_as(world.learner_a1)
    add_item(lecturer, seminar_of(world, 1), "page", "Première page")
    bloc_url = f"/courses/bloc/{bloc_of(world, 1).id}"

    def seen():
        return db.session.get(CourseVisit, (world.learner_a1.id, world.programme.id)).seen_dt

    learner.get(bloc_url)
    first = seen()
    learner.get(bloc_url)
    assert seen() == first  # nothing new: no write
    add_item(lecturer, seminar_of(world, 1), "page", "Deuxième page")
    learner.get(bloc_url)
    assert seen() > first


def test_programme_page_lists_blocs_with_hours(world, login_as):
    learner = login_as(world.learner_a1)
    response = learner.get("/courses/", follow_redirects=True)
    assert response.request.path == f"/courses/programme/{world.programme.id}"
    page = text(response)
    assert "Bloc 1 — Bloc de test 1" in page and "Bloc 2 — Bloc de test 2" in page
    assert "50 h" in page and "aucun support" in page


def test_reindex_includes_course_items(app, world, login_as):
    lecturer = login_as(world.lecturer_a)
    add_item(lecturer, seminar_of(world, 1), "page", "Page indexée", body="Tontine solidaire")
    add_item(
        lecturer,
        seminar_of(world, 2),
        "file",
        "PDF indexé",
        files=upload(pdf_bytes("Ressourcerie de quartier"), "r.pdf"),
        cohorts=[str(world.cohort_a.id)],
    )
    import shutil

    shutil.rmtree(Path(app.instance_path) / "search-index")
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 document(s)." in result.output  # the page for A and B, the PDF for A only
    learner_a, learner_b = login_as(world.learner_a1), login_as(world.learner_b1)
    assert "Page indexée" in search_page(learner_b, "tontine")
    assert "PDF indexé" in search_page(learner_a, "ressourcerie")
    assert "PDF indexé" not in search_page(learner_b, "ressourcerie")


def test_cohort_of_another_programme_cannot_be_chosen(world, login_as):
    from tests.factories import make_cohort, make_programme

    elsewhere = make_cohort(make_programme("Autre formation", blocs=1), "Promotion ailleurs")
    lecturer = login_as(world.lecturer_a)
    before = rows_of(TABLES)
    response = post_new(
        lecturer, world, "page", {"title": "Réservée", "body": "x", "cohorts": [str(elsewhere.id)]}
    )
    assert response.status_code == 200 and FORM_ERROR in text(response)
    assert rows_of(TABLES) == before
    assert "Promotion ailleurs" not in text(
        lecturer.get(f"/courses/seminar/{seminar_of(world, 2).id}/new/page")
    )


def test_lecturer_of_another_programme_cannot_edit(world, login_as):
    from portal.models import Role
    from tests.factories import enrol, make_cohort, make_programme, make_user

    other_cohort = make_cohort(make_programme("Autre formation", blocs=1), "Promotion ailleurs")
    outsider = make_user("correct-horse-battery-staple", email="outsider@example.org")
    enrol(outsider, other_cohort, Role.LECTURER)
    item = add_item(login_as(world.lecturer_a), seminar_of(world, 2), "page", "Chez nous")
    before = rows_of(TABLES)
    client = login_as(outsider)
    assert client.get(f"/courses/item/{item.id}").status_code == 404
    assert client.get(f"/courses/bloc/{bloc_of(world, 2).id}").status_code == 404
    for url in (f"/courses/item/{item.id}/visibility", f"/courses/item/{item.id}/delete"):
        assert client.post(url).status_code == 404, url
    assert rows_of(TABLES) == before
