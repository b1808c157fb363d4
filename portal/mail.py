"""Outgoing mail: recorded in the sender's transaction, sent after its commit through SMTP (or into a file
outbox in development), and retried later when the server refuses or is down."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import KEEP_IDS, UTCDateTime, utcnow

log = logging.getLogger(__name__)
_PENDING = "portal_pending_mail"
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
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    sent_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


def queue_mail(to: str, subject: str, body: str) -> OutgoingMail:
    """Record a plain-text mail in the current transaction; it is sent once the transaction commits and
    disappears with it if it rolls back."""
    mail = OutgoingMail(recipient=to, subject=subject, body=body)
    db.session.add(mail)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(mail.id)
    return mail


def mail_user(user, subject: Callable[[], str], body: Callable[[], str]) -> OutgoingMail | None:
    """Queue a mail to a user, its subject and body written in the user's language (they are built inside
    it); nothing for a user who is gone or has no address. The subject is made one line of at most 255
    characters: a title typed with line breaks must not break the header."""
    if user is None or not user.email:
        return None
    with force_locale(user.locale or "fr"):
        return queue_mail(user.email, " ".join(subject().split())[:255], body())


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
            .where(table.c.id == mail_id, table.c.sent_dt.is_(None), table.c.next_attempt_dt <= now)
            .values(next_attempt_dt=now + SENDING_LEASE)
        ).rowcount
        if not taken:
            return None
        return connection.execute(sa.select(table).where(table.c.id == mail_id)).one()


def _attempt(mail_id: int) -> bool | None:
    """Try to send one recorded mail and record the outcome: True when sent, False when sending failed, None
    when it was not ours to send. The SMTP conversation runs outside any transaction."""
    row = _claim(mail_id)
    if row is None:
        return None
    table = OutgoingMail.__table__
    mail = OutgoingMail(recipient=row.recipient, subject=row.subject, body=row.body)
    try:
        _transmit(build_message(mail))
    except (OSError, smtplib.SMTPException) as error:
        attempts = row.attempts + 1
        retry = utcnow() + RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None
        with db.engine.begin() as connection:
            connection.execute(
                table.update()
                .where(table.c.id == mail_id)
                .values(attempts=attempts, next_attempt_dt=retry, last_error=str(error)[:500])
            )
        log.warning("could not send mail %d to %s (attempt %d): %s", mail_id, row.recipient, attempts, error)
        return False
    with db.engine.begin() as connection:
        connection.execute(
            table.update().where(table.c.id == mail_id).values(sent_dt=utcnow(), next_attempt_dt=None)
        )
    return True


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send the recorded mails whose time has come (for `portal send-mail`); returns (sent, failed). Safe to
    run in several processes at once: each mail is taken by one of them."""
    table = OutgoingMail.__table__
    with db.engine.begin() as connection:
        due = connection.scalars(
            sa.select(table.c.id)
            .where(table.c.sent_dt.is_(None), table.c.next_attempt_dt <= utcnow())
            .order_by(table.c.next_attempt_dt)
            .limit(limit)
        ).all()
    outcomes = [_attempt(mail_id) for mail_id in due]
    return outcomes.count(True), outcomes.count(False)


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    ids = session.info.pop(_PENDING, [])
    # The request's own transaction is over: each outcome is recorded on a connection of its own, and a
    # failure never reaches the page that sent the mail.
    for mail_id in ids:
        _attempt(mail_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
