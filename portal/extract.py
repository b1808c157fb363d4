"""Plain text out of stored documents (text, PDF, DOCX, ODT), for the search index, within fixed bounds.

A stored file is whatever a user sent: a 1 MB DOCX can hold an XML that expands to gigabytes, a PDF a stream
that inflates without end, an XML a million elements deep. Reading any of them costs a few megabytes and
seconds in the worker: office documents are stream-parsed out of their ZIP (no document tree is built), PDFs
are read by pypdf, within tightened limits, in a child process bounded in memory and time, and every document
stops at MAX_CHARS of text. A limit reached keeps the text read so far; nothing here raises to the uploader.
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.parsers import expat

log = logging.getLogger(__name__)

MIB = 1024 * 1024
#: Text kept per document: about 250 pages, more than a mémoire; the index holds its words and offsets.
MAX_CHARS = 500_000
#: Decompressed XML read at most from an office document (a 300-page thesis is a few MB).
MAX_XML_BYTES = 16 * MIB
#: Bytes between two ">" at most: the parser holds a whole start tag, and 100,000 attributes cost 40 MB.
MAX_TAG_BYTES = 256 * 1024
#: Elements open at once; the parser keeps each one until it closes (real documents: a few dozen).
MAX_DEPTH = 256
#: Distinct element, attribute and namespace names: the parser keeps each to the end (real documents: a few
#: hundred).
MAX_NAMES = 2000
#: A ZIP's central directory is read whole and each entry kept in memory: 1 MB is about 13,000 entries.
MAX_ZIP_DIRECTORY = MIB
#: Time one document may take (checked between chunks of XML and between PDF pages).
SECONDS = 10.0
#: PDF pages read at most.
MAX_PDF_PAGES = 2000
#: pypdf's own limits, tightened: its defaults let one stream inflate to 75 MB and one page's content hold
#: two million operands (each a Python object).
PDF_LIMITS = {
    "maximum_declared_stream_length": 32 * MIB,
    "array_based_stream_maximum_output_length": 8 * MIB,
    "zlib_maximum_output_length": 8 * MIB,
    "lzw_maximum_output_length": 8 * MIB,
    "run_length_maximum_output_length": 8 * MIB,
    "brotli_maximum_output_length": 8 * MIB,
    "jbig2_maximum_output_length": 8 * MIB,
    "image_maximum_buffer_size": 8 * MIB,
    "stream_decoding_work_maximum_length": 32 * MIB,
    "stream_parsing_work_maximum_count": 200_000,
    "xform_maximum_invocations_per_extraction": 500,
    # Flattening the page tree copies every page (4 KB each): 100,000 pages cost 400 MB.
    "page_tree_maximum_entries": 10_000,
    "page_tree_maximum_page_entries": 10_000,
    "jbig2dec_binary": None,
}
#: Entries of a cross-reference stream (a 20 MB report has a few tens of thousands of objects).
PDF_MAX_XREF_ENTRIES = 500_000
CHUNK = 64 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main "
_W_P, _W_T, _W_TAB, _W_BREAKS = _W + "p", _W + "t", _W + "tab", (_W + "br", _W + "cr")
_MC_FALLBACK = "http://schemas.openxmlformats.org/markup-compatibility/2006 Fallback"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
_TEXT_PARAGRAPHS = (_TEXT + "p", _TEXT + "h")
_TEXT_S, _TEXT_C, _TEXT_TAB, _TEXT_LINE_BREAK = _TEXT + "s", _TEXT + "c", _TEXT + "tab", _TEXT + "line-break"


class _Stop(Exception):
    """A limit is reached: the text read so far is kept; str() says which limit, for the log."""


class _Text:
    """Text gathered in pieces, up to MAX_CHARS; each piece kept is also given to `sink` if there is one."""

    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.sink = sink

    def add(self, piece: str) -> None:
        """Keep the piece, or what fits of it; raises _Stop once the text is full."""
        piece = piece[: MAX_CHARS - self.size]
        self.parts.append(piece)
        self.size += len(piece)
        if self.sink is not None and piece:
            self.sink(piece)
        if self.size >= MAX_CHARS:
            raise _Stop(f"text cut at {MAX_CHARS} characters")

    def value(self) -> str:
        """The text gathered."""
        return "".join(self.parts)


def extract_text(path: Path, content_type: str) -> str:
    """The document's text (at most MAX_CHARS), or "" for a type without text or a document that cannot be
    read."""
    readers = {"application/pdf": _pdf, DOCX: _docx, ODT: _odt, "text/plain": _plain, "text/csv": _plain}
    reader = readers.get(content_type)
    if reader is None:
        return ""
    text = _Text()
    try:
        reader(path, text)
    except _Stop as limit:
        log.info("text of %s (%s) read up to a limit: %s", path.name, content_type, limit)
    except Exception:
        # A damaged or hostile document must not break the upload or the reindex that reads it.
        log.warning("no text extracted from %s (%s)", path.name, content_type, exc_info=True)
        return ""
    return text.value()


def _plain(path: Path, text: _Text) -> None:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        text.add(handle.read(MAX_CHARS))


# -- ZIP containers ---------------------------------------------------------------------------------------
_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")


@contextmanager
def open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """The ZIP archive at `path`, opened only if its central directory is at most MAX_ZIP_DIRECTORY bytes
    (zipfile reads the directory whole and keeps an object per entry); raises zipfile.BadZipFile otherwise."""
    with path.open("rb") as handle:
        size = _directory_size(handle)
        if size is None or size > MAX_ZIP_DIRECTORY:
            raise zipfile.BadZipFile(f"central directory of {size} bytes refused")
        with zipfile.ZipFile(handle) as archive:
            yield archive


def _directory_size(handle) -> int | None:
    """The central directory's size as zipfile will read it: the same end records, found the same way (the
    last 22 bytes, else the last signature in the final 64 KiB, then a ZIP64 record just before it)."""
    handle.seek(0, 2)
    tail_start = max(handle.tell() - (1 << 16) - _END.size, 0)
    handle.seek(tail_start)
    tail = handle.read()
    if len(tail) < _END.size:
        return None
    last = len(tail) - _END.size
    start = (
        last if tail[last : last + 4] == b"PK\x05\x06" and tail[-2:] == b"\0\0" else tail.rfind(b"PK\x05\x06")
    )
    if start < 0 or start > last:
        return None
    size = _END.unpack_from(tail, start)[5]
    locator_at = tail_start + start - _END64_LOCATOR.size
    if locator_at >= _END64.size:
        handle.seek(locator_at)
        if handle.read(4) == b"PK\x06\x07":
            handle.seek(locator_at - _END64.size)
            record = handle.read(_END64.size)
            if record[:4] == b"PK\x06\x06":
                size = _END64.unpack(record)[8]
    return size


def _xml_member(path: Path, member: str, reader: _XmlReader) -> None:
    """Stream one XML member of a ZIP through the reader, up to MAX_XML_BYTES decompressed and SECONDS."""
    deadline = time.monotonic() + SECONDS
    parser = reader.parser()
    with open_zip(path) as archive, archive.open(member) as stream:
        read = since_tag = 0
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > MAX_XML_BYTES:
                raise _Stop(f"XML cut at {MAX_XML_BYTES} bytes")
            if time.monotonic() > deadline:
                raise _Stop(f"XML cut after {SECONDS:.0f} s, at {read} bytes")
            # A chunk is smaller than MAX_TAG_BYTES: only a run across chunks can be longer.
            first = chunk.find(b">")
            if first < 0:
                since_tag += len(chunk)
            elif since_tag + first > MAX_TAG_BYTES:
                raise _Stop(f"more than {MAX_TAG_BYTES} bytes without a '>'")
            else:
                since_tag = len(chunk) - 1 - chunk.rfind(b">")
            if since_tag > MAX_TAG_BYTES:
                raise _Stop(f"more than {MAX_TAG_BYTES} bytes without a '>'")
            parser.Parse(chunk, False)


class _XmlReader:
    """Expat events to text, within the depth and name limits; subclasses keep the text they want.

    Raw expat rather than SAX or a tree: it is twice as fast as xml.sax, and builds nothing. A DOCTYPE is
    refused (office documents have none; entity declarations, as in "billion laughs", live in it), and
    expat never fetches external entities unless asked to.
    """

    def __init__(self, text: _Text) -> None:
        self.text = text
        self.depth = 0
        self.names: set[str] = set()

    def parser(self):
        """A new expat parser wired to this reader (names come as "namespace-uri local-name")."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartNamespaceDeclHandler = self._namespace
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        return parser

    def _doctype(self, *declaration) -> None:
        raise ValueError("a DOCTYPE in an office document")

    def _namespace(self, prefix, uri) -> None:
        self.names.add(f"xmlns:{prefix}")
        self._count_names()

    def _count_names(self) -> None:
        if len(self.names) > MAX_NAMES:
            raise _Stop(f"more than {MAX_NAMES} distinct XML names")

    def start(self, name: str, attrs: dict) -> None:
        """An element opens: check the limits (subclasses then look at it)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Stop(f"XML deeper than {MAX_DEPTH}")
        self.names.add(name)
        if attrs:
            self.names.update(attrs)
        self._count_names()

    def end(self, name: str) -> None:
        """An element closes."""
        self.depth -= 1

    def characters(self, content: str) -> None:
        """Text between tags: subclasses keep what they want."""


class _DocxReader(_XmlReader):
    """WordprocessingML: the runs' text (w:t) of every paragraph, in tables and text boxes too; a text box's
    fallback copy (mc:Fallback) is skipped."""

    def __init__(self, text: _Text) -> None:
        super().__init__(text)
        self.in_text = False
        self.fallback = 0

    def start(self, name: str, attrs: dict) -> None:
        """Track text runs, tabs and breaks."""
        super().start(name, attrs)
        if self.fallback or name == _MC_FALLBACK:
            self.fallback += 1
        elif name == _W_T:
            self.in_text = True
        elif name == _W_TAB:
            self.text.add("\t")
        elif name in _W_BREAKS:
            self.text.add("\n")

    def end(self, name: str) -> None:
        """A paragraph ends with a line feed."""
        super().end(name)
        if self.fallback:
            self.fallback -= 1
        elif name == _W_T:
            self.in_text = False
        elif name == _W_P:
            self.text.add("\n")

    def characters(self, content: str) -> None:
        """Keep the text of runs only."""
        if self.in_text and not self.fallback:
            self.text.add(content)


class _OdtReader(_XmlReader):
    """OpenDocument text: the text of paragraphs and headings (text:p, text:h), in lists and tables too."""

    def __init__(self, text: _Text) -> None:
        super().__init__(text)
        self.paragraphs = 0

    def start(self, name: str, attrs: dict) -> None:
        """Track paragraphs, spaces, tabs and line breaks."""
        super().start(name, attrs)
        if name in _TEXT_PARAGRAPHS:
            self.paragraphs += 1
        elif name == _TEXT_S:
            count = attrs.get(_TEXT_C, "1")
            self.text.add(" " * (int(count) if count.isdigit() and len(count) < 4 else 1))
        elif name == _TEXT_TAB:
            self.text.add("\t")
        elif name == _TEXT_LINE_BREAK:
            self.text.add("\n")

    def end(self, name: str) -> None:
        """A paragraph ends with a line feed."""
        super().end(name)
        if name in _TEXT_PARAGRAPHS:
            self.paragraphs -= 1
            self.text.add("\n")

    def characters(self, content: str) -> None:
        """Keep the text inside paragraphs only."""
        if self.paragraphs:
            self.text.add(content)


def _docx(path: Path, text: _Text) -> None:
    _xml_member(path, "word/document.xml", _DocxReader(text))


def _odt(path: Path, text: _Text) -> None:
    _xml_member(path, "content.xml", _OdtReader(text))


# -- PDF --------------------------------------------------------------------------------------------------
#: Memory (address space) the child process reading a PDF may take beyond the worker's.
PDF_MEMORY = 192 * MIB
_COMPLETE, _CUT, _FAILED = 0, 3, 4


def _pdf(path: Path, text: _Text) -> None:
    """pypdf reads the PDF in a child process forked for it, bounded in memory (RLIMIT_AS) and killed after
    SECONDS: pypdf builds structures in proportion to the file that none of its options caps (a 40 MB
    cross-reference table costs it 350 MB and 16 s), and the worker itself must not grow."""
    import pypdf  # noqa: F401 - imported once in the worker rather than in every child

    if not hasattr(os, "fork"):
        _pdf_pages(path, text)
        return
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: whatever happens, it leaves through os._exit (no cleanup of the worker's state)
        status = _FAILED
        try:
            status = _pdf_child(path, write_end)
        finally:
            os._exit(status)
    os.close(write_end)
    received, status = _from_child(pid, read_end)
    text.add(received.decode("utf-8", "ignore"))
    if status == _CUT:
        raise _Stop("PDF read up to a limit (pages, time, text or pypdf's own)")
    if status != _COMPLETE:
        log.warning("PDF %s not read to the end (child process status %s)", path.name, status)


def _pdf_child(path: Path, fd: int) -> int:
    """In the forked child: the PDF's text into the pipe, page by page; returns the exit status."""
    try:
        # The kernel ends the child after SECONDS (and a grace) whatever it does, even if its parent is gone.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(int(SECONDS) + 2)
        # Only the pipe stays open: the worker's sockets and files are not the child's, and the pipe of
        # another thread's child must reach its end of file when that child exits, not when this one does.
        os.closerange(3, fd)
        os.closerange(fd + 1, os.sysconf("SC_OPEN_MAX"))
        # Objects the worker left for the collector are not the child's to finalise, and another thread of
        # the worker may have held the log's locks when it forked.
        gc.freeze()
        logging.disable(logging.CRITICAL)
        _limit_memory(PDF_MEMORY)
        with os.fdopen(fd, "wb") as pipe:

            def send(piece: str) -> None:
                pipe.write(piece.encode())
                pipe.flush()

            _pdf_pages(path, _Text(send))
    except _Stop:
        return _CUT
    except BaseException:
        return _FAILED
    return _COMPLETE


def _limit_memory(extra: int) -> None:
    """Let this process's address space grow by `extra` bytes at most (Linux; elsewhere, time bounds it)."""
    import resource

    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except OSError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = pages * os.sysconf("SC_PAGE_SIZE") + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard < 0 else min(limit, hard), hard))


def _from_child(pid: int, fd: int) -> tuple[bytes, int | None]:
    """What the child sent, and its exit status (negative: the signal that ended it); the child is killed
    once SECONDS (and a second of grace) have passed."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + SECONDS + 1
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0] or size > 4 * MAX_CHARS:
                os.kill(pid, signal.SIGKILL)
                break
            chunk = pipe.read(CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    try:
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:  # reaped by someone else's SIGCHLD handler
        status = None
    return b"".join(chunks), status


def _pdf_pages(path: Path, text: _Text) -> None:
    """The pages' text, within the page, time and pypdf limits."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    deadline = time.monotonic() + SECONDS
    # An open file, not the path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as handle, apply_configuration(**PDF_LIMITS):
        try:
            reader = PdfReader(handle, xref_stream_maximum_entries=PDF_MAX_XREF_ENTRIES)
            for number, page in enumerate(reader.pages):
                if number >= MAX_PDF_PAGES:
                    raise _Stop(f"PDF cut at {MAX_PDF_PAGES} pages")
                if time.monotonic() > deadline:
                    raise _Stop(f"PDF cut after {SECONDS:.0f} s, at page {number + 1}")
                text.add(_page_text(page))
                text.add("\n")
                # pypdf keeps every object it has read (with decoded streams) until the reader goes: the
                # pages read so far would add up.
                reader.resolved_objects.clear()
        except LimitReachedError as error:
            raise _Stop(f"PDF read up to pypdf's limit: {error}") from None


def _page_text(page) -> str:
    """One page's text; "" for a damaged page, which does not hide the others (a limit reached still stops
    the document)."""
    from pypdf.errors import LimitReachedError

    try:
        return page.extract_text() or ""
    except LimitReachedError:
        raise
    except Exception:
        log.info("PDF page unreadable", exc_info=True)
        return ""
