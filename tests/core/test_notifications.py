"""The notifications centre: what plugins emit reaches each person as they chose (in the portal, mail at once,
the daily digest, or nothing); the bell's count, the list, reading, the preferences and the purge."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import utcnow
from portal.notifications import MailMode, notify, unread_count
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.service import purge, send_digests
from tests.helpers import text


def notify_note(*users, title="Une note de Marc", url="/example/"):
    notify(users, "example.note", lambda: title, url, body=lambda: "Le détail de la note.")
    db.session.commit()


def rows(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


def test_a_notification_is_shown_in_the_portal_and_mailed_by_default(world, login_as, mailbox):
    notify_note(world.learner_a1, title="Une note\nde Marc")
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email and message["Subject"] == "Une note de Marc"
    body = message.get_payload(decode=True).decode()
    assert "Le détail de la note." in body and "/example/" in body and "/notifications/preferences" in body
    client = login_as(world.learner_a1)
    page = text(client.get("/notifications/"))
    assert "Une note de Marc" in page and "nouvelle" in page
    [row] = rows(world.learner_a1)
    response = client.post(f"/notifications/{row.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/example/"
    assert rows(world.learner_a1)[0].read_dt is not None


def test_each_person_chooses_per_kind(world, login_as, mailbox):
    client = login_as(world.learner_a1)
    page = text(client.get("/notifications/preferences"))
    assert "Une note vous est adressée" in page and "Un conseil" in page
    response = client.post(
        "/notifications/preferences",
        data={
            "mail_example__note": "digest",
            "app_example__note": "",
            "mail_example__tip": "none",
            "app_example__tip": "y",
        },
    )
    assert response.status_code == 303
    notify_note(world.learner_a1, world.learner_a2)
    # learner_a2 keeps the defaults: a mail now and an in-app notification; learner_a1 waits for the digest.
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a2.email
    [mine] = rows(world.learner_a1)
    assert mine.digest_due and not mine.in_app
    assert "Une note de Marc" not in text(client.get("/notifications/"))
    mailbox.clear()
    assert send_digests() == 1
    [digest] = mailbox.wait_for(1)
    assert digest["To"] == world.learner_a1.email and "1 nouvelle" in digest["Subject"]
    assert "Une note de Marc" in digest.get_payload(decode=True).decode()
    assert send_digests() == 0


def test_the_bell_counts_unread_and_all_can_be_read_at_once(world, login_as):
    notify([world.learner_a1], "example.tip", lambda: "Conseil 1", "/")
    notify([world.learner_a1], "example.tip", lambda: "Conseil 2", "/")
    db.session.commit()
    assert unread_count(world.learner_a1) == 2
    client = login_as(world.learner_a1)
    assert client.post("/notifications/read-all").status_code == 303
    assert all(row.read_dt is not None for row in rows(world.learner_a1))


@pytest.mark.parametrize("who", ["learner_a2", "staff_a", "admin"])
def test_nobody_else_opens_or_sees_a_notification(world, login_as, who):
    notify_note(world.learner_a1, title="Privée")
    [row] = rows(world.learner_a1)
    other = login_as(getattr(world, who))
    assert other.post(f"/notifications/{row.id}/open").status_code == 404
    assert "Privée" not in text(other.get("/notifications/"))
    assert rows(world.learner_a1)[0].read_dt is None


def test_a_stored_link_can_only_lead_inside_the_site(world, login_as):
    notify([world.learner_a1], "example.tip", lambda: "Piège", "//evil.example/x")
    db.session.commit()
    [row] = rows(world.learner_a1)
    response = login_as(world.learner_a1).post(f"/notifications/{row.id}/open")
    assert response.headers["Location"] == "/"


def test_bad_preferences_are_refused_and_nothing_is_stored(world, login_as):
    client = login_as(world.learner_a1)
    response = client.post(
        "/notifications/preferences", data={"mail_example__note": "pigeon", "mail_example__tip": "now"}
    )
    assert response.status_code == 200 and "choix valide" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_old_notifications_are_purged_but_not_those_waiting_for_a_digest(app, world):
    notify([world.learner_a1], "example.tip", lambda: "Vieille", "/")
    notify([world.learner_a1], "example.tip", lambda: "Récente", "/")
    db.session.commit()
    old = min(rows(world.learner_a1), key=lambda row: row.id)
    old.created_dt = utcnow() - timedelta(days=app.config["NOTIFICATIONS_KEEP_DAYS"] + 1)
    db.session.commit()
    assert purge() == 1
    assert [row.title for row in rows(world.learner_a1)] == ["Récente"]


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError, match="declared by no loaded plugin"):
        notify([world.learner_a1], "example.nope", lambda: "x", "/")


def test_notifications_are_written_in_each_persons_language(world, mailbox):
    from flask_babel import gettext

    world.learner_a2.locale = "en"
    db.session.commit()
    notify([world.learner_a2], "example.note", lambda: gettext("Tableau de bord"), "/")
    db.session.commit()
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Dashboard"
    assert re.search(r"See it on the portal", message.get_payload(decode=True).decode())


def test_the_daily_command_sends_digests_and_purges(app, world, mailbox):
    db.session.add(
        NotificationPreference(user_id=world.learner_a1.id, kind="example.note", mail=MailMode.DIGEST)
    )
    db.session.commit()
    notify_note(world.learner_a1)
    result = app.test_cli_runner().invoke(args=["notifications"])
    assert result.exit_code == 0 and "Sent 1 digest(s)" in result.output
    mailbox.wait_for(1)
