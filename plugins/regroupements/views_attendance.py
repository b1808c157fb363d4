"""Attendance: a learner's own check-in, tutors' and staff's records and corrections, justifications."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.regroupements.blueprint import bp
from plugins.regroupements.forms import JustificationForm
from plugins.regroupements.models import (
    Attendance,
    AttendanceChange,
    Decision,
    Justification,
    Presence,
    Session,
    SessionStatus,
)
from plugins.regroupements.permissions import (
    is_learner,
    may_edit_timetable,
    may_record_attendance,
    may_see_learner,
    watched_learners,
)
from plugins.regroupements.queries import cohort_people
from plugins.regroupements.service import Refused, check_in, set_status
from plugins.regroupements.views_timetable import session_or_404
from portal.extensions import db
from portal.models import Cohort, Role, User, utcnow
from portal.storage import UploadRefused, save_upload


@bp.route("/session/<int:session_id>/checkin", methods=["POST"])
def checkin(session_id: int):
    """'Je suis présent(e)': the learner's own check-in, inside the session's window only."""
    session = session_or_404(session_id)
    if not is_learner(current_user, session.cohort_id):
        abort(404)
    claimed = request.form.get("user_id", str(current_user.id))
    if claimed != str(current_user.id):
        flash(_("Vous ne pouvez émarger que pour vous-même."), "error")
        return redirect(url_for("regroupements.session", session_id=session.id), 303)
    try:
        status = check_in(session, current_user)
    except Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        if status == Presence.LATE:
            flash(_("Votre présence est enregistrée (arrivée en retard)."), "success")
        else:
            flash(_("Votre présence est enregistrée."), "success")
    return redirect(url_for("regroupements.session", session_id=session.id), 303)


@bp.route("/session/<int:session_id>/attendance", methods=["POST"])
def attendance(session_id: int):
    """Tutors and staff record or correct attendance: one `status-<user id>` field per learner shown."""
    session = session_or_404(session_id)
    if not may_record_attendance(current_user, session.cohort_id):
        abort(404)
    if session.status == SessionStatus.CANCELLED:
        flash(_("Cette séance est annulée : il n'y a pas d'émargement."), "error")
        return redirect(url_for("regroupements.session", session_id=session.id), 303)
    watched = watched_learners(current_user, session.cohort_id)
    allowed = {u.id for u in cohort_people(session.cohort_id, Role.LEARNER, watched)}
    wanted: dict[int, Presence] = {}
    for key, value in request.form.items():
        if not key.startswith("status-") or not value:
            continue
        try:
            user_id, status = int(key.removeprefix("status-")), Presence(value)
        except ValueError:
            abort(400)
        if user_id not in allowed:
            abort(404)
        wanted[user_id] = status
    changed = sum(set_status(session, uid, status, current_user.id) for uid, status in wanted.items())
    db.session.commit()
    flash(
        _("%(n)d présence(s) modifiée(s).", n=changed) if changed else _("Aucune modification."),
        "success" if changed else "info",
    )
    return redirect(url_for("regroupements.session", session_id=session.id), 303)


@bp.route("/session/<int:session_id>/history/<int:user_id>")
def history(session_id: int, user_id: int):
    """Every change of a learner's attendance at a session: who, when, from what to what."""
    session = session_or_404(session_id)
    if not may_see_learner(current_user, session.cohort_id, user_id):
        abort(404)
    learner = db.get_or_404(User, user_id)
    changes = db.session.scalars(
        sa.select(AttendanceChange)
        .where(AttendanceChange.session_id == session.id, AttendanceChange.user_id == user_id)
        .options(so.joinedload(AttendanceChange.changed_by))
        .order_by(AttendanceChange.changed_dt, AttendanceChange.id)
    ).all()
    return render_template("regroupements/history.html", session=session, learner=learner, changes=changes)


@bp.route("/session/<int:session_id>/justify", methods=["GET", "POST"])
def justify(session_id: int):
    """A learner explains an absence, with a file if they have one."""
    session = session_or_404(session_id)
    if not is_learner(current_user, session.cohort_id):
        abort(404)
    existing = db.session.scalar(
        sa.select(Justification).where(
            Justification.session_id == session.id, Justification.user_id == current_user.id
        )
    )
    if existing is not None and existing.decision != Decision.PENDING:
        flash(_("Votre justificatif a déjà reçu une réponse."), "info")
        return redirect(url_for("regroupements.session", session_id=session.id))
    form = JustificationForm(obj=existing)
    if form.validate_on_submit():
        upload = form.file.data
        stored = None
        try:
            if upload is not None and getattr(upload, "filename", ""):
                stored = save_upload(upload, "regroupements", current_user)
        except UploadRefused as refusal:
            form.file.errors.append(str(refusal))
        else:
            if existing is None:
                existing = Justification(session_id=session.id, user_id=current_user.id, text="")
                db.session.add(existing)
            existing.text = form.text.data
            existing.submitted_dt = utcnow()
            if stored is not None:
                if existing.stored is not None:
                    from portal.storage import delete_stored

                    delete_stored(existing.stored)
                existing.stored = stored
            db.session.commit()
            flash(_("Votre justificatif est transmis à l'équipe pédagogique."), "success")
            return redirect(url_for("regroupements.session", session_id=session.id), 303)
    return render_template("regroupements/justify.html", form=form, session=session, existing=existing)


@bp.route("/justification/<int:justification_id>/decide", methods=["POST"])
def decide(justification_id: int):
    """Staff accept (the absence becomes excused) or refuse a justification."""
    justification = db.get_or_404(Justification, justification_id)
    session = db.session.get(Session, justification.session_id)
    if not may_edit_timetable(current_user, session.cohort_id):
        abort(404)
    verdict = request.form.get("verdict")
    if verdict not in ("accept", "refuse"):
        abort(400)
    justification.decision = Decision.ACCEPTED if verdict == "accept" else Decision.REFUSED
    justification.decided_by_id = current_user.id
    justification.decided_dt = utcnow()
    if verdict == "accept":
        set_status(session, justification.user_id, Presence.EXCUSED, current_user.id)
        flash(_("Justificatif accepté : l'absence est excusée."), "success")
    else:
        row = db.session.get(Attendance, (session.id, justification.user_id))
        if row is None or row.status == Presence.EXCUSED:
            set_status(session, justification.user_id, Presence.ABSENT, current_user.id)
        flash(_("Justificatif refusé."), "success")
    db.session.commit()
    back = request.form.get("back")
    if back == "cohort":
        return redirect(url_for("regroupements.justifications", cohort_id=session.cohort_id), 303)
    return redirect(url_for("regroupements.session", session_id=session.id), 303)


@bp.route("/cohort/<int:cohort_id>/justifications")
def justifications(cohort_id: int):
    """The cohort's justifications waiting for an answer, then the answered ones."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not may_edit_timetable(current_user, cohort.id):
        abort(404)
    rows = db.session.scalars(
        sa.select(Justification)
        .join(Session, Session.id == Justification.session_id)
        .where(Session.cohort_id == cohort.id)
        .options(
            so.joinedload(Justification.user),
            so.joinedload(Justification.session).joinedload(Session.seminar),
            so.joinedload(Justification.stored),
        )
        .order_by(Justification.decision != Decision.PENDING, Justification.submitted_dt.desc())
    ).all()
    return render_template("regroupements/justifications.html", cohort=cohort, rows=rows)
