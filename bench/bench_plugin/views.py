"""The bench plugin's upload page: a file in the field `file`, stored through portal.storage."""

from flask import Blueprint, render_template_string, request
from flask_login import current_user, login_required

from portal.extensions import db
from portal.storage import UploadRefused, save_upload

bp = Blueprint("bench", __name__)

FORM = """{% extends "base.html" %}{% block title %}Bench{% endblock %}{% block content %}
<h1>Dépôt de fichier (bench)</h1>
<form method="post" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <label for="file">Fichier</label> <input type="file" id="file" name="file" required>
  <button type="submit" class="button primary">Déposer</button>
</form>{% endblock %}"""


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    """GET: the form. POST: store the file (streamed to disk by portal.storage); answers JSON, 201."""
    if request.method == "GET":
        return render_template_string(FORM)
    received = request.files.get("file")
    if received is None or not received.filename:
        return {"error": "no file in the field 'file'"}, 400
    try:
        stored = save_upload(received, "bench", current_user)
    except UploadRefused as refusal:
        db.session.rollback()
        return {"error": str(refusal)}, refusal.status
    db.session.commit()
    return {"id": stored.id, "size": stored.size, "content_type": stored.content_type}, 201
