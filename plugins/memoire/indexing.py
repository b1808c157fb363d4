"""Search documents of the memoire plugin: assignment instructions (the cohort) and the text of each learner's
last version (private: the learner, their tutors and the cohort's staff)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from portal import search
from portal.extensions import db
from portal.extract import extract_text
from portal.plugins import SearchDoc
from portal.storage import path_of


def assignment_doc(assignment) -> SearchDoc:
    """The instructions of an assignment, for the people of its cohort."""
    return SearchDoc(
        doc_id=f"memoire:assignment:{assignment.id}",
        plugin="memoire",
        kind="assignment",
        title=assignment.title,
        body=assignment.instructions,
        url=url_for("memoire.assignment", assignment_id=assignment.id),
        updated_dt=assignment.updated_dt,
        cohort_id=assignment.cohort_id,
        visibility="cohort",
    )


def version_text(version) -> str:
    """The text answer and the text of the files of a version."""
    parts = [version.text or ""]
    parts += [extract_text(path_of(link.stored), link.stored.content_type) for link in version.files]
    return "\n".join(p for p in parts if p)


def submission_doc(submission, tutor_ids: list[int]) -> SearchDoc | None:
    """The last version's text, private to the learner, readable by their tutors (and the cohort's staff)."""
    if not submission.versions:
        return None
    last = submission.versions[-1]
    body = version_text(last)
    if not body.strip():
        return None  # nothing to find in it: a version of scanned images, say
    assignment = submission.assignment
    return SearchDoc(
        doc_id=f"memoire:submission:{submission.id}",
        plugin="memoire",
        kind="submission",
        title=f"{assignment.title} — {submission.user.full_name}",
        body=body,
        url=url_for("memoire.submission", submission_id=submission.id),
        updated_dt=last.submitted_dt,
        cohort_id=assignment.cohort_id,
        owner_id=submission.user_id,
        visibility="private",
        reader_ids=tuple(tutor_ids),
    )


def reindex_assignment_later(assignment) -> None:
    """Replace the assignment's document once the transaction commits."""
    search.index_later(assignment_doc(assignment))


def remove_assignment_later(assignment_id: int) -> None:
    """Remove the assignment's document once the transaction commits."""
    search.remove_later(f"memoire:assignment:{assignment_id}")


def reindex_later(submission) -> None:
    """Replace the submission's document once the transaction commits."""
    from plugins.memoire.service import tutors_of

    tutors = [t.id for t in tutors_of(submission.user, submission.assignment.cohort_id)]
    doc = submission_doc(submission, tutors)
    if doc is None:
        remove_later(submission.id)
    else:
        search.index_later(doc)


def remove_later(submission_id: int) -> None:
    """Remove the submission's document once the transaction commits."""
    search.remove_later(f"memoire:submission:{submission_id}")


def refresh_atelier(atelier, added=(), removed=(), **_kwargs) -> None:
    """Receiver of atelier_changed: the readers of the atelier's submissions (its tutors) may have changed.

    Sent after the commit: the documents are written at once. A failure is logged, never raised to the page
    that changed the atelier; `portal reindex` repairs the index.
    """
    import logging
    from contextlib import nullcontext

    from flask import current_app, has_request_context

    from plugins.memoire.models import Assignment, Submission, Version, VersionFile
    from plugins.memoire.service import people_of
    from portal.models import Role
    from portal.permissions import forget_memberships

    if "memoire" not in current_app.blueprints:
        return  # the signal is shared by every app of the process; this one does not run the plugin
    try:
        forget_memberships()
        learner_ids = {u.id for u in people_of({atelier.id}, Role.LEARNER)} | set(added) | set(removed)
        if not learner_ids:
            return
        submissions = db.session.scalars(
            sa.select(Submission)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .where(
                Submission.user_id.in_(sorted(learner_ids)),
                Submission.version_count > 0,
                Assignment.cohort_id == atelier.cohort_id,
            )
            .options(
                so.selectinload(Submission.versions)
                .selectinload(Version.files)
                .joinedload(VersionFile.stored),
                so.joinedload(Submission.assignment),
                so.joinedload(Submission.user),
            )
        ).all()
        changes = {}
        context = nullcontext() if has_request_context() else current_app.test_request_context()
        with context:
            _fill(changes, submissions, atelier.cohort_id)
        if changes:
            search.apply_changes(changes)
    except Exception:
        logging.getLogger(__name__).exception(
            "could not refresh the search readers of atelier %s", atelier.id
        )


def _fill(changes: dict, submissions, cohort_id: int) -> None:
    """Each submission's document with its current readers."""
    from plugins.memoire.service import tutors_of

    for submission in submissions:
        tutors = [t.id for t in tutors_of(submission.user, cohort_id)]
        changes[f"memoire:submission:{submission.id}"] = submission_doc(submission, tutors)


def all_documents() -> Iterator[SearchDoc]:
    """Every assignment and every sent submission, for `portal reindex`."""
    from plugins.memoire.models import Assignment, Submission, Version, VersionFile
    from plugins.memoire.service import tutors_of

    for assignment in db.session.scalars(sa.select(Assignment)):
        yield assignment_doc(assignment)
    submissions = db.session.scalars(
        sa.select(Submission)
        .where(Submission.version_count > 0)
        .options(
            so.selectinload(Submission.versions).selectinload(Version.files).joinedload(VersionFile.stored),
            so.joinedload(Submission.assignment),
            so.joinedload(Submission.user),
        )
    )
    for submission in submissions:
        tutors = [t.id for t in tutors_of(submission.user, submission.assignment.cohort_id)]
        doc = submission_doc(submission, tutors)
        if doc is not None:
            yield doc
