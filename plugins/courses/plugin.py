"""The courses plugin object and its contributions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.extensions import db
from portal.models import Bloc, utcnow
from portal.plugins import NavItem, Plugin, Widget


class CoursesPlugin(Plugin):
    """Course material per bloc and seminar."""

    name = "courses"
    title = _l("Cours")

    def blueprint(self) -> Blueprint:
        """The courses pages."""
        from plugins.courses import views  # noqa: F401 - attaches the routes
        from plugins.courses.blueprint import bp

        return bp

    def nav_items(self, user) -> list[NavItem]:
        """A link for everyone enrolled somewhere, and for admins."""
        from portal.permissions import cohort_ids

        if not (user.is_admin or cohort_ids(user)):
            return []
        return [NavItem(_l("Cours"), url_for("courses.index"), order=10, active_prefix="courses.")]

    def structure_dependents(self, bloc_ids, seminar_ids) -> list[str]:
        """The material of those seminars, in any cohort."""
        from plugins.courses.models import CourseItem

        count = db.session.scalar(
            sa.select(sa.func.count(CourseItem.id)).where(CourseItem.seminar_id.in_(sorted(seminar_ids)))
        )
        return [ngettext("%(num)d contenu de cours", "%(num)d contenus de cours", count)] if count else []

    def dashboard_widgets(self, user) -> list[Widget]:
        """Progress per bloc and what is new since the last visit, for each programme of the user."""
        from plugins.courses.models import CourseVisit
        from plugins.courses.permissions import reader_of
        from plugins.courses.queries import new_items, progress_by_bloc
        from portal.permissions import memberships

        now = utcnow()
        rows = []
        for programme_id in sorted(set(memberships(user).cohort_programme.values())):
            reader = reader_of(user, programme_id)
            progress = progress_by_bloc(programme_id, reader, user.id, now)
            visit = db.session.get(CourseVisit, (user.id, programme_id))
            new_count, new = new_items(programme_id, reader, visit.seen_dt if visit else None, now, limit=5)
            blocs = db.session.scalars(
                sa.select(Bloc).where(Bloc.programme_id == programme_id).order_by(Bloc.number)
            )
            rows.append(
                {
                    "blocs": [(b, *progress.get(b.id, (0, 0))) for b in blocs],
                    "new": new,
                    "new_count": new_count,
                }
            )
        if not rows:
            return []
        return [Widget(_l("Mes cours"), "courses/widget.html", {"rows": rows}, order=20)]

    def load_demo(self, demo: dict) -> None:
        """Material for every seminar of the demo programme."""
        from plugins.courses.demo import load_demo

        load_demo(db.session, demo)

    def search_documents(self):
        """Every item's documents."""
        from plugins.courses.indexing import all_documents

        return all_documents()

    def can_read_file(self, user, stored_file) -> bool | None:
        """A file of an item is readable by those who may read the item."""
        from plugins.courses.models import CourseItem, CourseItemFile
        from plugins.courses.permissions import may_read

        if stored_file.plugin != self.name:
            return None
        items = db.session.scalars(
            sa.select(CourseItem).join(CourseItemFile).where(CourseItemFile.file_id == stored_file.id)
        )
        now = utcnow()
        return any(may_read(user, item, now) for item in items)

    def user_data(self, user) -> dict:
        """The items the user marked as done."""
        from plugins.courses.models import CourseItem, CourseProgress

        rows = db.session.execute(
            sa.select(CourseItem.title, CourseProgress.done_dt)
            .join(CourseProgress, CourseProgress.item_id == CourseItem.id)
            .where(CourseProgress.user_id == user.id)
        )
        return {"done": [{"item": title, "done": done.isoformat()} for title, done in rows]}
