"""The example plugin's page: list and add notes, with an optional attached file."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import StringField

from portal import once, search
from portal.extensions import db
from portal.forms import PortalForm
from portal.once import OnceField
from portal.permissions import cohort_ids
from portal.storage import UploadRefused, save_upload
from tests.example_plugin.models import ExampleNote, notes_of

bp = Blueprint("example", __name__, template_folder="templates")


class NoteForm(PortalForm):
    """A note's text (the file comes through the request's files); sent twice, it adds one note."""

    text = StringField("Texte")
    once = OnceField()


@bp.route("/", methods=["GET", "POST"])
@login_required
def notes():
    """The user's notes; POST adds one (text, and a file in the field `attachment`)."""
    form = NoteForm()
    if form.is_submitted():
        text = (form.text.data or "").strip()[:200]
        if not form.validate() or not text:
            flash(" ".join(form.text.errors) or "Le texte est obligatoire.", "error")
            return render_template("example/notes.html", notes=notes_of(current_user), form=form), 400
        earlier = once.claim(form.once.data, current_user.id)
        if earlier is not None:
            return redirect(earlier or url_for("example.notes"), code=303)
        upload = request.files.get("attachment")
        mine = sorted(cohort_ids(current_user))
        note = ExampleNote(user_id=current_user.id, text=text, cohort_id=mine[0] if mine else None)
        if upload and upload.filename:
            try:
                note.file = save_upload(upload, "example", current_user)
            except UploadRefused as refusal:
                db.session.rollback()
                flash(str(refusal), "error")
                page = render_template("example/notes.html", notes=notes_of(current_user), form=form)
                return page, refusal.status
        db.session.add(note)
        db.session.flush()
        from tests.example_plugin import note_document

        search.index_later(note_document(note))
        once.remember_result(form.once.data, current_user.id, url_for("example.notes"))
        db.session.commit()
        return redirect(url_for("example.notes"), code=303)
    return render_template("example/notes.html", notes=notes_of(current_user), form=NoteForm(formdata=None))


@bp.route("/<int:note_id>")
@login_required
def note(note_id: int):
    """One note, for its author."""
    found = db.get_or_404(ExampleNote, note_id)
    if found.user_id != current_user.id:
        return render_template("errors/error.html", code=404, reason=None), 404
    return render_template("example/notes.html", notes=[found], form=NoteForm(formdata=None))
