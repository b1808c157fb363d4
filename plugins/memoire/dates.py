"""The dates that apply to a learner (their own override, else their atelier's, else the assignment's) and how
they are said: time left, lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext

from plugins.memoire.models import Assignment, Override

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def paris_to_utc(moment: datetime | None) -> datetime | None:
    """A date and time typed in Paris time, as UTC."""
    return moment.replace(tzinfo=PARIS).astimezone(UTC) if moment else None


def utc_to_paris(moment: datetime | None) -> datetime | None:
    """A UTC time as Paris wall-clock time, for a form field."""
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment else None


@dataclass(frozen=True)
class Dates:
    """The dates that apply to one learner for one assignment."""

    open_dt: datetime | None
    due_dt: datetime
    cutoff_dt: datetime | None
    #: "user", "atelier" or "" (the assignment's own dates)
    source: str = ""

    def is_open(self, now: datetime) -> bool:
        """Whether work may be handed in now (after the opening, before the cut-off)."""
        return (self.open_dt is None or now >= self.open_dt) and (
            self.cutoff_dt is None or now < self.cutoff_dt
        )

    def late_seconds(self, moment: datetime) -> int:
        """How late a version sent at `moment` is, in seconds (0 when on time)."""
        return max(0, int((moment - self.due_dt).total_seconds()))


def effective_dates(
    assignment: Assignment, overrides: list[Override], user_id: int, ateliers: set[int]
) -> Dates:
    """The learner's dates: their own override wins over their atelier's, which wins over the assignment's."""
    mine = next((o for o in overrides if o.user_id == user_id), None)
    if mine is None:
        mine = next((o for o in overrides if o.atelier_id is not None and o.atelier_id in ateliers), None)
    if mine is None:
        return Dates(assignment.open_dt, assignment.due_dt, assignment.cutoff_dt)
    return Dates(assignment.open_dt, mine.due_dt, mine.cutoff_dt, "user" if mine.user_id else "atelier")


def duration(seconds: int) -> str:
    """A duration as "n jours h heures" (or hours and minutes under a day)."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _(
            "%(days)s et %(hours)s",
            days=ngettext("%(num)d jour", "%(num)d jours", days),
            hours=ngettext("%(num)d heure", "%(num)d heures", hours),
        )
    if hours:
        return _(
            "%(hours)s et %(minutes)s",
            hours=ngettext("%(num)d heure", "%(num)d heures", hours),
            minutes=ngettext("%(num)d minute", "%(num)d minutes", minutes),
        )
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def countdown(dates: Dates, now: datetime) -> str:
    """ "n jours h heures restants" before the due date, "en retard de …" after it."""
    left = int((dates.due_dt - now).total_seconds())
    if left >= 0:
        return _("%(d)s restants", d=duration(left))
    return _("en retard de %(d)s", d=duration(-left))


def late_label(seconds: int) -> str:
    """ "en retard de …" for a late version, "" for one on time."""
    return _("en retard de %(d)s", d=duration(seconds)) if seconds > 0 else ""


HOUR = timedelta(hours=1)
