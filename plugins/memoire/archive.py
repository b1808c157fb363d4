"""Bulk download: the last version of chosen submissions as a ZIP, one folder per learner."""

from __future__ import annotations

from flask import Response

from portal.archive import safe_part, zip_response
from portal.storage import path_of


def submissions_zip(submissions, download_name: str) -> Response:
    """One folder per learner, holding for each submission its last version's files and text answer."""
    return zip_response(_entries(submissions), download_name)


def _entries(submissions):
    for submission in sorted(
        submissions, key=lambda s: (s.user.last_name, s.user.first_name, s.assignment.due_dt)
    ):
        if not submission.versions:
            continue
        version = submission.versions[-1]
        learner, title = safe_part(submission.user.sort_name), safe_part(submission.assignment.title)
        folder = f"{learner}/{title} - v{version.number}"
        for link in version.files:
            yield f"{folder}/{safe_part(link.stored.name, 150)}", path_of(link.stored)
        if version.text:
            yield f"{folder}/reponse-ecrite.md", version.text
