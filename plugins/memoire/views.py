"""Pages of the memoire plugin: the overview, the cohort page and the learner's side of an assignment."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.memoire.blueprint import bp
from plugins.memoire.dates import countdown, late_label
from plugins.memoire.forms import ConfirmForm, SubmissionForm
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
    Submission,
)
from plugins.memoire.permissions import (
    is_learner,
    may_manage,
    may_see_assignment,
)
from plugins.memoire.queries import assignments_of, cells_for, overrides_of, submission_states
from plugins.memoire.service import (
    Refused,
    check_can_send,
    dates_for,
    people_of,
    remove_draft_file,
    save_draft,
    send_version,
    submission_of,
)
from portal.extensions import db
from portal.models import Atelier, Cohort, Role, utcnow
from portal.permissions import atelier_ids, managed_cohort_ids, memberships
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


@bp.context_processor
def _labels():
    return {"L": LABELS, "countdown": countdown, "late_label": late_label, "QUALITIES": QUALITIES}


# -- overview -----------------------------------------------------------------------------------------
@bp.route("/")
def index():
    """The user's work (learner), ateliers (tutor) and cohorts (staff)."""
    now = utcnow()
    mine = memberships(current_user)
    learner_cohorts = {c for c, roles in mine.cohort_roles.items() if Role.LEARNER in roles}
    assignments = assignments_of(learner_cohorts)
    overrides = overrides_of([a.id for a in assignments])
    states = submission_states([a.id for a in assignments], [current_user.id])
    ateliers = {aid for aid, role in mine.atelier_roles.items() if role == Role.LEARNER}
    cells = cells_for(assignments, overrides, states, current_user.id, ateliers)
    tutored = _ateliers(atelier_ids(current_user, Role.TUTOR))
    managed = managed_cohort_ids(current_user)
    cohort_query = sa.select(Cohort).order_by(Cohort.start_date.desc(), Cohort.name)
    if managed is not None:
        cohort_query = cohort_query.where(Cohort.id.in_(sorted(managed)))
    cohorts = db.session.scalars(cohort_query).all()
    return render_template(
        "memoire/index.html",
        cells=cells,
        learner_cohorts=sorted(learner_cohorts),
        tutored=tutored,
        cohorts=cohorts,
        now=now,
    )


def _ateliers(ids) -> list[Atelier]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Atelier)
            .where(Atelier.id.in_(sorted(ids)))
            .options(so.joinedload(Atelier.cohort))
            .order_by(Atelier.name)
        )
    )


@bp.route("/cohort/<int:cohort_id>")
def cohort(cohort_id: int):
    """A cohort's assignments (staff manage them) and its ateliers' grids."""
    found = db.get_or_404(Cohort, cohort_id)
    if not may_see_assignment(current_user, found.id):
        abort(404)
    manager = may_manage(current_user, found.id)
    assignments = assignments_of([found.id])
    ateliers = (
        found.ateliers
        if manager
        else _ateliers(
            {
                a
                for a in atelier_ids(current_user, Role.TUTOR)
                if memberships(current_user).atelier_cohort[a] == found.id
            }
        )
    )
    return render_template(
        "memoire/cohort.html", cohort=found, assignments=assignments, manager=manager, ateliers=ateliers
    )


def _assignment_or_404(assignment_id: int) -> Assignment:
    found = db.get_or_404(Assignment, assignment_id)
    if not may_see_assignment(current_user, found.cohort_id):
        abort(404)
    return found


# -- the learner's side ---------------------------------------------------------------------------------
@bp.route("/assignment/<int:assignment_id>")
def assignment(assignment_id: int):
    """An assignment: instructions and dates; the learner's draft and form; the supervisors' list."""
    found = _assignment_or_404(assignment_id)
    return _assignment_page(found, SubmissionForm())


def _assignment_page(found: Assignment, form: SubmissionForm, status: int = 200, error: str = ""):
    now = utcnow()
    learner = is_learner(current_user, found.cohort_id)
    submission = dates = None
    refusal = ""
    if learner:
        dates = dates_for(found, current_user)
        submission = submission_of(found, current_user)
        try:
            check_can_send(found, submission, dates, now)
        except Refused as why:
            refusal = str(why)
        if not form.is_submitted() and submission is not None:
            form.text.data = submission.draft_text
    followed = _followed_submissions(found)
    return render_template(
        "memoire/assignment.html",
        assignment=found,
        learner=learner,
        submission=submission,
        dates=dates,
        refusal=refusal,
        form=form,
        error=error,
        now=now,
        manager=may_manage(current_user, found.cohort_id),
        followed=followed,
    ), status


def _followed_submissions(found: Assignment) -> list[Submission] | None:
    """The submissions of this assignment the user supervises (None for someone who supervises nobody)."""
    query = (
        sa.select(Submission)
        .where(Submission.assignment_id == found.id)
        .options(so.joinedload(Submission.user))
        .order_by(Submission.updated_dt.desc())
    )
    if may_manage(current_user, found.cohort_id):
        return list(db.session.scalars(query))
    tutored = [
        a
        for a in atelier_ids(current_user, Role.TUTOR)
        if memberships(current_user).atelier_cohort[a] == found.cohort_id
    ]
    if not tutored:
        return None
    learner_ids = [u.id for u in people_of(set(tutored), Role.LEARNER)]
    return list(db.session.scalars(query.where(Submission.user_id.in_(learner_ids)))) if learner_ids else []


@bp.route("/assignment/<int:assignment_id>/submit", methods=["POST"])
def submit(assignment_id: int):
    """Save the learner's draft (files, text) and, with the send button, send it as a new version."""
    found = _assignment_or_404(assignment_id)
    if not is_learner(current_user, found.cohort_id):
        abort(404)
    form = SubmissionForm()
    if not form.validate_on_submit():
        return _assignment_page(found, form, 400)
    now = utcnow()
    dates = dates_for(found, current_user)
    existing = submission_of(found, current_user)
    try:
        check_can_send(found, existing, dates, now)
        submission = existing or submission_of(found, current_user, create=True)
        uploads = [f for f in form.files.data or [] if getattr(f, "filename", "")]
        save_draft(submission, uploads, form.text.data, current_user)
        sending = form.action.data == "send"
        if sending:
            version = send_version(submission, dates, form.statement.data, now)
    except (Refused, UploadRefused) as why:
        db.session.rollback()
        return _assignment_page(found, form, getattr(why, "status", 400), str(why))
    db.session.commit()
    if sending:
        flash(_("Votre travail est envoyé (version %(n)d).", n=version.number), "success")
        return redirect(url_for("memoire.submission", submission_id=submission.id), code=303)
    flash(_("Votre brouillon est enregistré."), "success")
    return redirect(url_for("memoire.assignment", assignment_id=found.id), code=303)


@bp.route("/submission/<int:submission_id>/draft-file/<int:link_id>/remove", methods=["POST"])
def draft_file_remove(submission_id: int, link_id: int):
    """Take a file out of the learner's draft."""
    submission = db.get_or_404(Submission, submission_id)
    if submission.user_id != current_user.id or not ConfirmForm().validate_on_submit():
        abort(404)
    link = next((f for f in submission.draft_files if f.id == link_id), None)
    if link is None:
        abort(404)
    try:
        check_can_send(
            submission.assignment, submission, dates_for(submission.assignment, current_user), utcnow()
        )
    except Refused as why:
        flash(str(why), "error")
        return redirect(url_for("memoire.assignment", assignment_id=submission.assignment_id), code=303)
    remove_draft_file(submission, link)
    db.session.commit()
    flash(_("Le fichier est retiré du brouillon."), "success")
    return redirect(url_for("memoire.assignment", assignment_id=submission.assignment_id), code=303)
