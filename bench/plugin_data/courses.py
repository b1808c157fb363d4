"""The courses plugin's benchmark data: a bloc of 200 items with the learners' progress, and its pages."""

from __future__ import annotations

import io

from bench.pages import Page

PAGES = [
    Page("courses: bloc (200 items)", "/courses/bloc/{bloc_id}", ("learner", "lecturer"), plugin="courses"),
    Page("courses: programme", "/courses/programme/{programme_id}", ("learner",), plugin="courses"),
]

#: Items of material in the benchmarked bloc: the issue's 200 at reference size, 5 on the small dataset.
BLOC_ITEMS = {"reference": 200, "small": 5}


def fill(context) -> dict[str, int]:
    """Fill Bloc 4 with material (pages, links and small files) and about half of it done by each learner."""
    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage

    from plugins.courses.models import CourseItem, CourseItemFile, CourseProgress, ItemKind
    from portal.extensions import db
    from portal.storage import save_upload

    bloc = next(b for b in context.programme.blocs if b.number == 4)
    lecturer = context.lecturers[0]
    count = BLOC_ITEMS["reference" if context.reference else "small"]
    items = []
    for k in range(count):
        seminar = bloc.seminars[k % len(bloc.seminars)]
        kind = (ItemKind.PAGE, ItemKind.LINK, ItemKind.FILE, ItemKind.PAGE)[k % 4]
        item = CourseItem(
            seminar=seminar,
            kind=kind,
            title=f"Support {k + 1} — {seminar.title[:60]}",
            position=k,
            created_by_id=lecturer.id,
            hidden=k % 17 == 0,
            body="Lecture préparatoire : gouvernance, utilité sociale, territoire." if kind == "page" else "",
            url="https://www.ess-france.org/" if kind == ItemKind.LINK else None,
        )
        if kind == ItemKind.FILE:
            upload = FileStorage(
                io.BytesIO(f"Notes du support {k + 1}.".encode()), filename=f"notes-{k + 1}.txt"
            )
            item.files = [CourseItemFile(stored=save_upload(upload, "courses", lecturer))]
        items.append(item)
    db.session.add_all(items)
    db.session.flush()
    rows = [
        {"item_id": item.id, "user_id": account["id"]}
        for account in context.accounts["learner"]
        for item in items
        if not item.hidden and context.rng.random() < 0.5
    ]
    if rows:
        db.session.execute(sa.insert(CourseProgress), rows)
    db.session.commit()
    for accounts in context.accounts.values():
        for account in accounts:
            account["bloc_id"] = bloc.id
    return {"course items in bloc 4": count}
