"""Stored files: checked uploads through a plugin page, guarded downloads, deletion, sweep, crashes."""

from __future__ import annotations

import hashlib
import html
import http.client
import io
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote, urlencode

import docx
import pytest
import sqlalchemy as sa
from odf.opendocument import OpenDocumentText
from odf.text import P
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage

from portal import create_app
from portal.extensions import db
from portal.storage import StoredFile, delete_stored, path_of, save_upload, store_root
from tests.conftest import CSRF_META, TEST_PASSWORD, AuthActions, CsrfClient, free_port
from tests.example_plugin.models import ExampleNote
from tests.factories import make_user
from tests.helpers import pdf_bytes

KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}$")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
DAY = 24 * 3600


# -- documents made for the tests ------------------------------------------------------------------------
def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(text: str) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def blank_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    """A valid 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zip_claiming(mimetype: str) -> bytes:
    """A ZIP archive (with an HTML page inside) whose `mimetype` entry claims another type."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("index.html", "<html><script>alert(document.cookie)</script></html>")
    return out.getvalue()


# -- helpers ---------------------------------------------------------------------------------------------
def upload(client: CsrfClient, name: str, content: bytes, text: str = "Compte rendu"):
    """Post the example plugin's form with a file, as a browser does."""
    return client.post(
        "/example/",
        data={"text": text, "attachment": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def upload_raw(client: CsrfClient, disposition: bytes, content: bytes, text: str = "Compte rendu"):
    """Post a hand-made multipart body whose file part has exactly this Content-Disposition."""
    boundary = b"----portal-test-boundary"
    fields = {"csrf_token": client.csrf_token(), "text": text}
    body = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, name.encode(), value.encode())
        for name, value in fields.items()
    )
    body += b"--%s\r\nContent-Disposition: %s\r\nContent-Type: application/octet-stream\r\n\r\n" % (
        boundary,
        disposition,
    )
    body += content + b"\r\n--%s--\r\n" % boundary
    return client.post(
        "/example/", data=body, content_type=f"multipart/form-data; boundary={boundary.decode()}"
    )


def files_under(root: Path) -> set[str]:
    """Every file below root, as relative paths."""
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def the_store(app) -> Path:
    with app.app_context():
        return store_root()


def rows() -> list[StoredFile]:
    return list(db.session.scalars(sa.select(StoredFile).order_by(StoredFile.id)))


def notes() -> list[ExampleNote]:
    return list(db.session.scalars(sa.select(ExampleNote).order_by(ExampleNote.id)))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_nothing_kept(app, before: set[str]) -> None:
    """A refused upload leaves no row, no note, no file anywhere in the instance and no temporary file."""
    assert rows() == [] and notes() == []
    assert files_under(Path(app.instance_path)) == before
    assert files_under(the_store(app) / "tmp") == set()


def url_of(stored: StoredFile) -> str:
    return f"/files/{stored.id}/{quote(stored.name)}"


@pytest.fixture
def author(app, login_as) -> CsrfClient:
    """A user in no cohort, logged in: enough to post the example page."""
    return login_as(make_user(TEST_PASSWORD))


@pytest.fixture
def learner(world, login_as) -> CsrfClient:
    """learner_a1 (cohort A, atelier A1), logged in."""
    return login_as(world.learner_a1)


# -- uploads ---------------------------------------------------------------------------------------------
def test_upload_is_streamed_into_the_store_under_a_key_the_portal_makes(app, world, learner):
    content = "Les coopératives d'habitants.\n".encode()
    response = upload(learner, "compte-rendu.txt", content)
    assert response.status_code == 303
    [stored] = rows()
    assert KEY.match(stored.key) and "compte" not in stored.key
    assert (stored.plugin, stored.name, stored.content_type) == ("example", "compte-rendu.txt", "text/plain")
    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert stored.uploaded_by_id == world.learner_a1.id
    assert path_of(stored).read_bytes() == content
    assert path_of(stored).resolve().is_relative_to(the_store(app).resolve())
    assert files_under(the_store(app)) == {stored.key}
    [note] = notes()
    assert note.file_id == stored.id and note.cohort_id == world.cohort_a.id


def test_a_file_of_exactly_the_size_limit_passes_one_byte_more_is_refused_in_french(app, author):
    limit = 64 * 1024
    app.config.update(STORAGE_MAX_FILE_SIZE=limit, MAX_CONTENT_LENGTH=limit + 64 * 1024)
    before = files_under(Path(app.instance_path))
    refused = upload(author, "trop-gros.txt", b"a" * (limit + 1))
    assert refused.status_code == 413
    assert "Le fichier dépasse la taille autorisée" in page_text(refused)
    assert_nothing_kept(app, before)

    accepted = upload(author, "juste.txt", b"a" * limit)
    assert accepted.status_code == 303
    [stored] = rows()
    assert stored.size == limit and path_of(stored).stat().st_size == limit


def test_a_body_over_max_content_length_is_refused_by_werkzeug_with_the_french_page(app, author):
    app.config.update(STORAGE_MAX_FILE_SIZE=64 * 1024, MAX_CONTENT_LENGTH=96 * 1024)
    before = files_under(Path(app.instance_path))
    response = upload(author, "enorme.txt", b"a" * (200 * 1024))
    assert response.status_code == 413
    assert "Envoi trop volumineux" in page_text(response)
    assert "dépasse la taille autorisée" in page_text(response)
    assert_nothing_kept(app, before)


def test_max_content_length_is_derived_from_the_file_size_limit(migrated_database, tmp_path):
    made = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "DATABASE_URL": migrated_database,
            "INSTANCE_PATH": str(tmp_path / "other"),
            "STORAGE_MAX_FILE_SIZE": 1000,
            "PLUGINS": [],
        }
    )
    assert made.config["MAX_CONTENT_LENGTH"] == 1000 + 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        pytest.param(
            "cours.pdf",
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
            415,
            "Ce type de fichier n'est pas accepté ici.",
            id="html-renamed-pdf",
        ),
        pytest.param(
            "logo.svg",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            415,
            "Ce type de fichier n'est pas accepté ici.",
            id="svg",
        ),
        pytest.param(
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            415,
            "Ce type de fichier n'est pas accepté ici.",
            id="svg-renamed-png",
        ),
        pytest.param(
            "rapport.pdf",
            zip_claiming("application/pdf"),
            415,
            "Ce type de fichier n'est pas accepté ici.",
            id="zip-claiming-pdf",
        ),
        pytest.param(
            "photo.png",
            zip_claiming("image/png"),
            415,
            "Ce type de fichier n'est pas accepté ici.",
            id="zip-claiming-png",
        ),
        pytest.param("vide.txt", b"", 400, "Le fichier est vide.", id="empty"),
    ],
)
def test_refused_contents_leave_nothing_behind(app, author, name, content, status, message):
    before = files_under(Path(app.instance_path))
    response = upload(author, name, content)
    assert response.status_code == status
    assert message in page_text(response)
    assert_nothing_kept(app, before)


def test_ten_thousand_form_parts_are_refused_with_413(app, author):
    before = files_under(Path(app.instance_path))
    data = {f"champ{i}": "x" for i in range(10_000)}
    data.update(text="Compte rendu", attachment=(io.BytesIO(b"Bonjour"), "cr.txt"))
    response = author.post("/example/", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Envoi trop volumineux" in page_text(response)
    assert_nothing_kept(app, before)


def _is_safe(name: str) -> bool:
    return (
        0 < len(name) <= 150
        and len(name.encode()) <= 255
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
        and not any(unicodedata.category(c) in ("Cc", "Cf") for c in name)
    )


def _file_part(filename: bytes) -> bytes:
    return b'form-data; name="attachment"; filename="%s"' % filename


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        pytest.param(_file_part(b"../../../../evil.txt"), "evil.txt", id="dotdot"),
        pytest.param(_file_part(b"..\\..\\evil.txt"), "evil.txt", id="backslash"),
        pytest.param(_file_part(b"/etc/cron.d/evil"), "evil.txt", id="absolute"),
        pytest.param(_file_part(b"..%2F..%2Fevil.txt"), "%2F..%2Fevil.txt", id="percent-escapes"),
        pytest.param(
            b"form-data; name=\"attachment\"; filename*=UTF-8''..%2F..%2Fevil%00.txt",
            "evil.txt",
            id="rfc5987",
        ),
        pytest.param(_file_part(b"note\x00.txt"), "note.txt", id="nul"),
        pytest.param(_file_part("\x1b[31mrouge\x9b0m.txt".encode()), "[31mrouge0m.txt", id="controls"),
        pytest.param(_file_part("facture\u202etxt.exe".encode()), "facturetxt.exe.txt", id="right-to-left"),
        pytest.param(_file_part(b".htaccess"), "htaccess.txt", id="dotfile"),
        pytest.param(_file_part(b".."), "fichier.txt", id="only-dots"),
        # 255 bytes at most: 125 "é" of two bytes each, and the extension.
        pytest.param(_file_part(("é" * 296 + ".txt").encode()), "é" * 125 + ".txt", id="300-characters"),
    ],
)
def test_hostile_names_are_made_safe_and_nothing_lands_outside_the_store(
    app, author, tmp_path, disposition, expected
):
    before = files_under(tmp_path)
    response = upload_raw(author, disposition, b"Bonjour, ceci est un compte rendu.\n")
    assert response.status_code == 303
    [stored] = rows()
    assert _is_safe(stored.name), stored.name
    assert stored.name == expected
    assert KEY.match(stored.key)
    instance = Path(app.instance_path).relative_to(tmp_path).as_posix()
    new = files_under(tmp_path) - before
    assert f"{instance}/files/{stored.key}" in new
    outside = {p for p in new if not p.startswith((f"{instance}/files/", f"{instance}/search-index/"))}
    assert outside == set()
    assert not any("evil" in p for p in files_under(tmp_path.parent))
    assert not Path("/etc/cron.d/evil").exists()
    download = author.get(url_of(stored))
    assert download.status_code == 200 and "\x00" not in download.headers["Content-Disposition"]


def test_text_that_claims_to_be_html_gets_a_txt_name_and_is_downloaded_not_shown(app, author):
    response = upload(author, "page.html", b"Bonjour, ceci est du texte.\n")
    assert response.status_code == 303
    [stored] = rows()
    assert (stored.content_type, stored.name) == ("text/plain", "page.html.txt")
    download = author.get(url_of(stored))
    assert download.headers["Content-Type"].startswith("text/plain")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def a_docx() -> bytes:
    return docx_bytes("Le sociétariat des salariés")


def an_odt() -> bytes:
    return odt_bytes("La gouvernance partagée")


def a_pdf() -> bytes:
    return pdf_bytes("Mutualisation des moyens")


@pytest.mark.parametrize(
    ("name", "make", "content_type", "expected_name", "word"),
    [
        ("rapport.docx", a_docx, DOCX, "rapport.docx", "societariat"),
        ("rapport.pdf", a_docx, DOCX, "rapport.pdf.docx", "societariat"),
        ("memoire.odt", an_odt, ODT, "memoire.odt", "gouvernance"),
        ("memoire.docx", an_odt, ODT, "memoire.docx.odt", "gouvernance"),
        ("seminaire.pdf", a_pdf, "application/pdf", "seminaire.pdf", "moyens"),
        ("scan.png", a_pdf, "application/pdf", "scan.png.pdf", "moyens"),
        ("vierge.PDF", blank_pdf_bytes, "application/pdf", "vierge.pdf", None),
        ("photo", png_bytes, "image/png", "photo.png", None),
    ],
)
def test_real_documents_are_accepted_with_the_type_of_their_content(
    app, author, name, make, content_type, expected_name, word
):
    content = make()
    response = upload(author, name, content, text="Document de travail")
    assert response.status_code == 303
    [stored] = rows()
    assert (stored.content_type, stored.name) == (content_type, expected_name)
    assert path_of(stored).read_bytes() == content
    download = author.get(url_of(stored))
    assert download.status_code == 200 and download.data == content
    if word:
        # The portal could read the document: the word inside it finds the note.
        assert "Document de travail" in author.get(f"/search/?q={word}").get_data(as_text=True)


# -- downloads -------------------------------------------------------------------------------------------
SECRET = b"Compte rendu confidentiel : 4 rue des Cooperatives.\n"


def test_the_owning_plugin_decides_who_downloads(world, learner, login_as):
    assert upload(learner, "cr.txt", SECRET).status_code == 303
    [stored] = rows()
    expected = {
        "learner_a1": 200,  # the author
        "staff_a": 200,  # the staff of the note's cohort
        "admin": 200,
        "learner_a2": 404,
        "tutor_a1": 404,
        "lecturer_a": 404,
        "staff_b": 404,
        "learner_b1": 404,
        "nobody": 404,
    }
    for who, status in expected.items():
        response = learner if who == "learner_a1" else login_as(getattr(world, who))
        response = response.get(url_of(stored))
        assert response.status_code == status, who
        assert (SECRET in response.data) is (status == 200), who


def test_anonymous_visitors_are_sent_to_the_login_page_without_the_file(app, author):
    assert upload(author, "cr.txt", SECRET).status_code == 303
    [stored] = rows()
    response = app.test_client().get(url_of(stored))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert SECRET not in response.data


@pytest.mark.parametrize(
    ("name", "make", "mimetype", "disposition"),
    [
        ("cr.txt", lambda: SECRET, "text/plain", "attachment"),
        ("rapport.docx", lambda: docx_bytes("Bilan"), DOCX, "attachment"),
        ("memoire.odt", lambda: odt_bytes("Bilan"), ODT, "attachment"),
        ("cours.pdf", lambda: pdf_bytes("Bilan"), "application/pdf", "inline"),
        ("photo.png", png_bytes, "image/png", "inline"),
    ],
)
def test_download_headers_force_a_download_unless_the_type_is_safe_inline(
    author, name, make, mimetype, disposition
):
    assert upload(author, name, make()).status_code == 303
    [stored] = rows()
    response = author.get(url_of(stored))
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f"{disposition}; filename={name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    # Shown in the page or not, the file is sandboxed (an opaque origin: no scripts, cookies or forms).
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert not any(part.startswith("script-src") for part in policy)
    # The site's usual headers are there too.
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_conditional_and_range_requests_work_for_those_allowed_only(world, learner, login_as):
    assert upload(learner, "cr.txt", SECRET).status_code == 303
    [stored] = rows()
    first = learner.get(url_of(stored))
    etag = first.headers["ETag"]
    assert etag == f'"{stored.sha256}"'
    again = learner.get(url_of(stored), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    changed = learner.get(url_of(stored), headers={"If-None-Match": '"autre"'})
    assert changed.status_code == 200 and changed.data == SECRET
    part = learner.get(url_of(stored), headers={"Range": "bytes=0-11"})
    assert part.status_code == 206 and part.data == SECRET[:12]
    # Someone who may not read the file learns nothing from a guessed validator or range.
    other = login_as(world.learner_a2)
    assert other.get(url_of(stored), headers={"If-None-Match": etag}).status_code == 404
    assert other.get(url_of(stored), headers={"Range": "bytes=0-11"}).status_code == 404


def test_a_file_whose_plugin_is_not_loaded_answers_404(app, world, learner, login_as):
    assert upload(learner, "cr.txt", SECRET).status_code == 303
    [stored] = rows()
    config = {
        key: app.config[key]
        for key in ("TESTING", "DATABASE_URL", "PASSWORD_HASH_METHOD", "MAIL_SERVER", "MAIL_PORT")
    }
    plugins = [p for p in app.config["PLUGINS"] if not p.startswith("tests.example_plugin")]
    without = create_app(
        {**config, "SECRET_KEY": "y" * 32, "INSTANCE_PATH": app.instance_path, "PLUGINS": plugins}
    )
    without.test_client_class = CsrfClient
    for user in (world.learner_a1, world.admin):
        client = without.test_client()
        assert AuthActions(client).login(user).status_code == 303
        response = client.get(url_of(stored))
        assert response.status_code == 404 and SECRET not in response.data
    # A row naming a plugin that does not exist at all is refused the same way, even to an admin.
    ghost = save_upload(FileStorage(io.BytesIO(SECRET), "x.txt"), "ghost", world.admin)
    db.session.commit()
    admin = login_as(world.admin)
    assert admin.get(url_of(ghost)).status_code == 404
    # The example plugin still serves its own file in the app where it is loaded.
    assert learner.get(url_of(stored)).data == SECRET


def test_a_row_whose_bytes_are_gone_and_an_unknown_id_answer_404(author):
    assert upload(author, "cr.txt", SECRET).status_code == 303
    [stored] = rows()
    path_of(stored).unlink()
    assert author.get(url_of(stored)).status_code == 404
    assert author.get(f"/files/{stored.id + 1000}/cr.txt").status_code == 404


# -- deletion --------------------------------------------------------------------------------------------
@pytest.fixture
def uploader(app):
    """A user who uploads files through save_upload, as plugin code does."""
    return make_user()


def _stored(user, content: bytes = SECRET) -> StoredFile:
    stored = save_upload(FileStorage(io.BytesIO(content), "cr.txt"), "example", user)
    db.session.commit()
    assert path_of(stored).read_bytes() == content
    return stored


def test_delete_stored_removes_the_bytes_only_once_committed(app, uploader):
    stored = _stored(uploader)
    path, key = path_of(stored), stored.key
    delete_stored(stored)
    db.session.flush()
    assert path.is_file()
    db.session.commit()
    assert not path.exists()
    assert db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key)) is None


def test_delete_stored_keeps_the_bytes_when_the_transaction_rolls_back(app, uploader):
    stored = _stored(uploader)
    path, key = path_of(stored), stored.key
    delete_stored(stored)
    db.session.flush()
    db.session.rollback()
    assert path.read_bytes() == SECRET
    # A later, unrelated commit must not remove them either.
    db.session.add(ExampleNote(user_id=uploader.id, text="autre"))
    db.session.commit()
    assert path.read_bytes() == SECRET
    assert db.session.scalar(sa.select(StoredFile.key).where(StoredFile.key == key)) == key


def test_delete_stored_in_a_savepoint_that_rolls_back_keeps_the_bytes(app, uploader):
    stored = _stored(uploader)
    path, key = path_of(stored), stored.key
    savepoint = db.session.begin_nested()
    delete_stored(stored)
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(StoredFile.key).where(StoredFile.key == key)) == key
    assert path.read_bytes() == SECRET


def test_a_released_savepoint_does_not_remove_bytes_before_the_transaction_commits(app, uploader):
    stored = _stored(uploader)
    path, key = path_of(stored), stored.key
    delete_stored(stored)
    with db.session.begin_nested():
        db.session.add(ExampleNote(user_id=uploader.id, text="dans un savepoint"))
    assert path.is_file()
    db.session.rollback()
    assert db.session.scalar(sa.select(StoredFile.key).where(StoredFile.key == key)) == key
    assert path.read_bytes() == SECRET
    # And a deletion inside a released savepoint happens when the whole transaction commits.
    stored = db.session.get(StoredFile, stored.id)
    with db.session.begin_nested():
        delete_stored(stored)
    assert path.is_file()
    db.session.commit()
    assert not path.exists()


# -- sweep -----------------------------------------------------------------------------------------------
def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_removes_old_orphans_and_temp_files_keeps_the_rest_and_reports_missing_files(app, uploader):
    store = the_store(app)
    referenced = _stored(uploader, b"referenced")
    _age(path_of(referenced), 3 * DAY)
    lost = _stored(uploader, b"lost")
    path_of(lost).unlink()
    old_orphan, young_orphan = store / "ab" / ("a" * 32), store / "cd" / ("c" * 32)
    old_temp, young_temp = store / "tmp" / "upload-old", store / "tmp" / "upload-young"
    for path in (old_orphan, young_orphan, old_temp, young_temp):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    _age(old_orphan, 2 * DAY)
    _age(old_temp, 2 * DAY)
    _age(young_orphan, 3600)
    _age(young_temp, 3600)

    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 orphan file(s)." in result.stdout
    assert f"PROBLEM: a record points to a missing file: {lost.key}" in result.stderr
    kept = {referenced.key, young_orphan.relative_to(store).as_posix(), "tmp/upload-young"}
    assert files_under(store) == kept

    result = app.test_cli_runner().invoke(args=["sweep", "--grace-hours", "0"])
    assert result.exit_code == 0 and "Removed 2 orphan file(s)." in result.stdout
    assert files_under(store) == {referenced.key}
    assert path_of(referenced).read_bytes() == b"referenced"


# -- a worker killed during an upload --------------------------------------------------------------------
SERVER = """
import json, sys
from werkzeug.serving import make_server
from portal import create_app
app = create_app(json.loads(sys.argv[1]))
make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True).serve_forever()
"""


class Browser:
    """A minimal cookie-keeping HTTP client for the subprocess server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, data

    def login(self, email: str) -> str:
        """Log in through the form; returns a CSRF token of the logged-in session."""
        _, page = self.request("GET", "/auth/login")
        token = CSRF_META.search(page).group(1)
        status, _ = self.request(
            "POST", "/auth/login", {"email": email, "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert status == 303
        _, page = self.request("GET", "/example/")
        return CSRF_META.search(page).group(1)


@pytest.fixture
def server(app, tmp_path):
    """The app served by a real server in another process (same database and instance folder)."""
    port = free_port()
    config = {
        key: app.config[key]
        for key in ("TESTING", "DATABASE_URL", "PLUGINS", "PASSWORD_HASH_METHOD", "MAIL_SERVER", "MAIL_PORT")
    }
    config.update(SECRET_KEY="s" * 32, INSTANCE_PATH=app.instance_path, SESSION_COOKIE_SECURE=False)
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps(config), str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            failed = process.poll() is not None or time.monotonic() > deadline
            assert not failed, (tmp_path / "server.log").read_text()
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait()
    log.close()


def _multipart_head(boundary: str, token: str, file_name: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nGros fichier\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="{file_name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


def _open_upload(port: int, browser: Browser, token: str, file_size: int) -> tuple[socket.socket, bytes]:
    """Start a multipart POST to /example/ whose body announces a file of `file_size` bytes; returns the
    socket (headers and the form fields sent) and the rest of the body still to send."""
    boundary = "portal-kill-test"
    head = _multipart_head(boundary, token, "gros.txt")
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + file_size + len(tail)
    request = (
        f"POST /example/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {browser.cookie_header()}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(request + head)
    return connection, b"a" * file_size + tail


def _assert_store_is_consistent(app, full: bytes) -> None:
    """Every row points to its complete bytes; a file no row points to is complete or is a temporary file;
    a sweep then leaves only referenced files and reports nothing missing."""
    store = the_store(app)
    keys = {stored.key for stored in rows()}
    for stored in rows():
        assert hashlib.sha256(path_of(stored).read_bytes()).hexdigest() == stored.sha256
    for key in files_under(store) - keys:
        assert key.startswith("tmp/") or (store / key).read_bytes() == full, key
    for note in notes():
        assert note.file_id is None or note.file_id in {stored.id for stored in rows()}
    result = app.test_cli_runner().invoke(args=["sweep", "--grace-hours", "0"])
    assert result.exit_code == 0 and "PROBLEM" not in result.output
    assert files_under(store) == keys


def test_a_server_killed_in_the_middle_of_an_upload_body_leaves_nothing(app, world, server):
    process, port = server
    browser = Browser(port)
    token = browser.login(world.learner_a1.email)
    before = files_under(Path(app.instance_path))
    connection, rest = _open_upload(port, browser, token, 8 * 1024 * 1024)
    connection.sendall(rest[: 2 * 1024 * 1024])
    time.sleep(0.3)
    assert process.poll() is None, "the server should still be waiting for the rest of the body"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    connection.close()
    assert rows() == [] and notes() == []
    assert files_under(Path(app.instance_path)) == before
    _assert_store_is_consistent(app, b"")


def test_a_server_killed_while_it_stores_an_upload_leaves_no_record_without_its_file(app, world, server):
    process, port = server
    browser = Browser(port)
    token = browser.login(world.learner_a1.email)
    size = 32 * 1024 * 1024
    connection, rest = _open_upload(port, browser, token, size)
    connection.sendall(rest)
    # Kill it as soon as the copy into the store's temporary folder has begun (or at the latest when it
    # answers): whatever the moment, the store and the database must agree.
    tmp = the_store(app) / "tmp"
    deadline = time.monotonic() + 20
    connection.setblocking(False)
    while time.monotonic() < deadline and not files_under(tmp):
        try:
            if connection.recv(1, socket.MSG_PEEK):
                break
        except BlockingIOError:
            pass
        time.sleep(0.0005)
    copying = files_under(tmp)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    connection.close()
    assert copying, "the server should have been killed while copying the upload into the store"
    _assert_store_is_consistent(app, b"a" * size)
