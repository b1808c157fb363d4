"""The forum plugin (being built: see its issue)."""

from plugins.forum.plugin import ForumPlugin

plugin = ForumPlugin()
