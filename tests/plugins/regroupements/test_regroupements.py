"""The regroupements plugin through real requests: timetable, check-in, corrections, justifications,
reports and exports, calendar and feed, each rule with the user who must not get in."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import icalendar
import sqlalchemy as sa

from plugins.regroupements.models import Attendance, AttendanceChange, FeedToken, Justification, Session, Week
from plugins.regroupements.service import local, token_hash
from portal.extensions import db
from portal.extract import extract_text
from portal.models import utcnow
from tests.helpers import pdf_bytes, rows_of, text

TABLES = {
    "regroupements_week": (),
    "regroupements_session": ("updated_dt",),
    "regroupements_session_lecturer": (),
    "regroupements_attendance": (),
    "regroupements_attendance_change": (),
    "regroupements_justification": (),
    "regroupements_event": (),
    "regroupements_feed": (),
}


def pdf_text(response, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(response.data)
    return extract_text(path, "application/pdf")


def session_form(world, day: date, start: str, end: str, **fields) -> dict:
    bloc = world.programme.blocs[0]
    data = {
        "kind": "seminar",
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "bloc": str(bloc.id),
        "seminar": str(bloc.seminars[0].id),
        "title": "",
        "link": "https://visio.example.org/s1",
        "room": "",
        "status": "scheduled",
        "status_note": "",
    }
    data.update(fields)
    return data


# -- permissions --------------------------------------------------------------------------------------
def test_other_cohort_and_strangers_get_404_without_leak(world, timetable, login_as):
    for user in (world.learner_b1, world.nobody, world.staff_b):
        client = login_as(user)
        for url in (
            f"/regroupements/cohort/{world.cohort_a.id}",
            f"/regroupements/week/{timetable.week_now.id}",
            f"/regroupements/session/{timetable.now_session.id}",
            f"/regroupements/cohort/{world.cohort_a.id}/report",
            f"/regroupements/cohort/{world.cohort_a.id}/report.csv",
            f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a1.id}",
            f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a1.id}/attestation.pdf",
            f"/regroupements/cohort/{world.cohort_a.id}/sheet/2021-02-01/am.pdf",
        ):
            response = client.get(url)
            assert response.status_code == 404, (user.email, url)
            assert "Séance en cours" not in text(response)
            assert "Semaine en cours" not in text(response)


def test_anonymous_is_sent_to_login(client, world, timetable):
    response = client.get(f"/regroupements/session/{timetable.now_session.id}")
    assert response.status_code in (302, 303)
    assert "/auth/login" in response.headers["Location"]


def test_learner_sees_own_attendance_only(world, timetable, login_as):
    learner = login_as(world.learner_a1)
    own = learner.get(f"/regroupements/cohort/{world.cohort_a.id}/report")
    assert own.status_code == 302
    assert f"/learner/{world.learner_a1.id}" in own.headers["Location"]
    assert (
        learner.get(f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a2.id}").status_code
        == 404
    )
    page = text(learner.get(f"/regroupements/session/{timetable.past_morning.id}"))
    assert world.learner_a2.last_name not in page
    assert (
        learner.get(f"/regroupements/cohort/{world.cohort_a.id}/sheet/2021-02-01/am.pdf").status_code == 404
    )


def test_lecturer_sees_the_timetable_but_no_attendance(world, timetable, login_as):
    lecturer = login_as(world.lecturer_a)
    assert "Séance en cours" in text(lecturer.get(f"/regroupements/week/{timetable.week_now.id}"))
    page = text(lecturer.get(f"/regroupements/session/{timetable.past_morning.id}"))
    assert world.learner_a1.last_name not in page
    assert lecturer.get(f"/regroupements/cohort/{world.cohort_a.id}/report").status_code == 404
    before = rows_of(TABLES)
    response = lecturer.post(
        f"/regroupements/session/{timetable.past_morning.id}/attendance",
        data={f"status-{world.learner_a1.id}": "absent"},
    )
    assert response.status_code == 404
    assert rows_of(TABLES) == before


def test_tutor_sees_their_ateliers_learners_only(world, timetable, login_as):
    tutor = login_as(world.tutor_a1)
    page = text(tutor.get(f"/regroupements/cohort/{world.cohort_a.id}/report"))
    assert world.learner_a1.last_name in page
    assert world.learner_a2.last_name not in page
    csv_text = tutor.get(f"/regroupements/cohort/{world.cohort_a.id}/report.csv").get_data(as_text=True)
    assert world.learner_a1.email in csv_text and world.learner_a2.email not in csv_text
    assert (
        tutor.get(f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a2.id}").status_code
        == 404
    )
    before = rows_of(TABLES)
    response = tutor.post(
        f"/regroupements/session/{timetable.past_morning.id}/attendance",
        data={f"status-{world.learner_a2.id}": "absent"},
    )
    assert response.status_code == 404
    assert rows_of(TABLES) == before


# -- timetable ----------------------------------------------------------------------------------------
def test_staff_builds_a_week_and_its_sessions(world, timetable, login_as):
    staff = login_as(world.staff_a)
    response = staff.post(
        f"/regroupements/cohort/{world.cohort_a.id}/weeks/new",
        data={
            "number": "3",
            "start_date": "2021-03-29",
            "end_date": "2021-04-02",
            "theme": "Politiques publiques",
        },
    )
    assert response.status_code == 302
    week = db.session.scalar(sa.select(Week).where(Week.number == 3))
    response = staff.post(
        f"/regroupements/week/{week.id}/sessions/new",
        data=session_form(world, date(2021, 3, 29), "09:00", "12:30", lecturers=[str(world.lecturer_a.id)]),
    )
    assert response.status_code == 302
    page = text(staff.get(f"/regroupements/week/{week.id}"))
    assert "Séminaire 1.1" in page and "09:00–12:30" in page and world.lecturer_a.full_name in page
    session = db.session.scalar(sa.select(Session).where(Session.week_id == week.id))
    assert local(session.start_dt).hour == 9 and session.start_dt.hour == 7  # Paris summer time stored as UTC


def test_session_refusals_store_nothing_and_keep_input(world, timetable, login_as):
    staff = login_as(world.staff_a)
    url = f"/regroupements/week/{timetable.past_week.id}/sessions/new"
    cases = [
        (
            session_form(world, date(2021, 2, 2), "12:00", "10:00", title="Mal réglée"),
            "se terminer après son début",
        ),
        (
            session_form(world, date(2021, 3, 2), "09:00", "10:00", title="Hors semaine"),
            "pendant la semaine 1",
        ),
        (session_form(world, date(2021, 2, 1), "11:00", "14:00", title="Chevauchement"), "chevauche"),
        (
            session_form(
                world, date(2021, 2, 2), "09:00", "10:00", title="Mauvais lien", link="javascript:alert(1)"
            ),
            "https://",
        ),
    ]
    before = rows_of(TABLES)
    for data, message in cases:
        response = staff.post(url, data=data)
        assert response.status_code == 200
        page = text(response)
        assert message in page
        assert data["title"] in page
    assert rows_of(TABLES) == before


def test_week_refusals(world, timetable, login_as):
    staff = login_as(world.staff_a)
    before = rows_of(TABLES)
    response = staff.post(
        f"/regroupements/cohort/{world.cohort_a.id}/weeks/new",
        data={"number": "9", "start_date": "2021-02-10", "end_date": "2021-02-08", "theme": "À l'envers"},
    )
    assert "se terminer le jour où elle commence ou après" in text(response)
    assert "À l'envers" in text(response)
    response = staff.post(
        f"/regroupements/week/{timetable.past_week.id}/edit",
        data={"number": "1", "start_date": "2021-02-02", "end_date": "2021-02-05", "theme": "Rentrée"},
    )
    assert "hors de ces dates" in text(response)
    assert rows_of(TABLES) == before
    learner = login_as(world.learner_a1)
    assert learner.get(f"/regroupements/week/{timetable.past_week.id}/sessions/new").status_code == 404


def test_cancelled_session_is_shown_clearly(world, timetable, login_as):
    staff = login_as(world.staff_a)
    data = session_form(
        world,
        local(timetable.later_session.start_dt).date(),
        "09:00",
        "12:00",
        title="Séance à venir",
        status="cancelled",
        status_note="Intervenante malade",
    )
    data["bloc"] = str(world.programme.blocs[1].id)
    data["seminar"] = "0"
    response = staff.post(f"/regroupements/session/{timetable.later_session.id}/edit", data=data)
    assert response.status_code == 302, text(response)
    page = text(login_as(world.learner_a1).get(f"/regroupements/week/{timetable.week_now.id}"))
    assert "Annulée" in page and "Intervenante malade" in page


# -- check-in and corrections ------------------------------------------------------------------------
def test_learner_checks_in_during_the_session_only(world, timetable, login_as):
    learner = login_as(world.learner_a1)
    page = text(learner.get(f"/regroupements/session/{timetable.now_session.id}"))
    assert "Je suis présent·e" in page
    response = learner.post(
        f"/regroupements/session/{timetable.now_session.id}/checkin", data={"user_id": world.learner_a1.id}
    )
    assert response.status_code == 303
    row = db.session.get(Attendance, (timetable.now_session.id, world.learner_a1.id))
    assert row.status.value == "present" and row.checked_in_dt is not None
    before = rows_of(TABLES)
    for session in (timetable.later_session, timetable.past_morning):
        response = learner.post(f"/regroupements/session/{session.id}/checkin", follow_redirects=True)
        assert "émargement" in text(response).lower()
    response = learner.post(
        f"/regroupements/session/{timetable.now_session.id}/checkin", follow_redirects=True
    )
    assert "déjà enregistrée" in text(response)
    assert rows_of(TABLES) == before


def test_checkin_for_someone_else_is_refused(world, timetable, login_as):
    learner = login_as(world.learner_a1)
    before = rows_of(TABLES)
    response = learner.post(
        f"/regroupements/session/{timetable.now_session.id}/checkin",
        data={"user_id": world.learner_a2.id},
        follow_redirects=True,
    )
    assert "que pour vous-même" in text(response)
    assert rows_of(TABLES) == before
    assert (
        login_as(world.tutor_a1)
        .post(f"/regroupements/session/{timetable.now_session.id}/checkin")
        .status_code
        == 404
    )


def test_corrections_keep_history(world, timetable, login_as):
    session = timetable.past_morning
    tutor = login_as(world.tutor_a1)
    tutor.post(
        f"/regroupements/session/{session.id}/attendance", data={f"status-{world.learner_a1.id}": "absent"}
    )
    staff = login_as(world.staff_a)
    staff.post(
        f"/regroupements/session/{session.id}/attendance", data={f"status-{world.learner_a1.id}": "late"}
    )
    changes = db.session.scalars(sa.select(AttendanceChange).order_by(AttendanceChange.id)).all()
    assert [(c.old_status, c.new_status.value, c.changed_by_id) for c in changes] == [
        (None, "absent", world.tutor_a1.id),
        (changes[1].old_status, "late", world.staff_a.id),
    ]
    assert changes[1].old_status.value == "absent"
    page = text(staff.get(f"/regroupements/session/{session.id}/history/{world.learner_a1.id}"))
    assert world.tutor_a1.full_name in page and world.staff_a.full_name in page
    assert (
        login_as(world.learner_a1)
        .post(
            f"/regroupements/session/{session.id}/attendance",
            data={f"status-{world.learner_a1.id}": "present"},
        )
        .status_code
        == 404
    )


def test_justification_with_file_accepted_by_staff(world, timetable, login_as):
    session = timetable.past_morning
    staff = login_as(world.staff_a)
    staff.post(
        f"/regroupements/session/{session.id}/attendance", data={f"status-{world.learner_a1.id}": "absent"}
    )
    learner = login_as(world.learner_a1)
    before = rows_of(TABLES)
    response = learner.post(f"/regroupements/session/{session.id}/justify", data={"text": ""})
    assert "Ce champ est obligatoire" in text(response)
    response = learner.post(
        f"/regroupements/session/{session.id}/justify",
        data={"text": "Convocation", "file": (io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")},
    )
    assert "n'est pas accepté" in text(response) and "Convocation" in text(response)
    assert rows_of(TABLES) == before
    response = learner.post(
        f"/regroupements/session/{session.id}/justify",
        data={"text": "Rendez-vous médical", "file": (io.BytesIO(pdf_bytes("Certificat")), "certificat.pdf")},
    )
    assert response.status_code == 303
    justification = db.session.scalar(sa.select(Justification))
    file_url = f"/files/{justification.file_id}/{justification.stored.name}"
    assert login_as(world.learner_a2).get(file_url).status_code == 404
    tutor = login_as(world.tutor_a1)
    decide_url = f"/regroupements/justification/{justification.id}/decide"
    assert tutor.post(decide_url, data={"verdict": "accept"}).status_code == 404
    assert staff.get(file_url).status_code == 200
    assert "Rendez-vous médical" in text(
        staff.get(f"/regroupements/cohort/{world.cohort_a.id}/justifications")
    )
    staff.post(f"/regroupements/justification/{justification.id}/decide", data={"verdict": "accept"})
    assert db.session.get(Attendance, (session.id, world.learner_a1.id)).status.value == "excused"


# -- reports and exports ------------------------------------------------------------------------------
def test_hours_per_bloc_report_csv_and_attestation(world, timetable, login_as, tmp_path):
    staff = login_as(world.staff_a)
    staff.post(
        f"/regroupements/session/{timetable.past_morning.id}/attendance",
        data={f"status-{world.learner_a1.id}": "present", f"status-{world.learner_a2.id}": "absent"},
    )
    staff.post(
        f"/regroupements/session/{timetable.past_afternoon.id}/attendance",
        data={f"status-{world.learner_a1.id}": "late"},
    )
    page = text(staff.get(f"/regroupements/cohort/{world.cohort_a.id}/report"))
    assert world.learner_a1.last_name in page and world.learner_a2.last_name in page
    assert "511 h" in page
    csv_text = staff.get(f"/regroupements/cohort/{world.cohort_a.id}/report.csv").get_data(as_text=True)
    line = next(row for row in csv_text.splitlines() if world.learner_a1.email in row)
    assert "3,50" in line and "7,00" in line  # Bloc 1: 3 h 30 attended; total 7 h attended
    response = staff.get(
        f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a1.id}/attestation.pdf"
    )
    assert response.mimetype == "application/pdf"
    content = pdf_text(response, tmp_path)
    assert world.learner_a1.full_name in content
    assert "Bloc 1" in content and "3 h 30" in content and "511 h" in content
    own = login_as(world.learner_a1).get(
        f"/regroupements/cohort/{world.cohort_a.id}/learner/{world.learner_a1.id}/attestation.pdf"
    )
    assert own.status_code == 200


def test_half_day_sheet(world, timetable, login_as, tmp_path):
    staff = login_as(world.staff_a)
    staff.post(
        f"/regroupements/session/{timetable.past_morning.id}/attendance",
        data={f"status-{world.learner_a1.id}": "present"},
    )
    response = staff.get(f"/regroupements/cohort/{world.cohort_a.id}/sheet/2021-02-01/am.pdf")
    content = pdf_text(response, tmp_path)
    assert "01/02/2021" in content and "Séminaire 1.1" in content
    assert world.learner_a1.last_name in content and world.learner_a2.last_name in content
    tutor_sheet = pdf_text(
        login_as(world.tutor_a1).get(f"/regroupements/cohort/{world.cohort_a.id}/sheet/2021-02-01/am.pdf"),
        tmp_path,
    )
    assert world.learner_a2.last_name not in tutor_sheet
    assert staff.get(f"/regroupements/cohort/{world.cohort_a.id}/sheet/2021-02-02/am.pdf").status_code == 404


def test_all_sheets_zip_for_staff_only(world, timetable, login_as):
    response = login_as(world.staff_a).get(f"/regroupements/cohort/{world.cohort_a.id}/sheets.zip")
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "emargement-2021-02-01-matin.pdf" in names and "emargement-2021-02-01-apres-midi.pdf" in names
    assert len(names) == 4  # two half-days in the past week, the running and the coming sessions
    for user in (world.tutor_a1, world.learner_a1, world.staff_b):
        assert login_as(user).get(f"/regroupements/cohort/{world.cohort_a.id}/sheets.zip").status_code == 404


# -- calendar and feed --------------------------------------------------------------------------------
def test_calendar_views_show_sessions_and_personal_events(world, timetable, login_as):
    learner = login_as(world.learner_a1)
    today = local(utcnow()).date()
    response = learner.post(
        "/regroupements/events/new",
        data={"title": "Rendez-vous tutrice", "day": today.isoformat(), "start": "18:00", "end": "17:00"},
    )
    assert "La fin doit être après le début" in text(response) and "Rendez-vous tutrice" in text(response)
    assert not db.session.scalars(sa.select(Week).where(Week.number == 99)).all()
    learner.post(
        "/regroupements/events/new",
        data={"title": "Rendez-vous tutrice", "day": today.isoformat(), "start": "18:00", "end": "19:00"},
    )
    for view in ("month", "week", "list"):
        page = text(learner.get(f"/regroupements/calendar?view={view}&date={today.isoformat()}"))
        assert "Séance en cours" in page and "Rendez-vous tutrice" in page, view
    for odd in ("9999-12-31", "0001-01-01", "demain"):
        assert learner.get(f"/regroupements/calendar?view=month&date={odd}").status_code == 200
    other = text(login_as(world.learner_b1).get(f"/regroupements/calendar?date={today.isoformat()}"))
    assert "Séance en cours" not in other and "Rendez-vous tutrice" not in other
    event_id = re.search(
        r"/regroupements/events/(\d+)", text(learner.get("/regroupements/calendar?view=list"))
    ).group(1)
    assert login_as(world.learner_a2).get(f"/regroupements/events/{event_id}").status_code == 404


def test_feed_token_works_without_session_and_is_revocable(world, timetable, login_as, client):
    learner = login_as(world.learner_a1)
    page = text(learner.post("/regroupements/feed"))
    url = re.search(r'value="https?://[^/]+(/regroupements/feed/[^"]+\.ics)"', page).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert db.session.get(FeedToken, world.learner_a1.id).token_hash == token_hash(token)
    assert token not in {row.token_hash for row in db.session.scalars(sa.select(FeedToken))}
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/Paris" in body
    assert "Séance en cours" in body and "DTSTART;TZID=Europe/Paris:" in body
    parsed = icalendar.Calendar.from_ical(response.data)
    summaries = {str(e["SUMMARY"]) for e in parsed.walk("VEVENT")}
    assert {"Séance en cours", "Séance à venir"} <= summaries
    assert all("DTSTAMP" in e for e in parsed.walk("VEVENT"))
    assert len(parsed.walk("VTIMEZONE")) == 1
    other = text(login_as(world.learner_b1).post("/regroupements/feed"))
    other_url = re.search(r'value="https?://[^/]+(/regroupements/feed/[^"]+\.ics)"', other).group(1)
    assert "Séance en cours" not in client.get(other_url).get_data(as_text=True)
    assert client.get("/regroupements/feed/forged-token-123.ics").status_code == 404
    learner.post("/regroupements/feed", data={"action": "revoke"})
    assert client.get(url).status_code == 404


# -- dashboard ----------------------------------------------------------------------------------------
def test_widgets(world, timetable, login_as):
    page = text(login_as(world.learner_a1).get("/"))
    assert "Prochaine séance" in page and "Séance en cours" in page and "Rejoindre la visioconférence" in page
    page = text(login_as(world.staff_a).get("/"))
    assert "Séances du jour" in page and "Séance en cours" in page
    assert "2 émargements manquants" in page
    assert "Séance en cours" not in text(login_as(world.learner_b1).get("/"))


def test_learner_sees_week_and_material_link(world, timetable, login_as):
    page = (
        login_as(world.learner_a1).get(f"/regroupements/week/{timetable.past_week.id}").get_data(as_text=True)
    )
    bloc = world.programme.blocs[0]
    assert f"/courses/bloc/{bloc.id}#seminar-{bloc.seminars[0].id}" in page
    assert (date.today() - timedelta(days=1)).year > 2000


def test_personal_data_export_and_erasure(world, timetable, login_as):
    from plugins.regroupements import plugin
    from plugins.regroupements.models import PersonalEvent

    learner = login_as(world.learner_a1)
    learner.post(
        f"/regroupements/session/{timetable.now_session.id}/checkin", data={"user_id": world.learner_a1.id}
    )
    learner.post(
        "/regroupements/events/new",
        data={"title": "Lecture du rapport", "day": "2021-02-03", "start": "10:00", "end": "11:00"},
    )
    learner.post("/regroupements/feed")
    exported = learner.get("/auth/profile/export").get_json()["regroupements"]
    assert exported["events"][0]["title"] == "Lecture du rapport"
    assert exported["attendance"][0]["status"] == "present"
    plugin.erase_user(world.learner_a1)
    db.session.commit()
    assert not db.session.scalars(sa.select(PersonalEvent)).all()
    assert db.session.get(FeedToken, world.learner_a1.id) is None
