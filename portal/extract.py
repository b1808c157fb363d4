"""Plain text out of stored documents (text, PDF, DOCX, ODT), for the search index."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)
#: More text than this adds little to the index and costs memory.
MAX_CHARS = 2_000_000

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


def extract_text(path: Path, content_type: str) -> str:
    """The document's text, or "" for a type without text or a document that cannot be read."""
    try:
        if content_type in ("text/plain", "text/csv"):
            with path.open("r", encoding="utf-8", errors="replace") as handle:
                return handle.read(MAX_CHARS)
        if content_type == "application/pdf":
            return _pdf(path)
        if content_type == DOCX:
            return _docx(path)
        if content_type == ODT:
            return _odt(path)
    except Exception:
        # A damaged or hostile document must not break the upload that indexes it.
        log.warning("no text extracted from %s (%s)", path.name, content_type, exc_info=True)
    return ""


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    parts: list[str] = []
    size = 0
    for page in PdfReader(path).pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n".join(parts)[:MAX_CHARS]


def _docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.extend(cell.text for cell in row.cells)
    return "\n".join(paragraphs)[:MAX_CHARS]


def _odt(path: Path) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(str(path))
    return "\n".join(teletype.extractText(p) for p in document.getElementsByType(text.P))[:MAX_CHARS]
