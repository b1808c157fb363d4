"""The search documents of course material: one per cohort that may read the item."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from plugins.courses.models import CourseItem, CourseItemFile
from portal import search
from portal.extensions import db
from portal.extract import extract_text
from portal.models import Bloc, Cohort, Seminar
from portal.plugins import SearchDoc
from portal.storage import path_of


def _doc_ids(item_id: int, cohort_ids) -> list[str]:
    return [f"courses:item:{item_id}:{cohort_id}" for cohort_id in cohort_ids]


def documents_for(item: CourseItem, programme_cohort_ids: list[int]) -> list[SearchDoc]:
    """One document per cohort that may read the item; a hidden item is seen only by those cohorts' staff."""
    restricted = {c.cohort_id for c in item.cohorts}
    cohorts = [c for c in programme_cohort_ids if not restricted or c in restricted]
    text = [item.description, item.body, item.url or ""]
    text += [extract_text(path_of(f.stored), f.stored.content_type) for f in item.files]
    body = "\n".join(t for t in text if t)
    return [
        SearchDoc(
            doc_id=doc_id,
            plugin="courses",
            kind=item.kind.value,
            title=item.title,
            body=body,
            url=url_for("courses.item", item_id=item.id),
            updated_dt=item.updated_dt,
            cohort_id=cohort_id,
            owner_id=item.created_by_id,
            visibility="private" if item.hidden else "cohort",
            visible_from=item.available_from,
            visible_until=item.available_until,
        )
        for doc_id, cohort_id in zip(_doc_ids(item.id, cohorts), cohorts, strict=True)
    ]


def _programme_cohorts(programme_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(Cohort.id).where(Cohort.programme_id == programme_id)))


def reindex_later(item: CourseItem) -> None:
    """Replace the item's documents once the transaction commits."""
    programme_id = item.seminar.bloc.programme_id
    cohorts = _programme_cohorts(programme_id)
    for doc_id in _doc_ids(item.id, cohorts):
        search.remove_later(doc_id)
    for doc in documents_for(item, cohorts):
        search.index_later(doc)


def remove_later(item: CourseItem) -> None:
    """Remove the item's documents once the transaction commits."""
    for doc_id in _doc_ids(item.id, _programme_cohorts(item.seminar.bloc.programme_id)):
        search.remove_later(doc_id)


def all_documents() -> Iterator[SearchDoc]:
    """Every item's documents, for `portal reindex`."""
    cohorts_by_programme: dict[int, list[int]] = {}
    for cohort_id, programme_id in db.session.execute(sa.select(Cohort.id, Cohort.programme_id)):
        cohorts_by_programme.setdefault(programme_id, []).append(cohort_id)
    items = db.session.execute(
        sa.select(CourseItem, Bloc.programme_id)
        .join(Seminar, Seminar.id == CourseItem.seminar_id)
        .join(Bloc, Bloc.id == Seminar.bloc_id)
        .options(
            so.selectinload(CourseItem.files).joinedload(CourseItemFile.stored),
            so.selectinload(CourseItem.cohorts),
        )
    )
    for item, programme_id in items:
        yield from documents_for(item, cohorts_by_programme.get(programme_id, []))
