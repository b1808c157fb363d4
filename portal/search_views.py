"""The global search page: results from every plugin, only what the user may open."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from portal.plugins import loaded_plugins
from portal.routing import page_number
from portal.search import MAX_QUERY_LENGTH, search

bp = Blueprint("search", __name__)


@bp.route("/")
@login_required
def results():
    """Search every plugin's documents; `q` is the query, `page` the page."""
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page = page_number()
    found = search(current_user, text, page=page, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    if page > max(found.pages, 1):
        abort(404)
    titles = {p.name: p.title for p in loaded_plugins(current_app)}
    return render_template("search/results.html", q=text, found=found, titles=titles)
