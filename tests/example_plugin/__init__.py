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

    def user_data(self, user):
        """The user's notes."""
        from tests.example_plugin.models import notes_of

        return {"notes": [n.text for n in notes_of(user)]}


plugin = ExamplePlugin()
