"""The example plugin's page: list and add notes."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from tests.example_plugin.models import ExampleNote, notes_of

bp = Blueprint("example", __name__, template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@login_required
def notes():
    """The user's notes; POST adds one."""
    if request.method == "POST":
        text = request.form.get("text", "").strip()[:200]
        if text:
            db.session.add(ExampleNote(user_id=current_user.id, text=text))
            db.session.commit()
        return redirect(url_for("example.notes"), code=303)
    return render_template("example/notes.html", notes=notes_of(current_user))
