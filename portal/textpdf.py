"""A one-page PDF of plain text, written by hand: demo documents and test fixtures need no PDF library."""

from collections.abc import Sequence


def text_pdf(title: str, lines: Sequence[str] = ()) -> bytes:
    """A small one-page PDF with a title and lines of French text (Helvetica, WinAnsi encoding)."""

    def literal(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = b"BT /F1 16 Tf 50 790 Td " + literal(title) + b" Tj /F1 11 Tf 0 -28 Td 14 TL"
    for line in lines:
        content += b" " + literal(line) + b" '"
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
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
