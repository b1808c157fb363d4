"""The regroupements plugin (being built: see its issue)."""

from plugins.regroupements.plugin import RegroupementsPlugin

plugin = RegroupementsPlugin()
