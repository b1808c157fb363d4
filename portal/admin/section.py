"""The staff pages' contributions: their navigation link."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l

from portal.models import User
from portal.permissions import may_manage_people
from portal.plugins import NavItem, Plugin


class AdminSection(Plugin):
    """People, cohorts, ateliers and programmes, for admins and staff."""

    name = "admin"
    title = _l("Administration")
    builtin = True

    def blueprint(self) -> Blueprint:
        """The admin blueprint with every staff view attached."""
        from portal.admin import access_views, csv_views, people_views, programme_views  # noqa: F401 - attach routes
        from portal.admin.blueprint import bp

        return bp

    def nav_items(self, user: User) -> list[NavItem]:
        """The link to the staff pages, for those who may use them."""
        if not may_manage_people(user):
            return []
        return [NavItem(_l("Administration"), url_for("admin.index"), order=900, active_prefix="admin.")]
