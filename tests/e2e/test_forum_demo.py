"""The forum issue's "done when", tried in Chromium on the demo site as new users would: two learners of one
atelier discuss, one with an attachment and a quote; the tutor locks the discussion and answers one privately;
a learner of another atelier finds no trace of any of it, by URL or search; the subscribers' mails arrive
once, after the edit window."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from plugins.forum.models import Discussion, Post
from portal.demo import load_demo
from portal.extensions import db
from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

LEARNER = "auditrice@example.org"  # Amina Benali, Atelier A
MATE = "julien.moreau@example.org"  # Atelier A
TUTOR = "tuteur@example.org"  # Marc Lefebvre, tutor of ateliers A and B
OTHER = "karim.bouzid@example.org"  # Atelier B
SUBJECT = "Entretiens exploratoires en ressourcerie"


def test_atelier_discussion_private_reply_and_mail(app, browser, live_server, mailbox, tmp_path):
    load_demo()
    guide = tmp_path / "guide-entretien.txt"
    guide.write_text("Guide d'entretien : gouvernance, bénévolat, modèle économique.", encoding="utf-8")

    amina = signed_in(browser, live_server, LEARNER)
    expect(amina.get_by_role("heading", name="Forums de mes ateliers")).to_be_visible()
    amina.get_by_role("link", name="Forums", exact=True).click()
    amina.get_by_role("link", name="Atelier A — Innovation sociale").click()
    amina.get_by_role("link", name="Nouvelle discussion").click()
    amina.get_by_label("Sujet").fill(SUBJECT)
    amina.get_by_label("Message").fill("J'ai rencontré la directrice de la **Ressourcerie du Canal**.")
    amina.get_by_label("Pièces jointes").set_input_files(guide)
    amina.get_by_role("button", name="Publier", exact=True).click()
    expect(amina.get_by_text(f"La discussion « {SUBJECT} » est ouverte.")).to_be_visible()
    expect(amina.get_by_role("link", name="guide-entretien.txt")).to_be_visible()

    julien = signed_in(browser, live_server, MATE)
    expect(julien.get_by_text(SUBJECT)).to_be_visible()  # the dashboard widget lists it as unread
    julien.get_by_role("link", name=SUBJECT).click()
    julien.get_by_role("link", name="Citer").first.click()
    body = julien.get_by_label("Message")
    expect(body).to_have_value(re.compile("Amina Benali a écrit"))
    body.press("End")
    body.press("Control+End")
    body.type("Très utile : je m'en inspire pour mon terrain.")
    julien.get_by_role("button", name="Publier la réponse").click()
    expect(julien.get_by_text("Votre réponse est publiée.")).to_be_visible()
    expect(julien.locator("blockquote").first).to_contain_text("Ressourcerie du Canal")

    marc = signed_in(browser, live_server, TUTOR)
    marc.goto(live_server("/forum/"))
    marc.get_by_role("link", name="Atelier A — Innovation sociale").click()
    marc.get_by_role("link", name=SUBJECT).click()
    marc.get_by_role("button", name="Verrouiller").click()
    expect(marc.get_by_text("La discussion est verrouillée")).to_be_visible()
    julien_post = marc.locator("article", has_text="Très utile").last
    julien_post.get_by_role("link", name="Répondre", exact=True).click()
    marc.get_by_label("Message").fill("Julien, pense à anonymiser tes entretiens avant de les partager.")
    marc.get_by_label(re.compile("Réponse privée")).check()
    marc.get_by_role("button", name="Publier la réponse").click()
    expect(marc.get_by_text("Réponse privée à Julien Moreau")).to_be_visible()

    julien.reload()
    expect(julien.get_by_text("pense à anonymiser")).to_be_visible()
    expect(julien.get_by_role("link", name="Répondre", exact=True)).to_have_count(0)  # locked
    amina.reload()
    expect(amina.get_by_text("Très utile")).to_be_visible()
    expect(amina.get_by_text("pense à anonymiser")).to_have_count(0)

    discussion = db.session.scalar(sa.select(Discussion).where(Discussion.subject == SUBJECT))
    posts = db.session.scalars(sa.select(Post).where(Post.discussion_id == discussion.id)).all()
    stored = next(p for p in posts if p.files).files[0].stored
    karim = signed_in(browser, live_server, OTHER)
    for url in [
        f"/forum/discussion/{discussion.id}",
        f"/forum/{discussion.forum_id}",
        *[f"/forum/post/{p.id}" for p in posts],
        f"/files/{stored.id}/{stored.name}",
    ]:
        response = karim.goto(live_server(url))
        assert response.status == 404, url
        expect(karim.get_by_text(SUBJECT)).to_have_count(0)
    for words in ("ressourcerie", "anonymiser", "guide entretien"):
        karim.goto(live_server(f"/search/?q={words}"))
        expect(karim.locator("main")).not_to_contain_text(SUBJECT)
    karim.goto(live_server("/forum/"))
    expect(karim.get_by_text("Atelier A — Innovation sociale")).to_have_count(0)
    karim.goto(live_server("/"))
    expect(karim.locator("main")).not_to_contain_text(SUBJECT)

    # Mail: nothing during the edit window; after it, once per subscriber who may read each post.
    runner = app.test_cli_runner()
    assert "0 post(s) handled" in runner.invoke(args=["forum-mail"]).output
    for post in posts:
        post.created_dt = post.created_dt - timedelta(minutes=31)
    db.session.commit()
    output = runner.invoke(args=["forum-mail"]).output
    assert "3 post(s) handled" in output
    count = int(re.search(r"(\d+) mail\(s\)", output).group(1))
    messages = mailbox.wait_for(count)
    assert "0 post(s) handled" in runner.invoke(args=["forum-mail"]).output
    private = [m for m in messages if "anonymiser" in m.get_payload(decode=True).decode()]
    assert [m["To"] for m in private] == [MATE]
    to = [m["To"] for m in messages]
    assert len(to) == count == len(mailbox.messages)
    assert OTHER not in to
    assert to.count(TUTOR) == 2  # Amina's and Julien's posts, not his own
    for page in (amina, julien, marc, karim):
        page.context.close()
