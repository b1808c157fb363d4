"""Rules and changes of the regroupements plugin: Paris time, timetable checks, attendance, feed tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from plugins.regroupements.models import (
    Attendance,
    AttendanceChange,
    FeedToken,
    Presence,
    Session,
    SessionStatus,
    Week,
)
from portal.extensions import db
from portal.models import utcnow

PARIS = ZoneInfo("Europe/Paris")
#: a learner may check in from this long before the start ...
CHECKIN_OPENS = timedelta(minutes=15)
#: ... and is marked late after this long past the start (the window closes at the end)
LATE_AFTER = timedelta(minutes=10)


class Refused(ValueError):
    """A change the rules refuse; the message is French and shown as is."""


def paris(day: date, at: time) -> datetime:
    """A Paris wall-clock day and time, as UTC."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def local(moment: datetime) -> datetime:
    """A UTC moment in Paris time."""
    return moment.astimezone(PARIS)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds of the Paris days first..last (last inclusive)."""
    return paris(first, time()), paris(last + timedelta(days=1), time())


# -- timetable ----------------------------------------------------------------------------------------
def check_week(cohort_id: int, number: int, start: date, end: date, week: Week | None = None) -> None:
    """Refuse a week that ends before it starts, reuses a number, overlaps another, or strands sessions."""
    if end < start:
        raise Refused(_("La semaine doit se terminer le jour où elle commence ou après."))
    if (end - start).days > 13:
        raise Refused(_("Une semaine de regroupement dure au plus deux semaines."))
    others = db.session.scalars(
        sa.select(Week).where(Week.cohort_id == cohort_id, Week.id != (week.id if week else -1))
    ).all()
    if any(o.number == number for o in others):
        raise Refused(_("Cette promotion a déjà une semaine numéro %(n)d.", n=number))
    for other in others:
        if other.start_date <= end and start <= other.end_date:
            raise Refused(_("Ces dates chevauchent la semaine %(n)d.", n=other.number))
    if week is not None:
        lo, hi = day_bounds(start, end)
        if any(s.start_dt < lo or s.end_dt > hi for s in week.sessions):
            raise Refused(
                _("Des séances de cette semaine tomberaient hors de ces dates : déplacez-les d'abord.")
            )


def check_session(week: Week, day: date, start: time, end: time, session: Session | None = None) -> tuple:
    """The session's UTC start and end, or Refused when it ends before it starts, falls outside its week or
    overlaps another session of the cohort (cancelled ones aside)."""
    if end <= start:
        raise Refused(_("La séance doit se terminer après son début."))
    if not week.start_date <= day <= week.end_date:
        raise Refused(
            _(
                "La séance doit avoir lieu pendant la semaine %(n)d (du %(a)s au %(b)s).",
                n=week.number,
                a=week.start_date.strftime("%d/%m/%Y"),
                b=week.end_date.strftime("%d/%m/%Y"),
            )
        )
    start_dt, end_dt = paris(day, start), paris(day, end)
    clash = db.session.scalar(
        sa.select(Session)
        .where(
            Session.cohort_id == week.cohort_id,
            Session.id != (session.id if session else -1),
            Session.status != SessionStatus.CANCELLED,
            Session.start_dt < end_dt,
            Session.end_dt > start_dt,
        )
        .limit(1)
    )
    if clash is not None:
        at = local(clash.start_dt)
        raise Refused(
            _(
                "Cette séance chevauche « %(t)s » du %(d)s à %(h)s : "
                "la promotion ne peut suivre deux séances à la fois.",
                t=clash.label or _("séance"),
                d=at.strftime("%d/%m/%Y"),
                h=at.strftime("%H:%M"),
            )
        )
    return start_dt, end_dt


# -- attendance ---------------------------------------------------------------------------------------
def checkin_window(session: Session) -> tuple[datetime, datetime]:
    """When a learner may check in themself."""
    return session.start_dt - CHECKIN_OPENS, session.end_dt


def set_status(
    session: Session, user_id: int, status: Presence, actor_id: int, checked_in: datetime | None = None
) -> bool:
    """Record a learner's status, keeping the change in the history; False when it was already so."""
    row = db.session.get(Attendance, (session.id, user_id))
    old = row.status if row else None
    if old == status:
        return False
    now = utcnow()
    if row is None:
        row = Attendance(session_id=session.id, user_id=user_id, status=status)
        db.session.add(row)
    row.status = status
    row.recorded_by_id = actor_id
    row.recorded_dt = now
    if checked_in is not None:
        row.checked_in_dt = checked_in
    db.session.add(
        AttendanceChange(
            session_id=session.id,
            user_id=user_id,
            old_status=old,
            new_status=status,
            changed_by_id=actor_id,
            changed_dt=now,
        )
    )
    return True


def check_in(session: Session, user, now: datetime | None = None) -> Presence:
    """A learner's own check-in, inside the session's window only; returns the status recorded."""
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise Refused(_("Cette séance est annulée : il n'y a pas d'émargement."))
    opens, closes = checkin_window(session)
    if now < opens:
        raise Refused(
            _(
                "L'émargement ouvre à %(h)s, un quart d'heure avant le début de la séance.",
                h=local(opens).strftime("%d/%m/%Y %H:%M"),
            )
        )
    if now > closes:
        raise Refused(_("La séance est terminée : l'émargement est fermé. Contactez l'équipe pédagogique."))
    row = db.session.get(Attendance, (session.id, user.id))
    if row is not None and row.status in (Presence.PRESENT, Presence.LATE):
        raise Refused(_("Votre présence est déjà enregistrée pour cette séance."))
    status = Presence.PRESENT if now <= session.start_dt + LATE_AFTER else Presence.LATE
    set_status(session, user.id, status, user.id, checked_in=now)
    return status


# -- feed ---------------------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    """What is stored of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(user) -> str:
    """Create or replace the user's feed secret (the old address stops working); returns the secret."""
    token = secrets.token_urlsafe(32)
    row = db.session.get(FeedToken, user.id)
    if row is None:
        row = FeedToken(user_id=user.id, token_hash=token_hash(token))
        db.session.add(row)
    else:
        row.token_hash = token_hash(token)
        row.created_dt = utcnow()
    return token


def revoke_feed(user) -> bool:
    """Delete the user's feed secret; False when there was none."""
    row = db.session.get(FeedToken, user.id)
    if row is None:
        return False
    db.session.delete(row)
    return True


def feed_owner(token: str):
    """The user whose feed this secret opens, or None (unknown, revoked, or inactive user)."""
    from portal.models import User

    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(FeedToken, FeedToken.user_id == User.id)
        .where(FeedToken.token_hash == token_hash(token))
    )
    return user if user is not None and user.active else None
