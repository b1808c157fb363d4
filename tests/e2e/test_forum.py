"""The forum in a real Chromium: axe-core on every page for a learner and a tutor, and hostile messages that
never run (no dialog opens, no script element is added by a post)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plugins.forum.service import ensure_and_commit
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations, signed_in
from tests.plugins.forum.test_hostile import PAYLOADS

pytestmark = pytest.mark.e2e


def test_forum_pages_have_no_axe_violation(page, browser, live_server, login, world, tmp_path):
    from plugins.forum.models import Forum

    ensure_and_commit()
    forum = db.session.scalar(db.select(Forum).where(Forum.atelier_id == world.atelier_a1.id))
    login(world.learner_a1)
    problems: list[str] = []

    def check(name: str) -> None:
        problems.extend(f"[{name}] {p}" for p in axe_violations(page))

    page.goto(live_server("/forum/"))
    check("index")
    page.get_by_role("link", name="Atelier A1").click()
    page.get_by_role("link", name="Nouvelle discussion").click()
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_text("Donnez un sujet à la discussion.")).to_be_visible()
    check("new discussion with errors")
    notes = tmp_path / "grille.txt"
    notes.write_text("Grille d'entretien", encoding="utf-8")
    page.get_by_label("Sujet").fill("Grille d'entretien")
    page.get_by_label("Message").fill("Voici ma **grille**.")
    page.get_by_label("Pièces jointes").set_input_files(notes)
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_text("La discussion « Grille d'entretien » est ouverte.")).to_be_visible()
    check("discussion")
    page.get_by_role("link", name="Citer").first.click()
    check("reply with quote")
    page.get_by_role("button", name="Publier la réponse").click()
    check("discussion with reply")
    page.get_by_role("link", name="Modifier").first.click()
    check("edit")
    page.go_back()
    page.get_by_role("link", name="Supprimer").last.click()
    check("delete")
    page.goto(live_server(f"/forum/{forum.id}"))
    check("forum")
    page.goto(live_server("/forum/preferences"))
    check("preferences")
    page.goto(live_server("/"))
    check("dashboard")

    tutor = signed_in(browser, live_server, world.tutor_a1.email, TEST_PASSWORD)
    for name, url in [
        ("tutor forum", f"/forum/{forum.id}"),
        ("settings", f"/forum/{forum.id}/settings"),
        ("participation", f"/forum/{forum.id}/participation"),
    ]:
        tutor.goto(live_server(url))
        problems.extend(f"[{name}] {p}" for p in axe_violations(tutor))
    tutor.goto(live_server(f"/forum/{forum.id}"))
    tutor.get_by_role("link", name="Grille d'entretien").click()
    problems.extend(f"[tutor discussion] {p}" for p in axe_violations(tutor))
    tutor.context.close()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def test_hostile_posts_never_run_in_chromium(page, live_server, login, world):
    from plugins.forum.models import Forum
    from plugins.forum.service import reply, start_discussion

    ensure_and_commit()
    forum = db.session.scalar(db.select(Forum).where(Forum.atelier_id == world.atelier_a1.id))
    discussion = start_discussion(
        forum, world.learner_a1, "Charges hostiles <script>alert(1)</script>", "Début"
    )
    parent = discussion.posts[0]
    for payload in PAYLOADS:
        reply(parent, world.learner_a1, f"Avant {payload} après")
    db.session.commit()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(world.learner_a1)
    page.goto(live_server(f"/forum/discussion/{discussion.id}"))
    expect(page.locator("main")).to_contain_text("Avant <script>alert('xss')</script> après")
    for url in (f"/forum/discussion/{discussion.id}", f"/forum/{forum.id}", "/forum/", "/"):
        page.goto(live_server(url))
        page.wait_for_load_state("load")
        # Hover and click every link of the posts: a javascript: link or an event handler would fire.
        for link in page.locator("article .card a, article a").all()[:60]:
            link.hover()
        assert page.evaluate("document.querySelectorAll('main script, main svg, main iframe').length") == 0
        handlers = (
            "[...document.querySelectorAll('main *')]"
            ".some(e => [...e.attributes].some(a => a.name.startsWith('on')))"
        )
        assert page.evaluate(handlers) is False
    assert dialogs == []
