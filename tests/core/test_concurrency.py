"""Requests that arrive together, as real browsers send them to a gunicorn with several workers: ten identical
"get or create" requests give ten normal answers and one row, and the same form sent ten times acts once
(SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Enrolment, Role
from portal.once import FormSubmission, claim, new_token
from portal.rows import insert_or_ignore, insert_or_update
from tests.example_plugin.models import ExampleNote
from tests.servers import at_once, csrf, signed_in

ONCE_FIELD = re.compile(r'name="once" type="hidden" value="([^"]+)"')


def test_ten_identical_enrolments_at_once_give_one_row(world, gunicorn_server):
    server = gunicorn_server(workers=3)
    admin = signed_in(server, world.admin.email)
    token = csrf(server, admin)
    url = f"{server.url}/admin/users/{world.nobody.id}/enrol"
    data = {"csrf_token": token, "enrol-cohort_id": str(world.cohort_a.id), "enrol-role": "learner"}
    responses = at_once(10, lambda _: admin.post(url, data=data, allow_redirects=False, timeout=60))
    assert [r.status_code for r in responses] == [303] * 10, server.log_tail()
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(Enrolment).where(Enrolment.user_id == world.nobody.id, Enrolment.role == Role.LEARNER)
    ).all()
    assert len(rows) == 1


def test_the_same_form_sent_ten_times_at_once_acts_once(world, gunicorn_server):
    server = gunicorn_server(workers=3)
    learner = signed_in(server, world.learner_a1.email)
    page = learner.get(f"{server.url}/example/", timeout=30).text
    once = ONCE_FIELD.search(page).group(1)
    data = {"csrf_token": csrf(server, learner), "text": "Une seule note", "once": once}
    responses = at_once(
        10, lambda _: learner.post(f"{server.url}/example/", data=data, allow_redirects=False)
    )
    assert [r.status_code for r in responses] == [303] * 10, server.log_tail()
    assert {r.headers["Location"] for r in responses} == {"/example/"}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExampleNote)) == 1
    # A new drawing of the form has a new token: the person may add the same text again on purpose.
    again = ONCE_FIELD.search(learner.get(f"{server.url}/example/", timeout=30).text).group(1)
    assert again != once
    data["once"] = again
    assert learner.post(f"{server.url}/example/", data=data, allow_redirects=False).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExampleNote)) == 2


def test_a_refused_sending_claims_nothing(world, login_as):
    client = login_as(world.learner_a1)
    token = new_token()
    assert client.post("/example/", data={"text": "", "once": token}).status_code == 400
    assert client.post("/example/", data={"text": "Corrigée", "once": token}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExampleNote)) == 1


def test_a_token_is_each_persons_own(world):
    token = new_token()
    assert claim(token, world.learner_a1.id) is None
    assert claim(token, world.learner_a2.id) is None
    assert claim(token, world.learner_a1.id) == ""
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormSubmission)) == 2


def test_insert_or_ignore_and_update_from_threads(app, world):
    """Five threads, each with its own session and connection, write the same row."""
    results: list[bool] = []
    lock = threading.Lock()

    def write() -> None:
        with app.app_context():
            done = insert_or_ignore(
                Enrolment,
                {"user_id": world.nobody.id, "cohort_id": world.cohort_b.id, "role": Role.TUTOR},
                ["user_id", "cohort_id", "role"],
            )
            db.session.commit()
            with lock:
                results.append(done)

    threads = [threading.Thread(target=write) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, False, True]
    insert_or_update(
        FormSubmission,
        {"token": "t", "user_id": world.nobody.id, "result_url": "/a"},
        ["token", "user_id"],
    )
    insert_or_update(
        FormSubmission,
        {"token": "t", "user_id": world.nobody.id, "result_url": "/b"},
        ["token", "user_id"],
    )
    db.session.commit()
    assert db.session.scalars(sa.select(FormSubmission.result_url)).all() == ["/b"]
