"""Readable file types, icons and sizes: what people read instead of MIME types and byte counts."""

import pytest

from portal.filetypes import file_icon, file_type_label, filesize

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def french(app):
    """A request in French, as the portal's users make them."""
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        yield


@pytest.fixture
def english(app):
    """A request in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize(
    ("content_type", "label", "icon"),
    [
        ("application/pdf", "PDF", "bi-file-earmark-pdf"),
        (DOCX, "Document Word", "bi-file-earmark-word"),
        ("application/msword", "Document Word", "bi-file-earmark-word"),
        ("application/vnd.oasis.opendocument.text", "Document OpenDocument", "bi-file-earmark-text"),
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Classeur Excel",
            "bi-file-earmark-excel",
        ),
        (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "Présentation PowerPoint",
            "bi-file-earmark-ppt",
        ),
        ("image/png", "Image PNG", "bi-file-earmark-image"),
        ("image/jpeg", "Image JPEG", "bi-file-earmark-image"),
        ("image/x-icon", "Image", "bi-file-earmark-image"),
        ("text/plain; charset=utf-8", "Texte", "bi-file-earmark-text"),
        ("text/csv", "CSV", "bi-filetype-csv"),
        ("application/zip", "Archive ZIP", "bi-file-earmark-zip"),
        ("application/x-unknown", "Fichier", "bi-file-earmark"),
        ("", "Fichier", "bi-file-earmark"),
        (None, "Fichier", "bi-file-earmark"),
    ],
)
def test_types_are_named_as_people_name_them(french, content_type, label, icon):
    assert file_type_label(content_type) == label
    assert file_icon(content_type) == icon


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 octet"),
        (994, "994 octets"),
        (999, "999 octets"),
        (1000, "1 Ko"),
        (1024, "1 Ko"),
        (12_800, "12,5 Ko"),
        (1_048_000, "1 Mo"),
        (1_258_291, "1,2 Mo"),
        (3_355_443, "3,2 Mo"),
        (5 * 1024**3, "5 Go"),
    ],
)
def test_sizes_read_in_french(french, size, text):
    assert filesize(size) == text


def test_no_size_reads_as_zero(french):
    # French says "0 octet" once a French catalogue gives its plural rule; the source strings use English's.
    assert filesize(None) == filesize(0) == filesize(-5)
    assert filesize(0).startswith("0 octet")


def test_sizes_and_types_follow_the_language(english):
    assert filesize(1) == "1 byte"
    assert filesize(994) == "994 bytes"
    assert filesize(12_800) == "12.5 KB"
    assert file_type_label(DOCX) == "Word document"
    assert file_type_label("application/x-unknown") == "File"


def test_templates_get_the_filter_and_helpers(app, french):
    from flask import render_template_string

    html = render_template_string(
        "{% from '_ui.html' import file_meta %}{{ file_meta('application/pdf', 994) }}|{{ 2048|filesize }}"
    )
    assert "PDF, 994 octets" in html and "bi-file-earmark-pdf" in html
    assert html.endswith("|2 Ko")
