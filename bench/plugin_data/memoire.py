"""The memoire plugin's benchmark data: every atelier's learners × assignments grid filled with submissions
(about 200 per tutor grid at reference size), and its pages."""

from __future__ import annotations

from bench.pages import Page, Upload

PAGES = [
    Page(
        "memoire: atelier grid (~200 submissions)",
        "/memoire/atelier/{atelier_id}",
        ("tutor", "staff"),
        plugin="memoire",
    ),
    Page(
        "memoire: atelier grid, waiting only",
        "/memoire/atelier/{atelier_id}?waiting=1",
        ("tutor",),
        plugin="memoire",
    ),
    Page("memoire: my work", "/memoire/", ("learner",), plugin="memoire"),
]

#: The large upload, as a learner's draft of an open assignment (fill() gives every cohort one).
UPLOADS = [
    Upload(
        "memoire: a learner's draft",
        "/memoire/assignment/{memoire_upload_assignment_id}/submit",
        "learner",
        field="files",
        status=303,
    )
]

#: Assignments per cohort: with 7 to 8 learners per atelier at reference size, a grid holds about 200 cells.
ASSIGNMENTS = {"reference": 27, "small": 5}


def fill(context) -> dict[str, int]:
    """Give every cohort its assignments, and every learner a submission of each with one version, released or
    draft feedback, or a draft; inserted in bulk."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from plugins.memoire.models import Assignment, Feedback, Submission, Version
    from portal.extensions import db

    count = ASSIGNMENTS["reference" if context.reference else "small"]
    start = datetime(2021, 3, 1, 17, tzinfo=UTC)
    assignment_rows = [
        {
            "cohort_id": cohort.id,
            "kind": "milestone" if k % 3 else "writing",
            "title": f"Étape {k + 1} du mémoire" if k % 3 else f"Écrit de contrôle continu {k + 1}",
            "instructions": "Déposez votre travail au format PDF.",
            "due_dt": start + timedelta(days=21 * k),
            "cutoff_dt": start + timedelta(days=21 * k + 14),
            "allowed_types": "application/pdf",
            "max_files": 2,
            "max_size_mb": 20,
            "text_answer": False,
            "statement_required": k % 3 == 0,
            "created_dt": start,
            "updated_dt": start,
        }
        for cohort in context.cohorts
        for k in range(count)
    ]
    db.session.execute(sa.insert(Assignment), assignment_rows)
    by_cohort: dict[int, list[tuple[int, datetime]]] = {}
    for aid, cid, due in db.session.execute(
        sa.select(Assignment.id, Assignment.cohort_id, Assignment.due_dt)
    ):
        by_cohort.setdefault(cid, []).append((aid, due))
    submissions = []
    for account in context.accounts["learner"]:
        for aid, due in by_cohort.get(account["cohort_id"], []):
            roll = context.rng.random()
            status = "draft" if roll < 0.1 else ("locked" if roll > 0.9 else "submitted")
            submissions.append(
                {
                    "assignment_id": aid,
                    "user_id": account["id"],
                    "status": status,
                    "draft_text": "",
                    "version_count": 0 if status == "draft" else 1,
                    "updated_dt": due,
                }
            )
    db.session.execute(sa.insert(Submission), submissions)
    sent = db.session.execute(
        sa.select(Submission.id, Assignment.due_dt)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Submission.version_count == 1)
    ).all()
    versions = [
        {
            "submission_id": sid,
            "number": 1,
            "text": "",
            "submitted_dt": due + timedelta(hours=context.rng.randint(-72, 30)),
            "late_seconds": 0,
            "statement": True,
        }
        for sid, due in sent
    ]
    db.session.execute(sa.insert(Version), versions)
    version_ids = list(db.session.scalars(sa.select(Version.id)))
    feedback = [
        {
            "version_id": vid,
            "comment": "Retour de la tutrice.",
            "decision": "validated",
            "released_dt": start if context.rng.random() < 0.7 else None,
            "updated_dt": start,
        }
        for vid in version_ids
        if context.rng.random() < 0.6
    ]
    db.session.execute(sa.insert(Feedback), feedback)
    # Open for the benchmark's large upload: any size the site accepts, plain text, several files per draft.
    open_ones = {
        cohort.id: Assignment(
            cohort_id=cohort.id,
            kind="milestone",
            title="Annexes du mémoire (dépôt libre)",
            instructions="Déposez vos annexes.",
            open_dt=start,
            due_dt=datetime(2099, 1, 1, tzinfo=UTC),
            allowed_types="text/plain,application/pdf",
            max_files=50,
            max_size_mb=100_000,
        )
        for cohort in context.cohorts
    }
    db.session.add_all(open_ones.values())
    db.session.commit()
    for account in context.accounts["learner"]:
        account["memoire_upload_assignment_id"] = open_ones[account["cohort_id"]].id
    return {"memoire assignments": len(assignment_rows), "memoire submissions": len(submissions)}
