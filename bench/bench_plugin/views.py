"""The bench plugin's upload pages: a file in the field `file`, stored through portal.storage (and, for a
document, its text extracted and indexed)."""

from flask import Blueprint, render_template_string, request
from flask_login import current_user, login_required

from portal import search
from portal.extensions import db
from portal.extract import extract_text
from portal.models import utcnow
from portal.plugins import SearchDoc
from portal.storage import UploadRefused, path_of, save_upload

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


@bp.route("/document", methods=["POST"])
@login_required
def document():
    """Store a document, extract its text and index it, as a plugin's upload does (bench/upload_memory.py
    measures the worker's memory on it); answers JSON, 201, with the text's length."""
    received = request.files.get("file")
    if received is None or not received.filename:
        return {"error": "no file in the field 'file'"}, 400
    try:
        stored = save_upload(received, "bench", current_user)
    except UploadRefused as refusal:
        db.session.rollback()
        return {"error": str(refusal)}, refusal.status
    text = extract_text(path_of(stored), stored.content_type)
    search.index_later(
        SearchDoc(
            doc_id=f"bench:document:{stored.id}",
            plugin="bench",
            kind="document",
            title=stored.name,
            body=text,
            url=f"/bench/document#{stored.id}",
            updated_dt=utcnow(),
            owner_id=current_user.id,
            visibility="private",
        )
    )
    db.session.commit()
    return {"id": stored.id, "content_type": stored.content_type, "chars": len(text)}, 201
