"""Report pages and exports: hours per learner and bloc, CSV, PDF attestations and half-day sheets."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.regroupements.blueprint import bp
from plugins.regroupements.models import Justification, Session
from plugins.regroupements.permissions import (
    may_edit_timetable,
    may_record_attendance,
    may_see_learner,
    watched_learners,
)
from plugins.regroupements.queries import attendance_of, cohort_people
from plugins.regroupements.reports import (
    all_sheets,
    attestation,
    build_report,
    half_day_sessions,
    half_day_sheet,
    report_csv,
    status_labels,
)
from plugins.regroupements.service import local
from plugins.regroupements.views_timetable import cohort_or_404
from portal.extensions import db
from portal.models import Programme, Role, User, utcnow


def _pdf(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/cohort/<int:cohort_id>/report")
def report(cohort_id: int):
    """Hours attended against planned, per bloc and in total: staff see the cohort, tutors their ateliers'
    learners, a learner only themself."""
    cohort = cohort_or_404(cohort_id)
    watched = watched_learners(current_user, cohort.id)
    if watched is not None and not watched:
        abort(404)
    if watched == {current_user.id}:
        return redirect(url_for("regroupements.learner", cohort_id=cohort.id, user_id=current_user.id))
    found = build_report(cohort, watched)
    return render_template(
        "regroupements/report.html",
        report=found,
        cohort=cohort,
        staff=may_edit_timetable(current_user, cohort.id),
    )


@bp.route("/cohort/<int:cohort_id>/report.csv")
def report_export(cohort_id: int):
    """The report as a CSV file, with the same rows as the page."""
    cohort = cohort_or_404(cohort_id)
    watched = watched_learners(current_user, cohort.id)
    if watched is not None and not watched:
        abort(404)
    body = report_csv(build_report(cohort, watched))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="assiduite-{cohort.id}.csv"'
    return response


def _learner_or_404(cohort_id: int, user_id: int) -> User:
    if not may_see_learner(current_user, cohort_id, user_id):
        abort(404)
    learners = cohort_people(cohort_id, Role.LEARNER, {user_id})
    if not learners:
        abort(404)
    return learners[0]


@bp.route("/cohort/<int:cohort_id>/learner/<int:user_id>")
def learner(cohort_id: int, user_id: int):
    """One learner's attendance: hours per bloc, then every session with its status and justification."""
    cohort = cohort_or_404(cohort_id)
    person = _learner_or_404(cohort.id, user_id)
    found = build_report(cohort, {person.id})
    sessions = db.session.scalars(
        sa.select(Session)
        .where(Session.cohort_id == cohort.id)
        .options(so.joinedload(Session.seminar))
        .order_by(Session.start_dt)
    ).all()
    ids = [s.id for s in sessions]
    marks = {s: a for (s, _u), a in attendance_of(ids, {person.id}).items()}
    reasons = (
        {
            j.session_id: j
            for j in db.session.scalars(
                sa.select(Justification).where(
                    Justification.user_id == person.id, Justification.session_id.in_(ids)
                )
            )
        }
        if ids
        else {}
    )
    return render_template(
        "regroupements/learner.html",
        cohort=cohort,
        person=person,
        report=found,
        sessions=sessions,
        marks=marks,
        reasons=reasons,
        labels=status_labels(),
        now=utcnow(),
        self_view=person.id == current_user.id,
    )


@bp.route("/cohort/<int:cohort_id>/learner/<int:user_id>/attestation.pdf")
def attestation_pdf(cohort_id: int, user_id: int):
    """The PDF attestation of attendance of a learner, with the hours per bloc."""
    cohort = cohort_or_404(cohort_id)
    person = _learner_or_404(cohort.id, user_id)
    body = attestation(build_report(cohort, {person.id}), person, local(utcnow()).date())
    return _pdf(body, f"attestation-{person.last_name}-{person.first_name}.pdf".replace(" ", "-"))


@bp.route("/cohort/<int:cohort_id>/sheet/<day>/<half>.pdf")
def sheet(cohort_id: int, day: str, half: str):
    """The PDF attendance sheet of a half-day, for tutors (their learners) and staff (everyone)."""
    cohort = cohort_or_404(cohort_id)
    if not may_record_attendance(current_user, cohort.id):
        abort(404)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if half not in ("am", "pm"):
        abort(404)
    sessions = half_day_sessions(cohort.id, when, half == "am")
    if not sessions:
        abort(404)
    learners = cohort_people(cohort.id, Role.LEARNER, watched_learners(current_user, cohort.id))
    programme = db.session.get(Programme, cohort.programme_id)
    body = half_day_sheet(cohort, programme, sessions, learners, utcnow())
    suffix = _("matin") if half == "am" else _("apres-midi")
    return _pdf(body, f"emargement-{when.isoformat()}-{suffix}.pdf")


@bp.route("/cohort/<int:cohort_id>/sheets.zip")
def sheets(cohort_id: int):
    """Every half-day sheet of the cohort in one ZIP, for the staff's file of evidence."""
    cohort = cohort_or_404(cohort_id)
    if not may_edit_timetable(current_user, cohort.id):
        abort(404)
    learners = cohort_people(cohort.id, Role.LEARNER)
    programme = db.session.get(Programme, cohort.programme_id)
    return send_file(
        all_sheets(cohort, programme, learners, utcnow()),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"emargements-{cohort.id}.zip",
    )
