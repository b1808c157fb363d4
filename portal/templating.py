"""What every template gets: the navigation built from contributions, filters and labels."""

from datetime import UTC, datetime

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user

from portal.filetypes import file_icon, file_type_label, filesize
from portal.labels import LOCALE_LABELS, ROLE_LABELS, SEMINAR_KIND_LABELS
from portal.notifications.service import unread_count
from portal.plugins import NavItem, loaded_plugins
from portal.text import render_markdown


def navigation() -> list[NavItem]:
    """The main navigation of the current user, from every plugin's nav_items, built once per request."""
    if "_portal_nav" not in g:
        items: list[NavItem] = []
        if current_user.is_authenticated:
            for plugin in loaded_plugins(current_app):
                items.extend(plugin.nav_items(current_user))
        g._portal_nav = sorted(items, key=lambda item: item.order)
    return g._portal_nav


def is_current(item: NavItem) -> bool:
    """Whether the current page belongs to the navigation item."""
    if item.active_prefix:
        return (request.endpoint or "").startswith(item.active_prefix)
    return request.path == item.url


def local_date(value, fmt: str = "medium") -> str:
    """The day of a date or date-time in the user's time zone, formatted for their locale.

    A list page formats hundreds of dates that fall on a few days: each day is formatted once per request.
    """
    if not value:
        return ""
    if isinstance(value, datetime):
        if "_portal_timezone" not in g:
            g._portal_timezone = get_timezone()
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(g._portal_timezone).date()
    cache = g.setdefault("_portal_dates", {})
    if (value, fmt) not in cache:
        cache[value, fmt] = format_date(value, fmt)
    return cache[value, fmt]


def init_app(app: Flask) -> None:
    """Register the context processor and the filters."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["filetype"] = file_type_label
    from portal.files import file_url

    app.jinja_env.globals.update(
        file_url=file_url,
        file_icon=file_icon,
        file_type_label=file_type_label,
        get_locale=get_locale,
        navigation=navigation,
        is_current=is_current,
        unread_notifications=lambda: unread_count(current_user),
        ROLE_LABELS=ROLE_LABELS,
        SEMINAR_KIND_LABELS=SEMINAR_KIND_LABELS,
        LOCALE_LABELS=LOCALE_LABELS,
    )
