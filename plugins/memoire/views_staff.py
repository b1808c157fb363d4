"""Pages of the memoire plugin for the équipe pédagogique: assignments and their specific dates."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.memoire import indexing
from plugins.memoire.blueprint import bp
from plugins.memoire.dates import paris_to_utc, utc_to_paris
from plugins.memoire.forms import AssignmentForm, ConfirmForm, OverrideForm
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
    Assignment,
    AssignmentKind,
    Override,
    Submission,
)
from plugins.memoire.permissions import (
    may_manage,
)
from plugins.memoire.service import (
    people_of,
)
from portal.extensions import db
from portal.models import Bloc, Cohort, Role, utcnow

LABELS = {
    "kind": KIND_LABELS,
    "status": STATUS_LABELS,
    "level": LEVEL_LABELS,
    "quality": QUALITY_LABELS,
    "decision": DECISION_LABELS,
    "feedback": FEEDBACK_LABELS,
    "type": TYPE_LABELS,
}


# -- assignments (staff) --------------------------------------------------------------------------------
def _managed_assignment_or_404(assignment_id: int) -> Assignment:
    found = db.get_or_404(Assignment, assignment_id)
    if not may_manage(current_user, found.cohort_id):
        abort(404)
    return found


def _blocs(cohort: Cohort) -> list[Bloc]:
    return list(
        db.session.scalars(
            sa.select(Bloc).where(Bloc.programme_id == cohort.programme_id).order_by(Bloc.number)
        )
    )


def _apply(form: AssignmentForm, assignment: Assignment) -> None:
    assignment.kind = AssignmentKind(form.kind.data)
    assignment.bloc_id = form.bloc_id.data
    assignment.title = form.title.data
    assignment.instructions = form.instructions.data or ""
    assignment.open_dt = paris_to_utc(form.open_dt.data)
    assignment.due_dt = paris_to_utc(form.due_dt.data)
    assignment.cutoff_dt = paris_to_utc(form.cutoff_dt.data)
    assignment.allowed_types = ",".join(form.allowed_types.data)
    assignment.max_files = form.max_files.data
    assignment.max_size_mb = form.max_size_mb.data
    assignment.text_answer = form.text_answer.data
    assignment.statement_required = form.statement_required.data
    assignment.updated_dt = utcnow()


@bp.route("/cohort/<int:cohort_id>/new", methods=["GET", "POST"])
def assignment_new(cohort_id: int):
    """Add an assignment to a cohort."""
    found = db.get_or_404(Cohort, cohort_id)
    if not may_manage(current_user, found.id):
        abort(404)
    form = AssignmentForm(blocs=_blocs(found))
    if not form.is_submitted():
        form.allowed_types.data = ["application/pdf"]
    if form.validate_on_submit():
        assignment = Assignment(cohort_id=found.id)
        _apply(form, assignment)
        db.session.add(assignment)
        db.session.flush()
        indexing.reindex_assignment_later(assignment)
        db.session.commit()
        flash(_("« %(title)s » est ajouté.", title=assignment.title), "success")
        return redirect(url_for("memoire.assignment", assignment_id=assignment.id), code=303)
    return render_template("memoire/assignment_form.html", form=form, cohort=found, assignment=None)


@bp.route("/assignment/<int:assignment_id>/edit", methods=["GET", "POST"])
def assignment_edit(assignment_id: int):
    """Edit an assignment."""
    found = _managed_assignment_or_404(assignment_id)
    form = AssignmentForm(obj=found, blocs=_blocs(found.cohort))
    if not form.is_submitted():
        form.kind.data = found.kind.value
        form.allowed_types.data = found.type_list
        for name in ("open_dt", "due_dt", "cutoff_dt"):
            form[name].data = utc_to_paris(getattr(found, name))
    if form.validate_on_submit():
        _apply(form, found)
        indexing.reindex_assignment_later(found)
        db.session.commit()
        flash(_("« %(title)s » est enregistré.", title=found.title), "success")
        return redirect(url_for("memoire.assignment", assignment_id=found.id), code=303)
    return render_template("memoire/assignment_form.html", form=form, cohort=found.cohort, assignment=found)


@bp.route("/assignment/<int:assignment_id>/delete", methods=["GET", "POST"])
def assignment_delete(assignment_id: int):
    """Delete an assignment nobody sent anything for."""
    found = _managed_assignment_or_404(assignment_id)
    sent = db.session.scalar(
        sa.select(sa.func.count(Submission.id)).where(
            Submission.assignment_id == found.id, Submission.version_count > 0
        )
    )
    form = ConfirmForm()
    if sent:
        flash(
            _(
                "Des travaux ont été envoyés pour « %(title)s » : il ne peut plus être supprimé.",
                title=found.title,
            ),
            "error",
        )
        return redirect(url_for("memoire.assignment", assignment_id=found.id), code=303)
    if form.validate_on_submit():
        from plugins.memoire.service import delete_submission_files

        cohort_id, title = found.cohort_id, found.title
        for submission in db.session.scalars(
            sa.select(Submission).where(Submission.assignment_id == found.id)
        ):
            delete_submission_files(submission)
        indexing.remove_assignment_later(found.id)
        db.session.delete(found)
        db.session.commit()
        flash(_("« %(title)s » est supprimé.", title=title), "success")
        return redirect(url_for("memoire.cohort", cohort_id=cohort_id), code=303)
    return render_template("memoire/assignment_delete.html", assignment=found, form=form)


@bp.route("/assignment/<int:assignment_id>/overrides", methods=["GET", "POST"])
def overrides(assignment_id: int):
    """Other dates for an atelier or a learner of the cohort."""
    found = _managed_assignment_or_404(assignment_id)
    form = OverrideForm()
    ateliers = found.cohort.ateliers
    learners = people_of({a.id for a in ateliers}, Role.LEARNER)
    targets = [(f"atelier-{a.id}", _("Atelier : %(name)s", name=a.name)) for a in ateliers]
    targets += [(f"user-{u.id}", _("Auditeur·rice : %(name)s", name=u.sort_name)) for u in learners]
    from portal.forms import choices

    form.target.choices = choices(targets)
    if form.validate_on_submit():
        kind, _sep, target_id = form.target.data.partition("-")
        column = Override.atelier_id if kind == "atelier" else Override.user_id
        row = db.session.scalar(
            sa.select(Override).where(Override.assignment_id == found.id, column == int(target_id))
        )
        if row is None:
            row = Override(assignment_id=found.id, **{column.key: int(target_id)})
            db.session.add(row)
        row.due_dt = paris_to_utc(form.due_dt.data)
        row.cutoff_dt = paris_to_utc(form.cutoff_dt.data)
        db.session.commit()
        flash(_("Les dates particulières sont enregistrées."), "success")
        return redirect(url_for("memoire.overrides", assignment_id=found.id), code=303)
    rows = db.session.scalars(
        sa.select(Override).where(Override.assignment_id == found.id).options(so.joinedload(Override.user))
    ).all()
    names = {a.id: a.name for a in ateliers}
    return render_template(
        "memoire/overrides.html", assignment=found, form=form, rows=rows, atelier_names=names
    )


@bp.route("/override/<int:override_id>/delete", methods=["POST"])
def override_delete(override_id: int):
    """Remove an override: the assignment's dates apply again."""
    row = db.get_or_404(Override, override_id)
    assignment = _managed_assignment_or_404(row.assignment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db.session.delete(row)
    db.session.commit()
    flash(_("Les dates particulières sont retirées."), "success")
    return redirect(url_for("memoire.overrides", assignment_id=assignment.id), code=303)
