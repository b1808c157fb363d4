"""Hostile and normal documents for the upload-memory figures and tests: office files and PDFs whose content
expands to a gigabyte from about a megabyte, built in about a second (one compressed block repeated)."""

from __future__ import annotations

import io
import random
import struct
import zlib

MIB = 1024 * 1024
GIB = 1024 * MIB
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODT_TYPE = b"application/vnd.oasis.opendocument.text"
ODT_NS = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    b'<manifest:file-entry manifest:full-path="/" '
    b'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    b"</manifest:manifest>"
)


class Repeated:
    """A member's content: `head`, then `unit` `count` times, then `tail`, without ever holding it whole."""

    def __init__(self, head: bytes, unit: bytes, count: int, tail: bytes):
        self.head, self.unit, self.count, self.tail = head, unit, count, tail

    @property
    def size(self) -> int:
        """Bytes once expanded."""
        return len(self.head) + len(self.unit) * self.count + len(self.tail)

    def deflated(self) -> bytes:
        """Raw deflate data: each part compressed once after a full flush, so the unit's block repeats."""
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = compressor.compress(self.head) + compressor.flush(zlib.Z_FULL_FLUSH)
        unit = compressor.compress(self.unit) + compressor.flush(zlib.Z_FULL_FLUSH)
        return head + unit * self.count + compressor.compress(self.tail) + compressor.flush()

    def checksum(self, function, start: int) -> int:
        """crc32 or adler32 of the expanded content."""
        value = function(self.head, start)
        for _ in range(self.count):
            value = function(self.unit, value)
        return function(self.tail, value)


def zip_of(members: list[tuple[str, bytes | Repeated]]) -> bytes:
    """A ZIP archive of the members, in order: bytes are stored as they are, Repeated ones deflated."""
    out = io.BytesIO()
    directory = []
    for name, content in members:
        raw = name.encode()
        if isinstance(content, Repeated):
            method, data, size = 8, content.deflated(), content.size
            crc = content.checksum(zlib.crc32, 0)
        else:
            method, data, size, crc = 0, content, len(content), zlib.crc32(content)
        offset = out.tell()
        sizes = (crc, len(data), size, len(raw))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, *sizes, 0))
        out.write(raw + data)
        entry = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, *sizes, 0, 0, 0, 0, 0, offset
        )
        directory.append(entry + raw)
    start = out.tell()
    out.write(b"".join(directory))
    # Readers go by the directory's size; a count beyond 16 bits is written as its maximum.
    count = min(len(members), 0xFFFF)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, out.tell() - start, start, 0))
    return out.getvalue()


def docx_of(document: bytes | Repeated) -> bytes:
    """A DOCX (python-docx opens it) whose word/document.xml is `document`."""
    return zip_of(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELATIONSHIPS),
            ("word/document.xml", document),
        ]
    )


def odt_of(content: bytes | Repeated) -> bytes:
    """An ODT (its `mimetype` entry first and stored, as the format requires; odfpy opens it) whose
    content.xml is `content`."""
    return zip_of([("mimetype", ODT_TYPE), ("META-INF/manifest.xml", MANIFEST), ("content.xml", content)])


def _words(size: int) -> bytes:
    """`size` bytes of one letter: the longest runs deflate packs best (about 1000 to 1)."""
    return b"a" * size


def docx_bomb(expanded: int = GIB) -> bytes:
    """A DOCX of about 1 MB whose document.xml expands to `expanded` bytes of paragraphs of text."""
    paragraph = b"<w:p><w:r><w:t>" + _words(64 * 1024 - 34) + b"</w:t></w:r></w:p>"
    unit = paragraph * 16
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
    return docx_of(Repeated(head, unit, expanded // len(unit), b"</w:body></w:document>"))


def odt_bomb(expanded: int = GIB) -> bytes:
    """An ODT of about 1 MB whose content.xml expands to `expanded` bytes of paragraphs of text."""
    paragraph = b"<text:p>" + _words(64 * 1024 - 17) + b"</text:p>"
    unit = paragraph * 16
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        + ODT_NS
        + b"><office:body><office:text>"
    )
    tail = b"</office:text></office:body></office:document-content>"
    return odt_of(Repeated(head, unit, expanded // len(unit), tail))


def pdf_of(streams: list[bytes | Repeated]) -> bytes:
    """A PDF with one page per content stream, each compressed (FlateDecode), in Helvetica."""
    count = len(streams)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
        + b"]/Count %d>>" % count,
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    for i, stream in enumerate(streams):
        content = stream if isinstance(stream, Repeated) else Repeated(stream, b"", 0, b"")
        data = b"\x78\xda" + content.deflated() + struct.pack(">L", content.checksum(zlib.adler32, 1))
        resources = b"/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R>>>>"
        objects.append(b"<</Type/Page/Parent 2 0 R%s/Contents %d 0 R>>" % (resources, 5 + 2 * i))
        objects.append(b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(data), data))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_bomb(expanded: int = GIB) -> bytes:
    """A one-page PDF of about 1 MB whose content stream inflates to `expanded` bytes of shown text."""
    unit = b"BT /F1 12 Tf 72 720 Td (" + _words(MIB - 40) + b") Tj ET\n"
    return pdf_of([Repeated(b"", unit, expanded // len(unit), b"")])


def markup_docx(expanded: int = GIB) -> bytes:
    """A DOCX whose document.xml expands to `expanded` bytes of empty paragraphs: no text, only markup."""
    unit = b"<w:p><w:r><w:t></w:t></w:r></w:p>" * 30_000
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
    return docx_of(Repeated(head, unit, expanded // len(unit), b"</w:body></w:document>"))


def odt_with_huge_mimetype(expanded: int = GIB) -> bytes:
    """An ODT whose `mimetype` entry (read to detect the type) expands to `expanded` bytes."""
    return zip_of(
        [("mimetype", Repeated(ODT_TYPE, b" " * MIB, expanded // MIB, b"")), ("content.xml", b"<x/>")]
    )


def many_entries_zip(entries: int = 100_000) -> bytes:
    """A DOCX-looking ZIP whose central directory lists `entries` entries (zipfile keeps an object each)."""
    document = (
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>ok</w:t></w:r></w:p></w:body></w:document>'
    )
    return zip_of([("word/document.xml", document.encode())] + [(str(n), b"") for n in range(entries)])


def xref_table_pdf(entries: int = 500_000) -> bytes:
    """A valid PDF with a classic cross-reference table of `entries` lines (20 bytes each): pypdf keeps a
    dictionary entry per line, which none of its options caps."""
    head = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    head += b"2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n"
    table = b"xref\n0 %d\n0000000000 65535 f \n0000000009 00000 n \n0000000056 00000 n \n" % entries
    table += b"0000000009 00000 n \n" * (entries - 3)
    trailer = b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (entries, len(head))
    return head + table + trailer


# -- normal documents --------------------------------------------------------------------------------------
SENTENCE = (
    "La société coopérative d'intérêt collectif associe salariés, usagers et collectivités ; "
    "le mémoire décrit sa gouvernance, son modèle économique et son utilité sociale. "
)


def normal_docx(size: int = 20 * MIB, pages: int = 300) -> bytes:
    """A real DOCX (python-docx) of `pages` pages of text and photos (random pixels) up to about `size`."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    rng = random.Random(1)
    photos = max(1, (size - pages * 2000) // (512 * 1024))
    for page in range(pages):
        document.add_heading(f"Partie {page + 1}", level=2)
        for _ in range(6):
            document.add_paragraph(SENTENCE * 3)
        if page % max(1, pages // photos) == 0:
            document.add_picture(io.BytesIO(_photo(rng, 512 * 1024)), width=Cm(8))
    table = document.add_table(rows=20, cols=3)
    for row in table.rows:
        for cell in row.cells:
            cell.text = "Budget prévisionnel"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def normal_pdf(size: int = 20 * MIB, pages: int = 300) -> bytes:
    """A real PDF (reportlab) of `pages` pages of text and photos (random pixels) up to about `size`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    rng = random.Random(1)
    # reportlab embeds a photo as compressed pixels: about 750 KB each.
    photos = max(1, (size - pages * 3000) // (750 * 1024))
    for page in range(pages):
        pdf.setFont("Helvetica", 10)
        for line in range(60):
            pdf.drawString(40, 800 - 12 * line, SENTENCE[: 90 + line % 20])
        if page % max(1, pages // photos) == 0:
            pdf.drawImage(ImageReader(io.BytesIO(_photo(rng, 512 * 1024))), 300, 40, width=200, height=200)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _photo(rng: random.Random, size: int) -> bytes:
    """A JPEG of random pixels (it does not compress) of about `size` bytes."""
    from PIL import Image

    side = int((size / 0.6) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, format="JPEG", quality=75)
    return out.getvalue()
