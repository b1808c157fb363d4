"""The memoire issue's "done when", tried in Chromium on the demo site as new users would: a learner uploads
the plan détaillé late, the tutor sees it flagged in the atelier grid, writes draft feedback with the four
qualities, releases it and reopens the submission; the learner sends a second version and sees what changed;
another learner of the same atelier sees none of it. axe-core runs on every page visited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from plugins.memoire.models import Assignment, Submission
from portal.demo import load_demo
from portal.extensions import db
from portal.models import Atelier
from tests.e2e.conftest import axe_violations, signed_in
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.e2e

LEARNER = "auditrice@example.org"
TUTOR = "tuteur@example.org"
STAFF = "equipe@example.org"
NEIGHBOUR = "julien.moreau@example.org"
V1 = "Plan détaillé\nPremière partie : le diagnostic du centre social\nDeuxième partie : la gouvernance"
V2 = (
    "Plan détaillé\nPremière partie : le diagnostic partagé avec les habitants\n"
    "Deuxième partie : la gouvernance"
)


@pytest.fixture
def demo(app):
    """The demo site, loaded as `portal demo` does."""
    load_demo()
    plan = db.session.scalar(sa.select(Assignment).where(Assignment.title == "Plan détaillé"))
    atelier = db.session.scalar(sa.select(Atelier).where(Atelier.name.startswith("Atelier A")))
    return plan, atelier


class Axe:
    """Collects axe-core violations of every page visited."""

    def __init__(self):
        self.problems: list[str] = []

    def check(self, page: Page, name: str) -> None:
        """Run axe-core on the page as it is now."""
        self.problems += [f"[{name}] {p}" for p in axe_violations(page)]


def test_late_plan_feedback_reopen_second_version_and_privacy(browser, live_server, demo, tmp_path):
    plan, atelier = demo
    axe = Axe()
    v1, v2 = tmp_path / "plan-v1.pdf", tmp_path / "plan-v2.pdf"
    v1.write_bytes(pdf_bytes(V1))
    v2.write_bytes(pdf_bytes(V2))

    learner = signed_in(browser, live_server, LEARNER)
    axe.check(learner, "dashboard learner")
    learner.get_by_role("link", name="Mémoire", exact=True).click()
    axe.check(learner, "memoire index learner")
    learner.get_by_role("link", name="Plan détaillé").click()
    expect(learner.get_by_text("en retard de", exact=False).first).to_be_visible()
    axe.check(learner, "assignment learner")
    learner.get_by_label("Ajouter des fichiers").set_input_files(v1)
    learner.get_by_role("button", name="Envoyer pour évaluation").click()
    expect(learner.get_by_text("Votre travail est envoyé (version 1).")).to_be_visible()
    expect(learner.locator("#version-1").get_by_text("en retard de", exact=False)).to_be_visible()
    axe.check(learner, "submission learner")
    submission = db.session.scalar(sa.select(Submission).where(Submission.assignment_id == plan.id))

    tutor = signed_in(browser, live_server, TUTOR)
    expect(tutor.get_by_role("link", name="Plan détaillé — Amina Benali")).to_be_visible()
    tutor.get_by_role("link", name="Mémoire", exact=True).click()
    tutor.get_by_role("link", name=atelier.name).click()
    row = tutor.get_by_role("row", name="BENALI Amina", exact=False)
    expect(row.get_by_text("en retard").first).to_be_visible()
    expect(row.get_by_text("à relire").first).to_be_visible()
    axe.check(tutor, "atelier grid")
    tutor.get_by_role("link", name="Seulement ce qui m'attend", exact=False).click()
    expect(tutor.get_by_role("columnheader", name="Plan détaillé", exact=False)).to_be_visible()
    axe.check(tutor, "atelier grid waiting")
    tutor.goto(live_server("/"))
    tutor.get_by_role("link", name="Plan détaillé — Amina Benali").click()
    axe.check(tutor, "submission tutor")
    tutor.get_by_role("link", name="Écrire le retour").first.click()
    for quality, level in (
        ("Distanciation", "satisfaisant"),
        ("Argumentation", "à consolider"),
        ("Cohérence", "satisfaisant"),
        ("Pertinence", "très satisfaisant"),
    ):
        tutor.get_by_role("group", name=quality).get_by_label(level, exact=True).check()
    tutor.get_by_label("Décision").select_option(label="à retravailler")
    tutor.get_by_label("Note sur 20").fill("13,5")
    tutor.get_by_label("Commentaire (Markdown)").fill("Le diagnostic doit associer les habitants.")
    axe.check(tutor, "feedback form")
    tutor.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(tutor.get_by_text("Le retour est enregistré en brouillon.")).to_be_visible()

    learner.goto(live_server(f"/memoire/submission/{submission.id}"))
    expect(learner.get_by_text("Le diagnostic doit associer les habitants.")).to_have_count(0)

    tutor.get_by_role("link", name="Modifier le retour").first.click()
    tutor.get_by_role("button", name="Publier le retour").click()
    expect(tutor.get_by_text("Le retour est publié.")).to_be_visible()
    tutor.get_by_role("button", name="Rouvrir pour une nouvelle version").click()
    expect(tutor.get_by_text("Le dépôt est rouvert", exact=False)).to_be_visible()

    learner.goto(live_server(f"/memoire/submission/{submission.id}"))
    expect(learner.get_by_text("Le diagnostic doit associer les habitants.")).to_be_visible()
    expect(learner.get_by_text("Note : 13,5 / 20")).to_be_visible()
    learner.goto(live_server(f"/memoire/assignment/{plan.id}"))
    learner.get_by_role("button", name="Retirer").first.click()
    learner.get_by_label("Ajouter des fichiers").set_input_files(v2)
    learner.get_by_role("button", name="Envoyer pour évaluation").click()
    expect(learner.get_by_text("Votre travail est envoyé (version 2).")).to_be_visible()
    learner.get_by_role("button", name="Comparer").click()
    expect(learner.get_by_role("heading", name="Différences entre les versions 1 et 2")).to_be_visible()
    expect(learner.locator("ins", has_text="diagnostic partagé avec les habitants")).to_be_visible()
    expect(learner.locator("del", has_text="diagnostic du centre social")).to_be_visible()
    axe.check(learner, "compare")
    learner.goto(live_server(f"/memoire/log/{plan.cohort_id}/{submission.user_id}"))
    axe.check(learner, "log")

    neighbour = signed_in(browser, live_server, NEIGHBOUR)
    for url in (
        f"/memoire/submission/{submission.id}",
        f"/memoire/submission/{submission.id}/compare?a=1&b=2",
        f"/memoire/atelier/{atelier.id}",
        f"/memoire/log/{plan.cohort_id}/{submission.user_id}",
    ):
        assert neighbour.goto(live_server(url)).status == 404, url
        expect(neighbour.get_by_text("Benali")).to_have_count(0)
    stored = submission.versions[0].files[0].stored
    assert neighbour.goto(live_server(f"/files/{stored.id}/{stored.name}")).status == 404
    neighbour.goto(live_server("/search/?q=diagnostic+habitants"))
    expect(neighbour.get_by_text("Benali")).to_have_count(0)
    neighbour.goto(live_server(f"/memoire/assignment/{plan.id}"))
    expect(neighbour.get_by_text("diagnostic")).to_have_count(0)

    staff = signed_in(browser, live_server, STAFF)
    staff.get_by_role("link", name="Mémoire", exact=True).click()
    staff.get_by_role("link", name=atelier.cohort.name).click()
    axe.check(staff, "cohort staff")
    staff.get_by_role("link", name="Ajouter un travail").click()
    staff.get_by_role("button", name="Enregistrer").click()
    expect(staff.get_by_text("Le formulaire contient des erreurs", exact=False)).to_be_visible()
    axe.check(staff, "assignment form errors")
    staff.goto(live_server(f"/memoire/assignment/{plan.id}/overrides"))
    axe.check(staff, "overrides")
    staff.goto(live_server(f"/memoire/assignment/{plan.id}"))
    expect(staff.get_by_role("heading", name="Dépôts des auditeur·rice·s")).to_be_visible()
    axe.check(staff, "assignment staff")
    final = db.session.scalar(sa.select(Assignment).where(Assignment.title == "Mémoire final"))
    staff.goto(live_server(f"/memoire/assignment/{final.id}/delete"))
    axe.check(staff, "assignment delete")
    for page in (learner, tutor, neighbour, staff):
        page.context.close()
    assert not axe.problems, "axe-core violations:\n" + "\n".join(axe.problems)
