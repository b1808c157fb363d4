"""The supervisors' side: feedback, reopening, comparison, grid, ZIP, log, reminders, search, permissions."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from plugins.memoire.models import Assignment, Feedback, LogEntry, Override, Submission
from portal.extensions import db
from tests.helpers import pdf_bytes, rows_of, text
from tests.plugins.memoire.conftest import make_assignment
from tests.plugins.memoire.test_submissions import send, subject, versions_of

SECRET = "Gouvernance partagée des habitants au centre social"


def sent(world, login_as, assignment, words=SECRET):
    learner = login_as(world.learner_a1)
    assert send(learner, assignment, [(pdf_bytes(words), "plan.pdf")], "Réponse écrite").status_code == 303
    return learner, db.session.scalar(sa.select(Submission).where(Submission.user_id == world.learner_a1.id))


FEEDBACK = {
    "distanciation": "satisfactory",
    "argumentation": "consolidate",
    "coherence": "satisfactory",
    "pertinence": "very_satisfactory",
    "decision": "rework",
    "mark": "14,5",
    "comment": "Le plan est **clair** ; étoffez la deuxième partie.",
}


def test_feedback_draft_release_reopen_second_version_and_compare(world, plan, login_as, mailbox):
    learner, submission = sent(world, login_as, plan, "Introduction\nPremière partie : le diagnostic")
    tutor = login_as(world.tutor_a1)
    version = submission.versions[0]
    mailbox.wait_for(1)
    mailbox.clear()
    response = tutor.post(f"/memoire/version/{version.id}/feedback", data={**FEEDBACK, "release": "0"})
    assert response.status_code == 303
    feedback = db.session.get(Feedback, version.id)
    assert feedback.released_dt is None and str(feedback.mark) == "14.50"
    assert "étoffez" not in text(learner.get(f"/memoire/submission/{submission.id}"))
    assert "étoffez" in text(tutor.get(f"/memoire/submission/{submission.id}"))
    assert mailbox.messages == []
    assert (
        tutor.post(f"/memoire/version/{version.id}/feedback", data={**FEEDBACK, "release": "1"}).status_code
        == 303
    )
    page = text(learner.get(f"/memoire/submission/{submission.id}"))
    assert "étoffez" in page and "à retravailler" in page and "à consolider" in page and "14,5 / 20" in page
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == world.learner_a1.email and "Retour disponible" in subject(mail)
    assert tutor.post(f"/memoire/submission/{submission.id}/reopen").status_code == 303
    response = send(
        learner, plan, [(pdf_bytes("Introduction\nPremière partie : le diagnostic partagé"), "v2.pdf")]
    )
    assert response.status_code == 303
    first, second = versions_of(plan, world.learner_a1)
    assert second.number == 2 and first.feedback is not None and second.feedback is None
    page = learner.get(f"/memoire/submission/{submission.id}/compare?a=1&b=2").get_data(as_text=True)
    assert "<del>Réponse écrite</del>" in page
    assert "diagnostic partagé</ins>" in page and "<del>" in page
    assert "retiré" in page and "ajouté" in page


def test_feedback_bad_input_keeps_what_was_typed(world, plan, login_as):
    _learner, submission = sent(world, login_as, plan)
    tutor = login_as(world.tutor_a1)
    before = rows_of({"memoire_feedback": ()})
    response = tutor.post(
        f"/memoire/version/{submission.versions[0].id}/feedback",
        data={**FEEDBACK, "mark": "25", "release": "1"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "La note va de 0 à 20." in page and "étoffez la deuxième partie" in page
    assert rows_of({"memoire_feedback": ()}) == before


def test_lock_stops_new_versions(world, plan, login_as):
    learner, submission = sent(world, login_as, plan)
    tutor = login_as(world.tutor_a1)
    assert tutor.post(f"/memoire/submission/{submission.id}/lock").status_code == 303
    response = send(learner, plan, text_answer="Encore")
    assert response.status_code == 400 and "verrouillé" in text(response)


def test_others_get_404_and_learn_nothing(world, plan, login_as):
    _learner, submission = sent(world, login_as, plan)
    version = submission.versions[0]
    stored = version.files[0].stored
    tutor = login_as(world.tutor_a1)
    tutor.post(f"/memoire/version/{version.id}/feedback", data={**FEEDBACK, "release": "1"})
    tutor.post(f"/memoire/submission/{submission.id}/reopen")
    send(login_as(world.learner_a1), plan, [(pdf_bytes("Autre texte"), "v2.pdf")])
    urls = [
        f"/memoire/submission/{submission.id}",
        f"/memoire/submission/{submission.id}/compare?a=1&b=2",
        f"/memoire/version/{version.id}/feedback",
        f"/files/{stored.id}/{stored.name}",
        f"/memoire/log/{world.cohort_a.id}/{world.learner_a1.id}",
        f"/memoire/atelier/{world.atelier_a1.id}",
    ]
    for user in (world.learner_a2, world.learner_b1, world.staff_b, world.lecturer_a, world.nobody):
        client = login_as(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (user.email, url)
            assert "LEARNER A1" not in text(response) and "étoffez" not in text(response)
        response = client.post(
            f"/memoire/atelier/{world.atelier_a1.id}/zip", data={"submission": submission.id}
        )
        assert response.status_code == 404
        for action in ("reopen", "lock"):
            assert client.post(f"/memoire/submission/{submission.id}/{action}").status_code == 404
        found = text(client.get("/search/", query_string={"q": "gouvernance habitants"}))
        assert "LEARNER A1" not in found
    for user in (world.staff_a, world.tutor_a1, world.admin):
        client = login_as(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.email, url)
        assert "Plan détaillé — Learner LEARNER A1" in text(
            client.get("/search/", query_string={"q": "gouvernance habitants"})
        )
    # Another cohort's assignment is not even named.
    other = make_assignment(world.cohort_b, "Écrit secret de Lille")
    client = login_as(world.learner_a1)
    for url in (f"/memoire/assignment/{other.id}", f"/memoire/cohort/{world.cohort_b.id}"):
        response = client.get(url)
        assert response.status_code == 404 and "secret de Lille" not in text(response)
    assert client.post(f"/memoire/assignment/{other.id}/submit", data={"action": "send"}).status_code == 404


def test_tutor_grid_flags_late_work_and_filters_waiting(world, login_as):
    late = make_assignment(world.cohort_a, "Plan détaillé", due_in=-timedelta(days=1))
    make_assignment(world.cohort_a, "Mémoire final", due_in=timedelta(days=60))
    sent(world, login_as, late)
    tutor = login_as(world.tutor_a1)
    page = text(tutor.get(f"/memoire/atelier/{world.atelier_a1.id}"))
    assert (
        "LEARNER A1 Learner" in page
        and "en retard" in page
        and "à relire" in page
        and "Mémoire final" in page
    )
    waiting = text(tutor.get(f"/memoire/atelier/{world.atelier_a1.id}?waiting=1"))
    assert "Plan détaillé" in waiting and "Mémoire final" not in waiting
    assert "Plan détaillé — Learner LEARNER A1" in text(tutor.get("/"))


def test_zip_of_chosen_submissions(world, plan, login_as):
    _learner, submission = sent(world, login_as, plan)
    response = login_as(world.tutor_a1).post(
        f"/memoire/atelier/{world.atelier_a1.id}/zip", data={"submission": str(submission.id)}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == [
        "LEARNER A1 Learner/Plan détaillé - v1/plan.pdf",
        "LEARNER A1 Learner/Plan détaillé - v1/reponse-ecrite.md",
    ]


def test_supervision_log(world, login_as):
    url = f"/memoire/log/{world.cohort_a.id}/{world.learner_a1.id}"
    learner, tutor = login_as(world.learner_a1), login_as(world.tutor_a1)
    before = rows_of({"memoire_log_entry": ()})
    response = learner.post(url, data={"entry_date": "2021-10-15", "kind": "meeting", "text": "  "})
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    assert rows_of({"memoire_log_entry": ()}) == before
    data = {"entry_date": "2021-10-15", "kind": "next_steps", "text": "Entretiens avec trois directions."}
    assert learner.post(url, data=data).status_code == 303
    page = text(tutor.get(url))
    assert "Entretiens avec trois directions." in page and "Prochaines étapes" in page
    assert db.session.scalar(sa.select(LogEntry.author_id)) == world.learner_a1.id


def test_staff_create_assignment_and_overrides(world, login_as):
    staff = login_as(world.staff_a)
    form = {
        "kind": "writing",
        "bloc_id": str(world.programme.blocs[0].id),
        "title": "Écrit du bloc 1",
        "instructions": "Huit pages.",
        "open_dt": "2030-03-10T09:00",
        "due_dt": "2030-03-01T18:00",
        "allowed_types": ["application/pdf"],
        "max_files": "1",
        "max_size_mb": "10",
    }
    before = rows_of({"memoire_assignment": ()})
    response = staff.post(f"/memoire/cohort/{world.cohort_a.id}/new", data=form)
    assert (
        response.status_code == 200
        and "postérieure à l'ouverture" in text(response)
        and "Huit pages." in text(response)
    )
    assert rows_of({"memoire_assignment": ()}) == before
    assert login_as(world.learner_a1).get(f"/memoire/cohort/{world.cohort_a.id}/new").status_code == 404
    assert (
        login_as(world.staff_b).post(f"/memoire/cohort/{world.cohort_a.id}/new", data=form).status_code == 404
    )
    form["due_dt"] = "2030-03-20T18:00"
    assert staff.post(f"/memoire/cohort/{world.cohort_a.id}/new", data=form).status_code == 303
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.due_dt.hour == 17  # 18:00 in Paris, winter time
    url = f"/memoire/assignment/{assignment.id}/overrides"
    staff.post(url, data={"target": f"atelier-{world.atelier_a1.id}", "due_dt": "2030-03-27T18:00"})
    staff.post(url, data={"target": f"user-{world.learner_a1.id}", "due_dt": "2030-04-03T18:00"})
    assert db.session.scalar(sa.select(sa.func.count(Override.id))) == 2
    page = text(login_as(world.learner_a1).get(f"/memoire/assignment/{assignment.id}"))
    assert "03/04/2030 18:00" in page and "date particulière" in page


def test_reminders_go_once(world, app, mailbox):
    make_assignment(world.cohort_a, "Chapitres intermédiaires", due_in=timedelta(days=2))
    make_assignment(world.cohort_a, "Mémoire final", due_in=timedelta(days=20))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert "2 reminder(s) sent." in result.output, result.output
    messages = mailbox.wait_for(2)
    assert {m["To"] for m in messages} == {world.learner_a1.email, world.learner_a2.email}
    assert all("Chapitres intermédiaires" in subject(m) for m in messages)
    assert "0 reminder(s) sent." in runner.invoke(args=["send-reminders"]).output


def test_calendar_events_and_deadline_widget(world, plan, login_as, app):
    from datetime import datetime

    from portal.plugins import loaded_plugins

    plugin = next(p for p in loaded_plugins(app) if p.name == "memoire")
    other = make_assignment(world.cohort_b, "Écrit de Lille")
    start, end = datetime(2000, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()
    with app.test_request_context():
        titles = [e.title for e in plugin.calendar_events(world.learner_a1, start, end)]
        assert titles == ["À remettre : Plan détaillé"]
        assert [e.title for e in plugin.calendar_events(world.learner_b1, start, end)] == [
            f"À remettre : {other.title}"
        ]
    page = text(login_as(world.learner_a1).get("/"))
    assert "Mes prochaines échéances" in page and "Plan détaillé" in page


def test_a_new_tutor_of_the_atelier_finds_its_submissions(world, login_as):
    from portal import people
    from portal.models import Role
    from portal.signals import atelier_changed

    sent_by_a2 = make_assignment(world.cohort_a, "Note d'intention")
    learner = login_as(world.learner_a2)
    assert (
        send(
            learner, sent_by_a2, [(pdf_bytes("Coopérative funéraire et territoire"), "note.pdf")], "x"
        ).status_code
        == 303
    )
    query = {"q": "coopérative funéraire"}
    assert "LEARNER A2" not in text(login_as(world.tutor_a1).get("/search/", query_string=query))
    people.enrol(world.tutor_a1, world.cohort_a, Role.TUTOR)
    people.add_to_atelier(world.atelier_a2, world.tutor_a1, Role.TUTOR)
    db.session.commit()
    atelier_changed.send(world.atelier_a2, added=[world.tutor_a1.id], removed=[])
    assert "Note d'intention — Learner LEARNER A2" in text(
        login_as(world.tutor_a1).get("/search/", query_string=query)
    )


def test_feedback_files_reach_the_learner_only_once_released(world, plan, login_as):
    learner, submission = sent(world, login_as, plan)
    tutor = login_as(world.tutor_a1)
    version = submission.versions[0]
    data = {
        **FEEDBACK,
        "release": "0",
        "files": [(io.BytesIO(pdf_bytes("Copie annotée")), "annotations.pdf")],
    }
    assert tutor.post(f"/memoire/version/{version.id}/feedback", data=data).status_code == 303
    stored = db.session.get(Feedback, version.id).files[0].stored
    url = f"/files/{stored.id}/{stored.name}"
    assert tutor.get(url).status_code == 200
    assert learner.get(url).status_code == 404
    assert login_as(world.learner_a2).get(url).status_code == 404
    assert (
        tutor.post(f"/memoire/version/{version.id}/feedback", data={**FEEDBACK, "release": "1"}).status_code
        == 303
    )
    assert learner.get(url).status_code == 200
    assert login_as(world.learner_a2).get(url).status_code == 404


def test_personal_data_export_and_erasure(world, plan, login_as, app):
    from portal.plugins import loaded_plugins
    from portal.storage import StoredFile, path_of

    _learner, submission = sent(world, login_as, plan)
    login_as(world.tutor_a1).post(
        f"/memoire/version/{submission.versions[0].id}/feedback", data={**FEEDBACK, "release": "0"}
    )
    plugin = next(p for p in loaded_plugins(app) if p.name == "memoire")
    data = plugin.user_data(world.learner_a1)
    [exported] = data["submissions"]
    assert exported["assignment"] == "Plan détaillé" and exported["versions"][0]["files"] == ["plan.pdf"]
    assert exported["versions"][0]["feedback"] is None  # a draft is not the learner's yet
    paths = [path_of(s) for s in db.session.scalars(sa.select(StoredFile))]
    plugin.erase_user(world.learner_a1)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0
    assert not any(p.exists() for p in paths)
    assert plan.id == db.session.scalar(sa.select(Assignment.id))


def test_reminders_run_concurrently_go_once(world, app, mailbox):
    import threading

    from plugins.memoire.reminders import send_reminders

    make_assignment(world.cohort_a, "Chapitres intermédiaires", due_in=timedelta(days=1))
    barrier = threading.Barrier(2)
    counts = []

    def run():
        with app.app_context(), app.test_request_context():
            barrier.wait()
            counts.append(send_reminders())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 2
    mailbox.wait_for(2)
    assert sorted(m["To"] for m in mailbox.messages) == [world.learner_a1.email, world.learner_a2.email]


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_compare_docx_versions(world, plan, login_as):
    learner = login_as(world.learner_a1)
    first = docx_bytes("Introduction", "Le tiers-lieu comme espace d'insertion")
    assert send(learner, plan, [(first, "plan.docx")]).status_code == 303
    submission = db.session.scalar(sa.select(Submission))
    login_as(world.tutor_a1).post(f"/memoire/submission/{submission.id}/reopen")
    link = db.session.scalar(sa.select(Submission)).draft_files[0]
    learner.post(f"/memoire/submission/{submission.id}/draft-file/{link.id}/remove")
    second = docx_bytes("Introduction", "Le tiers-lieu comme espace de coopération")
    assert send(learner, plan, [(second, "plan-v2.docx")]).status_code == 303
    page = learner.get(f"/memoire/submission/{submission.id}/compare").get_data(as_text=True)
    assert "<del>Le tiers-lieu comme espace d&#39;insertion</del>" in page
    assert "<ins>Le tiers-lieu comme espace de coopération</ins>" in page
    assert "1 ligne modifiée" not in page and "2 lignes modifiées" in page
