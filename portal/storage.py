"""Uploads: streamed to a temporary file, checked, fsync'ed, renamed into the store, then recorded; served
only after the owning plugin says yes."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import magic
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, current_app, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from portal.aftercommit import after_commit
from portal.extensions import db
from portal.extract import open_zip
from portal.models import KEEP_IDS, UTCDateTime, utcnow

CHUNK_SIZE = 64 * 1024

#: Types accepted by default, detected from the content (never from the name the browser sends).
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "text/plain",
        "text/csv",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)
#: Types a browser may show in the page instead of downloading them; everything else is an attachment.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
#: Canonical extensions, for names whose extension does not match the content.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
#: Extensions a text/plain file may keep.
TEXT_EXTENSIONS = {".txt", ".md", ".csv", ".tsv"}


class StoredFile(db.Model):
    """A file in the store; a plugin's row points to it and the plugin decides who may read it."""

    __tablename__ = "stored_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: path inside the store, made by the portal: never from the user
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    #: name of the plugin that owns the file and answers can_read_file
    plugin: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    #: the uploader's file name, made safe, for display and download
    name: so.Mapped[str] = so.mapped_column(sa.String(160))
    #: detected from the content
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_inline(self) -> bool:
        """Whether browsers may show it in the page."""
        return self.content_type in INLINE_TYPES


class UploadRefused(ValueError):
    """An upload the checks refuse; str() is a message for people, `status` the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def store_root() -> Path:
    """The folder of stored files (STORAGE_PATH, default instance/files)."""
    root = current_app.config.get("STORAGE_PATH") or Path(current_app.instance_path) / "files"
    return Path(root)


def path_of(stored: StoredFile) -> Path:
    """Where the stored file's bytes are."""
    return store_root() / stored.key


#: A file name's limits: characters for the column, bytes in UTF-8 for file systems (ext4, NTFS, APFS: 255).
NAME_CHARS = 150
NAME_BYTES = 255
#: Unicode categories removed from names: controls (C0, DEL, C1), format characters such as U+202E (which
#: would let "x\u202etxt.exe" show as "xexe.txt"), line and paragraph separators, lone surrogates.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def safe_name(raw: str | None, content_type: str) -> str:
    """A display name: no folders, no control characters, an extension that matches the content, at most
    NAME_CHARS characters and NAME_BYTES bytes in UTF-8 (see shorten_name)."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    name = name.strip().lstrip(".") or "fichier"
    stem, ext = os.path.splitext(name)
    allowed = (
        TEXT_EXTENSIONS if content_type == "text/plain" else set(mimetypes.guess_all_extensions(content_type))
    )
    allowed.add(EXTENSIONS.get(content_type, ""))
    if ext.lower() not in allowed:
        stem, ext = name, EXTENSIONS.get(content_type, "")
    return shorten_name(stem + ext.lower(), NAME_CHARS)


#: The longest ending kept as an extension when a name is shortened.
_EXTENSION_CHARS = 10


def shorten_name(name: str, max_chars: int, max_bytes: int = NAME_BYTES) -> str:
    """The name in at most `max_chars` characters and `max_bytes` bytes of UTF-8: cut before its extension
    (one of up to ten characters), on a character boundary, never in the middle of a UTF-8 sequence."""
    stem, ext = os.path.splitext(name)
    if len(ext) > _EXTENSION_CHARS:
        stem, ext = name, ""
    stem = stem[: max_chars - len(ext)]
    # Cut the UTF-8 bytes, then drop the partial sequence the cut may leave at the end.
    stem = stem.encode()[: max_bytes - len(ext.encode())].decode("utf-8", "ignore")
    return stem.rstrip() + ext


#: libmagic decides from the start of a file; reading it a whole file cost ~14 MB of memory per upload.
DETECT_BYTES = 1024 * 1024


def _detect(path: Path) -> str:
    with path.open("rb") as handle:
        detected = magic.from_buffer(handle.read(DETECT_BYTES), mime=True)
    if detected == "application/zip" or detected == "application/octet-stream":
        # libmagic names some office files by their container; their own markers decide.
        detected = _office_type(path) or detected
    if detected == "application/csv":
        detected = "text/csv"
    return detected


def _office_type(path: Path) -> str | None:
    try:
        with open_zip(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # Only OpenDocument files are named by this entry; any other claim is a plain ZIP's. The entry
                # is the user's: read its first bytes only, whatever size it expands to.
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return declared if declared.startswith("application/vnd.oasis.opendocument.") else None
            if "word/document.xml" in names:
                return EXTENSIONS_BY_MARKER["word"]
            if "xl/workbook.xml" in names:
                return EXTENSIONS_BY_MARKER["xl"]
            if "ppt/presentation.xml" in names:
                return EXTENSIONS_BY_MARKER["ppt"]
    except Exception:
        # Not a ZIP, one refused by open_zip (a directory too large), or an encrypted, damaged or otherwise
        # unreadable one (zipfile, zlib and struct each have their errors): not an office document.
        return None
    return None


EXTENSIONS_BY_MARKER = {
    "word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass
class _Received:
    path: Path
    size: int
    sha256: str


def _receive(stream, tmp_dir: Path, max_size: int) -> _Received:
    """Copy the upload in chunks to a temporary file beside the store, hashing and counting."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=tmp_dir, prefix="upload-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > max_size:
                    raise UploadRefused(
                        _("Le fichier dépasse la taille autorisée (%(mb)s Mo).", mb=_megabytes(max_size)), 413
                    )
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _Received(path, size, digest.hexdigest())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.2f}"


def save_upload(
    upload: FileStorage,
    plugin: str,
    user=None,
    allowed_types: Iterable[str] | None = None,
    max_size: int | None = None,
) -> StoredFile:
    """Check an upload and move it into the store; returns the StoredFile, added and flushed, not committed.

    Raises UploadRefused (empty file, too large: status 413, type not allowed). The bytes are in place
    before the row exists, so a committed row never points to a missing file; a crash in between leaves
    an orphan that `portal sweep` removes.
    """
    root = store_root()
    max_size = max_size or current_app.config["STORAGE_MAX_FILE_SIZE"]
    received = _receive(upload.stream, root / "tmp", max_size)
    try:
        if received.size == 0:
            raise UploadRefused(_("Le fichier est vide."))
        content_type = _detect(received.path)
        allowed = frozenset(allowed_types) if allowed_types is not None else DOCUMENT_TYPES
        if content_type not in allowed:
            raise UploadRefused(_("Ce type de fichier n'est pas accepté ici."), 415)
        key = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, target)
        _fsync_dir(target.parent)
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    stored = StoredFile(
        key=key,
        plugin=plugin,
        name=safe_name(upload.filename, content_type),
        content_type=content_type,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=getattr(user, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def delete_stored(stored: StoredFile) -> None:
    """Delete the row now and the bytes once the outermost transaction commits (kept if it, or the savepoint
    the deletion was made in, rolls back)."""
    path = path_of(stored)
    db.session.delete(stored)
    after_commit(lambda: path.unlink(missing_ok=True))


def send_stored(stored: StoredFile) -> Response:
    """The file as a response: inline only for safe types, otherwise a forced download; never sniffed, and
    sandboxed either way (the site's other headers are added as on every response)."""
    response = send_file(
        path_of(stored),
        mimetype=stored.content_type,
        as_attachment=not stored.is_inline,
        download_name=stored.name,
        conditional=True,
        etag=stored.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = _file_policy(stored.content_type)
    return response


def _file_policy(content_type: str) -> str:
    """A stored file never runs scripts nor reaches the site as the user, even shown in the page: `sandbox`
    gives it an opaque origin (no cookies, no storage, no scripts, no forms)."""
    if content_type == "application/pdf":
        # Chromium's PDF viewer is an embedded extension: object-src lets it load. It shows a top-level
        # sandboxed PDF (checked with Chromium 156), though not one in a sandboxed frame.
        return "default-src 'none'; object-src 'self'; frame-ancestors 'self'; sandbox"
    return "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def sweep(grace_seconds: int) -> tuple[list[str], list[str]]:
    """Remove store files that no row points to (and abandoned temporary files) older than the grace period.

    Returns (removed keys, keys of rows whose file is missing).
    """
    root = store_root()
    if not root.is_dir():
        return [], []
    known = set(db.session.scalars(sa.select(StoredFile.key)))
    cutoff = time.time() - grace_seconds
    removed = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        key = path.relative_to(root).as_posix()
        if key not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(key)
    missing = sorted(k for k in known if not (root / k).is_file())
    return sorted(removed), missing
