"""Regroupements in a real Chromium: axe-core on every page of the plugin, for a learner and for the staff,
including forms showing their errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations
from tests.plugins.regroupements.conftest import build_timetable

pytestmark = pytest.mark.e2e


def check(page: Page, url: str, heading: str, name: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, f"{name}: status {response.status}"
    expect(page.get_by_role("heading", level=1), name).to_contain_text(heading)
    return [f"[{name}] {problem}" for problem in axe_violations(page)]


def test_learner_pages_have_no_axe_violation(page, live_server, login, world):
    timetable = build_timetable(world)
    login(world.learner_a1)
    cohort = world.cohort_a.id
    problems = [f"[dashboard] {p}" for p in axe_violations(page)]
    problems += check(page, live_server(f"/regroupements/cohort/{cohort}"), "Regroupements", "cohort")
    problems += check(page, live_server(f"/regroupements/week/{timetable.week_now.id}"), "Semaine 2", "week")
    problems += check(
        page, live_server(f"/regroupements/session/{timetable.now_session.id}"), "Séance en cours", "session"
    )
    page.get_by_role("button", name="Je suis présent·e").click()
    expect(page.get_by_text("Votre présence est enregistrée")).to_be_visible()
    problems += [f"[checked in] {p}" for p in axe_violations(page)]
    for view in ("month", "week", "list"):
        problems += check(page, live_server(f"/regroupements/calendar?view={view}"), "Mon agenda", view)
    problems += check(page, live_server("/regroupements/events/new"), "Nouvel événement", "event form")
    page.get_by_label("Titre").fill("Lecture")
    page.get_by_label("Début").fill("18:00")
    page.get_by_label("Fin").fill("17:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La fin doit être après le début.")).to_be_visible()
    problems += [f"[event errors] {p}" for p in axe_violations(page)]
    problems += check(page, live_server("/regroupements/feed"), "application de calendrier", "feed")
    page.get_by_role("button", name="Créer mon adresse d'abonnement").click()
    expect(page.get_by_label("Adresse du calendrier")).to_be_visible()
    problems += [f"[feed created] {p}" for p in axe_violations(page)]
    problems += check(
        page,
        live_server(f"/regroupements/cohort/{cohort}/learner/{world.learner_a1.id}"),
        "Mon assiduité",
        "mine",
    )
    problems += check(
        page,
        live_server(f"/regroupements/session/{timetable.past_morning.id}/justify"),
        "Justifier mon absence",
        "justify",
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    problems += [f"[justify errors] {p}" for p in axe_violations(page)]
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def test_staff_pages_have_no_axe_violation(page, live_server, login, world):
    timetable = build_timetable(world)
    login(world.staff_a)
    cohort = world.cohort_a.id
    problems = [f"[dashboard] {p}" for p in axe_violations(page)]
    expect(page.get_by_text("Séances du jour")).to_be_visible()
    problems += check(page, live_server(f"/regroupements/cohort/{cohort}"), "Regroupements", "cohort")
    problems += check(
        page, live_server(f"/regroupements/cohort/{cohort}/weeks/new"), "Nouvelle semaine", "new week"
    )
    page.get_by_role("button", name="Enregistrer").click()
    problems += [f"[week errors] {p}" for p in axe_violations(page)]
    problems += check(
        page,
        live_server(f"/regroupements/week/{timetable.past_week.id}/sessions/new"),
        "Nouvelle séance",
        "new",
    )
    page.get_by_label("Début (heure de Paris)").fill("12:00")
    page.get_by_label("Fin (heure de Paris)").fill("10:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La séance doit se terminer après son début.").first).to_be_visible()
    problems += [f"[session errors] {p}" for p in axe_violations(page)]
    problems += check(
        page,
        live_server(f"/regroupements/session/{timetable.past_morning.id}/edit"),
        "Modifier la séance",
        "edit",
    )
    problems += check(
        page, live_server(f"/regroupements/session/{timetable.past_morning.id}"), "Séminaire 1.1", "sheet"
    )
    page.get_by_label(f"Présence de {world.learner_a1.full_name}").select_option("absent")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("1 présence(s) modifiée(s).")).to_be_visible()
    problems += [f"[recorded] {p}" for p in axe_violations(page)]
    problems += check(
        page,
        live_server(f"/regroupements/session/{timetable.past_morning.id}/history/{world.learner_a1.id}"),
        "Historique",
        "history",
    )
    problems += check(page, live_server(f"/regroupements/cohort/{cohort}/report"), "Assiduité", "report")
    problems += check(
        page, live_server(f"/regroupements/cohort/{cohort}/justifications"), "Justificatifs", "justifications"
    )
    problems += check(
        page, live_server(f"/regroupements/week/{timetable.week_now.id}/edit"), "Modifier", "week edit"
    )
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
