"""Small helpers shared by the test modules."""

import html

import sqlalchemy as sa

from portal.extensions import db
from portal.textpdf import text_pdf


def text(response) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def rows_of(tables: dict[str, tuple[str, ...]]) -> dict[str, set]:
    """Every row of these tables, without the named columns (times that change on any visit), to check
    that a refused request changed nothing."""
    db.session.expire_all()
    return {
        name: set(
            db.session.execute(sa.select(*[c for c in db.metadata.tables[name].c if c.name not in skip]))
        )
        for name, skip in tables.items()
    }


def pdf_bytes(text: str) -> bytes:
    """A valid one-page PDF whose text is `text`."""
    return text_pdf(text)
