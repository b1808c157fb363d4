"""Bulk download: the last version of chosen submissions as a ZIP, one folder per learner, written to a
temporary file so that memory stays flat."""

from __future__ import annotations

import tempfile
import unicodedata
import zipfile

from flask import Response, send_file

from portal.storage import path_of


def safe_part(raw: str, limit: int = 80) -> str:
    """A folder or file name part: no slashes, no control or format characters, no leading dot."""
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf") and c not in '/\\:*?"<>|')
    name = " ".join(name.split()).strip(" .")
    return name[:limit].rstrip() or "sans-nom"


def zip_response(submissions, download_name: str) -> Response:
    """One folder per learner, holding for each submission its last version's files and text answer."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by send_file when the response ends
    taken: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for submission in sorted(
            submissions, key=lambda s: (s.user.last_name, s.user.first_name, s.assignment.due_dt)
        ):
            if not submission.versions:
                continue
            version = submission.versions[-1]
            learner, title = safe_part(submission.user.sort_name), safe_part(submission.assignment.title)
            folder = f"{learner}/{title} - v{version.number}"
            for link in version.files:
                archive.write(
                    path_of(link.stored),
                    arcname=_unique(f"{folder}/{safe_part(link.stored.name, 150)}", taken),
                )
            if version.text:
                archive.writestr(_unique(f"{folder}/reponse-ecrite.md", taken), version.text)
    spool.seek(0)
    return send_file(
        spool, mimetype="application/zip", as_attachment=True, download_name=safe_part(download_name, 100)
    )


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
    taken.add(candidate)
    return candidate
