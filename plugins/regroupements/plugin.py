"""The regroupements plugin object and its contributions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.plugins import Plugin


class RegroupementsPlugin(Plugin):
    """Being built: contributes nothing yet."""

    name = "regroupements"
    title = _l("Regroupements")
