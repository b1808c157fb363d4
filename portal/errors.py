"""Error pages in the site's layout that say what happened and leak nothing."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Render HTTP errors, CSRF failures and unexpected exceptions with errors/error.html."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = error.get_response()
        response.set_data(render_template("errors/error.html", code=error.code, reason=None))
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.debug or app.testing:
            raise error
        log.exception("unexpected error")
        return render_template("errors/error.html", code=500, reason=None), InternalServerError.code
