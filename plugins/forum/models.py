"""The forum plugin's tables: forums, discussions, posts and their files, subscriptions, reading, mail."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import KEEP_IDS, Atelier, Cohort, User, UTCDateTime, utcnow, value_enum
from portal.storage import StoredFile


class ForumKind(enum.StrEnum):
    """What a forum is for, which decides who reads and who posts."""

    ATELIER = "atelier"
    COHORT = "cohort"
    ANNOUNCEMENTS = "announcements"


class SubscriptionMode(enum.StrEnum):
    """How people are subscribed to a forum (Moodle's four modes)."""

    OPTIONAL = "optional"
    AUTOMATIC = "automatic"
    FORCED = "forced"
    DISABLED = "disabled"


class Forum(db.Model):
    """A forum: one per atelier, and a general forum and an announcements forum per cohort."""

    __tablename__ = "forum_forum"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: "atelier:<id>", "cohort:<id>" or "announcements:<id>": one forum of each per owner
    key: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    kind: so.Mapped[ForumKind] = so.mapped_column(value_enum(ForumKind, "forum_kind", 20))
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    #: the atelier of an atelier forum; None for the cohort's forums
    atelier_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("atelier.id", ondelete="CASCADE"), unique=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    subscription_mode: so.Mapped[SubscriptionMode] = so.mapped_column(
        value_enum(SubscriptionMode, "forum_subscription_mode", 20), default=SubscriptionMode.AUTOMATIC
    )
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    cohort: so.Mapped[Cohort] = so.relationship()
    atelier: so.Mapped[Atelier | None] = so.relationship()


class Discussion(db.Model):
    """A discussion: a subject, its first post and the replies."""

    __tablename__ = "forum_discussion"
    __table_args__ = (sa.Index("ix_forum_discussion_order", "forum_id", "pinned", "last_post_dt"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    forum_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("forum_forum.id", ondelete="CASCADE"))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: time of the latest public post: discussions are listed by it
    last_post_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: shown first in the forum
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    #: no more replies
    locked: so.Mapped[bool] = so.mapped_column(default=False)
    #: public posts that are not deleted, the first included (kept by the service that adds and deletes)
    post_count: so.Mapped[int] = so.mapped_column(default=0)

    forum: so.Mapped[Forum] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
    posts: so.Mapped[list[Post]] = so.relationship(
        back_populates="discussion", cascade="all, delete-orphan", passive_deletes=True, order_by="Post.id"
    )


class Post(db.Model):
    """A message in a discussion; the one without a parent opens it."""

    __tablename__ = "forum_post"
    __table_args__ = (sa.Index("ix_forum_post_discussion_created", "discussion_id", "created_dt"), KEEP_IDS)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    discussion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("forum_discussion.id", ondelete="CASCADE"))
    #: the post this one answers; None for the first post
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("forum_post.id", ondelete="SET NULL"))
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: the Markdown typed by the author
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the same, rendered and sanitised by portal.text.render_markdown when saved
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: a moderator who edited someone else's post ("modifié par")
    edited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: set when the post was deleted; its text is gone, its place in the thread stays
    deleted_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: a private reply: only this learner, the atelier's tutors and the cohort's staff see it
    private_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: when the subscribers' mails (or digest entries) were made: each post is mailed once
    mailed_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)

    discussion: so.Mapped[Discussion] = so.relationship(back_populates="posts")
    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    edited_by: so.Mapped[User | None] = so.relationship(foreign_keys=[edited_by_id])
    private_to: so.Mapped[User | None] = so.relationship(foreign_keys=[private_to_id])
    files: so.Mapped[list[PostFile]] = so.relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostFile.id"
    )


class PostFile(db.Model):
    """A file attached to a post."""

    __tablename__ = "forum_post_file"
    __table_args__ = KEEP_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id"), index=True)

    post: so.Mapped[Post] = so.relationship(back_populates="files")
    stored: so.Mapped[StoredFile] = so.relationship()


class ForumSubscription(db.Model):
    """A user's choice about a forum: subscribed, or (automatic mode) opted out."""

    __tablename__ = "forum_subscription"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    forum_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_forum.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    subscribed: so.Mapped[bool] = so.mapped_column(default=True)


class DiscussionSubscription(db.Model):
    """A user's choice about one discussion, which wins over their forum choice (not over forced/disabled)."""

    __tablename__ = "forum_discussion_subscription"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    discussion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_discussion.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    subscribed: so.Mapped[bool] = so.mapped_column(default=True)


class DisplayMode(enum.StrEnum):
    """How a reader sees the replies of a discussion."""

    NESTED = "nested"
    FLAT = "flat"


class MailMode(enum.StrEnum):
    """How a subscriber receives new posts."""

    POST = "post"
    DIGEST = "digest"


class ForumPreference(db.Model):
    """A user's forum settings."""

    __tablename__ = "forum_preference"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    display: so.Mapped[DisplayMode] = so.mapped_column(
        value_enum(DisplayMode, "forum_display_mode", 10), default=DisplayMode.NESTED
    )
    mail_mode: so.Mapped[MailMode] = so.mapped_column(
        value_enum(MailMode, "forum_mail_mode", 10), default=MailMode.POST
    )
    #: when the user's last daily digest was sent
    digest_sent_dt: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class DiscussionRead(db.Model):
    """Until when a user has read a discussion: later posts are unread."""

    __tablename__ = "forum_discussion_read"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    discussion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_discussion.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ForumRead(db.Model):
    """ "Mark all as read": every post of the forum up to then is read, whatever the discussion."""

    __tablename__ = "forum_forum_read"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    forum_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_forum.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class DigestEntry(db.Model):
    """A post waiting for a subscriber's next daily digest."""

    __tablename__ = "forum_digest_entry"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_post.id", ondelete="CASCADE"), primary_key=True, index=True
    )
