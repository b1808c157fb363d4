"""Uploads users control: text extraction bounded whatever the document (memory measured in real processes),
office text read by the streaming parser, file names within 255 bytes, files sandboxed when shown."""

from __future__ import annotations

import contextlib
import html
import http.client
import io
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlencode

import docx
import pytest
import sqlalchemy as sa
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, LineBreak, List, ListItem, P, S, Span, Tab

from bench import bombs
from bench.upload_memory import measure_extraction
from portal.archive import safe_part, zip_spool
from portal.extensions import db
from portal.extract import DOCX, MAX_CHARS, ODT, extract_text
from portal.storage import StoredFile, safe_name
from tests.conftest import CSRF_META, TEST_PASSWORD, free_port
from tests.factories import make_user
from tests.helpers import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
#: The issue's bound: a worker never grows by more than this for any upload.
GROWTH_LIMIT_MB = 64
W_NS = bombs.W_NS
DOCUMENT_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
DOCUMENT_TAIL = b"</w:body></w:document>"


def a_docx(text: str = "Bonjour") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def an_odt(text: str = "Bonjour") -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def docx_paragraphs(xml: bytes) -> bytes:
    """A DOCX whose body is this WordprocessingML."""
    return bombs.docx_of(DOCUMENT_HEAD + xml + DOCUMENT_TAIL)


def text_of(tmp_path: Path, content: bytes, content_type: str) -> str:
    path = tmp_path / "document"
    path.write_bytes(content)
    return extract_text(path, content_type)


# -- office text, streamed ---------------------------------------------------------------------------------
def test_docx_text_keeps_paragraphs_tables_tabs_and_breaks_in_order(tmp_path):
    document = docx.Document()
    document.add_heading("Le projet associatif", level=1)
    paragraph = document.add_paragraph("Gouvernance")
    paragraph.add_run().add_tab()
    paragraph.add_run("partagée")
    paragraph.add_run().add_break()
    paragraph.add_run("sociétariat")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Recettes", "Dépenses"), ("Subventions", "Salaires")), strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("Conclusion")
    out = io.BytesIO()
    document.save(out)
    text = text_of(tmp_path, out.getvalue(), DOCX)
    lines = [line for line in text.split("\n") if line]
    assert lines == [
        "Le projet associatif",
        "Gouvernance\tpartagée",
        "sociétariat",
        "Recettes",
        "Dépenses",
        "Subventions",
        "Salaires",
        "Conclusion",
    ]


def test_a_docx_text_box_is_read_once_not_again_from_its_fallback_copy(tmp_path):
    box = b"<w:txbxContent><w:p><w:r><w:t>Encadr\xc3\xa9</w:t></w:r></w:p></w:txbxContent>"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    xml = (
        f'<w:p><w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps">'.encode()
        + box
        + b"</mc:Choice><mc:Fallback>"
        + box
        + b"</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    assert text_of(tmp_path, docx_paragraphs(xml), DOCX).split() == ["Encadré"]


def test_odt_text_keeps_headings_spans_spaces_lists_and_tables(tmp_path):
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Monographie"))
    paragraph = P(text="La SCIC")
    paragraph.addElement(S(c=3))
    paragraph.addElement(Span(text="associe"))
    paragraph.addElement(Tab())
    paragraph.addElement(Span(text="ses usagers"))
    paragraph.addElement(LineBreak())
    paragraph.addText("depuis 2010")
    document.text.addElement(paragraph)
    items = List()
    item = ListItem()
    item.addElement(P(text="Premier point"))
    items.addElement(item)
    document.text.addElement(items)
    table = Table()
    row = TableRow()
    for value in ("Budget", "Effectif"):
        cell = TableCell()
        cell.addElement(P(text=value))
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    text = text_of(tmp_path, out.getvalue(), ODT)
    lines = [line for line in text.split("\n") if line]
    assert lines == [
        "Monographie",
        "La SCIC   associe\tses usagers",
        "depuis 2010",
        "Premier point",
        "Budget",
        "Effectif",
    ]


# -- limits, in the reading ----------------------------------------------------------------------------
def test_a_gigabyte_of_docx_or_odt_text_is_read_up_to_the_cap(tmp_path):
    for content, content_type in ((bombs.docx_bomb(), DOCX), (bombs.odt_bomb(), ODT)):
        assert len(content) < 2 * bombs.MIB
        text = text_of(tmp_path, content, content_type)
        # Paragraphs of "a" each ended by a line feed, up to the cap.
        assert len(text) == MAX_CHARS and set(text) == {"a", "\n"}


@pytest.mark.parametrize(
    "xml",
    [
        pytest.param(b"<w:p>" * 100_000, id="nested-100000-deep"),
        pytest.param(b"".join(b"<w:x%d/>" % i for i in range(100_000)), id="100000-element-names"),
        pytest.param(b"<w:p " + b" ".join(b'w:a%d=""' % i for i in range(100_000)) + b"/>", id="attributes"),
        pytest.param(b"<w:p><w:r><w:t>" + b"a" * (1024 * 1024), id="a-megabyte-without-a-tag"),
    ],
)
def test_hostile_xml_stops_at_a_limit_and_keeps_the_text_read_before(tmp_path, xml):
    before = b"<w:p><w:r><w:t>Introduction</w:t></w:r></w:p>"
    text = text_of(tmp_path, docx_paragraphs(before + xml), DOCX)
    assert text.startswith("Introduction\n")
    # Whatever came after, only the text runs were kept, up to the limit.
    assert text.removeprefix("Introduction\n").strip("a") == ""
    assert len(text) < MAX_CHARS


def test_entity_declarations_are_refused(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        + f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p>'.encode()
        + DOCUMENT_TAIL
    )
    assert text_of(tmp_path, bombs.docx_of(laughs), DOCX) == ""
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        + f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&secret;</w:t></w:r></w:p>'.encode()
        + DOCUMENT_TAIL
    )
    assert text_of(tmp_path, bombs.docx_of(external), DOCX) == ""


def test_a_zip_listing_too_many_entries_is_not_opened(tmp_path):
    assert text_of(tmp_path, bombs.many_entries_zip(), DOCX) == ""


def test_damaged_documents_give_no_text_and_no_error(tmp_path):
    half = a_docx("Bonjour")[:1000]
    for content, content_type in (
        (half, DOCX),
        (an_odt()[:500], ODT),
        (pdf_bytes("Bonjour")[:200], "application/pdf"),
    ):
        assert text_of(tmp_path, content, content_type) == ""
    assert text_of(tmp_path, b"PK\x05\x06" + b"\xff" * 18, DOCX) == ""


def test_pdf_text_is_read_page_by_page_and_capped(tmp_path):
    assert text_of(tmp_path, pdf_bytes("Mutualisation des moyens"), "application/pdf").split() == [
        "Mutualisation",
        "des",
        "moyens",
    ]
    many = bombs.pdf_of([b"BT /F1 12 Tf 72 720 Td (" + b"mot " * 20_000 + b") Tj ET"] * 10)
    assert len(text_of(tmp_path, many, "application/pdf")) == MAX_CHARS


# -- memory, measured -------------------------------------------------------------------------------------
# Each document is read by extract_text in a fresh process (bench/upload_memory.py), after small real ones,
# its peak resident memory reset in between.
@pytest.fixture(scope="module")
def warm_up(tmp_path_factory) -> list[tuple[str, str]]:
    """Small real documents of each type, for the measuring process to read first (imports, caches)."""
    folder = tmp_path_factory.mktemp("warm-up")
    documents = [(a_docx(), DOCX), (an_odt(), ODT), (pdf_bytes("Bonjour"), "application/pdf")]
    for number, (content, _) in enumerate(documents):
        (folder / str(number)).write_bytes(content)
    return [(str(folder / str(n)), kind) for n, (_, kind) in enumerate(documents)]


@pytest.mark.parametrize(
    ("make", "content_type", "chars"),
    [
        pytest.param(bombs.docx_bomb, DOCX, MAX_CHARS, id="docx-1GB-of-text"),
        pytest.param(bombs.odt_bomb, ODT, MAX_CHARS, id="odt-1GB-of-text"),
        pytest.param(bombs.markup_docx, DOCX, MAX_CHARS, id="docx-1GB-of-empty-paragraphs"),
        pytest.param(bombs.pdf_bomb, "application/pdf", 0, id="pdf-stream-inflating-to-1GB"),
        pytest.param(bombs.xref_table_pdf, "application/pdf", 0, id="pdf-500000-xref-entries"),
        pytest.param(bombs.many_entries_zip, DOCX, 0, id="zip-of-100000-entries"),
    ],
)
def test_reading_a_hostile_document_grows_the_process_by_less_than_64_mb(
    tmp_path, warm_up, make, content_type, chars
):
    path = tmp_path / "bomb"
    path.write_bytes(make())
    measured = measure_extraction(path, content_type, warm_up)
    assert measured["growth_mb"] < GROWTH_LIMIT_MB, measured
    assert measured["chars"] == chars, measured


# -- memory of a real server receiving the bombs -----------------------------------------------------------
SERVER = """
import json, resource, sys
from werkzeug.serving import make_server
from portal import create_app
app = create_app(json.loads(sys.argv[1]))
# A regression must fail the test, not exhaust the machine: the address space may grow by 1 GiB at most.
size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + (1 << 30), resource.RLIM_INFINITY))
make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True).serve_forever()
"""


class Server:
    """The test app served over HTTP by werkzeug in another process (threaded: the PDF reader forks from
    a process with threads, as under gunicorn's gthread workers), with a logged-in session."""

    def __init__(self, app, tmp_path: Path):
        self.port = free_port()
        config = {
            key: app.config[key]
            for key in (
                "TESTING",
                "DATABASE_URL",
                "PLUGINS",
                "PASSWORD_HASH_METHOD",
                "MAIL_SERVER",
                "MAIL_PORT",
            )
        }
        config.update(SECRET_KEY="s" * 32, INSTANCE_PATH=app.instance_path, SESSION_COOKIE_SECURE=False)
        self.log_path = tmp_path / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER, json.dumps(config), str(self.port)],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Two malloc arenas, not one per thread: the address-space limit is for the documents.
                env={**os.environ, "MALLOC_ARENA_MAX": "2"},
            )
        self.cookies: dict[str, str] = {}
        self.token = ""

    def wait_ready(self) -> None:
        """Return once the server accepts connections."""
        for _ in range(400):
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).connect()
                return
            except OSError:
                assert self.process.poll() is None, self.log_path.read_text()
                time.sleep(0.05)
        raise AssertionError(self.log_path.read_text())

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, str]:
        """One request with the session's cookies; returns the status and the page."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, page

    def login(self, email: str) -> None:
        """Log in through the form and keep a CSRF token of the session."""
        _, page = self.request("GET", "/auth/login")
        form = {"email": email, "password": TEST_PASSWORD, "csrf_token": CSRF_META.search(page).group(1)}
        body = urlencode(form).encode()
        status, _ = self.request("POST", "/auth/login", body, "application/x-www-form-urlencoded")
        assert status == 303
        _, page = self.request("GET", "/example/")
        self.token = CSRF_META.search(page).group(1)

    def upload(self, name: str, content: bytes, text: str) -> int:
        """Post the example plugin's form with a file; returns the status."""
        boundary = "portal-upload-limits"
        fields = {"csrf_token": self.token, "text": text}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        )
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        body += content + f"\r\n--{boundary}--\r\n".encode()
        status, _ = self.request("POST", "/example/", body, f"multipart/form-data; boundary={boundary}")
        return status

    def memory(self) -> dict[str, int]:
        """The server's resident memory now and at its peak, in kB."""
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
        )
        return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM")}

    def reset_peak(self) -> None:
        """Start the peak again from the current resident memory (else the growth measured is larger)."""
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        """Stop the server."""
        self.process.kill()
        self.process.wait()


@pytest.fixture
def server(app, tmp_path):
    """A logged-in session on the app served by another process."""
    user = make_user(TEST_PASSWORD)
    db.session.commit()
    running = Server(app, tmp_path)
    try:
        running.wait_ready()
        running.login(user.email)
        yield running
    finally:
        running.stop()


def test_a_server_receiving_document_bombs_grows_by_less_than_64_mb_and_keeps_answering(app, server):
    warm_ups = [("a.docx", a_docx()), ("a.odt", an_odt()), ("a.pdf", pdf_bytes("Bonjour"))]
    for name, content in warm_ups * 2:
        assert server.upload(name, content, "Préparation") == 303
    bombs_sent = {
        "docx": bombs.docx_bomb(),
        "odt": bombs.odt_bomb(),
        "pdf": bombs.pdf_bomb(),
        "mimetype": bombs.odt_with_huge_mimetype(),
    }
    growth = {}
    for kind, content in bombs_sent.items():
        server.reset_peak()
        before = server.memory()["VmRSS"]
        assert server.upload(f"bombe.{kind}", content, f"Bombe {kind}") == 303, server.log_path.read_text()
        growth[kind] = (server.memory()["VmHWM"] - before) / 1024
    assert all(mb < GROWTH_LIMIT_MB for mb in growth.values()), growth
    # The site still answers, and every upload was stored and indexed.
    status, page = server.request("GET", "/example/")
    assert status == 200
    for kind in bombs_sent:
        assert f"Bombe {kind}" in page
    status, page = server.request("GET", "/search/?q=bombe")
    assert status == 200 and all(f"Bombe {kind}" in page for kind in bombs_sent)


# -- file names: 255 bytes at most ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        pytest.param("é" * 300 + ".pdf", "application/pdf", "é" * 125 + ".pdf", id="two-byte-characters"),
        pytest.param("€" * 100 + ".docx", DOCX, "€" * 83 + ".docx", id="three-byte-characters"),
        pytest.param("😀" * 100 + ".txt", "text/plain", "😀" * 62 + ".txt", id="four-byte-characters"),
        pytest.param(
            "a" + "é" * 200 + ".txt", "text/plain", "a" + "é" * 125 + ".txt", id="ascii-then-two-byte"
        ),
        pytest.param("x" * 300, "application/pdf", "x" * 146 + ".pdf", id="150-characters-at-most"),
        pytest.param("compte\u2028rendu\u2029.txt", "text/plain", "compterendu.txt", id="line-separators"),
        pytest.param("compte\trendu\n.txt", "text/plain", "compterendu.txt", id="tab-and-line-feed"),
        pytest.param(
            "dossier\\sous/compte\x00rendu.txt", "text/plain", "compterendu.txt", id="separators-and-nul"
        ),
    ],
)
def test_names_are_cut_to_255_bytes_before_their_extension_on_a_character_boundary(
    raw, content_type, expected
):
    name = safe_name(raw, content_type)
    assert name == expected
    assert len(name.encode()) <= 255 and len(name) <= 150


def test_a_300_character_accented_name_is_stored_and_served_in_255_bytes(app, login_as):
    client = login_as(make_user(TEST_PASSWORD))
    raw = unicodedata.normalize("NFD", "Mémoire d'étape — " + "é" * 282 + ".docx")
    response = client.post(
        "/example/",
        data={"text": "Mémoire", "attachment": (io.BytesIO(a_docx("Gouvernance")), raw)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [stored] = db.session.scalars(sa.select(StoredFile))
    # 22 bytes of prefix, 114 "é" of two bytes, 5 of extension: 255 bytes.
    assert stored.name == "Mémoire d'étape — " + "é" * 114 + ".docx"
    assert len(stored.name.encode()) == 255
    # The download address carries the same name.
    [url] = re.findall(r'href="(/files/[^"]+)"', client.get("/example/").get_data(as_text=True))
    url = html.unescape(url)
    assert unquote(url) == f"/files/{stored.id}/{stored.name}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == stored_bytes(stored)
    disposition = download.headers["Content-Disposition"]
    assert re.search(r"filename\*=UTF-8''(\S+)", disposition) is not None
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)) == stored.name


def stored_bytes(stored: StoredFile) -> bytes:
    from portal.storage import path_of

    return path_of(stored).read_bytes()


def test_archive_names_stay_within_255_bytes_with_their_extension_even_numbered(tmp_path):
    long_name = "é" * 200 + ".pdf"
    part = safe_part(long_name, 150)
    assert part == "é" * 125 + ".pdf"
    with zip_spool([(f"Dossier/{part}", b"un"), (f"Dossier/{part}", b"deux")]) as spool:
        names = zipfile.ZipFile(spool).namelist()
    assert names[0] == f"Dossier/{part}"
    assert names[1] == f"Dossier/{'é' * 123} (2).pdf"
    assert all(len(name.split("/")[-1].encode()) <= 255 for name in names)
