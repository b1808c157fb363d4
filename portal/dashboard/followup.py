"""The tutor's follow-up of their ateliers: a line per learner with their latest activity anywhere on the
site, and alerts (inactive for a while, late on a milestone…) gathered from every plugin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.extensions import db
from portal.members import atelier_member_ids
from portal.models import Atelier, Role, User, utcnow
from portal.permissions import atelier_ids
from portal.plugins import loaded_plugins

#: Days without any activity after which a learner is flagged to their tutor (INACTIVE_LEARNER_DAYS).
DEFAULT_INACTIVE_DAYS = 21


@dataclass(frozen=True)
class LearnerLine:
    """One learner of an atelier, as their tutor follows them."""

    user: User
    last_dt: datetime | None
    alerts: tuple[str, ...]
    inactive: bool


@dataclass(frozen=True)
class AtelierFollowUp:
    """An atelier the tutor follows, with its learners."""

    atelier: Atelier
    learners: list[LearnerLine]

    @property
    def flagged(self) -> int:
        """How many learners need a look."""
        return sum(1 for line in self.learners if line.inactive or line.alerts)


def followed_ateliers(tutor: User) -> list[AtelierFollowUp]:
    """The ateliers the user tutors, each learner with their latest activity and alerts; three queries and
    one per plugin, whatever the number of learners."""
    ids = atelier_ids(tutor, Role.TUTOR)
    if not ids:
        return []
    ateliers = db.session.scalars(
        sa.select(Atelier).where(Atelier.id.in_(sorted(ids))).order_by(Atelier.name)
    ).all()
    members = atelier_member_ids(ids, Role.LEARNER)
    everyone = sorted({uid for uids in members.values() for uid in uids})
    users = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(everyone)))}
        if everyone
        else {}
    )
    last = {uid: users[uid].last_login_dt for uid in everyone}
    alerts: dict[int, list[str]] = {uid: [] for uid in everyone}
    for plugin in loaded_plugins(current_app):
        for uid, activity in plugin.learner_activity(everyone).items():
            if uid not in last:
                continue
            if activity.last_dt and (last[uid] is None or activity.last_dt > last[uid]):
                last[uid] = activity.last_dt
            alerts[uid].extend(activity.alerts)
    limit = utcnow() - timedelta(days=inactive_days())
    return [
        AtelierFollowUp(
            atelier,
            sorted(
                (
                    LearnerLine(
                        users[uid], last[uid], tuple(alerts[uid]), last[uid] is None or last[uid] < limit
                    )
                    for uid in members.get(atelier.id, ())
                ),
                key=lambda line: (line.user.last_name, line.user.first_name, line.user.id),
            ),
        )
        for atelier in ateliers
    ]


def inactive_days() -> int:
    """Days without activity after which a learner is flagged."""
    return int(current_app.config.get("INACTIVE_LEARNER_DAYS", DEFAULT_INACTIVE_DAYS))


def inactivity_label(line: LearnerLine) -> str:
    """How long the learner has been quiet, for the flag."""
    if line.last_dt is None:
        return _("aucune activité")
    days = (utcnow() - line.last_dt).days
    return ngettext("inactif·ve depuis %(num)d jour", "inactif·ve depuis %(num)d jours", days)
