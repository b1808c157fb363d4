"""Forum mail through `portal forum-mail` and the real SMTP server: after the edit window, once, to the
subscribers who may read the post at sending time; per post or in a daily digest."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header

import sqlalchemy as sa

from plugins.forum.models import ForumPreference
from portal import people
from portal.extensions import db
from portal.mail import OutgoingMail
from portal.models import AtelierMember, Role
from tests.conftest import TEST_PASSWORD
from tests.factories import make_user
from tests.plugins.forum.conftest import age, answer, first_post, start


def run(app) -> str:
    result = app.test_cli_runner().invoke(args=["forum-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def recipients(mailbox) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages)


def test_mail_after_edit_window_once_with_edit(app, world, forums, login_as, mailbox):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Grille d'entretien", "Version 1.")
    assert "0 post(s) handled" in run(app)
    assert mailbox.messages == []
    post = first_post(discussion)
    learner.post(
        f"/forum/post/{post.id}/edit", data={"body": "Version 2, corrigée.", "subject": "Grille d'entretien"}
    )
    age(post, 31)
    assert "1 post(s) handled, 1 mail(s)" in run(app)
    messages = mailbox.wait_for(1)
    assert recipients(mailbox) == ["tutor_a1@example.org"]
    body = messages[0].get_payload(decode=True).decode()
    assert "Version 2, corrigée." in body and "Version 1." not in body
    assert f"/forum/post/{post.id}" in body
    assert subject_of(messages[0]) == "[Atelier A1] Grille d'entretien"
    assert "0 post(s) handled" in run(app)
    assert len(mailbox.messages) == 1


def test_only_readers_at_sending_time(app, world, forums, login_as, mailbox):
    mate = make_user(TEST_PASSWORD, email="mate@example.org")
    people.enrol(mate, world.cohort_a, Role.LEARNER)
    people.add_to_atelier(world.atelier_a1, mate, Role.LEARNER)
    db.session.commit()
    discussion = start(login_as(world.learner_a1), forums.a1, "Départ")
    people.remove_from_atelier(db.session.get(AtelierMember, (world.atelier_a1.id, mate.id)))
    age(first_post(discussion), 31)
    run(app)
    mailbox.wait_for(1)
    assert recipients(mailbox) == ["tutor_a1@example.org"]


def test_private_reply_mailed_to_its_learner_only(app, world, forums, login_as, mailbox):
    mate = make_user(TEST_PASSWORD, email="mate@example.org")
    people.enrol(mate, world.cohort_a, Role.LEARNER)
    people.add_to_atelier(world.atelier_a1, mate, Role.LEARNER)
    db.session.commit()
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, "Aide")
    private = answer(login_as(world.tutor_a1), first_post(discussion), "Viens me voir.", private="y")
    age([first_post(discussion), private], 31)
    mailbox.clear()
    run(app)
    mailbox.wait_for(3)
    import time

    time.sleep(0.3)
    bodies = {m["To"]: m.get_payload(decode=True).decode() for m in mailbox.messages}
    private_to = [to for to, body in bodies.items() if "Viens me voir." in body]
    assert private_to == ["learner_a1@example.org"]
    assert sum("Viens me voir." in m.get_payload(decode=True).decode() for m in mailbox.messages) == 1


def test_modes_optional_forced_disabled_and_opt_out(app, world, forums, login_as, mailbox):
    learner = login_as(world.learner_a1)
    start(login_as(world.staff_a), forums.news_a, "Annonce imposée")
    start(learner, forums.cohort_a, "Forum facultatif")
    assert learner.post(f"/forum/{forums.a1.id}/subscribe").status_code == 303  # opts out (automatic)
    start(login_as(world.tutor_a1), forums.a1, "Sans moi")
    from plugins.forum.models import Post

    age(db.session.scalars(sa.select(Post)).all(), 31)
    run(app)
    mailbox.wait_for(1)
    import time

    time.sleep(0.5)
    subjects = {(m["To"], subject_of(m).split("] ")[-1]) for m in mailbox.messages}
    # forced: the whole cohort A, whatever they chose; optional: nobody subscribed but the author
    assert ("learner_a1@example.org", "Annonce imposée") in subjects
    assert ("learner_a2@example.org", "Annonce imposée") in subjects
    assert ("lecturer_a@example.org", "Annonce imposée") in subjects
    assert not any(s == "Forum facultatif" for _, s in subjects)
    assert ("learner_a1@example.org", "Sans moi") not in subjects
    assert not any(to == "learner_b1@example.org" for to, _ in subjects)


def test_disabled_forum_sends_nothing(app, world, forums, login_as, mailbox):
    tutor = login_as(world.tutor_a1)
    tutor.post(f"/forum/{forums.a1.id}/settings", data={"subscription_mode": "disabled"})
    discussion = start(login_as(world.learner_a1), forums.a1, "Silence")
    age(first_post(discussion), 31)
    assert "1 post(s) handled, 0 mail(s)" in run(app)


def test_daily_digest(app, world, forums, login_as, mailbox):
    app.config["FORUM_DIGEST_HOUR"] = 0
    tutor = login_as(world.tutor_a1)
    assert (
        tutor.post("/forum/preferences", data={"display": "nested", "mail_mode": "digest"}).status_code == 303
    )
    learner = login_as(world.learner_a1)
    one = start(learner, forums.a1, "Premier sujet", "Texte un.")
    two = start(learner, forums.a1, "Second sujet", "Texte deux.")
    age([first_post(one), first_post(two)], 31)
    output = run(app)
    assert "2 post(s) handled, 0 mail(s), 1 digest(s)" in output
    digest = mailbox.wait_for(1)[0]
    assert digest["To"] == "tutor_a1@example.org"
    body = digest.get_payload(decode=True).decode()
    assert "Texte un." in body and "Texte deux." in body
    three = start(learner, forums.a1, "Troisième sujet", "Texte trois.")
    age(first_post(three), 31)
    assert "0 digest(s)" in run(app)  # one digest a day
    pref = db.session.get(ForumPreference, world.tutor_a1.id)
    pref.digest_sent_dt = pref.digest_sent_dt - timedelta(days=1)
    db.session.commit()
    assert "1 digest(s)" in run(app)
    mailbox.wait_for(2)
    assert "Texte trois." in mailbox.messages[1].get_payload(decode=True).decode()
    assert "Texte un." not in mailbox.messages[1].get_payload(decode=True).decode()


def test_outgoing_rows_recorded_once(app, world, forums, login_as, mailbox):
    discussion = start(login_as(world.learner_a1), forums.a1, "Une fois")
    age(first_post(discussion), 31)
    run(app)
    run(app)
    assert db.session.scalar(sa.select(sa.func.count(OutgoingMail.id))) == 1
