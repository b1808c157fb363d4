"""The memoire plugin (being built: see its issue)."""

from plugins.memoire.plugin import MemoirePlugin

plugin = MemoirePlugin()
