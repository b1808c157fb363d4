"""The learner's side: drafts, versions, dates, bad input, double clicks and interrupted uploads."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from email.header import decode_header, make_header

import sqlalchemy as sa

from plugins.memoire.models import Submission, Version
from portal.extensions import db
from portal.storage import StoredFile, path_of
from tests.helpers import pdf_bytes, rows_of, text
from tests.plugins.memoire.conftest import make_assignment

TABLES = {
    "memoire_submission": (),
    "memoire_version": (),
    "memoire_version_file": (),
    "memoire_draft_file": (),
    "stored_file": (),
}


def subject(mail) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def send(client, assignment, files=(), text_answer="", statement=True, action="send", **extra):
    data = {"action": action, "text": text_answer, **extra}
    if statement:
        data["statement"] = "y"
    if files:
        data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/memoire/assignment/{assignment.id}/submit", data=data)


def versions_of(assignment, user) -> list[Version]:
    return list(
        db.session.scalars(
            sa.select(Version)
            .join(Submission)
            .where(Submission.assignment_id == assignment.id, Submission.user_id == user.id)
            .order_by(Version.number)
        )
    )


def test_learner_sends_a_version_and_the_tutor_is_told(world, plan, login_as, mailbox):
    learner = login_as(world.learner_a1)
    page = text(learner.get(f"/memoire/assignment/{plan.id}"))
    assert "Plan détaillé" in page and "restants" in page and "4 jours" in page
    response = send(
        learner, plan, [(pdf_bytes("Problématique : la gouvernance partagée"), "plan.pdf")], "Mon plan."
    )
    assert response.status_code == 303
    [version] = versions_of(plan, world.learner_a1)
    assert version.number == 1 and version.late_seconds == 0 and version.statement
    assert all(path_of(link.stored).is_file() for link in version.files)
    page = text(learner.get(response.headers["Location"]))
    assert "Version 1" in page and "dans les temps" in page and "Envoyé pour évaluation" in page
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == world.tutor_a1.email and "Plan détaillé" in subject(mail)
    # Sent: no second version until the tutor reopens it.
    response = send(learner, plan, text_answer="Encore.")
    assert response.status_code == 400 and "déjà envoyé" in text(response)
    assert len(versions_of(plan, world.learner_a1)) == 1


def test_draft_is_kept_and_not_sent(world, plan, login_as, mailbox):
    learner = login_as(world.learner_a1)
    response = send(learner, plan, [(b"Notes de travail", "notes.txt")], "Brouillon du plan", action="draft")
    assert response.status_code == 303
    page = text(learner.get(f"/memoire/assignment/{plan.id}"))
    assert "Brouillon du plan" in page and "notes.txt" in page and "Brouillon" in page
    assert versions_of(plan, world.learner_a1) == []
    submission = db.session.scalar(sa.select(Submission))
    link = submission.draft_files[0]
    response = learner.post(f"/memoire/submission/{submission.id}/draft-file/{link.id}/remove")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(Submission)).draft_files == []
    assert mailbox.messages == []


def test_late_version_says_how_late(world, login_as):
    late = make_assignment(world.cohort_a, "Plan détaillé en retard", due_in=-timedelta(days=2, hours=3))
    learner = login_as(world.learner_a1)
    assert "en retard de 2 jours et 3 heures" in text(learner.get(f"/memoire/assignment/{late.id}"))
    assert send(learner, late, [(pdf_bytes("Plan"), "plan.pdf")]).status_code == 303
    [version] = versions_of(late, world.learner_a1)
    assert version.late_seconds >= 2 * 86400 + 3 * 3600
    assert "en retard de 2 jours et 3 heures" in text(
        learner.get(f"/memoire/submission/{version.submission_id}")
    )


def test_after_the_cutoff_every_route_refuses(world, login_as):
    closing = make_assignment(
        world.cohort_a, "Écrit du bloc 2", due_in=timedelta(days=1), cutoff_in=timedelta(days=2)
    )
    learner = login_as(world.learner_a1)
    assert send(learner, closing, [(b"Notes", "notes.txt")], action="draft").status_code == 303
    submission = db.session.scalar(sa.select(Submission))
    link_id = submission.draft_files[0].id
    closing.due_dt -= timedelta(days=5)
    closing.cutoff_dt = closing.due_dt + timedelta(days=1)
    db.session.commit()
    before = rows_of(TABLES)
    for action in ("draft", "send"):
        response = send(
            learner, closing, [(pdf_bytes("Trop tard"), "tard.pdf")], "Texte tardif", action=action
        )
        assert response.status_code == 400
        assert "La date limite de dépôt est dépassée" in text(response)
    response = learner.post(f"/memoire/submission/{submission.id}/draft-file/{link_id}/remove")
    assert response.status_code == 303
    assert "La date limite de dépôt est dépassée" in text(learner.get(response.headers["Location"]))
    assert rows_of(TABLES) == before
    assert "Enregistrer le brouillon" not in text(learner.get(f"/memoire/assignment/{closing.id}"))


def test_not_yet_open(world, login_as):
    later = make_assignment(world.cohort_a, "Mémoire final", due_in=timedelta(days=30))
    later.open_dt = later.due_dt - timedelta(days=10)
    db.session.commit()
    response = send(login_as(world.learner_a1), later, [(pdf_bytes("Tôt"), "tot.pdf")])
    assert response.status_code == 400 and "pas encore ouvert" in text(response)
    assert rows_of(TABLES)["memoire_version"] == set()


def test_bad_input_is_refused_with_a_message_and_nothing_stored(world, plan, login_as):
    learner = login_as(world.learner_a1)
    before = rows_of(TABLES)
    cases = [
        (
            [(b"MZ\x90\x00" + b"\x00" * 200, "virus.exe")],
            True,
            415,
            "Ce type de fichier n'est pas accepté ici.",
        ),
        ([(pdf_bytes(f"Partie {n}"), f"p{n}.pdf") for n in range(4)], True, 400, "au plus 3 fichier"),
        (
            [(b"%PDF-1.4 " + b"x" * (6 * 1024 * 1024), "gros.pdf")],
            True,
            413,
            "dépasse la taille autorisée (5 Mo)",
        ),
        ([(pdf_bytes("Plan"), "plan.pdf")], False, 400, "Cochez la déclaration sur l'honneur"),
        ([], True, 400, "Ajoutez au moins un fichier ou une réponse écrite"),
    ]
    for files, statement, status, message in cases:
        typed = "Ma réponse gardée" if files else ""
        response = send(learner, plan, files, typed, statement=statement)
        assert response.status_code == status, message
        page = text(response)
        assert message in page
        assert typed in page
        assert rows_of(TABLES) == before


def test_double_click_on_send_stores_exactly_one_version(world, plan, login_as, app):
    learner = login_as(world.learner_a1)
    assert send(learner, plan, [(pdf_bytes("Plan"), "plan.pdf")], action="draft").status_code == 303
    token = learner.csrf_token()
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        with app.app_context():
            barrier.wait()
            response = learner.post(
                f"/memoire/assignment/{plan.id}/submit",
                data={"action": "send", "text": "Plan", "statement": "y", "csrf_token": token},
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 400]
    [version] = versions_of(plan, world.learner_a1)
    assert version.number == 1 and len(version.files) == 1
    assert db.session.scalar(sa.select(Submission.version_count)) == 1


def test_a_failed_upload_leaves_the_previous_version_whole(world, plan, login_as):
    learner, tutor = login_as(world.learner_a1), login_as(world.tutor_a1)
    assert send(learner, plan, [(pdf_bytes("Première version"), "v1.pdf")], "Texte v1").status_code == 303
    submission = db.session.scalar(sa.select(Submission))
    assert tutor.post(f"/memoire/submission/{submission.id}/reopen").status_code == 303
    before = rows_of(TABLES)
    # Several files, the last one refused in the middle of the upload: nothing of this send is kept.
    response = send(
        learner,
        plan,
        [(pdf_bytes("Deuxième version"), "v2.pdf"), (b"%PDF-1.4 " + b"y" * (6 * 1024 * 1024), "annexe.pdf")],
        "Texte v2",
    )
    assert response.status_code == 413
    assert rows_of(TABLES) == before
    [version] = versions_of(plan, world.learner_a1)
    for stored in db.session.scalars(sa.select(StoredFile)):
        assert path_of(stored).is_file()
    link = version.files[0]
    download = learner.get(f"/files/{link.stored.id}/{link.stored.name}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
