"""Absolute addresses for mail and feeds, built the same way in a request, a command or a signal receiver."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, request, url_for

#: Where links point when neither SITE_URL nor a request says where the site is.
FALLBACK_SITE_URL = "http://localhost"


def absolute_url(endpoint: str, **values) -> str:
    """The full address of an endpoint: on SITE_URL when it is set (a request's host may be an internal one
    behind a proxy), else on the current request's host, else on http://localhost."""
    site = current_app.config.get("SITE_URL")
    if not site and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=site or FALLBACK_SITE_URL):
        return url_for(endpoint, _external=True, **values)


def absolute_link(path: str) -> str:
    """The full address of a path of the site (e.g. "/forum/discussion/3"), built as `absolute_url` does."""
    site = current_app.config.get("SITE_URL")
    if not site and has_request_context():
        site = request.host_url
    return (site or FALLBACK_SITE_URL).rstrip("/") + "/" + path.lstrip("/")


def _is_same_site_path(target: str) -> bool:
    """Whether a browser, reading the target as it is or once more decoded, can only stay on this site: a
    path starting with one "/", no scheme, no host, no backslash and no control character (browsers drop
    tabs and line feeds from a URL, so "/<tab>/evil.example" would become "//evil.example")."""
    for form in (target, unquote(target)):
        parts = urlsplit(form)
        if (
            parts.scheme
            or parts.netloc
            or not form.startswith("/")
            or form.startswith("//")
            or "\\" in form
            or any(unicodedata.category(char) == "Cc" for char in form)
        ):
            return False
    return True


def safe_path(target: str | None) -> str:
    """The target when it is a path of this site (a `next` parameter, a stored link), else the dashboard."""
    if target and _is_same_site_path(target):
        return target
    return url_for("dashboard.index")
