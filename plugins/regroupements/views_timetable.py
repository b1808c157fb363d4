"""Timetable pages: a cohort's weeks, a week's sessions, a session; editing for the cohort's staff."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.regroupements.blueprint import bp
from plugins.regroupements.forms import SessionForm, WeekForm
from plugins.regroupements.models import Justification, Session, SessionKind, SessionStatus, Week
from plugins.regroupements.permissions import (
    is_learner,
    may_edit_timetable,
    may_record_attendance,
    may_view_cohort,
    watched_learners,
)
from plugins.regroupements.queries import attendance_of, cohort_people, justifications_of
from plugins.regroupements.service import Refused, check_session, check_week, checkin_window, local
from portal.extensions import db
from portal.forms import choices
from portal.models import Bloc, Cohort, Role, Seminar, User, utcnow
from portal.permissions import cohort_ids
from portal.plugins import loaded_plugins


def cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort, if the user may see its timetable."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not may_view_cohort(current_user, cohort.id):
        abort(404)
    return cohort


def week_or_404(week_id: int, edit: bool = False) -> Week:
    """The week, if the user may see (or edit) it."""
    week = db.get_or_404(Week, week_id)
    allowed = may_edit_timetable if edit else may_view_cohort
    if not allowed(current_user, week.cohort_id):
        abort(404)
    return week


def session_or_404(session_id: int, edit: bool = False) -> Session:
    """The session, if the user may see (or edit) it."""
    session = db.get_or_404(Session, session_id)
    allowed = may_edit_timetable if edit else may_view_cohort
    if not allowed(current_user, session.cohort_id):
        abort(404)
    return session


def material_url(session: Session) -> str:
    """The seminar's material page when the courses plugin is enabled."""
    if session.seminar_id is None or session.bloc_id is None:
        return ""
    if not any(p.name == "courses" for p in loaded_plugins(current_app)):
        return ""
    return f"/courses/bloc/{session.bloc_id}#seminar-{session.seminar_id}"


@bp.route("/")
def index():
    """The user's cohorts; straight to the cohort when there is one."""
    if current_user.is_admin:
        cohorts = list(db.session.scalars(sa.select(Cohort).order_by(Cohort.start_date, Cohort.name)))
    else:
        ids = cohort_ids(current_user)
        cohorts = list(
            db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(ids)).order_by(Cohort.start_date))
        )
    if len(cohorts) == 1:
        return redirect(url_for("regroupements.cohort", cohort_id=cohorts[0].id))
    return render_template("regroupements/index.html", cohorts=cohorts)


@bp.route("/cohort/<int:cohort_id>")
def cohort(cohort_id: int):
    """A cohort's weeks, with the number of sessions and hours of each."""
    found = cohort_or_404(cohort_id)
    weeks = db.session.scalars(
        sa.select(Week)
        .where(Week.cohort_id == found.id)
        .order_by(Week.start_date)
        .options(so.selectinload(Week.sessions))
    ).all()
    today = local(utcnow()).date()
    return render_template(
        "regroupements/cohort.html",
        cohort=found,
        weeks=weeks,
        today=today,
        editor=may_edit_timetable(current_user, found.id),
        reporter=may_record_attendance(current_user, found.id) or is_learner(current_user, found.id),
    )


@bp.route("/cohort/<int:cohort_id>/weeks/new", methods=["GET", "POST"])
def week_new(cohort_id: int):
    """Add a week to a cohort's timetable."""
    found = cohort_or_404(cohort_id)
    if not may_edit_timetable(current_user, found.id):
        abort(404)
    form = WeekForm()
    if request.method == "GET":
        form.number.data = (
            db.session.scalar(sa.select(sa.func.max(Week.number)).where(Week.cohort_id == found.id)) or 0
        ) + 1
    if form.validate_on_submit():
        try:
            check_week(found.id, form.number.data, form.start_date.data, form.end_date.data)
        except Refused as refusal:
            form.start_date.errors.append(str(refusal))
        else:
            week = Week(
                cohort_id=found.id,
                number=form.number.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                theme=form.theme.data or "",
            )
            db.session.add(week)
            db.session.commit()
            flash(_("La semaine %(n)d est ajoutée.", n=week.number), "success")
            return redirect(url_for("regroupements.week", week_id=week.id))
    return render_template("regroupements/week_form.html", form=form, cohort=found, week=None)


@bp.route("/week/<int:week_id>/edit", methods=["GET", "POST"])
def week_edit(week_id: int):
    """Change a week's number, dates or theme."""
    week = week_or_404(week_id, edit=True)
    form = WeekForm(obj=week)
    if form.validate_on_submit():
        try:
            check_week(week.cohort_id, form.number.data, form.start_date.data, form.end_date.data, week)
        except Refused as refusal:
            form.start_date.errors.append(str(refusal))
        else:
            form.populate_obj(week)
            db.session.commit()
            flash(_("La semaine %(n)d est enregistrée.", n=week.number), "success")
            return redirect(url_for("regroupements.week", week_id=week.id))
    return render_template(
        "regroupements/week_form.html", form=form, cohort=db.session.get(Cohort, week.cohort_id), week=week
    )


@bp.route("/week/<int:week_id>/delete", methods=["POST"])
def week_delete(week_id: int):
    """Delete a week that has no session left."""
    week = week_or_404(week_id, edit=True)
    cohort_id = week.cohort_id
    if week.sessions:
        flash(_("Supprimez d'abord les séances de cette semaine."), "error")
        return redirect(url_for("regroupements.week", week_id=week.id))
    db.session.delete(week)
    db.session.commit()
    flash(_("La semaine est supprimée."), "success")
    return redirect(url_for("regroupements.cohort", cohort_id=cohort_id))


@bp.route("/week/<int:week_id>")
def week(week_id: int):
    """A week's sessions, day by day, with their links and the learner's own attendance."""
    found = week_or_404(week_id)
    sessions = db.session.scalars(
        sa.select(Session)
        .where(Session.week_id == found.id)
        .options(so.joinedload(Session.seminar), so.selectinload(Session.lecturers))
        .order_by(Session.start_dt)
    ).all()
    days: dict = {}
    for session in sessions:
        days.setdefault(local(session.start_dt).date(), []).append(session)
    mine = {}
    if is_learner(current_user, found.cohort_id):
        mine = {s: a for (s, _u), a in attendance_of([s.id for s in sessions], {current_user.id}).items()}
    return render_template(
        "regroupements/week.html",
        week=found,
        cohort=db.session.get(Cohort, found.cohort_id),
        days=days,
        mine=mine,
        editor=may_edit_timetable(current_user, found.cohort_id),
        materials={s.id: material_url(s) for s in sessions},
    )


def _session_form(week: Week, session: Session | None) -> SessionForm:
    form = SessionForm(obj=session)
    cohort = db.session.get(Cohort, week.cohort_id)
    blocs = db.session.scalars(
        sa.select(Bloc).where(Bloc.programme_id == cohort.programme_id).order_by(Bloc.number)
    ).all()
    seminars = db.session.execute(
        sa.select(Seminar.id, Seminar.title, Seminar.bloc_id, Bloc.number)
        .join(Bloc, Bloc.id == Seminar.bloc_id)
        .where(Bloc.programme_id == cohort.programme_id)
        .order_by(Bloc.number, Seminar.position, Seminar.id)
    ).all()
    form.bloc.choices = choices(
        [(0, _("— aucun —"))] + [(b.id, _("Bloc %(n)d — %(t)s", n=b.number, t=b.title)) for b in blocs]
    )
    form.seminar.choices = choices(
        [(0, _("— aucun —"))] + [(s.id, f"{s.number}. {s.title}") for s in seminars]
    )
    form.seminar_bloc = {s.id: s.bloc_id for s in seminars}
    lecturers = cohort_people(cohort.id, Role.LECTURER)
    form.lecturers.choices = choices([(u.id, u.full_name) for u in lecturers])
    if request.method == "GET":
        if session is not None:
            start, end = local(session.start_dt), local(session.end_dt)
            form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
            form.bloc.data = session.bloc_id or 0
            form.seminar.data = session.seminar_id or 0
            form.lecturers.data = [u.id for u in session.lecturers]
            form.kind.data = session.kind.value
            form.status.data = session.status.value
        else:
            form.day.data = week.start_date
    return form


def _save_session(form: SessionForm, week: Week, session: Session | None):
    """Check and store the form's session; returns it, or None with the refusal on the form."""
    try:
        start_dt, end_dt = check_session(week, form.day.data, form.start.data, form.end.data, session)
    except Refused as refusal:
        form.day.errors.append(str(refusal))
        return None
    if session is None:
        session = Session(week_id=week.id, cohort_id=week.cohort_id)
        db.session.add(session)
    seminar_id = form.seminar.data or None
    bloc_id = form.bloc.data or (form.seminar_bloc.get(seminar_id) if seminar_id else None)
    session.start_dt, session.end_dt = start_dt, end_dt
    session.kind = SessionKind(form.kind.data)
    session.bloc_id, session.seminar_id = bloc_id, seminar_id
    session.title = form.title.data or ""
    session.link, session.room = form.link.data or "", form.room.data or ""
    session.status = SessionStatus(form.status.data)
    session.status_note = form.status_note.data or ""
    chosen = set(form.lecturers.data or [])
    session.lecturers = list(db.session.scalars(sa.select(User).where(User.id.in_(chosen)))) if chosen else []
    db.session.commit()
    return session


@bp.route("/week/<int:week_id>/sessions/new", methods=["GET", "POST"])
def session_new(week_id: int):
    """Add a session to a week."""
    week = week_or_404(week_id, edit=True)
    form = _session_form(week, None)
    if form.validate_on_submit():
        session = _save_session(form, week, None)
        if session is not None:
            flash(_("La séance est ajoutée."), "success")
            return redirect(url_for("regroupements.week", week_id=week.id))
    return render_template("regroupements/session_form.html", form=form, week=week, session=None)


@bp.route("/session/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int):
    """Change a session: time, place, lecturers, or mark it moved or cancelled with a note."""
    session = session_or_404(session_id, edit=True)
    week = session.week
    form = _session_form(week, session)
    if form.validate_on_submit():
        if _save_session(form, week, session) is not None:
            flash(_("La séance est enregistrée."), "success")
            return redirect(url_for("regroupements.session", session_id=session.id))
        db.session.rollback()
    return render_template("regroupements/session_form.html", form=form, week=week, session=session)


@bp.route("/session/<int:session_id>/delete", methods=["POST"])
def session_delete(session_id: int):
    """Delete a session and its attendance (to keep a trace, mark it cancelled instead)."""
    session = session_or_404(session_id, edit=True)
    week_id = session.week_id
    for justification in db.session.scalars(
        sa.select(Justification).where(Justification.session_id == session.id)
    ):
        if justification.stored is not None:
            from portal.storage import delete_stored

            delete_stored(justification.stored)
    db.session.delete(session)
    db.session.commit()
    flash(_("La séance est supprimée."), "success")
    return redirect(url_for("regroupements.week", week_id=week_id))


@bp.route("/session/<int:session_id>")
def session(session_id: int):
    """A session: when, where, who; the learner's check-in; the sheet for tutors and staff."""
    found = db.session.scalar(
        sa.select(Session)
        .where(Session.id == session_id)
        .options(
            so.joinedload(Session.seminar), so.joinedload(Session.bloc), so.selectinload(Session.lecturers)
        )
    )
    if found is None or not may_view_cohort(current_user, found.cohort_id):
        abort(404)
    now = utcnow()
    learner = is_learner(current_user, found.cohort_id)
    watched = watched_learners(current_user, found.cohort_id)
    recorder = may_record_attendance(current_user, found.cohort_id)
    learners = cohort_people(found.cohort_id, Role.LEARNER, watched) if (recorder or learner) else []
    ids = {u.id for u in learners}
    marks = attendance_of([found.id], ids)
    reasons = justifications_of([found.id], ids)
    opens, closes = checkin_window(found)
    return render_template(
        "regroupements/session.html",
        session=found,
        week=found.week,
        cohort=db.session.get(Cohort, found.cohort_id),
        learner=learner,
        recorder=recorder,
        editor=may_edit_timetable(current_user, found.cohort_id),
        learners=learners,
        marks={u: a for (_s, u), a in marks.items()},
        reasons={u: j for (_s, u), j in reasons.items()},
        window_open=opens <= now <= closes and found.status != SessionStatus.CANCELLED,
        opens=opens,
        closes=closes,
        now=now,
        material=material_url(found),
        half_day="am" if local(found.start_dt).hour < 13 else "pm",
    )
