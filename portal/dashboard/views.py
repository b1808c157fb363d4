"""The dashboard page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from portal.plugins import loaded_plugins

bp = Blueprint("dashboard", __name__, template_folder="../templates")


@bp.route("/")
def index():
    """The user's home: every plugin's widgets, in order."""
    widgets = []
    for plugin in loaded_plugins(current_app):
        widgets.extend(plugin.dashboard_widgets(current_user))
    widgets.sort(key=lambda widget: widget.order)
    return render_template("dashboard/index.html", widgets=widgets)
