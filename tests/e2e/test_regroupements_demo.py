"""The regroupements issue's "done when", tried in Chromium on the demo site as new users would: the learner
finds next week's sessions and adds the feed to a calendar application, checks in during a session and not
outside it; the staff export the PDF attestation showing the hours per bloc; a learner of Lille sees none of
it."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from plugins.regroupements.models import Session, SessionStatus, Week
from plugins.regroupements.service import local
from portal.demo import load_demo
from portal.extensions import db
from portal.extract import extract_text
from portal.models import Cohort, utcnow
from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

STAFF = "equipe@example.org"
LEARNER = "auditrice@example.org"
LILLE_LEARNER = "bastien.delattre@example.org"


@pytest.fixture
def demo(app):
    """The demo site, loaded as `portal demo` does; returns the Paris cohort and its weeks by number."""
    load_demo()
    paris = db.session.scalar(sa.select(Cohort).where(Cohort.centre == "Paris"))
    weeks = {w.number: w for w in db.session.scalars(sa.select(Week).where(Week.cohort_id == paris.id))}
    return paris, weeks


def running_or_new_session(staff: Page, live_server, paris, week) -> str:
    """A Paris session whose check-in is open now: a demo one if any, else one the staff add through the form
    (in the current week, which the demo spreads over today); returns its title."""
    now = utcnow()
    today = db.session.scalars(
        sa.select(Session).where(Session.cohort_id == paris.id, Session.status != SessionStatus.CANCELLED)
    ).all()
    for session in today:
        if session.start_dt - timedelta(minutes=15) <= now <= session.end_dt:
            return session.label
    here = local(now)
    start = max(here - timedelta(minutes=5), here.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(here + timedelta(minutes=60), here.replace(hour=23, minute=59, second=0, microsecond=0))
    later = [s.start_dt for s in today if s.start_dt > now and local(s.start_dt).date() == here.date()]
    if later:
        end = min(end, local(min(later)))
    staff.goto(live_server(f"/regroupements/week/{week.id}"))
    staff.get_by_role("link", name="Ajouter une séance").click()
    staff.get_by_label("Jour").fill(here.date().isoformat())
    staff.get_by_label("Début (heure de Paris)").fill(start.strftime("%H:%M"))
    staff.get_by_label("Fin (heure de Paris)").fill(end.strftime("%H:%M"))
    staff.get_by_label("Intitulé").fill("Permanence coopérative")
    staff.get_by_label("Lien de visioconférence").fill("https://visio.example.org/permanence")
    staff.get_by_role("button", name="Enregistrer").click()
    expect(staff.get_by_text("La séance est ajoutée.")).to_be_visible()
    return "Permanence coopérative"


def test_learner_finds_subscribes_checks_in_staff_attests_lille_sees_nothing(
    browser, live_server, demo, tmp_path
):
    paris, weeks = demo
    next_week = weeks[17]
    staff = signed_in(browser, live_server, STAFF)
    now_title = running_or_new_session(staff, live_server, paris, weeks[16])

    # The learner finds next week's sessions from the navigation.
    learner = signed_in(browser, live_server, LEARNER)
    expect(learner.get_by_role("heading", name="Prochaine séance")).to_be_visible()
    learner.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Regroupements"
    ).click()
    learner.get_by_role("link", name="Semaine 17").click()
    expect(learner.get_by_role("heading", level=1)).to_contain_text("Semaine 17")
    first = next_week.sessions[0]
    expect(learner.get_by_role("link", name=first.label).first).to_be_visible()
    expect(learner.get_by_role("link", name="Rejoindre la visioconférence").first).to_be_visible()

    # ... and in the calendar's week view, then subscribes to the feed as a calendar application would.
    learner.goto(live_server(f"/regroupements/calendar?view=week&date={next_week.start_date.isoformat()}"))
    expect(learner.get_by_text(first.label).first).to_be_visible()
    learner.get_by_role("link", name="Abonnement iCal").click()
    learner.get_by_role("button", name="Créer mon adresse d'abonnement").click()
    feed_url = learner.get_by_label("Adresse du calendrier").input_value()
    with urllib.request.urlopen(feed_url.replace("http://localhost", live_server.url), timeout=10) as answer:  # noqa: S310 - our own test server
        assert answer.headers["Content-Type"].startswith("text/calendar")
        feed = icalendar.Calendar.from_ical(answer.read())
    assert feed.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    summaries = {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    assert first.label in summaries and now_title in summaries

    # Check-in works during a session, and not outside it.
    learner.goto(live_server("/regroupements/calendar?view=list"))
    learner.get_by_role("link", name=now_title).first.click()
    learner.get_by_role("button", name="Je suis présent·e").click()
    expect(learner.get_by_text("Votre présence est enregistrée")).to_be_visible()
    learner.goto(live_server(f"/regroupements/session/{first.id}"))
    expect(learner.get_by_text("L'émargement ouvrira le")).to_be_visible()
    expect(learner.get_by_role("button", name="Je suis présent·e")).to_have_count(0)

    # The staff export the learner's PDF attestation with the hours per bloc.
    staff.goto(live_server(f"/regroupements/cohort/{paris.id}"))
    staff.get_by_role("link", name="Assiduité").click()
    staff.get_by_role("link", name="Benali Amina").click()
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Attestation d'assiduité (PDF)").click()
    path = tmp_path / "attestation.pdf"
    download.value.save_as(path)
    content = extract_text(path, "application/pdf")
    assert "Amina Benali" in content and "Bloc 1" in content and "Bloc 4" in content and "511 h" in content

    # A learner of Lille sees none of it.
    lille = signed_in(browser, live_server, LILLE_LEARNER)
    for url in (
        f"/regroupements/cohort/{paris.id}",
        f"/regroupements/week/{next_week.id}",
        f"/regroupements/session/{first.id}",
    ):
        response = lille.goto(live_server(url))
        assert response.status == 404
        assert "Semaine 17" not in lille.content() and first.label not in lille.content()
    lille.goto(live_server(f"/regroupements/calendar?view=week&date={next_week.start_date.isoformat()}"))
    assert first.label not in lille.content() and now_title not in lille.content()
