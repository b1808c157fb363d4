"""The memoire plugin object and its contributions."""

from __future__ import annotations

from datetime import datetime

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.extensions import db
from portal.models import Role, utcnow
from portal.plugins import CalendarEvent, NavItem, Plugin, Widget
from portal.urls import absolute_url

#: Submissions listed in the tutor's "to review" widget.
REVIEW_ROWS = 8


class MemoirePlugin(Plugin):
    """Mémoire milestones and continuous-assessment writings: handed in, followed and assessed."""

    name = "memoire"
    title = _l("Mémoire")

    def blueprint(self) -> Blueprint:
        """The memoire pages."""
        from plugins.memoire import views, views_staff, views_supervision  # noqa: F401 - attach the routes
        from plugins.memoire.blueprint import bp

        return bp

    def structure_dependents(self, bloc_ids, seminar_ids) -> list[str]:
        """The writings that validate those blocs, in any cohort."""
        from plugins.memoire.models import Assignment

        count = db.session.scalar(
            sa.select(sa.func.count(Assignment.id)).where(Assignment.bloc_id.in_(sorted(bloc_ids)))
        )
        return [ngettext("%(num)d devoir", "%(num)d devoirs", count)] if count else []

    def init_app(self, app: Flask) -> None:
        """Register `portal send-reminders` and keep the search readers in step with the ateliers."""
        from plugins.memoire.indexing import refresh_atelier
        from portal.signals import atelier_changed

        app.config.setdefault("MEMOIRE_REMINDER_DAYS", 3)
        atelier_changed.connect(refresh_atelier)

        @app.cli.command("send-reminders")
        def send_reminders_command():
            """Mail learners whose due date comes within MEMOIRE_REMINDER_DAYS days (each reminder once)."""
            from plugins.memoire.reminders import send_reminders

            with app.test_request_context():
                count = send_reminders()
            click.echo(f"{count} reminder(s) sent.")

    def nav_items(self, user) -> list[NavItem]:
        """A link for everyone enrolled somewhere, and for admins."""
        from portal.permissions import cohort_ids

        if not (user.is_admin or cohort_ids(user)):
            return []
        return [NavItem(_l("Mémoire"), url_for("memoire.index"), order=30, active_prefix="memoire.")]

    def dashboard_widgets(self, user) -> list[Widget]:
        """The learner's next deadlines and the tutor's work to review."""
        from plugins.memoire.dates import countdown
        from plugins.memoire.queries import assignments_of, cells_for, overrides_of, submission_states
        from plugins.memoire.service import people_of
        from portal.permissions import atelier_ids, memberships

        widgets = []
        now = utcnow()
        mine = memberships(user)
        learner_cohorts = {c for c, roles in mine.cohort_roles.items() if Role.LEARNER in roles}
        if learner_cohorts:
            assignments = assignments_of(learner_cohorts)
            ids = [a.id for a in assignments]
            ateliers = {a for a, role in mine.atelier_roles.items() if role == Role.LEARNER}
            cells = cells_for(
                assignments, overrides_of(ids), submission_states(ids, [user.id]), user.id, ateliers
            )
            upcoming = [
                c
                for c in cells
                if c.status not in ("submitted", "locked")
                and (c.dates.cutoff_dt is None or c.dates.cutoff_dt > now)
            ]
            upcoming.sort(key=lambda c: c.dates.due_dt)
            widgets.append(
                Widget(
                    _l("Mes prochaines échéances"),
                    "memoire/widget_deadlines.html",
                    {
                        "deadlines": [
                            (c.assignment.id, c.assignment.title, c.dates.due_dt, countdown(c.dates, now))
                            for c in upcoming[:5]
                        ]
                    },
                    order=25,
                )
            )
        tutored = atelier_ids(user, Role.TUTOR)
        if tutored:
            from plugins.memoire.models import Assignment, Feedback, Submission, SubmissionStatus, Version

            learners = {u.id: u for u in people_of(tutored, Role.LEARNER)}
            last = sa.and_(Version.submission_id == Submission.id, Version.number == Submission.version_count)
            waiting = (
                sa.select(Submission.id)
                .join(Assignment, Assignment.id == Submission.assignment_id)
                .join(Version, last)
                .outerjoin(Feedback, Feedback.version_id == Version.id)
                .where(
                    Submission.user_id.in_(sorted(learners)),
                    Assignment.cohort_id.in_(sorted({mine.atelier_cohort[a] for a in tutored})),
                    Submission.status == SubmissionStatus.SUBMITTED,
                    Feedback.released_dt.is_(None),
                )
            )
            count, rows = 0, []
            if learners:
                count = db.session.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
                # The oldest first, a handful: the grids' "waiting for me" filter lists them all.
                oldest = waiting.add_columns(Submission.user_id, Assignment.title, Submission.updated_dt)
                rows = [
                    (sid, learners[uid], title, updated)
                    for sid, uid, title, updated in db.session.execute(
                        oldest.order_by(Submission.updated_dt, Submission.id).limit(REVIEW_ROWS)
                    )
                ]
            widgets.append(
                Widget(_l("À relire"), "memoire/widget_review.html", {"rows": rows, "count": count}, order=26)
            )
        return widgets

    def search_documents(self):
        """Assignment instructions and sent submissions."""
        from plugins.memoire.indexing import all_documents

        return all_documents()

    def calendar_events(self, user, start: datetime, end: datetime) -> list[CalendarEvent]:
        """The due dates of the assignments the user may see (a learner's own dates)."""
        from plugins.memoire.dates import effective_dates
        from plugins.memoire.models import Assignment, Override
        from portal.permissions import memberships

        mine = memberships(user)
        cohorts = set(mine.cohort_roles)
        if not cohorts:
            return []
        assignments = db.session.scalars(
            sa.select(Assignment).where(Assignment.cohort_id.in_(sorted(cohorts)))
        ).all()
        overrides: dict[int, list] = {}
        if assignments:
            for row in db.session.scalars(
                sa.select(Override).where(Override.assignment_id.in_([a.id for a in assignments]))
            ):
                overrides.setdefault(row.assignment_id, []).append(row)
        ateliers = {a for a, role in mine.atelier_roles.items() if role == Role.LEARNER}
        events = []
        for assignment in assignments:
            if Role.LEARNER in mine.cohort_roles[assignment.cohort_id]:
                due = effective_dates(assignment, overrides.get(assignment.id, []), user.id, ateliers).due_dt
            else:
                due = assignment.due_dt
            if start <= due < end:
                events.append(
                    CalendarEvent(
                        uid=f"memoire-assignment-{assignment.id}-{user.id}@portal",
                        title=str(_l("À remettre : %(title)s", title=assignment.title)),
                        start=due,
                        end=due,
                        url=absolute_url("memoire.assignment", assignment_id=assignment.id),
                    )
                )
        return sorted(events, key=lambda e: e.start)

    def can_read_file(self, user, stored_file) -> bool | None:
        """A file of a draft, a version or feedback: the learner, their tutors and the cohort's staff;
        feedback
        files reach the learner only once the feedback is released."""
        from plugins.memoire.models import (
            Assignment,
            DraftFile,
            Feedback,
            FeedbackFile,
            Submission,
            Version,
            VersionFile,
        )
        from plugins.memoire.permissions import may_see_learner, may_supervise

        if stored_file.plugin != self.name:
            return None
        owners = db.session.execute(
            sa.select(Submission.user_id, Assignment.cohort_id)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .where(
                sa.or_(
                    Submission.id.in_(
                        sa.select(DraftFile.submission_id).where(DraftFile.file_id == stored_file.id)
                    ),
                    Submission.id.in_(
                        sa.select(Version.submission_id)
                        .join(VersionFile)
                        .where(VersionFile.file_id == stored_file.id)
                    ),
                )
            )
        ).all()
        if any(may_see_learner(user, uid, cid) for uid, cid in owners):
            return True
        feedback = db.session.execute(
            sa.select(Submission.user_id, Assignment.cohort_id, Feedback.released_dt)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .join(Version, Version.submission_id == Submission.id)
            .join(Feedback, Feedback.version_id == Version.id)
            .join(FeedbackFile, FeedbackFile.version_id == Feedback.version_id)
            .where(FeedbackFile.file_id == stored_file.id)
        ).all()
        return any(
            may_supervise(user, uid, cid) or (uid == user.id and released is not None)
            for uid, cid, released in feedback
        )

    def user_data(self, user) -> dict:
        """The user's submissions (versions and released feedback) and supervision log entries."""
        from plugins.memoire.models import LogEntry, Submission, Version

        submissions = db.session.scalars(
            sa.select(Submission)
            .where(Submission.user_id == user.id)
            .options(
                so.joinedload(Submission.assignment),
                so.selectinload(Submission.versions).selectinload(Version.feedback),
            )
        ).all()
        entries = db.session.scalars(
            sa.select(LogEntry).where(sa.or_(LogEntry.learner_id == user.id, LogEntry.author_id == user.id))
        )
        return {
            "submissions": [
                {
                    "assignment": s.assignment.title,
                    "status": s.status.value,
                    "draft_text": s.draft_text,
                    "versions": [
                        {
                            "number": v.number,
                            "submitted": v.submitted_dt.isoformat(),
                            "late_seconds": v.late_seconds,
                            "text": v.text,
                            "files": [link.stored.name for link in v.files],
                            "feedback": (
                                {
                                    "comment": v.feedback.comment,
                                    "decision": v.feedback.decision.value if v.feedback.decision else None,
                                    "mark": str(v.feedback.mark) if v.feedback.mark is not None else None,
                                }
                                if v.feedback is not None and v.feedback.released_dt is not None
                                else None
                            ),
                        }
                        for v in s.versions
                    ],
                }
                for s in submissions
            ],
            "log": [
                {
                    "date": e.entry_date.isoformat(),
                    "kind": e.kind.value,
                    "text": e.text,
                    "learner_id": e.learner_id,
                }
                for e in entries
            ],
        }

    def erase_user(self, user) -> None:
        """Delete the learner's submissions, files and log; entries they wrote elsewhere lose their author."""
        from plugins.memoire.models import LogEntry, SentReminder, Submission
        from plugins.memoire.service import delete_submission_files

        for submission in db.session.scalars(
            sa.select(Submission).where(Submission.user_id == user.id)
        ).all():
            delete_submission_files(submission)
        db.session.execute(sa.delete(LogEntry).where(LogEntry.learner_id == user.id))
        db.session.execute(sa.update(LogEntry).where(LogEntry.author_id == user.id).values(author_id=None))
        db.session.execute(sa.delete(SentReminder).where(SentReminder.user_id == user.id))

    def load_demo(self, demo: dict) -> None:
        """The Paris cohort's milestones and writings, with the demo learner's work and feedback."""
        from plugins.memoire.demo import load_demo

        load_demo(demo)
