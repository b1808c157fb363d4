"""A user's calendar: their cohorts' sessions, personal events, and what every loaded plugin contributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from plugins.regroupements.models import SessionStatus
from plugins.regroupements.queries import personal_events_between, sessions_between
from portal.permissions import cohort_ids
from portal.plugins import CalendarEvent, loaded_plugins
from portal.urls import absolute_url


@dataclass(frozen=True)
class OwnEvents:
    """This plugin's events for a user, and which of them are cancelled sessions."""

    events: list[CalendarEvent]
    cancelled: frozenset[str]


def _prefix(endpoint: str, **values) -> str:
    """An address ending in the placeholder 0, without it: built once, then completed per row."""
    return absolute_url(endpoint, **values)[:-1]


def own_events(user, start: datetime, end: datetime) -> OwnEvents:
    """Sessions of the user's cohorts and the user's personal events between start and end."""
    events: list[CalendarEvent] = []
    cancelled: set[str] = set()
    session_url = _prefix("regroupements.session", session_id=0)
    event_url = _prefix("regroupements.event_edit", event_id=0)
    kinds = {"seminar": _("Séminaire"), "atelier": _("Atelier mémoire"), "methodology": _("Méthodologie")}
    cancelled_word, moved_word = _("Annulée"), _("Déplacée")
    for session in sessions_between(cohort_ids(user), start, end):
        uid = f"regroupements-session-{session.id}@portail-ess"
        title = session.label or kinds[session.kind.value]
        if session.status == SessionStatus.CANCELLED:
            title = f"{cancelled_word} : {title}"
            cancelled.add(uid)
        elif session.status == SessionStatus.MOVED:
            title = f"{moved_word} : {title}"
        lines = [kinds[session.kind.value]]
        if session.lecturers:
            lines.append(", ".join(u.full_name for u in session.lecturers))
        if session.status_note:
            lines.append(session.status_note)
        if session.link:
            lines.append(session.link)
        events.append(
            CalendarEvent(
                uid=uid,
                title=title,
                start=session.start_dt,
                end=session.end_dt,
                url=f"{session_url}{session.id}" if session_url else "",
                location=session.link or session.room,
                description="\n".join(lines),
            )
        )
    for event in personal_events_between(user.id, start, end):
        events.append(
            CalendarEvent(
                uid=f"regroupements-event-{event.id}@portail-ess",
                title=event.title,
                start=event.start_dt,
                end=event.end_dt,
                url=f"{event_url}{event.id}" if event_url else "",
                location=event.location,
                description=event.description,
            )
        )
    return OwnEvents(events, frozenset(cancelled))


def all_events(user, start: datetime, end: datetime) -> OwnEvents:
    """Everything the user has between start and end, from this plugin and every other loaded plugin."""
    from plugins.regroupements import plugin as this

    own = own_events(user, start, end)
    events = list(own.events)
    for plugin in loaded_plugins(current_app):
        if plugin.name != this.name:
            events.extend(plugin.calendar_events(user, start, end))
    events.sort(key=lambda e: (e.start, e.end, e.title))
    return OwnEvents(events, own.cancelled)
