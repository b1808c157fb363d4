"""Outgoing mail, sent only after the database commit: SMTP, or a file outbox in development."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db

log = logging.getLogger(__name__)
_PENDING = "portal_pending_mail"


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the site's sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="portal.local")
    message.set_content(body)
    return message


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send a mail once the current transaction commits; it is dropped if the transaction rolls back."""
    db.session.info.setdefault(_PENDING, []).append(build_message(to, subject, body))


def deliver(message: EmailMessage) -> None:
    """Send one message now, through SMTP or into the outbox folder; failures are logged, not raised."""
    config = current_app.config
    try:
        if config.get("MAIL_SERVER"):
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(message)
        else:
            outbox = Path(config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox")
            outbox.mkdir(parents=True, exist_ok=True)
            (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail %r to %s", message["Subject"], message["To"])


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    for message in session.info.pop(_PENDING, []):
        deliver(message)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
