"""ZIP downloads written to a temporary file, so that memory stays flat whatever the size of the files."""

from __future__ import annotations

import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path

from flask import Response, send_file


def safe_part(raw: str, limit: int = 80) -> str:
    """A folder or file name part: no slashes, no control or format characters, no leading dot."""
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf") and c not in '/\\:*?"<>|')
    name = " ".join(name.split()).strip(" .")
    return name[:limit].rstrip() or "sans-nom"


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
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
    return send_file(
        zip_spool(entries),
        mimetype="application/zip",
        as_attachment=True,
        download_name=name if name.lower().endswith(".zip") else f"{name}.zip",
    )
