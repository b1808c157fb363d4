"""What URLs may carry: ids within the database's integer range, sane page numbers, no NUL characters."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

#: The largest id a column of the database holds (PostgreSQL's integer; SQLite's is larger): a bigger one in
#: a URL is no object's, so its route does not match and the answer is 404.
MAX_ID = 2**31 - 1
#: No list of the site has this many pages; a bigger page number answers 404 before any query runs.
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a positive integer no larger than MAX_ID."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def page_number(argument: str = "page") -> int:
    """The page asked for in the query string: 1 when absent or not a number; 404 beyond MAX_PAGE."""
    page = request.args.get(argument, 1, type=int)
    if page is None or page < 1:
        return 1
    if page > MAX_PAGE:
        abort(404)
    return page


def paginate(query, per_page: int, argument: str = "page"):
    """A page of a select (flask_sqlalchemy's Pagination) for the page asked for; 404 past the last page."""
    from portal.extensions import db

    page = page_number(argument)
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    if page > max(found.pages, 1):
        abort(404)
    return found


def _refuse_nul() -> None:
    # PostgreSQL refuses NUL in text: a query string or URL part carrying one is a bad request, said as such.
    if any("\x00" in value for value in request.args.values()):
        abort(400)
    if any(isinstance(value, str) and "\x00" in value for value in (request.view_args or {}).values()):
        abort(404)


def init_app(app: Flask) -> None:
    """Bound every `<int:…>` of every route (call before blueprints are registered) and refuse NUL in
    URLs."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)
