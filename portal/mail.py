"""Outgoing mail: recorded in the sender's transaction, sent after its commit through SMTP (or into a file
outbox in development), retried later when the server refuses or is down, and marked failed when the message
itself cannot be built or its recipient is refused for good, so that one bad message never stops the queue."""

from __future__ import annotations

import logging
import smtplib
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale

from portal.aftercommit import after_commit
from portal.extensions import db
from portal.models import KEEP_IDS, UTCDateTime, utcnow

log = logging.getLogger(__name__)
#: Waits before the 2nd, 3rd ... attempt; after the last one the message is given up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
#: A mail being sent is not due for other senders meanwhile; if its sender dies, it is due again after this.
SENDING_LEASE = timedelta(minutes=10)


class OutgoingMail(db.Model):
    """A message to send; kept with its attempts until it is sent or given up."""

    __tablename__ = "outgoing_mail"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: how many times sending failed
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: when to try next; None once sent or given up
    next_attempt_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True, default=utcnow)
    #: why the last attempt failed, or why the mail was given up
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    sent_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: when the mail was given up: it could not be built, its recipient was refused for good, or every retry
    #: failed; last_error says why
    failed_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class InvalidRecipient(ValueError):
    """The address cannot be a message's recipient (empty, too long, or holding control characters)."""


def one_line(text: str, limit: int = 255) -> str:
    """The text on one line of at most `limit` characters: control characters and runs of white space
    (line feeds included) become one space."""
    visible = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return " ".join(visible.split())[:limit]


def queue_mail(to: str, subject: str, body: str) -> OutgoingMail:
    """Record a plain-text mail in the current transaction; it is sent once the transaction commits and
    disappears with it if it rolls back. The subject is made one line of at most 255 characters, whoever
    wrote it; an address that could smuggle headers is refused (InvalidRecipient)."""
    if not to or len(to) > 254 or any(unicodedata.category(char) == "Cc" for char in to):
        raise InvalidRecipient(f"invalid recipient address: {to!r}")
    # PostgreSQL cannot store NUL, and no mail reader shows it: it would only break the sender's transaction.
    mail = OutgoingMail(recipient=to, subject=one_line(subject), body=body.replace("\x00", ""))
    db.session.add(mail)
    db.session.flush()
    mail_id = mail.id
    # The request's own transaction is over when this runs: each outcome is recorded on a connection of its
    # own, and a failure never reaches the page or the command that sent the mail.
    after_commit(lambda: _attempt_logged(mail_id))
    return mail


def mail_user(user, subject: Callable[[], str], body: Callable[[], str]) -> OutgoingMail | None:
    """Queue a mail to a user, its subject and body written in the user's language (they are built inside
    it); nothing for a user who is gone or has no address."""
    if user is None or not user.email:
        return None
    with force_locale(user.locale or "fr"):
        return queue_mail(user.email, subject(), body())


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The message of a recorded mail, from the site's sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="portal.local")
    message.set_content(mail.body)
    return message


def _transmit(message: EmailMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        outbox = Path(config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox")
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _claim(mail_id: int):
    """Take a due mail for this process, so that no other sender sends it too; its row, or None when it is
    not due (sent, given up, or being sent by another process)."""
    table = OutgoingMail.__table__
    now = utcnow()
    with db.engine.begin() as connection:
        taken = connection.execute(
            table.update()
            .where(
                table.c.id == mail_id,
                table.c.sent_dt.is_(None),
                table.c.failed_dt.is_(None),
                table.c.next_attempt_dt <= now,
            )
            .values(next_attempt_dt=now + SENDING_LEASE)
        ).rowcount
        if not taken:
            return None
        return connection.execute(sa.select(table).where(table.c.id == mail_id)).one()


def _record(mail_id: int, **values) -> None:
    """Write the outcome of an attempt on a connection of its own (no transaction of the caller's is open)."""
    table = OutgoingMail.__table__
    with db.engine.begin() as connection:
        connection.execute(table.update().where(table.c.id == mail_id).values(**values))


def _give_up(row, reason: str, attempts: int) -> None:
    """Mark the mail failed for good: retrying cannot help it."""
    _record(row.id, attempts=attempts, next_attempt_dt=None, failed_dt=utcnow(), last_error=reason[:500])
    log.error("mail %d to %s failed for good: %s", row.id, row.recipient, reason)


def _retry_later(row, error: Exception) -> None:
    """Count a failed attempt and plan the next one; give the mail up after the last delay."""
    attempts = row.attempts + 1
    if attempts > len(RETRY_DELAYS):
        _give_up(row, f"still failing after {attempts} attempts: {error}", attempts)
        return
    retry = utcnow() + RETRY_DELAYS[attempts - 1]
    _record(row.id, attempts=attempts, next_attempt_dt=retry, last_error=str(error)[:500])
    log.warning("could not send mail %d to %s (attempt %d): %s", row.id, row.recipient, attempts, error)


def _refused_for_good(error: smtplib.SMTPRecipientsRefused) -> bool:
    # A 5xx answer to RCPT is the server's final word on that address; a 4xx one may change.
    return all(code >= 500 for code, _ in error.recipients.values())


def _attempt(mail_id: int) -> bool | None:
    """Try to send one recorded mail and record the outcome: True when sent, False when it failed (to be
    retried, or given up), None when it was not ours to send. The SMTP conversation runs outside any
    transaction."""
    row = _claim(mail_id)
    if row is None:
        return None
    try:
        message = build_message(OutgoingMail(recipient=row.recipient, subject=row.subject, body=row.body))
    except Exception as error:
        # Whatever stops the building (a line feed in a header, an address the parser rejects ...), the
        # message itself is at fault: another attempt would fail the same way.
        _give_up(row, f"the message cannot be built: {error!r}", row.attempts + 1)
        return False
    try:
        _transmit(message)
    except smtplib.SMTPRecipientsRefused as error:
        if _refused_for_good(error):
            _give_up(row, f"the server refused the recipient: {error.recipients}", row.attempts + 1)
        else:
            _retry_later(row, error)
        return False
    except (OSError, smtplib.SMTPException) as error:
        _retry_later(row, error)
        return False
    except Exception as error:
        # Not the network nor the server (those are OSError and SMTPException): the message cannot be
        # written out, e.g. an encoding error.
        _give_up(row, f"the message cannot be sent: {error!r}", row.attempts + 1)
        return False
    _record(mail_id, sent_dt=utcnow(), next_attempt_dt=None)
    return True


def _attempt_logged(mail_id: int) -> bool | None:
    """_attempt, for a loop that must go on: an error of the database itself is logged and counted as a
    failure; the mail stays due and is taken again once its lease ends."""
    try:
        return _attempt(mail_id)
    except Exception:
        log.exception("could not attempt mail %d", mail_id)
        return False


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send the recorded mails whose time has come (for `portal send-mail`); returns (sent, failed). Safe to
    run in several processes at once: each mail is taken by one of them."""
    table = OutgoingMail.__table__
    with db.engine.begin() as connection:
        due = connection.scalars(
            sa.select(table.c.id)
            .where(
                table.c.sent_dt.is_(None), table.c.failed_dt.is_(None), table.c.next_attempt_dt <= utcnow()
            )
            .order_by(table.c.next_attempt_dt)
            .limit(limit)
        ).all()
    outcomes = [_attempt_logged(mail_id) for mail_id in due]
    return outcomes.count(True), outcomes.count(False)


@dataclass(frozen=True)
class MailQueueHealth:
    """How the outgoing mail fares, for the administrators."""

    #: waiting to be sent, including the mails waiting for a retry
    pending: int
    #: given up (see each mail's last_error)
    failed: int
    #: sent in the last 24 hours
    sent_last_24h: int


def mail_queue_health() -> MailQueueHealth:
    """Count the pending, failed, and recently sent mails, in one query."""
    table = OutgoingMail.__table__
    count = sa.func.count()
    since = utcnow() - timedelta(hours=24)
    pending, failed, sent = db.session.execute(
        sa.select(
            count.filter(table.c.sent_dt.is_(None), table.c.failed_dt.is_(None)),
            count.filter(table.c.failed_dt.is_not(None)),
            count.filter(table.c.sent_dt >= since),
        )
    ).one()
    return MailQueueHealth(pending=pending, failed=failed, sent_last_24h=sent)
