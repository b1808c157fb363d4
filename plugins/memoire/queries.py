"""Loading assignments and submissions in a bounded number of queries, whatever the number of learners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugins.memoire.dates import PARIS, Dates, effective_dates
from plugins.memoire.models import Assignment, Feedback, Override, Submission, SubmissionStatus, Version
from portal.extensions import db


@dataclass(frozen=True)
class Cell:
    """One learner's state on one assignment, for the grid and the widgets."""

    assignment: Assignment
    dates: Dates
    submission_id: int | None = None
    status: str = ""
    version_count: int = 0
    #: seconds late of the last version
    late_seconds: int = 0
    #: "" (no version), "none", "draft" or "released"
    feedback: str = ""
    updated_dt: datetime | None = None

    @property
    def updated_day(self):
        """The Paris day of the last activity (a date: the date filter formats it without converting)."""
        return self.updated_dt.astimezone(PARIS).date() if self.updated_dt else None

    @property
    def waiting(self) -> bool:
        """Sent and without released feedback: waiting for the tutor."""
        return self.status == SubmissionStatus.SUBMITTED and self.feedback != "released"

    def missing_late(self, now: datetime) -> bool:
        """Nothing sent and the due date is past."""
        return self.version_count == 0 and now > self.dates.due_dt


def assignments_of(cohort_ids) -> list[Assignment]:
    """The assignments of these cohorts, by due date (one query)."""
    if not cohort_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.cohort_id.in_(sorted(cohort_ids)))
            .options(so.defer(Assignment.instructions))
            .order_by(Assignment.due_dt, Assignment.id)
        )
    )


def overrides_of(assignment_ids) -> dict[int, list[Override]]:
    """The overrides of these assignments, by assignment (one query)."""
    found: dict[int, list[Override]] = {}
    if not assignment_ids:
        return found
    for row in db.session.scalars(
        sa.select(Override).where(Override.assignment_id.in_(sorted(assignment_ids)))
    ):
        found.setdefault(row.assignment_id, []).append(row)
    return found


def submission_states(assignment_ids, user_ids) -> dict[tuple[int, int], tuple]:
    """(assignment id, user id) -> (submission id, status, version count, updated, late seconds of the last
    version, feedback state) for the submissions of these learners (one query)."""
    if not assignment_ids or not user_ids:
        return {}
    last = sa.and_(Version.submission_id == Submission.id, Version.number == Submission.version_count)
    rows = db.session.execute(
        sa.select(
            Submission.assignment_id,
            Submission.user_id,
            Submission.id,
            Submission.status,
            Submission.version_count,
            Submission.updated_dt,
            Version.late_seconds,
            Feedback.version_id,
            Feedback.released_dt,
        )
        .outerjoin(Version, last)
        .outerjoin(Feedback, Feedback.version_id == Version.id)
        .where(Submission.assignment_id.in_(sorted(assignment_ids)), Submission.user_id.in_(sorted(user_ids)))
    )
    found = {}
    for aid, uid, sid, status, count, updated, late, fb_id, released in rows:
        if not count:
            feedback = ""
        elif fb_id is None:
            feedback = "none"
        else:
            feedback = "released" if released is not None else "draft"
        found[aid, uid] = (sid, status.value, count, updated, late or 0, feedback)
    return found


def cells_for(
    assignments: list[Assignment],
    overrides: dict[int, list[Override]],
    states: dict,
    user_id: int,
    ateliers: set[int],
) -> list[Cell]:
    """One learner's cells, in the order of the assignments."""
    cells = []
    for assignment in assignments:
        own = overrides.get(assignment.id)
        dates = effective_dates(assignment, own, user_id, ateliers) if own else _plain_dates(assignment)
        state = states.get((assignment.id, user_id))
        if state is None:
            cells.append(Cell(assignment, dates))
        else:
            sid, status, count, updated, late, feedback = state
            cells.append(Cell(assignment, dates, sid, status, count, late, feedback, updated))
    return cells


def _plain_dates(assignment: Assignment) -> Dates:
    """The assignment's own dates, made once per assignment (a grid asks for them once per learner)."""
    dates = assignment.__dict__.get("_memoire_dates")
    if dates is None:
        dates = Dates(assignment.open_dt, assignment.due_dt, assignment.cutoff_dt)
        assignment.__dict__["_memoire_dates"] = dates
    return dates
