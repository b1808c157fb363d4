"""Changes to material that more than one page needs: deletion, visits, dates, ZIP downloads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response

from plugins.courses import indexing
from plugins.courses.models import CourseItem, CourseItemFile, CourseVisit
from portal.archive import zip_response
from portal.extensions import db
from portal.models import Bloc, Seminar, utcnow
from portal.storage import StoredFile, delete_stored, path_of

PARIS = ZoneInfo("Europe/Paris")


def paris_to_utc(moment: datetime | None) -> datetime | None:
    """A date and time typed in Paris time, as UTC."""
    return moment.replace(tzinfo=PARIS).astimezone(ZoneInfo("UTC")) if moment else None


def utc_to_paris(moment: datetime | None) -> datetime | None:
    """A UTC time as Paris wall-clock time, for a form field."""
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment else None


def forget_file(file_id: int) -> None:
    """Delete a stored file once no item uses it any more (call after flushing the change)."""
    still_used = db.session.scalar(
        sa.select(CourseItemFile.id).where(CourseItemFile.file_id == file_id).limit(1)
    )
    if still_used is None:
        stored = db.session.get(StoredFile, file_id)
        if stored is not None:
            delete_stored(stored)


def delete_item(item: CourseItem) -> None:
    """Delete an item, its progress marks, its search documents and the files nothing else uses."""
    file_ids = [f.file_id for f in item.files]
    indexing.remove_later(item)
    db.session.delete(item)
    db.session.flush()
    for file_id in file_ids:
        forget_file(file_id)


def mark_visit(user, programme_id: int) -> None:
    """Record that the user looked at the programme's material now.

    Nothing is written when no item was added since the last visit: bloc pages are read far more often than
    material is added, and a write on every read would queue the readers behind SQLite's single writer.
    """
    newest = (
        sa.select(sa.func.max(CourseItem.created_dt))
        .join(Seminar, Seminar.id == CourseItem.seminar_id)
        .join(Bloc, Bloc.id == Seminar.bloc_id)
        .where(Bloc.programme_id == programme_id)
        .scalar_subquery()
    )
    seen = (
        sa.select(CourseVisit.seen_dt)
        .where(CourseVisit.user_id == user.id, CourseVisit.programme_id == programme_id)
        .scalar_subquery()
    )
    newest_dt, seen_dt = db.session.execute(sa.select(newest, seen)).one()
    if seen_dt is None:
        db.session.add(CourseVisit(user_id=user.id, programme_id=programme_id))
    elif newest_dt is not None and newest_dt > seen_dt:
        db.session.get(CourseVisit, (user.id, programme_id)).seen_dt = utcnow()
    else:
        return
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same user's other request recorded the first visit just before
        db.session.rollback()


def folder_zip(item: CourseItem) -> Response:
    """A folder's files as one ZIP download."""
    files = ((link.stored.name, path_of(link.stored)) for link in item.files)
    return zip_response(files, item.title[:80])
