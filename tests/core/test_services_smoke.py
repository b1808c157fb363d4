"""A file uploaded through a plugin page is stored, served to those allowed and found by a word inside it."""

import io

from portal.extensions import db
from portal.storage import StoredFile, path_of


def test_upload_serve_and_search(world, login_as):
    learner = login_as(world.learner_a1)
    response = learner.post(
        "/example/",
        data={
            "text": "Compte rendu",
            "attachment": (io.BytesIO("Les coopératives d'habitants.".encode()), "cr.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    stored = db.session.query(StoredFile).one()
    assert path_of(stored).read_text() == "Les coopératives d'habitants."
    url = f"/files/{stored.id}/{stored.name}"
    download = learner.get(url)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert login_as(world.staff_a).get(url).status_code == 200
    assert login_as(world.learner_a2).get(url).status_code == 404
    found = learner.get("/search/?q=cooperative").get_data(as_text=True)
    assert "Compte rendu" in found and "<mark>coopératives</mark>" in found
    assert "Compte rendu" in login_as(world.staff_a).get("/search/?q=habitant").get_data(as_text=True)
    assert "Compte rendu" not in login_as(world.learner_a2).get("/search/?q=habitant").get_data(as_text=True)
    assert "Compte rendu" not in login_as(world.staff_b).get("/search/?q=habitant").get_data(as_text=True)
