"""Absolute addresses for mail and feeds, built the same way in a request, a command or a signal receiver."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

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
