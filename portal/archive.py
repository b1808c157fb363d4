"""ZIP downloads written to a temporary file, so that memory stays flat whatever the size of the files."""

from __future__ import annotations

import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path

from flask import Response, send_file

from portal.storage import NAME_BYTES, shorten_name


def safe_part(raw: str, limit: int = 80) -> str:
    """A folder or file name part: no slashes, no control or format characters, no leading dot; at most
    `limit` characters and NAME_BYTES bytes in UTF-8 (what unzipping onto any file system accepts), its
    extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf") and c not in '/\\:*?"<>|')
    name = " ".join(name.split()).strip(" .")
    return shorten_name(name, limit).rstrip(" .") or "sans-nom"


def _unique(name: str, taken: set[str]) -> str:
    folder, slash, leaf = name.rpartition("/")
    stem, ext = os.path.splitext(leaf)
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f" ({n}){ext}"
        # The numbered name stays within NAME_BYTES too: its stem gives way to the suffix.
        candidate = (
            folder + slash + shorten_name(stem, NAME_BYTES, NAME_BYTES - len(suffix.encode())) + suffix
        )
    taken.add(candidate)
    return candidate


def zip_spool(entries: Iterable[tuple[str, Path | bytes | str]]):
    """A temporary file (rewound) holding the ZIP of the entries: (name in the archive, a file's path or the
    content itself); a name met twice becomes "name (2).ext"."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller (send_file) closes it
    taken: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            unique = _unique(name, taken)
            if isinstance(content, Path):
                archive.write(content, arcname=unique)
            else:
                archive.writestr(unique, content)
    spool.seek(0)
    return spool


def zip_response(entries: Iterable[tuple[str, Path | bytes | str]], download_name: str) -> Response:
    """The entries as one ZIP download named `download_name` (made safe, ".zip" added if missing)."""
    name = safe_part(download_name, 100)
    if not name.lower().endswith(".zip"):
        name = safe_part(f"{name}.zip", 104)
    return send_file(zip_spool(entries), mimetype="application/zip", as_attachment=True, download_name=name)
