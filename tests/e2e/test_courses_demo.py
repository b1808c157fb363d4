"""The courses issue's "done when", tried in Chromium on the demo site as new users would: the lecturer adds a
page, a PDF and a link to a seminar of Bloc 4 for the Paris cohort and hides one; the learner sees the two
others, marks one done and sees the progress; a learner of Lille cannot open them; the PDF's text is found."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from plugins.courses.models import CourseItem
from portal.demo import load_demo
from portal.extensions import db
from portal.models import Bloc, Cohort, Seminar
from tests.e2e.conftest import signed_in
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.e2e

LECTURER = "intervenant@example.org"
LEARNER = "auditrice@example.org"
LILLE_LEARNER = "bastien.delattre@example.org"


@pytest.fixture
def demo(app):
    """The demo site, loaded as `portal demo` does."""
    load_demo()
    bloc = db.session.scalar(sa.select(Bloc).where(Bloc.number == 4))
    return bloc, db.session.scalar(
        sa.select(Seminar).where(Seminar.bloc_id == bloc.id).order_by(Seminar.position)
    )


def add(page: Page, section, kind_link: str, title: str, fill) -> None:
    """Open the seminar's "add" form of a kind, fill it, keep it for the Paris cohort and save."""
    section.get_by_role("link", name=kind_link, exact=True).click()
    page.get_by_label("Titre").fill(title)
    fill()
    paris = db.session.scalar(sa.select(Cohort).where(Cohort.centre == "Paris"))
    page.get_by_label("Réservé aux promotions").select_option(label=f"{paris.name} (Paris)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text(f"« {title} » est ajouté.")).to_be_visible()


def test_lecturer_publishes_learner_reads_lille_cannot(browser, live_server, demo, tmp_path):
    bloc, seminar = demo
    pdf = tmp_path / "economie-circulaire.pdf"
    pdf.write_bytes(pdf_bytes("La ressourcerie transforme les encombrants en emplois durables"))

    lecturer = signed_in(browser, live_server, LECTURER)
    lecturer.goto(live_server(f"/courses/bloc/{bloc.id}"))
    section = lecturer.locator(f"#seminar-{seminar.id}")
    add(
        lecturer,
        section,
        "une page",
        "Carnet de lecture",
        lambda: lecturer.get_by_label("Contenu de la page (Markdown)").fill("Une **grille** de lecture."),
    )
    add(
        lecturer,
        section,
        "un fichier",
        "Étude de cas (PDF)",
        lambda: lecturer.get_by_label("Fichiers").set_input_files(pdf),
    )
    add(
        lecturer,
        section,
        "un lien",
        "Observatoire de l'ESS",
        lambda: lecturer.get_by_label("Adresse du lien").fill("https://www.ess-france.org/"),
    )
    page_item = section.locator("li", has_text="Carnet de lecture")
    page_item.get_by_role("button", name="Masquer").click()
    expect(lecturer.get_by_text("« Carnet de lecture » est masqué.")).to_be_visible()
    expect(
        section.locator("li", has_text="Carnet de lecture").get_by_text("masqué", exact=True)
    ).to_be_visible()
    items = {
        i.title: i
        for i in db.session.scalars(sa.select(CourseItem).where(CourseItem.seminar_id == seminar.id))
    }

    learner = signed_in(browser, live_server, LEARNER)
    learner.goto(live_server(f"/courses/bloc/{bloc.id}"))
    mine = learner.locator(f"#seminar-{seminar.id}")
    expect(mine.get_by_role("link", name="Étude de cas (PDF)")).to_be_visible()
    expect(mine.get_by_role("link", name="Observatoire de l'ESS")).to_be_visible()
    expect(mine.get_by_text("Carnet de lecture")).to_have_count(0)
    done_before = re.search(r"(\d+) sur (\d+) faits", learner.locator("main").inner_text())
    mine.locator("li", has_text="Étude de cas (PDF)").get_by_role("button", name="Marquer comme fait").click()
    expect(learner.get_by_text("« Étude de cas (PDF) » est marqué comme fait.")).to_be_visible()
    done, total = int(done_before.group(1)) + 1, int(done_before.group(2))
    expect(learner.get_by_text(f"{done} sur {total} faits").first).to_be_visible()
    learner.goto(live_server("/"))
    expect(learner.get_by_text(f"{done} sur {total} faits")).to_be_visible()
    learner.goto(live_server("/search/?q=encombrants"))
    expect(learner.get_by_role("link", name="Étude de cas (PDF)")).to_be_visible()

    lille = signed_in(browser, live_server, LILLE_LEARNER)
    for title in ("Carnet de lecture", "Étude de cas (PDF)", "Observatoire de l'ESS"):
        response = lille.goto(live_server(f"/courses/item/{items[title].id}"))
        assert response.status == 404, title
        expect(lille.get_by_text(title)).to_have_count(0)
    stored = items["Étude de cas (PDF)"].files[0].stored
    assert lille.goto(live_server(f"/files/{stored.id}/{stored.name}")).status == 404
    lille.goto(live_server(f"/courses/bloc/{bloc.id}"))
    expect(lille.get_by_text("Étude de cas (PDF)")).to_have_count(0)
    lille.goto(live_server("/search/?q=encombrants"))
    expect(lille.get_by_text("Étude de cas (PDF)")).to_have_count(0)
    for page in (lecturer, learner, lille):
        page.context.close()
