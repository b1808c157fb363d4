"""The forum plugin object and its contributions."""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from flask import Blueprint, Flask, url_for
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import utcnow
from portal.plugins import NavItem, Plugin, Widget

log = logging.getLogger(__name__)


class ForumPlugin(Plugin):
    """Forums of the ateliers and cohorts: discussions, replies, subscriptions and mail."""

    name = "forum"
    title = _l("Forums")

    def blueprint(self) -> Blueprint:
        """The forum pages."""
        from plugins.forum import views  # noqa: F401 - attaches the routes
        from plugins.forum.blueprint import bp

        return bp

    def init_app(self, app: Flask) -> None:
        """Settings' defaults, the `portal forum-mail` command and the receivers of atelier changes."""
        app.config.setdefault("FORUM_EDIT_WINDOW_MINUTES", 30)
        app.config.setdefault("FORUM_MAX_POST_LENGTH", 20000)
        app.config.setdefault("FORUM_MAX_ATTACHMENTS", 5)
        app.config.setdefault("FORUM_MAX_ATTACHMENT_SIZE", 10 * 1024 * 1024)
        app.config.setdefault("FORUM_DISCUSSIONS_PER_PAGE", 25)
        app.config.setdefault("FORUM_POSTS_PER_PAGE", 100)
        app.config.setdefault("FORUM_UNREAD_DAYS", 60)
        app.config.setdefault("FORUM_DIGEST_HOUR", 17)

        @app.cli.command("forum-mail")
        def forum_mail_command() -> None:
            """Mail the forum posts whose edit window has passed, and the due daily digests (cron-safe)."""
            from plugins.forum.mailing import send_due

            report = send_due()
            click.echo(
                f"Forum mail: {report.posts} post(s) handled, {report.mails} mail(s), "
                f"{report.digests} digest(s)."
            )

        from portal import signals

        signals.atelier_changed.connect(_on_atelier_changed, weak=False)
        signals.atelier_deleted.connect(_on_atelier_deleted, weak=False)

    def nav_items(self, user) -> list[NavItem]:
        """A link for everyone enrolled somewhere, and for admins."""
        from portal.permissions import cohort_ids

        if not (user.is_admin or cohort_ids(user)):
            return []
        return [NavItem(_l("Forums"), url_for("forum.index"), order=30, active_prefix="forum.")]

    def dashboard_widgets(self, user) -> list[Widget]:
        """Unread posts in the forums of the user's ateliers."""
        from plugins.forum.models import Forum
        from plugins.forum.queries import latest_unread, unread_by_forum
        from portal.permissions import atelier_ids

        mine = sorted(atelier_ids(user))
        if not mine:
            return []
        forums = db.session.scalars(
            sa.select(Forum).where(Forum.atelier_id.in_(mine)).order_by(Forum.title)
        ).all()
        ids = [f.id for f in forums]
        return [
            Widget(
                _l("Forums de mes ateliers"),
                "forum/widget.html",
                {"forums": forums, "unread": unread_by_forum(user, ids), "latest": latest_unread(user, ids)},
                order=30,
            )
        ]

    def search_documents(self):
        """Every post's document."""
        from plugins.forum.indexing import all_documents

        return all_documents()

    def can_read_file(self, user, stored_file) -> bool | None:
        """A post's attachment is readable by those who may see the post."""
        from plugins.forum.models import Post, PostFile
        from plugins.forum.permissions import may_see_post

        if stored_file.plugin != self.name:
            return None
        posts = db.session.scalars(
            sa.select(Post)
            .join(PostFile)
            .where(PostFile.file_id == stored_file.id, Post.deleted_dt.is_(None))
        ).all()
        return any(may_see_post(user, post.discussion.forum, post) for post in posts)

    def user_data(self, user) -> dict:
        """The user's posts, subscriptions and settings."""
        from plugins.forum.models import (
            Discussion,
            DiscussionSubscription,
            Forum,
            ForumPreference,
            ForumSubscription,
            Post,
        )

        posts = db.session.execute(
            sa.select(Discussion.subject, Post.created_dt, Post.body)
            .join(Discussion, Discussion.id == Post.discussion_id)
            .where(Post.author_id == user.id, Post.deleted_dt.is_(None))
            .order_by(Post.created_dt)
        )
        forums = db.session.execute(
            sa.select(Forum.title, ForumSubscription.subscribed)
            .join(ForumSubscription, ForumSubscription.forum_id == Forum.id)
            .where(ForumSubscription.user_id == user.id)
        )
        discussions = db.session.execute(
            sa.select(Discussion.subject, DiscussionSubscription.subscribed)
            .join(DiscussionSubscription, DiscussionSubscription.discussion_id == Discussion.id)
            .where(DiscussionSubscription.user_id == user.id)
        )
        pref = db.session.get(ForumPreference, user.id)
        return {
            "posts": [{"discussion": s, "created": c.isoformat(), "text": b} for s, c, b in posts],
            "forum_subscriptions": [{"forum": t, "subscribed": s} for t, s in forums],
            "discussion_subscriptions": [{"discussion": t, "subscribed": s} for t, s in discussions],
            "preferences": (
                {"display": pref.display.value, "mail": pref.mail_mode.value} if pref is not None else {}
            ),
        }

    def erase_user(self, user) -> None:
        """Delete the text and files of the user's posts (their place in threads stays) and their settings."""
        from plugins.forum import indexing
        from plugins.forum.models import DigestEntry, DiscussionRead, ForumPreference, ForumRead, Post
        from portal.storage import delete_stored

        posts = db.session.scalars(
            sa.select(Post).where(Post.author_id == user.id, Post.deleted_dt.is_(None))
        ).all()
        for post in posts:
            # A first post keeps the discussion others answered: only its text and files go, as for replies.
            for link in list(post.files):
                post.files.remove(link)
                delete_stored(link.stored)
            post.body, post.body_html = "", ""
            post.deleted_dt = utcnow()
            if post.parent_id is not None and post.private_to_id is None:
                post.discussion.post_count = post.discussion.post_count - 1
            indexing.remove_post_later(post)
        db.session.flush()
        db.session.execute(sa.update(Post).where(Post.author_id == user.id).values(author_id=None))
        for model in (DigestEntry, DiscussionRead, ForumRead, ForumPreference):
            db.session.execute(sa.delete(model).where(model.user_id == user.id))

    def load_demo(self, demo: dict) -> None:
        """Forums for every demo cohort and atelier, with discussions in the learner's atelier."""
        from plugins.forum.demo import load_demo

        load_demo(demo)


def _on_atelier_changed(atelier, **_kwargs) -> None:
    from plugins.forum.service import atelier_changed

    try:
        atelier_changed(atelier)
    except Exception:  # a receiver must not break the page that changed the atelier
        db.session.rollback()
        log.exception("forum: could not update the forum of atelier %s", getattr(atelier, "id", "?"))


def _on_atelier_deleted(atelier, **_kwargs) -> None:
    from plugins.forum.service import atelier_deleted

    atelier_deleted(atelier)
