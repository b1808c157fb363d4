"""The calendar (month, week, list), personal events, and the private iCalendar feed."""

from __future__ import annotations

import calendar as stdcal
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.regroupements.blueprint import bp
from plugins.regroupements.calendar import all_events
from plugins.regroupements.feed import ical
from plugins.regroupements.forms import EventForm
from plugins.regroupements.models import FeedToken, PersonalEvent
from plugins.regroupements.service import day_bounds, feed_owner, local, new_feed_token, paris, revoke_feed
from portal.extensions import db
from portal.models import utcnow
from portal.urls import absolute_url

#: the feed carries events from this long ago to this far ahead
FEED_PAST = timedelta(days=400)
FEED_AHEAD = timedelta(days=800)


def _day_arg(today: date) -> date:
    try:
        chosen = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return today
    # Far-off years would overflow the grid's bounds; nobody plans a regroupement there.
    return chosen if 1970 <= chosen.year <= 2100 else today


@bp.route("/calendar")
def calendar():
    """The user's calendar: `view` is month (default), week or list; `date` picks the period."""
    today = local(utcnow()).date()
    view = request.args.get("view", "month")
    if view not in ("month", "week", "list"):
        view = "month"
    day = _day_arg(today)
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        last = first.replace(day=stdcal.monthrange(first.year, first.month)[1])
        grid_end = last + timedelta(days=6 - last.weekday())
        previous, following = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
    elif view == "week":
        grid_start = day - timedelta(days=day.weekday())
        grid_end = grid_start + timedelta(days=6)
        previous, following = grid_start - timedelta(days=7), grid_start + timedelta(days=7)
    else:
        grid_start, grid_end = day, day + timedelta(days=41)
        previous, following = day - timedelta(days=42), day + timedelta(days=42)
    start, end = day_bounds(grid_start, grid_end)
    found = all_events(current_user, start, end)
    by_day: dict[date, list] = {}
    for event in found.events:
        first_day = max(local(event.start).date(), grid_start)
        last_day = min(local(event.end - timedelta(seconds=1)).date(), grid_end)
        d = first_day
        while d <= last_day:
            by_day.setdefault(d, []).append(event)
            d += timedelta(days=1)
    days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days + 1)]
    return render_template(
        "regroupements/calendar.html",
        view=view,
        day=day,
        today=today,
        days=days,
        weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
        by_day=by_day,
        cancelled=found.cancelled,
        previous=previous,
        following=following,
    )


def _event_or_404(event_id: int) -> PersonalEvent:
    event = db.get_or_404(PersonalEvent, event_id)
    if event.user_id != current_user.id:
        abort(404)
    return event


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    """Add a personal event to one's own calendar."""
    form = EventForm()
    if request.method == "GET":
        form.day.data = _day_arg(local(utcnow()).date())
    if form.validate_on_submit():
        event = PersonalEvent(user_id=current_user.id)
        _fill_event(event, form)
        db.session.add(event)
        db.session.commit()
        flash(_("L'événement est ajouté à votre agenda."), "success")
        return redirect(url_for("regroupements.calendar", date=form.day.data.isoformat()))
    return render_template("regroupements/event_form.html", form=form, event=None)


def _fill_event(event: PersonalEvent, form: EventForm) -> None:
    event.title = form.title.data
    event.start_dt = paris(form.day.data, form.start.data)
    event.end_dt = paris(form.day.data, form.end.data)
    event.location = form.location.data or ""
    event.description = form.description.data or ""


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
def event_edit(event_id: int):
    """Change one's personal event."""
    event = _event_or_404(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        start, end = local(event.start_dt), local(event.end_dt)
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
    if form.validate_on_submit():
        _fill_event(event, form)
        db.session.commit()
        flash(_("L'événement est enregistré."), "success")
        return redirect(url_for("regroupements.calendar", date=form.day.data.isoformat()))
    return render_template("regroupements/event_form.html", form=form, event=event)


@bp.route("/events/<int:event_id>/delete", methods=["POST"])
def event_delete(event_id: int):
    """Delete one's personal event."""
    event = _event_or_404(event_id)
    db.session.delete(event)
    db.session.commit()
    flash(_("L'événement est supprimé."), "success")
    return redirect(url_for("regroupements.calendar"), 303)


@bp.route("/feed", methods=["GET", "POST"])
def feed():
    """The private feed: create or renew its secret address (shown once), or revoke it."""
    token = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            if revoke_feed(current_user):
                flash(_("L'adresse de votre agenda est révoquée : elle ne fonctionne plus."), "success")
            db.session.commit()
            return redirect(url_for("regroupements.feed"), 303)
        token = new_feed_token(current_user)
        db.session.commit()
    existing = db.session.get(FeedToken, current_user.id)
    url = absolute_url("regroupements.feed_ics", token=token) if token else None
    return render_template("regroupements/feed.html", existing=existing, url=url)


@bp.route("/feed/<token>.ics")
def feed_ics(token: str):
    """The user's events as iCalendar, for a calendar application; a wrong or revoked secret answers 404."""
    owner = feed_owner(token)
    if owner is None:
        abort(404)
    now = utcnow()
    found = all_events(owner, now - FEED_PAST, now + FEED_AHEAD)
    body = ical(found.events, _("Portail ESS — %(name)s", name=owner.full_name), now, found.cancelled)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
