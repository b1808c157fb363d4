"""The one route that serves stored files, after the owning plugin's access decision."""

from flask import Blueprint, abort, current_app, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.plugins import loaded_plugins
from portal.storage import StoredFile, path_of, send_stored

bp = Blueprint("files", __name__)


def may_read(user, stored: StoredFile) -> bool:
    """Whether the plugin that owns the file lets the user read it (a plugin that is not loaded says no)."""
    owner = next((p for p in loaded_plugins(current_app) if p.name == stored.plugin), None)
    return owner is not None and owner.can_read_file(user, stored) is True


@bp.route("/<int:file_id>/<path:name>")
@login_required
def download(file_id: int, name: str):
    """Send the file if its plugin allows it; anything else answers 404, whether or not the file exists."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not may_read(current_user, stored) or not path_of(stored).is_file():
        abort(404)
    return send_stored(stored)


def file_url(stored: StoredFile) -> str:
    """The download address of a stored file (templates call it as `file_url(f)`)."""
    return url_for("files.download", file_id=stored.id, name=stored.name)
