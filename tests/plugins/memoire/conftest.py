"""Fixtures of the memoire tests: assignments of cohort A with dates around now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugins.memoire.models import Assignment, AssignmentKind
from portal.extensions import db
from portal.models import utcnow

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_assignment(
    cohort, title="Plan détaillé", due_in=timedelta(days=5), cutoff_in=None, **fields
) -> Assignment:
    """An assignment of the cohort due `due_in` from now; committed."""
    now = utcnow()
    fields.setdefault("allowed_types", ",".join((PDF, ODT, DOCX, "text/plain")))
    fields.setdefault("max_files", 3)
    fields.setdefault("max_size_mb", 5)
    assignment = Assignment(
        cohort_id=cohort.id,
        kind=fields.pop("kind", AssignmentKind.MILESTONE),
        title=title,
        instructions=fields.pop("instructions", "Présentez la problématique et le plan en trois parties."),
        due_dt=now + due_in,
        cutoff_dt=now + cutoff_in if cutoff_in is not None else None,
        **fields,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


@pytest.fixture
def plan(world) -> Assignment:
    """An open milestone of cohort A, due in five days, with a text answer and a statement."""
    return make_assignment(world.cohort_a, text_answer=True, statement_required=True)
