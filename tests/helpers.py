"""Small helpers shared by the test modules."""

import html

import sqlalchemy as sa

from portal.extensions import db


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
    """A minimal valid one-page PDF showing `text` (ASCII) in Helvetica, with a correct xref table."""
    stream = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
