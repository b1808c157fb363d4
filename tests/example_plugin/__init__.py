"""A tiny plugin that proves the contract without any real plugin: a table, a page, a link and a widget."""

from flask import Blueprint, url_for

from portal.plugins import NavItem, Plugin, Widget


class ExamplePlugin(Plugin):
    """Notes per cohort: one table (example_note), one page, one navigation link and one widget."""

    name = "example"
    title = "Example"

    def blueprint(self) -> Blueprint:
        """The example pages."""
        from tests.example_plugin.views import bp

        return bp

    def nav_items(self, user):
        """A link for every logged-in user."""
        return [NavItem("Exemple", url_for("example.notes"), order=50, active_prefix="example.")]

    def dashboard_widgets(self, user):
        """A widget counting the user's notes."""
        from tests.example_plugin.models import count_notes

        return [Widget("Notes d'exemple", "example/widget.html", {"count": count_notes(user)}, order=50)]

    def notification_kinds(self):
        """A note added for someone (mailed at once by default) and a weekly tip (in the portal only)."""
        from portal.notifications import MailMode, NotificationKind

        return [
            NotificationKind("example.note", "Une note vous est adressée"),
            NotificationKind("example.tip", "Un conseil", mail=MailMode.NONE),
        ]

    def learner_activity(self, user_ids):
        """An alert for each learner who wrote notes (a stand-in for "late on a milestone")."""
        import sqlalchemy as sa

        from portal.extensions import db
        from portal.plugins import LearnerActivity
        from tests.example_plugin.models import ExampleNote

        rows = db.session.execute(
            sa.select(ExampleNote.user_id, sa.func.count())
            .where(ExampleNote.user_id.in_(sorted(user_ids)))
            .group_by(ExampleNote.user_id)
        )
        return {user_id: LearnerActivity(alerts=(f"{count} note(s)",)) for user_id, count in rows}

    def search_documents(self):
        """Every note, private to its author and their cohort's staff."""
        import sqlalchemy as sa

        from portal.extensions import db
        from tests.example_plugin.models import ExampleNote

        for note in db.session.scalars(sa.select(ExampleNote)):
            yield note_document(note)

    def can_read_file(self, user, stored_file):
        """The author of the note, and the staff of its cohort."""
        import sqlalchemy as sa

        from portal.extensions import db
        from portal.permissions import may_manage_cohort
        from tests.example_plugin.models import ExampleNote

        note = db.session.scalar(sa.select(ExampleNote).where(ExampleNote.file_id == stored_file.id))
        if note is None:
            return False
        return note.user_id == user.id or (
            note.cohort_id is not None and may_manage_cohort(user, note.cohort_id)
        )

    def user_data(self, user):
        """The user's notes."""
        from tests.example_plugin.models import notes_of

        return {"notes": [n.text for n in notes_of(user)]}


def note_document(note):
    """The search document of a note: its text and its file's text."""
    from datetime import UTC, datetime

    from portal.extract import extract_text
    from portal.plugins import SearchDoc
    from portal.storage import path_of

    body = note.text
    if note.file is not None:
        body += "\n" + extract_text(path_of(note.file), note.file.content_type)
    return SearchDoc(
        doc_id=f"example:note:{note.id}",
        plugin="example",
        kind="note",
        title=note.text[:80],
        body=body,
        url=f"/example/{note.id}",
        updated_dt=datetime.now(UTC),
        cohort_id=note.cohort_id,
        owner_id=note.user_id,
        visibility="private",
    )


plugin = ExamplePlugin()
