"""The regroupements plugin object and its contributions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.extensions import db
from portal.models import Role, utcnow
from portal.plugins import NavItem, Plugin, Widget


class RegroupementsPlugin(Plugin):
    """Regroupement weeks, the calendar and its feed, attendance and its reports."""

    name = "regroupements"
    title = _l("Regroupements")
    public_endpoints = frozenset({"regroupements.feed_ics"})

    def blueprint(self) -> Blueprint:
        """The regroupements pages."""
        from plugins.regroupements import views_attendance, views_calendar, views_reports, views_timetable  # noqa: F401
        from plugins.regroupements.blueprint import bp

        return bp

    def structure_dependents(self, bloc_ids, seminar_ids) -> list[str]:
        """The sessions counted towards those blocs or seminars, in any cohort: their attendance hours
        would change."""
        from plugins.regroupements.models import Session

        count = db.session.scalar(
            sa.select(sa.func.count(Session.id)).where(
                sa.or_(Session.bloc_id.in_(sorted(bloc_ids)), Session.seminar_id.in_(sorted(seminar_ids)))
            )
        )
        return [ngettext("%(num)d séance", "%(num)d séances", count)] if count else []

    def nav_items(self, user) -> list[NavItem]:
        """The calendar for everyone; the regroupements for people enrolled somewhere and admins."""
        from portal.permissions import cohort_ids

        items = [
            NavItem(
                _l("Agenda"),
                url_for("regroupements.calendar"),
                order=30,
                active_prefix="regroupements.calendar",
            )
        ]
        if user.is_admin or cohort_ids(user):
            items.append(NavItem(_l("Regroupements"), url_for("regroupements.index"), order=25))
        return items

    def calendar_events(self, user, start, end):
        """Sessions of the user's cohorts (moved and cancelled ones say so) and the user's personal events."""
        from plugins.regroupements.calendar import own_events

        return own_events(user, start, end).events

    def dashboard_widgets(self, user) -> list[Widget]:
        """The learner's next session with its link; the staff's sessions of today and missing check-ins."""
        from plugins.regroupements.widgets import learner_widget, staff_widget
        from portal.permissions import cohort_ids, managed_cohort_ids

        now = utcnow()
        widgets = []
        learner_cohorts = cohort_ids(user, Role.LEARNER)
        if learner_cohorts:
            widgets.append(
                Widget(
                    _l("Prochaine séance"),
                    "regroupements/widget_learner.html",
                    learner_widget(learner_cohorts, now),
                    order=15,
                )
            )
        managed = managed_cohort_ids(user)
        if managed is None or managed:
            context = staff_widget(managed, now)
            widgets.append(
                Widget(_l("Séances du jour"), "regroupements/widget_staff.html", context, order=16)
            )
        return widgets

    def can_read_file(self, user, stored_file) -> bool | None:
        """A justification's file: its learner and the cohort's staff."""
        from plugins.regroupements.models import Justification, Session
        from portal.permissions import may_manage_cohort

        if stored_file.plugin != self.name:
            return None
        row = db.session.execute(
            sa.select(Justification.user_id, Session.cohort_id)
            .join(Session, Session.id == Justification.session_id)
            .where(Justification.file_id == stored_file.id)
        ).first()
        if row is None:
            return False
        return row.user_id == user.id or may_manage_cohort(user, row.cohort_id)

    def user_data(self, user) -> dict:
        """The user's personal events, attendance and justifications."""
        from plugins.regroupements.models import Attendance, Justification, PersonalEvent, Session

        events = db.session.scalars(sa.select(PersonalEvent).where(PersonalEvent.user_id == user.id))
        marks = db.session.execute(
            sa.select(Session.start_dt, Session.title, Attendance.status, Attendance.checked_in_dt)
            .join(Attendance, Attendance.session_id == Session.id)
            .where(Attendance.user_id == user.id)
            .order_by(Session.start_dt)
        )
        reasons = db.session.scalars(sa.select(Justification).where(Justification.user_id == user.id))
        return {
            "events": [
                {
                    "title": e.title,
                    "start": e.start_dt.isoformat(),
                    "end": e.end_dt.isoformat(),
                    "location": e.location,
                }
                for e in events
            ],
            "attendance": [
                {
                    "session_start": s.isoformat(),
                    "session": t,
                    "status": st.value,
                    "checked_in": c.isoformat() if c else None,
                }
                for s, t, st, c in marks
            ],
            "justifications": [
                {"session_id": j.session_id, "text": j.text, "decision": j.decision.value} for j in reasons
            ],
        }

    def erase_user(self, user) -> None:
        """Delete the user's personal events, feed and justifications; attendance goes with the user."""
        from plugins.regroupements.models import FeedToken, Justification, PersonalEvent
        from portal.storage import delete_stored

        db.session.execute(sa.delete(PersonalEvent).where(PersonalEvent.user_id == user.id))
        db.session.execute(sa.delete(FeedToken).where(FeedToken.user_id == user.id))
        for justification in db.session.scalars(
            sa.select(Justification).where(Justification.user_id == user.id)
        ):
            if justification.stored is not None:
                delete_stored(justification.stored)
            db.session.delete(justification)

    def load_demo(self, demo: dict) -> None:
        """The Paris cohort's 14 weeks and 3 days, the optional module around today, some attendance."""
        from plugins.regroupements.demo import load_demo

        load_demo(demo)
