"""The library plugin object and its contributions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.plugins import NavItem, Plugin, Widget

#: Proposals listed in the author's "changes requested" widget; "Mes propositions" lists them all.
CHANGES_ROWS = 5


class LibraryPlugin(Plugin):
    """Monographs of remarkable projects of the social and solidarity economy."""

    name = "library"
    title = _l("Bibliothèque")

    def blueprint(self) -> Blueprint:
        """The library pages."""
        from plugins.library import views  # noqa: F401 - attaches the routes
        from plugins.library.blueprint import bp

        return bp

    def nav_items(self, user) -> list[NavItem]:
        """A link for every logged-in user."""
        return [NavItem(_l("Bibliothèque"), url_for("library.index"), order=40, active_prefix="library.")]

    def dashboard_widgets(self, user) -> list[Widget]:
        """Staff: how many monographs wait for review; an author: their proposals sent back for changes.
        Two queries at most."""
        from plugins.library.permissions import is_staff
        from plugins.library.queries import changes_requested_of, count_submitted

        widgets = []
        if is_staff(user):
            waiting = count_submitted()
            if waiting:
                widgets.append(
                    Widget(
                        _l("Monographies à relire"),
                        "library/widget_review.html",
                        {"count": waiting},
                        order=40,
                    )
                )
        rows = changes_requested_of(user.id, CHANGES_ROWS + 1)
        if rows:
            widgets.append(
                Widget(
                    _l("Monographies à modifier"),
                    "library/widget_changes.html",
                    {"rows": rows[:CHANGES_ROWS], "more": len(rows) > CHANGES_ROWS},
                    order=41,
                )
            )
        return widgets

    def search_documents(self):
        """Every published monograph."""
        from plugins.library.indexing import all_documents

        return all_documents()

    def can_read_file(self, user, stored_file) -> bool | None:
        """An attachment is readable by those who may read its monograph."""
        from plugins.library.models import Attachment, Monograph
        from plugins.library.permissions import may_read

        if stored_file.plugin != self.name:
            return None
        monographs = db.session.scalars(
            sa.select(Monograph).join(Attachment).where(Attachment.file_id == stored_file.id)
        )
        return any(may_read(user, m) for m in monographs)

    def user_data(self, user) -> dict:
        """The monographs the user proposed."""
        from plugins.library.models import Monograph

        rows = db.session.execute(
            sa.select(Monograph.title, Monograph.status, Monograph.created_dt).where(
                Monograph.created_by_id == user.id
            )
        )
        return {
            "monographs": [
                {"title": title, "status": status.value, "created": created.isoformat()}
                for title, status, created in rows
            ]
        }

    def erase_user(self, user) -> None:
        """Delete the user's drafts and their files (nobody else may ever open them); submitted and published
        monographs stay, without their proposer (the authors' names are part of the text)."""
        from plugins.library.models import Monograph, Status
        from plugins.library.service import delete

        drafts = db.session.scalars(
            sa.select(Monograph).where(Monograph.created_by_id == user.id, Monograph.status == Status.DRAFT)
        ).all()
        for draft in drafts:
            delete(draft)
        db.session.execute(
            sa.update(Monograph).where(Monograph.created_by_id == user.id).values(created_by_id=None)
        )

    def load_demo(self, demo: dict) -> None:
        """The lists, and monographs of varied legal forms and regions, some with a PDF."""
        from plugins.library.demo import load_demo

        load_demo(db.session, demo)
