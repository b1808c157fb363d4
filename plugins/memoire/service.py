"""Changes to submissions that more than one page needs: the draft, sending a version, reopening, feedback,
notifications."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from plugins.memoire import indexing
from plugins.memoire.dates import Dates, effective_dates
from plugins.memoire.models import (
    Assignment,
    DraftFile,
    Feedback,
    FeedbackFile,
    Override,
    Submission,
    SubmissionStatus,
    Version,
    VersionFile,
)
from plugins.memoire.permissions import learner_ateliers
from portal.extensions import db
from portal.mail import mail_user
from portal.members import atelier_members
from portal.models import Role, User, utcnow
from portal.storage import StoredFile, delete_stored, save_upload
from portal.urls import absolute_url

#: Statuses in which the learner may change the draft and send it.
OPEN_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.REOPENED)


class Refused(ValueError):
    """A change the rules refuse; str() is a message for people."""


def dates_for(assignment: Assignment, user: User) -> Dates:
    """The dates that apply to the user (two queries at most)."""
    overrides = db.session.scalars(sa.select(Override).where(Override.assignment_id == assignment.id)).all()
    return effective_dates(assignment, list(overrides), user.id, learner_ateliers(user, assignment.cohort_id))


def submission_of(assignment: Assignment, user: User, create: bool = False) -> Submission | None:
    """The user's submission of the assignment, created (flushed) when asked and missing."""
    found = db.session.scalar(
        sa.select(Submission).where(Submission.assignment_id == assignment.id, Submission.user_id == user.id)
    )
    if found is None and create:
        found = Submission(assignment=assignment, user=user)
        db.session.add(found)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # created by the same learner's other request just before
            found = db.session.scalar(
                sa.select(Submission).where(
                    Submission.assignment_id == assignment.id, Submission.user_id == user.id
                )
            )
    return found


def check_can_send(
    assignment: Assignment, submission: Submission | None, dates: Dates, now: datetime
) -> None:
    """Raise Refused unless the learner may change and send their work now (checked on every route)."""
    if dates.open_dt is not None and now < dates.open_dt:
        raise Refused(_("Ce travail n'est pas encore ouvert au dépôt."))
    if dates.cutoff_dt is not None and now >= dates.cutoff_dt:
        raise Refused(_("La date limite de dépôt est dépassée : plus aucun dépôt n'est possible."))
    if submission is not None and submission.status == SubmissionStatus.LOCKED:
        raise Refused(_("Ce dépôt est verrouillé par votre tuteur·rice."))
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        raise Refused(
            _(
                "Votre travail est déjà envoyé pour évaluation ; votre tuteur·rice peut le rouvrir "
                "pour une nouvelle version."
            )
        )


def save_draft(submission: Submission, uploads: list, text: str | None, user: User) -> None:
    """Store the uploads (streamed by portal.storage, bytes before rows) and the text in the draft (flushed).

    Raises UploadRefused or Refused; the caller rolls back, so a refused file among several leaves the draft
    as it was, and the bytes already written become orphans that `portal sweep` removes.
    """
    assignment = submission.assignment
    if len(submission.draft_files) + len(uploads) > assignment.max_files:
        raise Refused(
            _(
                "Vous pouvez joindre au plus %(n)d fichier(s) : retirez-en avant d'en ajouter.",
                n=assignment.max_files,
            )
        )
    max_size = min(assignment.max_size_mb * 1024 * 1024, current_app.config["STORAGE_MAX_FILE_SIZE"])
    for upload in uploads:
        stored = save_upload(upload, "memoire", user, allowed_types=assignment.type_list, max_size=max_size)
        submission.draft_files.append(DraftFile(stored=stored))
    if text is not None and assignment.text_answer:
        submission.draft_text = text
    submission.updated_dt = utcnow()
    db.session.flush()


def remove_draft_file(submission: Submission, link: DraftFile) -> None:
    """Take a file out of the draft; its bytes go once no version uses it either (flushed)."""
    submission.draft_files.remove(link)
    submission.updated_dt = utcnow()
    db.session.flush()
    forget_file(link.file_id)


def forget_file(file_id: int) -> None:
    """Delete a stored file once no draft, version or feedback uses it (call after flushing)."""
    for table in (DraftFile, VersionFile, FeedbackFile):
        if db.session.scalar(sa.select(table.id).where(table.file_id == file_id).limit(1)) is not None:
            return
    stored = db.session.get(StoredFile, file_id)
    if stored is not None:
        delete_stored(stored)


def send_version(submission: Submission, dates: Dates, statement: bool, now: datetime) -> Version:
    """Turn the draft into a new version (flushed): exactly one version per send, even on a double click.

    The status changes by a compare-and-set UPDATE: of two concurrent sends, only the one that finds the
    draft open gets its row; the other raises Refused. The unique (submission, number) key backs it up.
    """
    assignment = submission.assignment
    if not submission.draft_files and not submission.draft_text.strip():
        raise Refused(_("Ajoutez au moins un fichier ou une réponse écrite avant d'envoyer."))
    if assignment.statement_required and not statement:
        raise Refused(_("Cochez la déclaration sur l'honneur pour envoyer votre travail."))
    table = Submission.__table__
    claimed = db.session.execute(
        table.update()
        .where(table.c.id == submission.id, table.c.status.in_([s.value for s in OPEN_STATUSES]))
        .values(
            status=SubmissionStatus.SUBMITTED.value,
            version_count=table.c.version_count + 1,
            updated_dt=now,
        )
        .returning(table.c.version_count)
    ).scalar()
    if claimed is None:
        raise Refused(_("Ce travail vient déjà d'être envoyé : une seule version est enregistrée."))
    version = Version(
        submission_id=submission.id,
        number=claimed,
        text=submission.draft_text if assignment.text_answer else "",
        submitted_dt=now,
        late_seconds=dates.late_seconds(now),
        statement=bool(statement),
        files=[VersionFile(file_id=link.file_id) for link in submission.draft_files],
    )
    db.session.add(version)
    db.session.flush()
    db.session.expire(submission, ["status", "version_count", "updated_dt", "versions"])
    notify_tutors(submission, version)
    indexing.reindex_later(submission)
    return version


def tutors_of(learner: User, cohort_id: int) -> list[User]:
    """The tutors of the learner's ateliers in the cohort."""
    ateliers = learner_ateliers(learner, cohort_id)
    if not ateliers:
        return []
    return people_of(ateliers, Role.TUTOR)


def people_of(atelier_ids, role: Role) -> list[User]:
    """The active members of these ateliers holding the role, each once, by name."""
    return atelier_members(atelier_ids, role) if atelier_ids else []


def notify_tutors(submission: Submission, version: Version) -> None:
    """Mail the learner's tutors that a version arrived (sent after the commit)."""
    link = absolute_url("memoire.submission", submission_id=submission.id)
    learner, assignment = submission.user, submission.assignment
    for tutor in tutors_of(learner, assignment.cohort_id):
        mail_user(
            tutor,
            lambda: _("Nouveau dépôt : %(title)s — %(name)s", title=assignment.title, name=learner.full_name),
            lambda: _(
                "%(name)s a envoyé la version %(n)d de « %(title)s ».\n\n"
                "Pour la lire et donner votre retour : %(link)s",
                name=learner.full_name,
                n=version.number,
                title=assignment.title,
                link=link,
            ),
        )


def reopen(submission: Submission) -> None:
    """Let the learner send a new version (their draft starts from the last version)."""
    submission.status = SubmissionStatus.REOPENED
    submission.updated_dt = utcnow()


def lock(submission: Submission) -> None:
    """Close the submission: nothing more can be sent."""
    submission.status = SubmissionStatus.LOCKED
    submission.updated_dt = utcnow()


def unlock(submission: Submission) -> None:
    """Undo a lock: back to sent when a version exists, else to draft."""
    submission.status = SubmissionStatus.SUBMITTED if submission.version_count else SubmissionStatus.DRAFT
    submission.updated_dt = utcnow()


def save_feedback(version: Version, form, author: User, release: bool) -> Feedback:
    """Apply a valid feedback form to the version's feedback (flushed); raises UploadRefused."""
    from plugins.memoire.models import QUALITIES

    feedback = version.feedback
    if feedback is None:
        feedback = Feedback(version=version)
        db.session.add(feedback)  # before the uploads below flush the session
    feedback.comment = form.comment.data or ""
    for quality in QUALITIES:
        setattr(feedback, quality, form[quality].data or None)
    feedback.decision = form.decision.data or None
    feedback.mark = form.mark.data
    feedback.author_id = author.id
    for upload in [f for f in form.files.data or [] if getattr(f, "filename", "")]:
        feedback.files.append(FeedbackFile(stored=save_upload(upload, "memoire", author)))
    db.session.add(feedback)
    submission = version.submission
    submission.updated_dt = utcnow()
    if release and feedback.released_dt is None:
        feedback.released_dt = utcnow()
        notify_learner(submission, version)
    db.session.flush()
    return feedback


def notify_learner(submission: Submission, version: Version) -> None:
    """Mail the learner that feedback on a version is released."""
    link = absolute_url("memoire.submission", submission_id=submission.id)
    learner, assignment = submission.user, submission.assignment
    mail_user(
        learner,
        lambda: _("Retour disponible : %(title)s", title=assignment.title),
        lambda: _(
            "Votre tuteur·rice a publié son retour sur la version %(n)d de « %(title)s ».\n\n"
            "Pour le lire : %(link)s",
            n=version.number,
            title=assignment.title,
            link=link,
        ),
    )


def delete_submission_files(submission: Submission) -> None:
    """Delete a submission (flushed) and every stored file only it used."""
    file_ids = {link.file_id for link in submission.draft_files}
    for version in submission.versions:
        file_ids |= {link.file_id for link in version.files}
        if version.feedback is not None:
            file_ids |= {link.file_id for link in version.feedback.files}
    indexing.remove_later(submission.id)
    db.session.delete(submission)
    db.session.flush()
    for file_id in file_ids:
        forget_file(file_id)
