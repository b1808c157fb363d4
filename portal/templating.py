"""What every template gets: the navigation built from contributions, filters and labels."""

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from portal.labels import LOCALE_LABELS, ROLE_LABELS, SEMINAR_KIND_LABELS
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


def init_app(app: Flask) -> None:
    """Register the context processor and the filters."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    from portal.files import file_url

    app.jinja_env.globals.update(
        file_url=file_url,
        get_locale=get_locale,
        navigation=navigation,
        is_current=is_current,
        ROLE_LABELS=ROLE_LABELS,
        SEMINAR_KIND_LABELS=SEMINAR_KIND_LABELS,
        LOCALE_LABELS=LOCALE_LABELS,
    )
