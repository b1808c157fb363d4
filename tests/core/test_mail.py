"""Outgoing mail through real SMTP servers: sent after commit, dropped on rollback, retried, given up; and no
user text (a subject with line feeds, a bad address) ever stops a queue or a command that feeds it."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.mail import (
    RETRY_DELAYS,
    InvalidRecipient,
    MailQueueHealth,
    OutgoingMail,
    mail_queue_health,
    mail_user,
    queue_mail,
    send_due,
)
from portal.models import User
from tests import conftest
from tests.conftest import free_port

RESET_LINK = re.compile(r"http://localhost/auth/reset/[\w.-]+")


class RefusingHandler:
    """An SMTP server's handler that refuses every message, as a server applying a policy would."""

    def __init__(self):
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        """Count the message, then refuse it."""
        self.refused += 1
        return "550 5.7.1 Message refused by policy"


@pytest.fixture
def refusing_server():
    """A second real SMTP server, on its own port, that answers 550 to every message."""
    handler = RefusingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body_of(message: Message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def outgoing() -> list[OutgoingMail]:
    """Every recorded mail, as the database holds it now."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))


def send_mail_command(app) -> str:
    """Run `portal send-mail` and return what it printed."""
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def make_due(mail_id: int) -> None:
    """Move the mail's next attempt into the past, as if its retry delay had passed."""
    db.session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id == mail_id)
        .values(next_attempt_dt=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()


def assert_retry_in(mail: OutgoingMail, delay: timedelta, before: datetime) -> None:
    """The next attempt is `delay` after the failed one, which happened after `before`."""
    assert before + delay <= mail.next_attempt_dt <= datetime.now(UTC) + delay


# -- sent after commit, dropped on rollback ---------------------------------------------------------------
def test_a_mail_queued_in_a_transaction_leaves_only_after_the_commit(app, world, mailbox):
    world.nobody.first_name = "Camille"
    queue_mail("camille@example.org", "Réunion de rentrée", "Bonjour Camille,\n\nÀ lundi, salle 2.")
    assert mailbox.messages == []
    db.session.commit()
    [message] = mailbox.wait_for(1)
    assert message["To"] == "camille@example.org"
    assert message["From"] == app.config["MAIL_SENDER"]
    assert subject_of(message) == "Réunion de rentrée"
    assert "À lundi, salle 2." in body_of(message)
    [mail] = outgoing()
    assert mail.sent_dt is not None and mail.next_attempt_dt is None
    assert mail.attempts == 0 and mail.last_error is None
    assert db.session.get(User, world.nobody.id).first_name == "Camille"
    # Sent once: the command finds nothing left to send.
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert len(mailbox.messages) == 1


def test_a_rollback_sends_nothing_and_stores_nothing(app, world, mailbox):
    world.nobody.first_name = "Camille"
    queue_mail("camille@example.org", "Annulé", "Ce message ne doit pas partir.")
    db.session.rollback()
    db.session.commit()
    assert outgoing() == [] and mailbox.messages == []
    assert db.session.get(User, world.nobody.id).first_name == "Nobody"
    # The next transaction sends its own mail only.
    queue_mail("dominique@example.org", "Gardé", "Celui-ci part.")
    db.session.commit()
    assert [m["To"] for m in mailbox.wait_for(1)] == ["dominique@example.org"]
    assert [m.recipient for m in outgoing()] == ["dominique@example.org"]
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert len(mailbox.messages) == 1


def test_a_savepoint_released_after_queueing_leaves_the_mail_to_the_commit(app, world, mailbox):
    queue_mail("camille@example.org", "Après la validation", "Bonjour.")
    with db.session.begin_nested():
        world.nobody.first_name = "Camille"
    assert mailbox.messages == []
    db.session.commit()
    assert [m["To"] for m in mailbox.wait_for(1)] == ["camille@example.org"]
    [mail] = outgoing()
    assert mail.sent_dt is not None and mail.attempts == 0


def test_the_reset_page_mails_a_working_link_and_nothing_for_an_unknown_address(client, world, mailbox):
    response = client.post("/auth/reset", data={"email": "inconnu@example.org"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
    assert outgoing() == [] and mailbox.messages == []
    response = client.post("/auth/reset", data={"email": world.learner_a1.email})
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email
    assert subject_of(message) == "Réinitialisation de votre mot de passe"
    link = RESET_LINK.search(body_of(message)).group(0)
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    [mail] = outgoing()
    assert mail.sent_dt is not None and mail.attempts == 0


# -- a server that refuses, or is down -------------------------------------------------------------------
def test_a_refused_mail_keeps_the_page_working_and_is_sent_by_the_retry(
    app, client, world, mailbox, refusing_server, caplog
):
    accepting = app.config["MAIL_PORT"]
    port, refusing = refusing_server
    app.config["MAIL_PORT"] = port
    before = datetime.now(UTC)
    with caplog.at_level(logging.WARNING, logger="portal.mail"):
        response = client.post("/auth/reset", data={"email": world.learner_a1.email})
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
    assert "Si un compte correspond à cette adresse" in client.get("/auth/login").get_data(as_text=True)
    assert refusing.refused == 1 and mailbox.messages == []
    [mail] = outgoing()
    assert mail.recipient == world.learner_a1.email
    assert mail.attempts == 1 and mail.sent_dt is None
    assert "550" in mail.last_error and "refused by policy" in mail.last_error
    assert_retry_in(mail, RETRY_DELAYS[0], before)
    assert "could not send mail" in caplog.text and world.learner_a1.email in caplog.text
    assert "550" in caplog.text

    # The server accepts again, but the retry is not due yet: nothing is sent.
    app.config["MAIL_PORT"] = accepting
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert mailbox.messages == []
    make_due(mail.id)
    assert send_mail_command(app) == "Sent 1 mail(s), 0 still failing."
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email and RESET_LINK.search(body_of(message))
    [mail] = outgoing()
    assert mail.sent_dt is not None and mail.next_attempt_dt is None and mail.attempts == 1
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert len(mailbox.messages) == 1 and refusing.refused == 1


def test_a_server_down_loses_no_account_then_the_mail_is_given_up_after_the_last_delay(
    app, world, login_as, mailbox, caplog
):
    accepting = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    admin = login_as(world.admin)
    before = datetime.now(UTC)
    with caplog.at_level(logging.WARNING, logger="portal.mail"):
        response = admin.post(
            "/admin/users/new",
            data={
                "email": "zoe.martin@example.org",
                "first_name": "Zoé",
                "last_name": "Martin",
                "locale": "fr",
                "send_welcome": "y",
            },
        )
    assert response.status_code == 303
    created = admin.get(response.headers["Location"])
    assert "Le compte de Zoé Martin est créé." in created.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "zoe.martin@example.org")) is not None
    [mail] = outgoing()
    assert mail.recipient == "zoe.martin@example.org" and mail.subject.startswith("Bienvenue")
    assert mail.attempts == 1 and mail.sent_dt is None and mail.last_error
    assert_retry_in(mail, RETRY_DELAYS[0], before)
    assert "could not send mail" in caplog.text and "zoe.martin@example.org" in caplog.text

    # Still down: each due retry fails and waits longer, then the last one gives the mail up.
    for attempt, delay in enumerate(RETRY_DELAYS[1:], start=2):
        make_due(mail.id)
        before = datetime.now(UTC)
        assert send_mail_command(app) == "Sent 0 mail(s), 1 still failing."
        [mail] = outgoing()
        assert mail.attempts == attempt and mail.sent_dt is None
        assert_retry_in(mail, delay, before)
    assert mail.attempts == len(RETRY_DELAYS)
    make_due(mail.id)
    assert send_mail_command(app) == "Sent 0 mail(s), 1 still failing."
    [mail] = outgoing()
    assert mail.attempts == len(RETRY_DELAYS) + 1
    assert mail.next_attempt_dt is None and mail.sent_dt is None
    assert mail.failed_dt is not None and "still failing after 6 attempts" in mail.last_error

    # Given up: the server is back, and the mail is not sent any more.
    app.config["MAIL_PORT"] = accepting
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert mailbox.messages == []


# -- no server: the outbox folder ----------------------------------------------------------------------------
def test_without_a_mail_server_mail_is_written_to_the_outbox(app, client, world, mailbox, tmp_path):
    app.config["MAIL_SERVER"] = None
    response = client.post("/auth/reset", data={"email": world.learner_a1.email})
    assert response.status_code == 303
    [eml] = (Path(app.instance_path) / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == world.learner_a1.email
    assert subject_of(message) == "Réinitialisation de votre mot de passe"
    assert RESET_LINK.search(body_of(message))
    assert mailbox.messages == []
    [mail] = outgoing()
    assert mail.sent_dt is not None and mail.attempts == 0

    app.config["MAIL_OUTBOX"] = str(tmp_path / "elsewhere")
    queue_mail("camille@example.org", "Dans un autre dossier", "Bonjour.")
    db.session.commit()
    [eml] = (tmp_path / "elsewhere").glob("*.eml")
    assert subject_of(message_from_bytes(eml.read_bytes())) == "Dans un autre dossier"
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 1


# -- several senders at once -------------------------------------------------------------------------------
class SlowHandler:
    """An SMTP server's handler that takes its time over each message and notes its recipients."""

    def __init__(self):
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        """Wait a little, as a busy server does, then accept."""
        await asyncio.sleep(0.15)
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _send_due_in_child(config: dict, start, results) -> None:
    """In a new process: build the app, wait for the other sender, then do what `portal send-mail` does."""
    from portal import create_app

    app = create_app(config)
    with app.app_context():
        start.wait(timeout=60)
        results.put(send_due())


def test_two_senders_at_once_send_each_mail_exactly_once(app, world, migrated_database):
    recipients = [f"personne{n}@example.org" for n in range(6)]
    for address in recipients:
        db.session.add(OutgoingMail(recipient=address, subject="Rappel", body="Regroupement lundi."))
    db.session.commit()
    handler = SlowHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = conftest.make_test_config(migrated_database, Path(app.instance_path), controller.port)
        context = multiprocessing.get_context("spawn")
        start, results = context.Barrier(2), context.Queue()
        senders = [
            context.Process(target=_send_due_in_child, args=(config, start, results)) for _ in range(2)
        ]
        for process in senders:
            process.start()
        for process in senders:
            process.join(timeout=60)
    finally:
        controller.stop()
    assert [p.exitcode for p in senders] == [0, 0]
    counts = [results.get(timeout=5) for _ in senders]
    assert sorted(handler.recipients) == recipients
    assert sum(sent for sent, _ in counts) == 6 and sum(failed for _, failed in counts) == 0
    assert all(mail.sent_dt is not None and mail.next_attempt_dt is None for mail in outgoing())


def test_links_in_mail_use_the_site_url_in_a_request_and_in_a_command(app):
    from portal.urls import absolute_url

    with app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        assert absolute_url("auth.login") == "http://10.0.0.7:8000/auth/login"
    assert absolute_url("auth.login") == "http://localhost/auth/login"  # a command, no SITE_URL
    app.config["SITE_URL"] = "https://formation.example.org"
    with app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        assert absolute_url("auth.login") == "https://formation.example.org/auth/login"
    assert absolute_url("auth.reset_password", token="abc") == (
        "https://formation.example.org/auth/reset/abc"
    )


def test_mail_to_a_user_speaks_their_language_on_a_one_line_subject(app, world, mailbox):
    from flask_babel import gettext

    world.learner_a1.locale = "en"
    world.learner_a2.email = ""
    mail_user(world.learner_a1, lambda: "Titre\r\nBcc: x@example.org", lambda: gettext("Se connecter"))
    assert mail_user(world.learner_a2, lambda: "Titre", lambda: "Corps") is None
    assert mail_user(None, lambda: "Titre", lambda: "Corps") is None
    db.session.commit()
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email and message["Bcc"] is None
    assert subject_of(message) == "Titre Bcc: x@example.org"
    assert body_of(message).strip() == "Log in"
    assert len(outgoing()) == 1


# -- user text never stops a queue -----------------------------------------------------------------------
#: A subject as a hostile or careless user may type it (forms will refuse line feeds; older rows keep them).
HOSTILE_SUBJECT = "Compte rendu\r\nBcc: espion@evil.example\n\nCorps injecté"


def one_line_subject(message: Message) -> str:
    """The decoded subject, checked to be one line that smuggled no header in."""
    subject = subject_of(message)
    assert message["Bcc"] is None and "\n" not in subject and "\r" not in subject
    return subject


def test_queue_mail_makes_every_subject_one_line_of_255_characters(app, world, mailbox):
    queue_mail("camille@example.org", HOSTILE_SUBJECT + "\x00\x1b\u2028 fin", "Bonjour\x00 Camille.")
    queue_mail("dominique@example.org", "Très long " + "é" * 400, "Bonjour.")
    db.session.commit()
    messages = {m["To"]: m for m in mailbox.wait_for(2)}
    assert one_line_subject(messages["camille@example.org"]) == (
        "Compte rendu Bcc: espion@evil.example Corps injecté fin"
    )
    assert body_of(messages["camille@example.org"]).strip() == "Bonjour Camille."
    long_subject = one_line_subject(messages["dominique@example.org"])
    assert long_subject.startswith("Très long éé") and len(long_subject) == 255
    assert all(mail.sent_dt is not None for mail in outgoing())


@pytest.mark.parametrize(
    "address",
    [
        "camille@example.org\r\nBcc: espion@evil.example",
        "camille@example.org\n",
        "\rcamille@example.org",
        "camille@example.org\x00",
        "",
        "c" * 250 + "@example.org",
    ],
)
def test_queue_mail_refuses_an_address_that_could_smuggle_headers(app, world, mailbox, address):
    with pytest.raises(InvalidRecipient):
        queue_mail(address, "Bonjour", "Corps")
    # The caller's transaction goes on: the next mail is queued and sent, the refused one left no trace.
    queue_mail("dominique@example.org", "Gardé", "Celui-ci part.")
    db.session.commit()
    assert [m["To"] for m in mailbox.wait_for(1)] == ["dominique@example.org"]
    assert [m.recipient for m in outgoing()] == ["dominique@example.org"]


def test_send_mail_marks_a_message_that_cannot_be_built_failed_and_sends_the_others(app, world, mailbox):
    # Rows as an older version queued them: the subject was not made one line.
    for recipient, subject in [
        ("premier@example.org", "Avant"),
        ("victime@example.org", HOSTILE_SUBJECT),
        ("dernier@example.org", "Après"),
    ]:
        db.session.add(OutgoingMail(recipient=recipient, subject=subject, body="Regroupement lundi."))
    db.session.commit()
    assert send_mail_command(app) == "Sent 2 mail(s), 1 still failing."
    assert sorted(m["To"] for m in mailbox.wait_for(2)) == ["dernier@example.org", "premier@example.org"]
    failed = next(mail for mail in outgoing() if mail.recipient == "victime@example.org")
    assert failed.failed_dt is not None and failed.sent_dt is None and failed.next_attempt_dt is None
    assert "cannot be built" in failed.last_error and "linefeed" in failed.last_error
    # Given up for good: the next runs neither stop at it nor try it again.
    assert send_mail_command(app) == "Sent 0 mail(s), 0 still failing."
    assert len(mailbox.messages) == 2
    assert mail_queue_health() == MailQueueHealth(pending=0, failed=1, sent_last_24h=2)


class RecipientPolicy:
    """An SMTP server's handler that answers RCPT with a set reply for some addresses, and accepts others."""

    def __init__(self, replies: dict[str, str]):
        self.replies = replies
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse the addresses given a reply; accept the others."""
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Note the recipients of the accepted message."""
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_a_recipient_refused_for_good_is_failed_and_a_busy_one_retried(app, world, caplog):
    policy = RecipientPolicy(
        {
            "parti@example.org": "550 5.1.1 No such user here",
            "occupe@example.org": "450 4.2.1 Mailbox busy, try later",
        }
    )
    controller = Controller(policy, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["MAIL_PORT"] = controller.port
        before = datetime.now(UTC)
        for address in ("parti@example.org", "occupe@example.org", "present@example.org"):
            queue_mail(address, "Convocation", "Regroupement lundi.")
        with caplog.at_level(logging.WARNING, logger="portal.mail"):
            db.session.commit()
        assert policy.delivered == ["present@example.org"]
        mails = {mail.recipient: mail for mail in outgoing()}
        gone, busy = mails["parti@example.org"], mails["occupe@example.org"]
        assert gone.failed_dt is not None and gone.next_attempt_dt is None and gone.attempts == 1
        assert "550" in gone.last_error and "No such user" in gone.last_error
        assert "failed for good" in caplog.text and "parti@example.org" in caplog.text
        assert busy.failed_dt is None and busy.attempts == 1 and "450" in busy.last_error
        assert_retry_in(busy, RETRY_DELAYS[0], before)
        assert mail_queue_health() == MailQueueHealth(pending=1, failed=1, sent_last_24h=1)

        # Both due again: only the busy one is tried, and the server now takes it.
        make_due(gone.id)
        make_due(busy.id)
        del policy.replies["occupe@example.org"]
        assert send_mail_command(app) == "Sent 1 mail(s), 0 still failing."
        assert policy.delivered == ["present@example.org", "occupe@example.org"]
    finally:
        controller.stop()
    assert mail_queue_health() == MailQueueHealth(pending=0, failed=1, sent_last_24h=2)


def test_mail_queue_health_counts_pending_failed_and_recently_sent(app):
    now = datetime.now(UTC)
    db.session.add_all(
        [
            OutgoingMail(recipient="a@example.org", subject="Nouveau", body="."),
            OutgoingMail(recipient="b@example.org", subject="Réessayé", body=".", attempts=2),
            OutgoingMail(
                recipient="c@example.org",
                subject="Abandonné",
                body=".",
                next_attempt_dt=None,
                failed_dt=now - timedelta(days=3),
                last_error="refused",
            ),
            OutgoingMail(
                recipient="d@example.org",
                subject="Parti",
                body=".",
                next_attempt_dt=None,
                sent_dt=now - timedelta(hours=1),
            ),
            OutgoingMail(
                recipient="e@example.org",
                subject="Parti avant-hier",
                body=".",
                next_attempt_dt=None,
                sent_dt=now - timedelta(days=2),
            ),
        ]
    )
    db.session.commit()
    assert mail_queue_health() == MailQueueHealth(pending=2, failed=1, sent_last_24h=1)


def run_command(app, name: str) -> str:
    """Run a `portal` command that must complete; return what it printed."""
    result = app.test_cli_runner().invoke(args=[name])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def spoil_address(user: User) -> None:
    """Give a user an address with a line feed, as only a direct database write can."""
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(email=user.email + "\r\nBcc: espion@evil.example")
    )
    db.session.commit()


@pytest.mark.skipif("forum" not in conftest.tested_plugins(), reason="mails posts of the forum plugin")
def test_forum_mail_goes_on_past_a_hostile_subject_and_a_bad_address(app, world, login_as, mailbox, caplog):
    from plugins.forum.models import Discussion, Forum
    from plugins.forum.service import ensure_and_commit
    from portal import people
    from portal.models import Role
    from tests.factories import make_user
    from tests.plugins.forum.conftest import age, first_post, start

    ensure_and_commit()
    forum = db.session.scalar(sa.select(Forum).where(Forum.key == f"atelier:{world.atelier_a1.id}"))
    mate = make_user(conftest.TEST_PASSWORD, email="camarade@example.org")
    people.enrol(mate, world.cohort_a, Role.LEARNER)
    people.add_to_atelier(world.atelier_a1, mate, Role.LEARNER)
    db.session.commit()
    learner = login_as(world.learner_a1)
    hostile = start(learner, forum, "Grille d'entretien", "Version 1.")
    plain = start(learner, forum, "Calendrier", "Lundi 9 h.")
    db.session.execute(
        sa.update(Discussion).where(Discussion.id == hostile.id).values(subject=HOSTILE_SUBJECT)
    )
    db.session.commit()
    spoil_address(mate)
    age([first_post(hostile), first_post(plain)], 31)

    with caplog.at_level(logging.ERROR):
        output = run_command(app, "forum-mail")
    assert "2 post(s) handled, 2 mail(s)" in output
    messages = mailbox.wait_for(2)
    assert [m["To"] for m in messages] == [world.tutor_a1.email] * 2
    assert sorted(one_line_subject(m) for m in messages) == [
        "[Atelier A1] Calendrier",
        "[Atelier A1] Compte rendu Bcc: espion@evil.example Corps injecté",
    ]
    assert "could not be mailed to user" in caplog.text
    assert all(mail.sent_dt is not None for mail in outgoing())
    assert "0 post(s) handled" in run_command(app, "forum-mail")
    assert len(mailbox.messages) == 2


@pytest.mark.skipif("memoire" not in conftest.tested_plugins(), reason="reminders of the memoire plugin")
def test_send_reminders_goes_on_past_a_hostile_title_and_a_bad_address(app, world, mailbox, caplog):
    from tests.plugins.memoire.conftest import make_assignment

    make_assignment(world.cohort_a, HOSTILE_SUBJECT, due_in=timedelta(days=1))
    make_assignment(world.cohort_a, "Chapitres intermédiaires", due_in=timedelta(days=2))
    spoil_address(world.learner_a2)
    with caplog.at_level(logging.ERROR):
        assert "2 reminder(s) sent." in run_command(app, "send-reminders")
    messages = mailbox.wait_for(2)
    assert {m["To"] for m in messages} == {world.learner_a1.email}
    subjects = sorted(one_line_subject(m) for m in messages)
    assert subjects[0].startswith("Rappel : « Chapitres intermédiaires » à remettre le ")
    assert subjects[1].startswith("Rappel : « Compte rendu Bcc: espion@evil.example Corps injecté » à ")
    assert "could not be queued" in caplog.text
    # The bad address's reminders are not marked sent: they are tried again once it is corrected.
    db.session.execute(sa.update(User).where(User.id == world.learner_a2.id).values(email="a2@example.org"))
    db.session.commit()
    assert "2 reminder(s) sent." in run_command(app, "send-reminders")
    assert [m["To"] for m in mailbox.wait_for(4)[2:]] == ["a2@example.org"] * 2
