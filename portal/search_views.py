"""The global search page: results from every plugin, only what the user may open."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from portal.plugins import loaded_plugins
from portal.search import MAX_QUERY_LENGTH, search

bp = Blueprint("search", __name__)


@bp.route("/")
@login_required
def results():
    """Search every plugin's documents; `q` is the query, `page` the page."""
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page = request.args.get("page", 1, type=int) or 1
    found = search(current_user, text, page=page, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    titles = {p.name: p.title for p in loaded_plugins(current_app)}
    return render_template("search/results.html", q=text, found=found, titles=titles)
