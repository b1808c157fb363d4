"""Reminders before due dates (`portal send-reminders`): each reminder goes once, even when the command runs
several times or in several processes at once, thanks to the sent-reminder table's key."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from plugins.memoire.dates import PARIS, effective_dates
from plugins.memoire.models import Assignment, SentReminder, Submission, SubmissionStatus
from plugins.memoire.queries import overrides_of
from plugins.memoire.service import people_of
from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Atelier, Role, utcnow
from portal.urls import absolute_url

log = logging.getLogger(__name__)


def due_reminders(now=None) -> list[tuple]:
    """(assignment, learner, due date) for every learner whose due date falls in the next N days and who has
    not sent their work yet (MEMOIRE_REMINDER_DAYS, default 3)."""
    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config.get("MEMOIRE_REMINDER_DAYS", 3))
    # An override may move a due date into the window: look a year around and decide per learner.
    assignments = db.session.scalars(
        sa.select(Assignment).where(
            Assignment.due_dt > now - timedelta(days=365), Assignment.due_dt < horizon + timedelta(days=365)
        )
    ).all()
    if not assignments:
        return []
    overrides = overrides_of([a.id for a in assignments])
    cohorts = {a.cohort_id for a in assignments}
    ateliers = db.session.execute(
        sa.select(Atelier.id, Atelier.cohort_id).where(Atelier.cohort_id.in_(sorted(cohorts)))
    ).all()
    learners_by_cohort: dict[int, list] = {}
    for atelier_id, cohort_id in ateliers:
        for learner in people_of({atelier_id}, Role.LEARNER):
            learners_by_cohort.setdefault(cohort_id, []).append((learner, atelier_id))
    sent_status = {
        (aid, uid)
        for aid, uid in db.session.execute(
            sa.select(Submission.assignment_id, Submission.user_id).where(
                Submission.assignment_id.in_([a.id for a in assignments]),
                Submission.status.in_([SubmissionStatus.SUBMITTED, SubmissionStatus.LOCKED]),
            )
        )
    }
    found = []
    for assignment in assignments:
        for learner, atelier_id in learners_by_cohort.get(assignment.cohort_id, []):
            dates = effective_dates(assignment, overrides.get(assignment.id, []), learner.id, {atelier_id})
            still_open = dates.cutoff_dt is None or dates.cutoff_dt > now
            if (
                now < dates.due_dt <= horizon
                and (assignment.id, learner.id) not in sent_status
                and still_open
            ):
                found.append((assignment, learner, dates.due_dt))
    return found


def send_reminders(now=None) -> int:
    """Queue each due reminder once; returns how many were queued by this run."""
    # Plain values, read before any write: an attribute refreshed after a commit would read inside the next
    # write transaction, and SQLite cannot then wait for another process's write without failing.
    todo = [
        (a.id, a.title, u.id, u.email, u.first_name, u.locale or "fr", due)
        for a, u, due in due_reminders(now)
    ]
    table = SentReminder.__table__
    sent = 0
    for assignment_id, title, user_id, email, first_name, locale, due in todo:
        link = absolute_url("memoire.assignment", assignment_id=assignment_id)
        # The mail first: one that cannot be queued (an address refused by portal.mail) is logged and left,
        # unmarked, for the next run; the others go on.
        try:
            with force_locale(locale):
                when = due.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
                queue_mail(
                    email,
                    _("Rappel : « %(title)s » à remettre le %(when)s", title=title, when=when),
                    _(
                        "Bonjour %(name)s,\n\n« %(title)s » est à remettre le %(when)s (heure de Paris).\n\n"
                        "Pour déposer votre travail : %(link)s",
                        name=first_name,
                        title=title,
                        when=when,
                        link=link,
                    ),
                )
        except Exception:
            db.session.rollback()
            log.exception("reminder of assignment %d to user %d could not be queued", assignment_id, user_id)
            continue
        try:
            with db.session.begin_nested():
                db.session.execute(
                    table.insert().values(
                        assignment_id=assignment_id, user_id=user_id, due_dt=due, sent_dt=utcnow()
                    )
                )
        except sa.exc.IntegrityError:
            db.session.rollback()  # the mail goes with it
            continue  # already reminded, by an earlier run or another process
        # Each reminder is committed with its mark: a crash later never sends it twice.
        db.session.commit()
        sent += 1
    return sent
