"""Error pages in the site's layout that say what happened and leak nothing."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger(__name__)

#: Drawn without the layout when the layout itself cannot be drawn (a broken database, a broken template).
BARE_ERROR_PAGE = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur du serveur</title>'
    "<h1>Erreur du serveur</h1><p>Une erreur inattendue s'est produite. Réessayez dans un instant.</p></html>"
)


def _error_page(code: int, reason: str | None = None) -> str:
    # The request may have failed inside a transaction: the page (which reads the user and the navigation)
    # must start from a clean session, or it fails in turn.
    db.session.rollback()
    try:
        return render_template("errors/error.html", code=code, reason=reason)
    except Exception:
        db.session.rollback()
        log.exception("the error page for %s could not be drawn", code)
        return BARE_ERROR_PAGE


def init_app(app: Flask) -> None:
    """Render HTTP errors, CSRF failures and unexpected exceptions with errors/error.html."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _error_page(400, "csrf"), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = error.get_response()
        response.set_data(_error_page(error.code))
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.debug or app.testing:
            raise error
        log.exception("unexpected error")
        return _error_page(500), InternalServerError.code
