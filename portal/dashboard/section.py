"""The dashboard's own contributions: its navigation link and the "my cohorts" widget."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Atelier, Cohort, Programme, Role, User
from portal.permissions import archived_cohort_ids, atelier_ids, is_admin, memberships
from portal.plugins import NavItem, Plugin, Widget


class DashboardSection(Plugin):
    """The home page and the widget listing the user's cohorts and ateliers."""

    name = "dashboard"
    title = _l("Tableau de bord")
    builtin = True

    def blueprint(self) -> Blueprint:
        """The dashboard's blueprint."""
        from portal.dashboard.views import bp

        return bp

    def url_prefix(self) -> str:
        """The dashboard is the site's home."""
        return ""

    def nav_items(self, user: User) -> list[NavItem]:
        """Everyone logged in has a dashboard."""
        return [
            NavItem(_l("Tableau de bord"), url_for("dashboard.index"), order=0, active_prefix="dashboard.")
        ]

    def dashboard_widgets(self, user: User) -> list[Widget]:
        """The user's cohorts with their roles and ateliers (two queries whatever the numbers); for admins,
        the site at a glance (four more)."""
        widgets = self._cohorts_widget(user)
        if atelier_ids(user, Role.TUTOR):
            from portal.dashboard.followup import followed_ateliers, inactive_days, inactivity_label

            context = {
                "ateliers": followed_ateliers(user),
                "days": inactive_days(),
                "label": inactivity_label,
            }
            widgets.append(
                Widget(_l("Suivi de mes ateliers"), "dashboard/widget_followup.html", context, order=8)
            )
        if is_admin(user):
            from portal.dashboard.health import site_health

            widgets.append(
                Widget(
                    _l("Le site en un coup d'œil"),
                    "dashboard/widget_site.html",
                    {"health": site_health()},
                    order=5,
                )
            )
        return widgets

    def _cohorts_widget(self, user: User) -> list[Widget]:
        mine = memberships(user)
        archived = archived_cohort_ids(user) - set(mine.cohort_roles)
        if not mine.cohort_roles and not archived:
            return [Widget(_l("Mes promotions"), "dashboard/widget_cohorts.html", {"rows": []}, order=10)]
        cohorts = db.session.execute(
            sa.select(Cohort, Programme.title)
            .join(Programme)
            .where(Cohort.id.in_(set(mine.cohort_roles) | archived))
            .order_by(Cohort.start_date.desc())
        ).all()
        ateliers = db.session.scalars(
            sa.select(Atelier).where(Atelier.id.in_(mine.atelier_roles)).order_by(Atelier.name)
        ).all()
        rows = [
            {
                "cohort": cohort,
                "programme": programme_title,
                "roles": sorted(mine.cohort_roles.get(cohort.id, ())),
                "ateliers": [a for a in ateliers if a.cohort_id == cohort.id],
                # A learner whose access ended: the promotion is shown, as her archive.
                "archived": cohort.id in archived,
            }
            for cohort, programme_title in cohorts
        ]
        return [Widget(_l("Mes promotions"), "dashboard/widget_cohorts.html", {"rows": rows}, order=10)]
