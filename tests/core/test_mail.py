"""Outgoing mail through real SMTP servers: sent after commit, dropped on rollback, retried, given up."""

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
from portal.mail import RETRY_DELAYS, OutgoingMail, mail_user, queue_mail, send_due
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
