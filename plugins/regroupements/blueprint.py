"""The regroupements blueprint."""

from flask import Blueprint

bp = Blueprint("regroupements", __name__, template_folder="templates")


@bp.app_template_filter("regroupements_hm")
def hour_minute(moment) -> str:
    """A UTC moment as Paris hours and minutes (cheaper than Babel on long calendars)."""
    from plugins.regroupements.service import local

    return local(moment).strftime("%H:%M") if moment else ""
