"""The library issue's "done when", tried in Chromium on the demo site as new users would: a learner searches
"coopérative habitat", gets highlighted results with facets, narrows by region, proposes a monograph with a
PDF, which staff publish and which is then found by a word inside the PDF; a draft is invisible to every
other learner. axe-core runs on every page of the plugin."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from plugins.library.models import Monograph
from portal.demo import load_demo
from portal.extensions import db
from tests.e2e.conftest import axe_violations, signed_in
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.e2e

LEARNER = "auditrice@example.org"
OTHER_LEARNER = "bastien.delattre@example.org"
STAFF = "equipe@example.org"


@pytest.fixture
def demo(app):
    """The demo site, loaded and indexed as `portal demo` does."""
    load_demo()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output


def no_violation(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def test_search_facets_propose_publish_and_find_by_a_word_of_the_pdf(browser, live_server, demo, tmp_path):
    learner = signed_in(browser, live_server, LEARNER)
    learner.get_by_role("link", name="Bibliothèque").first.click()
    no_violation(learner)
    learner.get_by_label("Rechercher une monographie").fill("coopérative habitat")
    learner.locator("#library-search").get_by_role("button", name="Rechercher", exact=True).click()
    results = learner.locator("ol.results > li")
    expect(results.first).to_be_visible()
    total = results.count()
    assert total >= 3
    expect(learner.locator("ol.results mark").first).to_be_visible()
    expect(learner.get_by_role("group", name="Région")).to_be_visible()
    no_violation(learner)

    learner.get_by_label("Bretagne", exact=False).check()
    learner.get_by_role("button", name="Filtrer").click()
    expect(
        learner.get_by_role("link", name="Coop'Bâtir : une SCOP du bâtiment écologique en Bretagne")
    ).to_be_visible()
    assert 1 <= results.count() < total
    expect(
        learner.get_by_role("link", name="Les Toits partagés : une coopérative d'habitants à Villeurbanne")
    ).to_have_count(0)
    no_violation(learner)

    learner.get_by_role("link", name="Coop'Bâtir : une SCOP du bâtiment écologique en Bretagne").click()
    expect(learner.get_by_role("heading", name="Monographies proches")).to_be_visible()
    no_violation(learner)

    # The learner's demo draft is invisible to another learner, by search and by its address.
    draft = db.session.scalar(sa.select(Monograph).where(Monograph.title.like("Le Champ commun%")))
    other = signed_in(browser, live_server, OTHER_LEARNER)
    assert other.goto(live_server(f"/library/m/{draft.id}")).status == 404
    expect(other.get_by_text("Le Champ commun")).to_have_count(0)
    other.goto(live_server("/library/?q=maraîchage"))
    expect(other.get_by_text("Le Champ commun")).to_have_count(0)
    learner.goto(live_server(f"/library/m/{draft.id}"))
    expect(
        learner.get_by_role("heading", name="Le Champ commun : une SCOP de maraîchage et de restauration")
    ).to_be_visible()

    # The learner proposes a monograph with a PDF.
    pdf = tmp_path / "annexe-apiculture.pdf"
    pdf.write_bytes(pdf_bytes("Les ruchers pédagogiques et la transhumance des abeilles"))
    learner.goto(live_server("/library/"))
    learner.get_by_role("link", name="Proposer une monographie").first.click()
    no_violation(learner)
    learner.get_by_role("button", name="Enregistrer").click()
    expect(learner.get_by_text("Le formulaire contient des erreurs")).to_be_visible()
    no_violation(learner)
    learner.get_by_label("Titre").fill("Le Rucher solidaire")
    learner.get_by_label("Structure étudiée").fill("Le Rucher solidaire")
    learner.get_by_label("Forme juridique").select_option(label="Association")
    learner.get_by_label("Région").select_option(label="Occitanie")
    learner.get_by_label("Année de création").fill("2019")
    learner.get_by_label("Thèmes").fill("apiculture, environnement")
    learner.get_by_label("Documents joints").set_input_files(pdf)
    learner.get_by_role("button", name="Enregistrer").click()
    expect(learner.get_by_text("Votre brouillon est enregistré.")).to_be_visible()
    no_violation(learner)
    proposed = db.session.scalar(sa.select(Monograph).where(Monograph.title == "Le Rucher solidaire"))
    learner.get_by_role("link", name="Modifier").click()
    no_violation(learner)
    learner.go_back()
    learner.get_by_role("button", name="Soumettre à l'équipe pédagogique").click()
    expect(learner.get_by_text("Votre monographie est soumise")).to_be_visible()
    learner.goto(live_server("/library/"))
    learner.get_by_role("link", name="Mes propositions").click()
    expect(learner.get_by_role("link", name="Le Rucher solidaire")).to_be_visible()
    no_violation(learner)

    # Not published yet: the other learner neither finds nor opens it.
    other.goto(live_server("/library/?q=transhumance"))
    expect(other.get_by_text("Le Rucher solidaire")).to_have_count(0)
    assert other.goto(live_server(f"/library/m/{proposed.id}")).status == 404

    staff = signed_in(browser, live_server, STAFF)
    staff.goto(live_server("/library/review"))
    no_violation(staff)
    staff.get_by_role("link", name="Le Rucher solidaire").click()
    no_violation(staff)
    staff.get_by_role("button", name="Publier").click()
    expect(staff.get_by_text("« Le Rucher solidaire » est publiée.")).to_be_visible()
    staff.goto(live_server("/library/"))
    no_violation(staff)
    staff.get_by_role("link", name="Listes").click()
    no_violation(staff)
    staff.goto(live_server(f"/library/m/{proposed.id}/delete"))
    no_violation(staff)

    other.goto(live_server("/library/"))
    other.get_by_label("Rechercher une monographie").fill("transhumances")
    other.locator("#library-search").get_by_role("button", name="Rechercher", exact=True).click()
    expect(other.get_by_role("link", name="Le Rucher solidaire")).to_be_visible()
    expect(other.locator("ol.results mark", has_text="transhumance")).to_be_visible()
    other.get_by_role("link", name="Le Rucher solidaire").click()
    expect(other.get_by_role("link", name="annexe-apiculture.pdf")).to_be_visible()
    # Odd queries get a clear answer.
    other.goto(live_server("/library/?q=le+la+les"))
    expect(other.get_by_text("ne contient que des mots trop courants")).to_be_visible()
    other.goto(live_server("/library/?q=%22coop%C3%A9rative"))
    expect(other.locator("ol.results > li").first).to_be_visible()
    other.goto(live_server("/library/?q=cooperatve"))
    expect(other.get_by_text("Essayez plutôt")).to_be_visible()
    no_violation(other)
    for page in (learner, other, staff):
        page.context.close()
