"""Forum mail (`portal forum-mail`): once a post's edit window has passed, its subscribers who may read it
get it, one mail per post or in their daily digest. Each post is claimed once, so running the command
again, or in two processes at once, never mails a post twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from plugins.forum.models import (
    DigestEntry,
    Discussion,
    DiscussionSubscription,
    Forum,
    ForumKind,
    ForumPreference,
    ForumSubscription,
    MailMode,
    Post,
    SubscriptionMode,
)
from plugins.forum.permissions import edit_window, may_see_post
from portal.extensions import db
from portal.mail import queue_mail
from portal.members import atelier_members, cohort_members
from portal.models import User, utcnow

PARIS = ZoneInfo("Europe/Paris")
log = logging.getLogger(__name__)


@dataclass
class Report:
    """What one run did."""

    posts: int = 0
    mails: int = 0
    digests: int = 0


def audience(forum: Forum) -> set[int]:
    """Ids of the people automatic and forced modes subscribe: an atelier forum's learners and tutors, or
    everyone enrolled in the cohort for its forums (staff may still subscribe to an atelier forum)."""
    if forum.kind == ForumKind.ATELIER:
        return {user.id for user in atelier_members([forum.atelier_id])}
    return {user.id for user in cohort_members([forum.cohort_id])}


def subscribers(forum: Forum, discussion: Discussion) -> set[int]:
    """Ids of the users subscribed to the discussion, by the forum's mode and their own choices."""
    mode = forum.subscription_mode
    if mode == SubscriptionMode.DISABLED:
        return set()
    forum_choice = dict(
        db.session.execute(
            sa.select(ForumSubscription.user_id, ForumSubscription.subscribed).where(
                ForumSubscription.forum_id == forum.id
            )
        ).all()
    )
    discussion_choice = dict(
        db.session.execute(
            sa.select(DiscussionSubscription.user_id, DiscussionSubscription.subscribed).where(
                DiscussionSubscription.discussion_id == discussion.id
            )
        ).all()
    )
    if mode == SubscriptionMode.FORCED:
        return audience(forum)
    if mode == SubscriptionMode.AUTOMATIC:
        chosen = {u for u in audience(forum) if forum_choice.get(u, True)}
    else:
        chosen = {u for u, yes in forum_choice.items() if yes}
    chosen |= {u for u, yes in discussion_choice.items() if yes}
    chosen -= {u for u, yes in discussion_choice.items() if not yes}
    return chosen


def _claim(post_id: int, now: datetime) -> bool:
    """Take the post for this run: False when another run already did."""
    result = db.session.execute(
        sa.update(Post).where(Post.id == post_id, Post.mailed_dt.is_(None)).values(mailed_dt=now)
    )
    return result.rowcount == 1


def _readers(post: Post, user_ids: set[int]) -> list[User]:
    """The active users among user_ids who may read the post now."""
    if not user_ids:
        return []
    users = db.session.scalars(sa.select(User).where(User.id.in_(sorted(user_ids)), User.active)).all()
    forum = post.discussion.forum
    return [u for u in users if may_see_post(u, forum, post)]


def _link(post: Post) -> str:
    from plugins.forum.service import forum_url

    return forum_url("forum.post", post_id=post.id, _external=True)


def _post_text(post: Post) -> str:
    author = post.author.full_name if post.author else _("Ancien membre")
    lines = [
        _("%(author)s a écrit dans « %(subject)s » :", author=author, subject=post.discussion.subject),
        "",
        post.body,
    ]
    if post.private_to_id is not None:
        lines[1:1] = [_("(réponse privée)")]
    if post.files:
        lines += ["", _("Pièces jointes : %(names)s", names=", ".join(f.stored.name for f in post.files))]
    lines += ["", _("Lire et répondre : %(url)s", url=_link(post))]
    return "\n".join(lines)


def _forum_name(forum: Forum) -> str:
    from plugins.forum.views import forum_title

    return forum_title(forum)


def mail_post(post: Post, now: datetime, report: Report) -> None:
    """Mail one claimed post to its readers who want a mail per post; queue it for the digest readers."""
    discussion = post.discussion
    forum = discussion.forum
    ids = subscribers(forum, discussion) - {post.author_id}
    readers = _readers(post, ids)
    prefs = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(ForumPreference).where(ForumPreference.user_id.in_([u.id for u in readers]))
        )
    }
    for user in readers:
        pref = prefs.get(user.id)
        if pref is not None and pref.mail_mode == MailMode.DIGEST:
            db.session.add(DigestEntry(user_id=user.id, post_id=post.id))
            continue
        # One reader's mail that cannot be queued (an address refused by portal.mail) is skipped alone: the
        # savepoint keeps the post's claim and the other readers' mails.
        try:
            with db.session.begin_nested(), force_locale(user.locale):
                queue_mail(user.email, f"[{_forum_name(forum)}] {discussion.subject}", _post_text(post))
        except Exception:
            log.exception("forum mail: post %d could not be mailed to user %d", post.id, user.id)
            continue
        report.mails += 1


def digest_boundary(now: datetime) -> datetime:
    """The latest daily digest time (FORUM_DIGEST_HOUR, Paris time, default 17) at or before now."""
    hour = int(current_app.config.get("FORUM_DIGEST_HOUR", 17))
    local = now.astimezone(PARIS)
    boundary = datetime.combine(local.date(), time(hour), tzinfo=PARIS)
    if boundary > local:
        boundary -= timedelta(days=1)
    return boundary


def send_digests(now: datetime, report: Report) -> None:
    """One mail per digest reader whose daily digest is due, with the posts they may still read."""
    boundary = digest_boundary(now)
    user_ids = db.session.scalars(sa.select(DigestEntry.user_id).distinct()).all()
    for user_id in user_ids:
        # One reader's digest that fails is rolled back and left for the next run; the others go on.
        try:
            claimed = db.session.execute(
                sa.update(ForumPreference)
                .where(
                    ForumPreference.user_id == user_id,
                    sa.or_(
                        ForumPreference.digest_sent_dt.is_(None), ForumPreference.digest_sent_dt < boundary
                    ),
                )
                .values(digest_sent_dt=now)
            ).rowcount
            if claimed != 1:
                db.session.rollback()
                continue
            user = db.session.get(User, user_id)
            entries = db.session.scalars(sa.select(DigestEntry).where(DigestEntry.user_id == user_id)).all()
            posts = db.session.scalars(
                sa.select(Post)
                .where(Post.id.in_([e.post_id for e in entries]), Post.deleted_dt.is_(None))
                .order_by(Post.created_dt)
                .options(so.joinedload(Post.discussion).joinedload(Discussion.forum))
            ).all()
            readable = [p for p in posts if user.active and may_see_post(user, p.discussion.forum, p)]
            for entry in entries:
                db.session.delete(entry)
            if readable:
                with force_locale(user.locale):
                    body = "\n\n----------\n\n".join(_post_text(p) for p in readable)
                    queue_mail(
                        user.email,
                        _("Résumé quotidien des forums : %(n)d message(s)", n=len(readable)),
                        body,
                    )
                report.digests += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("forum mail: the digest of user %d could not be sent", user_id)


def send_due(now: datetime | None = None) -> Report:
    """Mail every post whose edit window has passed and that was never mailed, then the due digests."""
    now = now or utcnow()
    report = Report()
    due = db.session.scalars(
        sa.select(Post.id)
        .where(Post.mailed_dt.is_(None), Post.deleted_dt.is_(None), Post.created_dt <= now - edit_window())
        .order_by(Post.id)
    ).all()
    for post_id in due:
        # A post that fails is rolled back (its claim too) and left for the next run; the others go on.
        try:
            if not _claim(post_id, now):
                db.session.rollback()
                continue
            post = db.session.get(Post, post_id)
            mail_post(post, now, report)
            report.posts += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("forum mail: post %d could not be mailed", post_id)
    send_digests(now, report)
    return report
