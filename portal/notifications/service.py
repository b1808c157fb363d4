"""Emitting notifications and reading them: the in-app rows, the mail at once, the daily digest, the purge."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from portal.extensions import db
from portal.mail import one_line, queue_mail
from portal.models import User, utcnow
from portal.notifications.kinds import MailMode, notification_kinds
from portal.notifications.models import Notification, NotificationPreference
from portal.urls import absolute_link, absolute_url

#: Notifications older than this many days are removed by the daily command (NOTIFICATIONS_KEEP_DAYS).
DEFAULT_KEEP_DAYS = 90


def preferences(user_ids: Iterable[int], kind: str) -> dict[int, tuple[MailMode, bool]]:
    """Each person's stored choice for one kind (people without one follow the kind's defaults)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            NotificationPreference.user_id, NotificationPreference.mail, NotificationPreference.in_app
        ).where(NotificationPreference.kind == kind, NotificationPreference.user_id.in_(ids))
    )
    return {user_id: (MailMode(mail), in_app) for user_id, mail, in_app in rows}


def notify(
    recipients: Iterable[User],
    kind: str,
    title: Callable[[], str],
    url: str,
    body: Callable[[], str] | None = None,
) -> int:
    """Tell people that something happened, in the current transaction (nothing happens if it rolls back):
    an in-app notification, a mail at once, or an entry of the daily digest, as each prefers. `title` and
    `body` are called in each person's language; `url` is a path of the site. Returns how many were told."""
    declared = notification_kinds().get(kind)
    if declared is None:
        raise ValueError(f"notification kind {kind!r} is declared by no loaded plugin")
    people = {user.id: user for user in recipients if user is not None and user.active}
    chosen = preferences(people, kind)
    now = utcnow()
    rows = []
    for user in people.values():
        mail, in_app = chosen.get(user.id, (declared.mail, declared.in_app))
        with force_locale(user.locale or "fr"):
            text = one_line(str(title()))
            detail = str(body()) if body is not None else ""
            if mail == MailMode.NOW and user.email:
                queue_mail(user.email, text, _mail_body(detail, url))
        if in_app or mail == MailMode.DIGEST:
            rows.append(
                {
                    "user_id": user.id,
                    "kind": kind,
                    "title": text,
                    "body": detail,
                    "url": url[:500],
                    "created_dt": now,
                    "in_app": in_app,
                    "digest_due": mail == MailMode.DIGEST,
                }
            )
    if rows:
        db.session.execute(sa.insert(Notification), rows)
    if has_app_context():
        g.pop("_portal_unread", None)
    return len(people)


def _mail_body(detail: str, url: str) -> str:
    parts = [detail] if detail else []
    parts.append(_("Voir sur le portail : %(link)s", link=absolute_link(url)))
    parts.append(
        _("Choisir ce que vous recevez : %(link)s", link=absolute_url("notifications.preferences_page"))
    )
    return "\n\n".join(parts)


def unread_count(user) -> int:
    """How many in-app notifications the user has not read (once per request: the bell asks on every page)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    if "_portal_unread" not in g:
        g._portal_unread = db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.in_app.is_(True), Notification.read_dt.is_(None)
            )
        )
    return g._portal_unread


def mark_read(user, notification: Notification) -> None:
    """Mark one of the user's notifications read (flushed)."""
    if notification.read_dt is None:
        notification.read_dt = utcnow()
    g.pop("_portal_unread", None)


def mark_all_read(user) -> int:
    """Mark every unread in-app notification of the user read; how many there were."""
    table = Notification.__table__
    done = db.session.execute(
        table.update()
        .where(table.c.user_id == user.id, table.c.in_app.is_(True), table.c.read_dt.is_(None))
        .values(read_dt=utcnow())
    ).rowcount
    if has_app_context():
        g.pop("_portal_unread", None)
    return done


def send_digests() -> int:
    """Mail each person the notifications waiting for their digest, in one message, then clear them; the
    number of digests sent. Safe to run twice: a notification is in one digest only."""
    table = Notification.__table__
    waiting = db.session.execute(
        sa.select(table.c.id, table.c.user_id, table.c.title, table.c.url)
        .where(table.c.digest_due.is_(True))
        .order_by(table.c.user_id, table.c.created_dt, table.c.id)
    ).all()
    by_user: dict[int, list] = {}
    for row in waiting:
        by_user.setdefault(row.user_id, []).append(row)
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(sorted(by_user))))}
    sent = 0
    for user_id, rows in by_user.items():
        ids = [row.id for row in rows]
        # Claimed first: a second run at the same time finds nothing left to send for these.
        claimed = db.session.execute(
            table.update().where(table.c.id.in_(ids), table.c.digest_due.is_(True)).values(digest_due=False)
        ).rowcount
        user = users.get(user_id)
        if claimed and user is not None and user.active and user.email:
            with force_locale(user.locale or "fr"):
                subject = ngettext(
                    "Votre résumé du portail : %(num)d nouvelle",
                    "Votre résumé du portail : %(num)d nouvelles",
                    len(rows),
                )
                lines = [f"- {row.title}\n  {absolute_link(row.url)}" for row in rows]
                body = (
                    "\n".join(lines)
                    + "\n\n"
                    + _(
                        "Choisir ce que vous recevez : %(link)s",
                        link=absolute_url("notifications.preferences_page"),
                    )
                )
                queue_mail(user.email, subject, body)
            sent += 1
        db.session.commit()
    return sent


def purge() -> int:
    """Remove notifications older than NOTIFICATIONS_KEEP_DAYS (none still waiting for a digest); how many."""
    days = int(current_app.config.get("NOTIFICATIONS_KEEP_DAYS", DEFAULT_KEEP_DAYS))
    table = Notification.__table__
    removed = db.session.execute(
        table.delete().where(
            table.c.created_dt < utcnow() - timedelta(days=days), table.c.digest_due.is_(False)
        )
    ).rowcount
    db.session.commit()
    return removed


def user_notifications(user) -> list[dict]:
    """The user's notifications and preferences, JSON-ready, for their personal-data export."""
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_dt)
    )
    return [
        {
            "kind": row.kind,
            "title": row.title,
            "url": row.url,
            "created": row.created_dt.isoformat(),
            "read": row.read_dt.isoformat() if row.read_dt else None,
        }
        for row in rows
    ]
