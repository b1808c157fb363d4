"""Pages of the memoire plugin around one learner's work: versions, feedback, comparison, supervision log,
and the tutor's atelier grid with its ZIP download."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.memoire.blueprint import bp
from plugins.memoire.forms import ConfirmForm, FeedbackForm
from plugins.memoire.labels import (
    DECISION_LABELS,
    FEEDBACK_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    QUALITY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
)
from plugins.memoire.models import (
    QUALITIES,
    Assignment,
    Feedback,
    Submission,
    Version,
    VersionFile,
)
from plugins.memoire.permissions import (
    is_learner,
    may_see_learner,
    may_supervise,
    may_tutor_atelier,
)
from plugins.memoire.queries import assignments_of, cells_for, overrides_of, submission_states
from plugins.memoire.service import (
    dates_for,
    lock,
    people_of,
    reopen,
    save_feedback,
    unlock,
)
from portal.extensions import db
from portal.models import Atelier, Cohort, Role, User, utcnow
from portal.storage import UploadRefused

LABELS = {
    "kind": KIND_LABELS,
    "status": STATUS_LABELS,
    "level": LEVEL_LABELS,
    "quality": QUALITY_LABELS,
    "decision": DECISION_LABELS,
    "feedback": FEEDBACK_LABELS,
    "type": TYPE_LABELS,
}


# -- one submission -------------------------------------------------------------------------------------
def _submission_or_404(submission_id: int) -> Submission:
    found = db.session.scalar(
        sa.select(Submission)
        .where(Submission.id == submission_id)
        .options(so.joinedload(Submission.assignment), so.joinedload(Submission.user))
    )
    if found is None or not may_see_learner(current_user, found.user, found.assignment.cohort_id):
        abort(404)
    return found


@bp.route("/submission/<int:submission_id>")
def submission(submission_id: int):
    """A submission's versions with their feedback (learners see only released feedback)."""
    found = _submission_or_404(submission_id)
    supervisor = may_supervise(current_user, found.user, found.assignment.cohort_id)
    versions = db.session.scalars(
        sa.select(Version)
        .where(Version.submission_id == found.id)
        .options(
            so.selectinload(Version.files).joinedload(VersionFile.stored),
            so.selectinload(Version.feedback).selectinload(Feedback.files),
        )
        .order_by(Version.number.desc())
    ).all()
    dates = dates_for(found.assignment, found.user)
    return render_template(
        "memoire/submission.html",
        submission=found,
        assignment=found.assignment,
        versions=versions,
        supervisor=supervisor,
        dates=dates,
        now=utcnow(),
    )


@bp.route("/submission/<int:submission_id>/<action>", methods=["POST"])
def submission_action(submission_id: int, action: str):
    """Reopen (a new version allowed), lock or unlock a submission."""
    found = _submission_or_404(submission_id)
    if not may_supervise(current_user, found.user, found.assignment.cohort_id) or action not in (
        "reopen",
        "lock",
        "unlock",
    ):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    {"reopen": reopen, "lock": lock, "unlock": unlock}[action](found)
    db.session.commit()
    messages = {
        "reopen": _("Le dépôt est rouvert : l'auditeur·rice peut envoyer une nouvelle version."),
        "lock": _("Le dépôt est verrouillé."),
        "unlock": _("Le dépôt est déverrouillé."),
    }
    flash(messages[action], "success")
    return redirect(url_for("memoire.submission", submission_id=found.id), code=303)


@bp.route("/version/<int:version_id>/feedback", methods=["GET", "POST"])
def feedback(version_id: int):
    """The tutor's feedback on a version: saved as a draft, or released to the learner."""
    version = db.get_or_404(Version, version_id)
    found = _submission_or_404(version.submission_id)
    if not may_supervise(current_user, found.user, found.assignment.cohort_id):
        abort(404)
    existing = version.feedback
    form = FeedbackForm(obj=existing)
    if not form.is_submitted() and existing is not None:
        for name in QUALITIES:
            value = getattr(existing, name)
            form[name].data = value.value if value else None
        form.decision.data = existing.decision.value if existing.decision else ""
    if form.validate_on_submit():
        release = request.form.get("release") == "1"
        try:
            save_feedback(version, form, current_user, release)
        except UploadRefused as why:
            db.session.rollback()
            form.files.errors.append(str(why))
            return render_template(
                "memoire/feedback_form.html", form=form, version=version, submission=found
            ), why.status
        db.session.commit()
        flash(
            _("Le retour est publié.")
            if version.feedback.released_dt
            else _("Le retour est enregistré en brouillon."),
            "success",
        )
        return redirect(
            url_for("memoire.submission", submission_id=found.id, _anchor=f"version-{version.number}"),
            code=303,
        )
    return render_template("memoire/feedback_form.html", form=form, version=version, submission=found)


@bp.route("/submission/<int:submission_id>/compare")
def compare(submission_id: int):
    """The differences between two versions' texts (text answer and PDF, DOCX, ODT files)."""
    from plugins.memoire.diff import compare_versions

    found = _submission_or_404(submission_id)
    versions = {v.number: v for v in found.versions}
    if len(versions) < 2:
        abort(404)
    numbers = sorted(versions)
    try:
        old = int(request.args.get("a", numbers[-2]))
        new = int(request.args.get("b", numbers[-1]))
    except ValueError:
        abort(404)
    if old not in versions or new not in versions:
        abort(404)
    rows, changed = compare_versions(versions[old], versions[new])
    return render_template(
        "memoire/compare.html",
        submission=found,
        old=versions[old],
        new=versions[new],
        rows=rows,
        changed=changed,
        numbers=numbers,
    )


# -- supervision log -------------------------------------------------------------------------------------
@bp.route("/log/<int:cohort_id>/<int:learner_id>", methods=["GET", "POST"])
def log(cohort_id: int, learner_id: int):
    """A learner's supervision log: dated meetings, decisions and next steps, by the tutor or the learner."""
    from datetime import date

    from plugins.memoire.forms import LogEntryForm
    from plugins.memoire.labels import LOG_KIND_LABELS
    from plugins.memoire.models import LogEntry, LogKind

    learner = db.get_or_404(User, learner_id)
    if not is_learner(learner, cohort_id) or not may_see_learner(current_user, learner, cohort_id):
        abort(404)
    form = LogEntryForm()
    if not form.is_submitted():
        form.entry_date.data = date.today()
    if form.validate_on_submit():
        db.session.add(
            LogEntry(
                cohort_id=cohort_id,
                learner_id=learner.id,
                author_id=current_user.id,
                entry_date=form.entry_date.data,
                kind=LogKind(form.kind.data),
                text=form.text.data,
            )
        )
        db.session.commit()
        flash(_("L'entrée est ajoutée au journal."), "success")
        return redirect(url_for("memoire.log", cohort_id=cohort_id, learner_id=learner.id), code=303)
    entries = db.session.scalars(
        sa.select(LogEntry)
        .where(LogEntry.cohort_id == cohort_id, LogEntry.learner_id == learner.id)
        .options(so.joinedload(LogEntry.author))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc())
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "memoire/log.html",
        learner=learner,
        cohort=db.session.get(Cohort, cohort_id),
        entries=entries,
        form=form,
        kinds=LOG_KIND_LABELS,
    ), status


# -- tutor's grid ----------------------------------------------------------------------------------------
def _atelier_or_404(atelier_id: int) -> Atelier:
    found = db.get_or_404(Atelier, atelier_id)
    if not may_tutor_atelier(current_user, found):
        abort(404)
    return found


@bp.route("/atelier/<int:atelier_id>")
def atelier(atelier_id: int):
    """Learners × assignments: status, lateness, feedback and last activity; filter on what waits."""
    found = _atelier_or_404(atelier_id)
    now = utcnow()
    waiting_only = request.args.get("waiting") == "1"
    learners = people_of({found.id}, Role.LEARNER)
    assignments = assignments_of([found.cohort_id])
    overrides = overrides_of([a.id for a in assignments])
    states = submission_states([a.id for a in assignments], [u.id for u in learners])
    rows = [(u, cells_for(assignments, overrides, states, u.id, {found.id})) for u in learners]
    waiting = sum(c.waiting for _u, cells in rows for c in cells)
    if waiting_only:
        keep = {i for _u, cells in rows for i, c in enumerate(cells) if c.waiting}
        assignments = [a for i, a in enumerate(assignments) if i in keep]
        rows = [
            (u, [c for i, c in enumerate(cells) if i in keep])
            for u, cells in rows
            if any(c.waiting for c in cells)
        ]
    # Plain strings, translated once: a lazy label costs a gettext call at each of the grid's cells.
    labels = {
        "status": {k: str(v) for k, v in STATUS_LABELS.items()},
        "feedback": {k: str(v) for k, v in FEEDBACK_LABELS.items()},
    }
    return render_template(
        "memoire/atelier.html",
        labels=labels,
        atelier=found,
        rows=rows,
        assignments=assignments,
        now=now,
        waiting_only=waiting_only,
        waiting=waiting,
    )


@bp.route("/atelier/<int:atelier_id>/zip", methods=["POST"])
def atelier_zip(atelier_id: int):
    """The last version of the chosen submissions as one ZIP, one folder per learner."""
    from plugins.memoire.archive import submissions_zip

    found = _atelier_or_404(atelier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        chosen = {int(v) for v in request.form.getlist("submission")}
    except ValueError:
        abort(404)
    if not chosen:
        flash(_("Cochez au moins un dépôt à télécharger."), "error")
        return redirect(url_for("memoire.atelier", atelier_id=found.id), code=303)
    learner_ids = {u.id for u in people_of({found.id}, Role.LEARNER)}
    submissions = db.session.scalars(
        sa.select(Submission)
        .join(Assignment)
        .where(Submission.id.in_(sorted(chosen)))
        .options(
            so.joinedload(Submission.user),
            so.joinedload(Submission.assignment),
            so.selectinload(Submission.versions).selectinload(Version.files).joinedload(VersionFile.stored),
        )
    ).all()
    if len(submissions) != len(chosen) or any(
        s.user_id not in learner_ids or s.assignment.cohort_id != found.cohort_id for s in submissions
    ):
        abort(404)
    return submissions_zip(submissions, f"{found.name}.zip")
