"""Notifications kept for people, and their preferences per kind."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, UTCDateTime, utcnow, value_enum
from portal.notifications.kinds import MailMode


class Notification(db.Model):
    """Something that happened for one person: shown in the notifications centre, and/or waiting for the
    daily digest."""

    __tablename__ = "notification"
    __table_args__ = (
        # The bell reads the unread count of one person on every page.
        sa.Index("ix_notification_user_read", "user_id", "read_dt"),
        KEEP_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: a NotificationKind's name
    kind: so.Mapped[str] = so.mapped_column(sa.String(60))
    #: one line, in the person's language
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: a path of the site
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    #: shown in the notifications centre (the person keeps in-app notifications of this kind)
    in_app: so.Mapped[bool] = so.mapped_column(default=True)
    read_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: to be mailed in the next daily digest
    digest_due: so.Mapped[bool] = so.mapped_column(default=False, index=True)


class NotificationPreference(db.Model):
    """How one person receives one kind of notification (absent: the kind's defaults)."""

    __tablename__ = "notification_preference"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    mail: so.Mapped[MailMode] = so.mapped_column(value_enum(MailMode, "mail_mode", 10))
    in_app: so.Mapped[bool] = so.mapped_column(default=True)
