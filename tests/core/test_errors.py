"""Error pages always render in the site's layout, even after a database error, and leak nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.extensions import db


def _failing_routes(app):
    # Routes of the test's own, standing in for a view hit by a database error mid-request.
    def broken_query():
        db.session.execute(sa.text("SELECT no_such_column FROM no_such_table"))

    def broken_then_404():
        try:
            db.session.execute(sa.text("SELECT no_such_column FROM no_such_table"))
        except sa.exc.DatabaseError:
            abort(404)

    app.add_url_rule("/test-broken", "test_broken", broken_query)
    app.add_url_rule("/test-broken-404", "test_broken_404", broken_then_404)


def test_a_database_error_gives_the_layouts_error_page(app, world, login_as):
    _failing_routes(app)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = login_as(world.learner_a1)
    response = client.get("/test-broken")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    # The layout drew the navigation, which reads the database: the failed transaction was rolled back first.
    assert "Erreur du serveur" in page and "Tableau de bord" in page and world.learner_a1.full_name in page
    assert "no_such_table" not in page and "Traceback" not in page
    response = client.get("/test-broken-404")
    assert response.status_code == 404 and "Tableau de bord" in response.get_data(as_text=True)


def test_ids_beyond_the_integer_range_answer_404(world, login_as):
    client = login_as(world.admin)
    for huge in (2**31, 2**63, 10**30):
        for url in (f"/admin/cohorts/{huge}", f"/admin/users/{huge}", f"/files/{huge}/x.pdf"):
            assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/cohorts/{world.cohort_a.id}").status_code == 200
