"""Course material in a real Chromium: a lecturer adds a page, a learner reads it and marks it done; axe-core
on every courses page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from plugins.courses.models import CourseItem
from portal.extensions import db
from portal.models import Bloc, Seminar
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations, signed_in

pytestmark = pytest.mark.e2e

FORM_ERROR = "Le formulaire contient des erreurs : corrigez les champs signalés."


def bloc_2(world) -> tuple[Bloc, Seminar]:
    bloc = db.session.scalar(sa.select(Bloc).where(Bloc.programme_id == world.programme.id, Bloc.number == 2))
    return bloc, bloc.seminars[0]


def test_lecturer_adds_a_page_and_learner_marks_it_done(page, browser, live_server, login, world):
    bloc, seminar = bloc_2(world)
    login(world.lecturer_a)
    page.goto(live_server(f"/courses/bloc/{bloc.id}"))
    section = page.locator(f"#seminar-{seminar.id}")
    section.get_by_role("link", name="une page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter : page")
    page.get_by_label("Titre").fill("Lire un bilan de SCOP")
    page.get_by_label("Contenu de la page (Markdown)").fill("Les **réserves impartageables** d'une SCOP.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("« Lire un bilan de SCOP » est ajouté.")).to_be_visible()
    expect(section.get_by_role("link", name="Lire un bilan de SCOP", exact=True)).to_be_visible()

    learner = signed_in(browser, live_server, world.learner_a1.email, TEST_PASSWORD)
    try:
        learner.goto(live_server(f"/courses/bloc/{bloc.id}"))
        expect(learner.get_by_text("0 sur 1 faits")).to_be_visible()
        learner.get_by_role("link", name="Lire un bilan de SCOP").click()
        expect(learner.get_by_role("heading", level=1)).to_have_text("Lire un bilan de SCOP")
        expect(learner.locator(".page-body strong")).to_have_text("réserves impartageables")
        learner.get_by_role("button", name="Marquer comme fait").click()
        expect(learner.get_by_text("« Lire un bilan de SCOP » est marqué comme fait.")).to_be_visible()
        expect(learner.get_by_role("button", name="Ne plus marquer comme fait")).to_be_visible()
        learner.goto(live_server(f"/courses/bloc/{bloc.id}"))
        expect(learner.get_by_text("1 sur 1 faits")).to_be_visible()
        learner.goto(live_server("/"))
        expect(learner.get_by_text("1 sur 1 faits")).to_be_visible()
    finally:
        learner.context.close()


@pytest.fixture
def material(world, login_as):
    """A page, a link and a hidden folder in Bloc 2, added through the app by the lecturer."""
    _, seminar = bloc_2(world)
    lecturer = login_as(world.lecturer_a)
    for kind, data in (
        ("page", {"title": "Notes du séminaire", "body": "Un *texte* de cours."}),
        ("link", {"title": "Site de référence", "url": "https://www.ess-france.org/"}),
        ("folder", {"title": "Dossier de lectures", "hidden": "y"}),
    ):
        response = lecturer.post(f"/courses/seminar/{seminar.id}/new/{kind}", data=data)
        assert response.status_code == 303
    return {item.title: item for item in db.session.scalars(sa.select(CourseItem))}


def check(page: Page, url: str, heading: str, name: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, f"{name}: status {response.status}"
    expect(page.get_by_role("heading", level=1), name).to_have_text(heading)
    return [f"[{name}] {problem}" for problem in axe_violations(page)]


def test_courses_pages_have_no_axe_violation_for_learner(page, live_server, login, world, material):
    bloc, _ = bloc_2(world)
    login(world.learner_a1)
    item = material["Notes du séminaire"]
    problems = check(
        page, live_server(f"/courses/programme/{world.programme.id}"), "Manager ESS", "programme"
    )
    problems += check(page, live_server(f"/courses/bloc/{bloc.id}"), "Bloc 2 — Bloc de test 2", "bloc")
    problems += check(page, live_server(f"/courses/item/{item.id}"), "Notes du séminaire", "item")
    page.get_by_role("button", name="Marquer comme fait").click()
    expect(page.get_by_text("« Notes du séminaire » est marqué comme fait.")).to_be_visible()
    problems += [f"[item done] {p}" for p in axe_violations(page)]
    problems += check(
        page, live_server(f"/courses/programme/{world.programme.id}"), "Manager ESS", "progress"
    )
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def test_courses_pages_have_no_axe_violation_for_lecturer(page, live_server, login, world, material):
    bloc, seminar = bloc_2(world)
    login(world.lecturer_a)
    folder = material["Dossier de lectures"]
    problems = check(page, live_server(f"/courses/bloc/{bloc.id}"), "Bloc 2 — Bloc de test 2", "bloc editor")
    expect(page.get_by_text("masqué", exact=True)).to_be_visible()
    problems += check(page, live_server(f"/courses/item/{folder.id}"), "Dossier de lectures", "empty folder")
    new_page = live_server(f"/courses/seminar/{seminar.id}/new/page")
    problems += check(page, new_page, "Ajouter : page", "new page form")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text(FORM_ERROR)).to_be_visible()
    problems += [f"[new page errors] {p}" for p in axe_violations(page)]
    problems += check(
        page, live_server(f"/courses/seminar/{seminar.id}/new/link"), "Ajouter : lien", "new link"
    )
    page.get_by_label("Titre").fill("Lien piégé")
    page.get_by_label("Adresse du lien").fill("javascript:alert(1)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(
        page.get_by_text("Saisissez une adresse web complète commençant par https:// ou http://.")
    ).to_be_visible()
    problems += [f"[link errors] {p}" for p in axe_violations(page)]
    problems += check(
        page, live_server(f"/courses/seminar/{seminar.id}/new/folder"), "Ajouter : dossier", "new folder"
    )
    problems += check(
        page, live_server(f"/courses/item/{folder.id}/edit"), "Modifier « Dossier de lectures »", "edit form"
    )
    problems += check(
        page,
        live_server(f"/courses/item/{folder.id}/delete"),
        "Supprimer « Dossier de lectures » ?",
        "delete confirmation",
    )
    page.get_by_role("button", name="Supprimer définitivement").click()
    expect(page.get_by_text("« Dossier de lectures » est supprimé.")).to_be_visible()
    problems += [f"[after delete] {p}" for p in axe_violations(page)]
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
