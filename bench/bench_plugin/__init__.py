"""The bench plugin: an upload page through portal.storage and a few hundred French search documents built
from the generated data; no table of its own."""

from __future__ import annotations

from flask import Blueprint

from portal.plugins import Plugin

#: Enable it with PLUGINS = [..., PLUGIN_REFERENCE] (it is not an installed entry point).
PLUGIN_REFERENCE = "bench.bench_plugin:plugin"


class BenchPlugin(Plugin):
    """Pages and documents the benchmark runner needs beyond the core's."""

    name = "bench"
    title = "Bench"

    def blueprint(self) -> Blueprint:
        """The upload page."""
        from bench.bench_plugin.views import bp

        return bp

    def search_documents(self):
        """Seminar outlines (everyone), course material (per cohort), atelier reports (per atelier) and a
        private logbook per person, in French."""
        from bench.bench_plugin.documents import documents

        return documents()

    def can_read_file(self, user, stored_file):
        """Bench files: their uploader and admins."""
        if stored_file.plugin != self.name:
            return None
        return bool(user.is_admin or stored_file.uploaded_by_id == user.id)


plugin = BenchPlugin()
