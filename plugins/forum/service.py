"""Changes to forums that pages, signals and commands share: forums for every atelier and cohort, posting,
editing, deleting, moderation, subscriptions and reading marks."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from werkzeug.datastructures import FileStorage

from plugins.forum import indexing
from plugins.forum.models import (
    Discussion,
    DiscussionRead,
    DiscussionSubscription,
    DisplayMode,
    Forum,
    ForumKind,
    ForumPreference,
    ForumRead,
    ForumSubscription,
    MailMode,
    Post,
    PostFile,
    SubscriptionMode,
)
from portal.extensions import db
from portal.models import Atelier, Cohort, User, utcnow
from portal.storage import delete_stored, save_upload
from portal.text import render_markdown
from portal.urls import absolute_url

#: The subscription mode each kind of forum starts with.
DEFAULT_MODES = {
    ForumKind.ATELIER: SubscriptionMode.AUTOMATIC,
    ForumKind.COHORT: SubscriptionMode.OPTIONAL,
    ForumKind.ANNOUNCEMENTS: SubscriptionMode.FORCED,
}


def forum_url(endpoint: str, **values) -> str:
    """url_for, also outside a request (signals and commands); `_external=True` gives the absolute address
    of portal.urls (on the site's SITE_URL)."""
    if values.pop("_external", False):
        return absolute_url(endpoint, **values)
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


# -- forums of every atelier and cohort ---------------------------------------------------------------
def ensure_forums(cohort_ids: Iterable[int] | None = None) -> int:
    """Create the missing forums of the given cohorts (None: every cohort) and of their ateliers; commits
    when it adds any, and returns how many. Two queries when nothing is missing."""
    wanted = None if cohort_ids is None else sorted(set(cohort_ids))
    if wanted == []:
        return 0
    ateliers = sa.select(Atelier.id, Atelier.cohort_id, Atelier.name).where(
        ~sa.select(Forum.id).where(Forum.atelier_id == Atelier.id).exists()
    )
    cohorts = sa.select(Cohort.id, Cohort.name).where(
        sa.select(sa.func.count(Forum.id))
        .where(Forum.cohort_id == Cohort.id, Forum.atelier_id.is_(None))
        .scalar_subquery()
        < 2
    )
    if wanted is not None:
        ateliers = ateliers.where(Atelier.cohort_id.in_(wanted))
        cohorts = cohorts.where(Cohort.id.in_(wanted))
    missing_ateliers = db.session.execute(ateliers).all()
    missing_cohorts = db.session.execute(cohorts).all()
    if not missing_ateliers and not missing_cohorts:
        return 0
    added = 0
    for atelier_id, cohort_id, name in missing_ateliers:
        added += _add_forum(f"atelier:{atelier_id}", ForumKind.ATELIER, cohort_id, name, atelier_id)
    for cohort_id, name in missing_cohorts:
        for kind in (ForumKind.COHORT, ForumKind.ANNOUNCEMENTS):
            added += _add_forum(f"{kind.value}:{cohort_id}", kind, cohort_id, name, None)
    return added


def _add_forum(key: str, kind: ForumKind, cohort_id: int, title: str, atelier_id: int | None) -> int:
    """Add one forum in its own savepoint: another request may have added it just before."""
    if db.session.scalar(sa.select(Forum.id).where(Forum.key == key)) is not None:
        return 0
    try:
        with db.session.begin_nested():
            db.session.add(
                Forum(
                    key=key,
                    kind=kind,
                    cohort_id=cohort_id,
                    atelier_id=atelier_id,
                    title=title,
                    subscription_mode=DEFAULT_MODES[kind],
                )
            )
    except sa.exc.IntegrityError:
        return 0
    return 1


def ensure_and_commit(cohort_ids: Iterable[int] | None = None) -> None:
    """ensure_forums, committed (a page calls it before loading what it shows)."""
    if ensure_forums(cohort_ids):
        db.session.commit()


def forum_of_atelier(atelier: Atelier) -> Forum | None:
    """The atelier's forum, if it exists."""
    return db.session.scalar(sa.select(Forum).where(Forum.atelier_id == atelier.id))


def atelier_changed(atelier: Atelier) -> None:
    """An atelier was created, renamed or changed members: its forum exists, is named like it, and its
    private replies are indexed for its current tutors. Commits."""
    ensure_forums([atelier.cohort_id])
    forum = forum_of_atelier(atelier)
    if forum is not None:
        forum.title = atelier.name
        db.session.flush()
        indexing.reindex_forum_later(forum, private_only=True)
    db.session.commit()


def atelier_deleted(atelier: Atelier) -> None:
    """Remove the atelier's forum, its files and its search documents (inside the caller's transaction)."""
    forum = forum_of_atelier(atelier)
    if forum is None:
        return
    delete_forum(forum)


def delete_forum(forum: Forum) -> None:
    """Delete a forum with its discussions, files and search documents (flushed, not committed)."""
    for discussion in db.session.scalars(sa.select(Discussion).where(Discussion.forum_id == forum.id)):
        delete_discussion(discussion)
    db.session.delete(forum)
    db.session.flush()


# -- posting ----------------------------------------------------------------------------------------
def _attach(post: Post, uploads: Iterable[FileStorage], user: User) -> None:
    """Save the uploads through the core store; raises UploadRefused (the caller rolls back)."""
    max_size = current_app.config.get("FORUM_MAX_ATTACHMENT_SIZE")
    for upload in uploads:
        if getattr(upload, "filename", ""):
            post.files.append(PostFile(stored=save_upload(upload, "forum", user, max_size=max_size)))


def _set_body(post: Post, body: str) -> None:
    post.body = body
    post.body_html = str(render_markdown(body))


def start_discussion(forum: Forum, user: User, subject: str, body: str, uploads=()) -> Discussion:
    """Open a discussion with its first post; the author follows it. Flushed, not committed."""
    now = utcnow()
    discussion = Discussion(
        forum=forum, subject=subject, author_id=user.id, created_dt=now, last_post_dt=now, post_count=1
    )
    post = Post(discussion=discussion, author_id=user.id, created_dt=now)
    _set_body(post, body)
    db.session.add_all([discussion, post])
    _attach(post, uploads, user)
    db.session.flush()
    _follow(user, discussion)
    indexing.reindex_post_later(post)
    return discussion


def reply(parent: Post, user: User, body: str, uploads=(), private: bool = False) -> Post:
    """Answer a post. A private answer (or any answer in a private thread) is seen only by the learner it
    answers, the atelier's tutors and staff. Flushed, not committed."""
    discussion = parent.discussion
    now = utcnow()
    private_to = parent.private_to_id or (parent.author_id if private else None)
    post = Post(
        discussion=discussion,
        parent_id=parent.id,
        author_id=user.id,
        created_dt=now,
        private_to_id=private_to,
    )
    _set_body(post, body)
    db.session.add(post)
    _attach(post, uploads, user)
    if private_to is None:
        # Private replies do not move the discussion up: its order would tell others something happened.
        discussion.last_post_dt = now
        discussion.post_count = Discussion.post_count + 1
    db.session.flush()
    _follow(user, discussion)
    indexing.reindex_post_later(post)
    return post


def _follow(user: User, discussion: Discussion) -> None:
    """Who writes in a discussion follows it, unless they said otherwise."""
    if db.session.get(DiscussionSubscription, (user.id, discussion.id)) is None:
        db.session.add(DiscussionSubscription(user_id=user.id, discussion_id=discussion.id, subscribed=True))
        db.session.flush()


def edit(post: Post, editor: User, body: str, uploads=(), remove_file_ids: Iterable[int] = (), subject=None):
    """Change a post's text and files (and the discussion's subject for a first post); a moderator's edit of
    another's post is marked. Flushed, not committed."""
    _set_body(post, body)
    post.updated_dt = utcnow()
    post.edited_by_id = editor.id if editor.id != post.author_id else None
    if subject is not None and post.parent_id is None:
        post.discussion.subject = subject
    removed = set(remove_file_ids)
    for link in [f for f in post.files if f.id in removed]:
        post.files.remove(link)
        delete_stored(link.stored)
    _attach(post, uploads, editor)
    db.session.flush()
    if post.parent_id is None:
        indexing.reindex_discussion_later(post.discussion)
    else:
        indexing.reindex_post_later(post)


def delete_post(post: Post) -> bool:
    """Delete a post: the first post takes its discussion with it (returns True); a reply leaves a marker in
    the thread so that the answers to it keep their place. Flushed, not committed."""
    if post.parent_id is None:
        delete_discussion(post.discussion)
        return True
    for link in list(post.files):
        post.files.remove(link)
        delete_stored(link.stored)
    post.body = ""
    post.body_html = ""
    post.deleted_dt = utcnow()
    if post.private_to_id is None:
        post.discussion.post_count = Discussion.post_count - 1
    db.session.flush()
    indexing.remove_post_later(post)
    return False


def delete_discussion(discussion: Discussion) -> None:
    """Delete a discussion, its posts, files and search documents. Flushed, not committed."""
    posts = db.session.scalars(sa.select(Post).where(Post.discussion_id == discussion.id)).all()
    for post in posts:
        for link in list(post.files):
            post.files.remove(link)
            delete_stored(link.stored)
        indexing.remove_post_later(post)
    db.session.flush()
    db.session.execute(sa.update(Post).where(Post.discussion_id == discussion.id).values(parent_id=None))
    db.session.delete(discussion)
    db.session.flush()


# -- subscriptions, preferences and reading -----------------------------------------------------------
def preference(user: User) -> ForumPreference:
    """The user's forum settings (defaults when they never changed them; not added to the session)."""
    found = db.session.get(ForumPreference, user.id)
    if found is not None:
        return found
    return ForumPreference(user_id=user.id, display=DisplayMode.NESTED, mail_mode=MailMode.POST)


def save_preference(user: User, **values) -> None:
    """Store the user's forum settings. Not committed."""
    pref = db.session.get(ForumPreference, user.id)
    if pref is None:
        pref = ForumPreference(user_id=user.id)
        db.session.add(pref)
    for name, value in values.items():
        setattr(pref, name, value)
    db.session.flush()


def forum_subscribed(user: User, forum: Forum) -> bool:
    """Whether the user receives the forum's new discussions and posts."""
    mode = forum.subscription_mode
    if mode in (SubscriptionMode.FORCED, SubscriptionMode.DISABLED):
        return mode == SubscriptionMode.FORCED
    row = db.session.get(ForumSubscription, (user.id, forum.id))
    if row is not None:
        return row.subscribed
    return mode == SubscriptionMode.AUTOMATIC


def discussion_subscribed(user: User, discussion: Discussion) -> bool:
    """Whether the user receives this discussion's posts."""
    mode = discussion.forum.subscription_mode
    if mode in (SubscriptionMode.FORCED, SubscriptionMode.DISABLED):
        return mode == SubscriptionMode.FORCED
    row = db.session.get(DiscussionSubscription, (user.id, discussion.id))
    return row.subscribed if row is not None else forum_subscribed(user, discussion.forum)


def set_forum_subscription(user: User, forum: Forum, subscribed: bool) -> None:
    """Subscribe to a forum or leave it; the user's choices about its discussions are dropped."""
    row = db.session.get(ForumSubscription, (user.id, forum.id))
    if row is None:
        db.session.add(ForumSubscription(user_id=user.id, forum_id=forum.id, subscribed=subscribed))
    else:
        row.subscribed = subscribed
    db.session.execute(
        sa.delete(DiscussionSubscription).where(
            DiscussionSubscription.user_id == user.id,
            DiscussionSubscription.discussion_id.in_(
                sa.select(Discussion.id).where(Discussion.forum_id == forum.id)
            ),
        )
    )
    db.session.flush()


def set_discussion_subscription(user: User, discussion: Discussion, subscribed: bool) -> None:
    """Follow one discussion, or stop following it."""
    row = db.session.get(DiscussionSubscription, (user.id, discussion.id))
    if row is None:
        db.session.add(
            DiscussionSubscription(user_id=user.id, discussion_id=discussion.id, subscribed=subscribed)
        )
    else:
        row.subscribed = subscribed
    db.session.flush()


def mark_discussion_read(user: User, discussion: Discussion):
    """Record that the user has read the discussion up to now, and return until when they had read it
    before (None: never). Writes (and commits) only when something new was posted since."""
    now = utcnow()
    newest = db.session.scalar(
        sa.select(sa.func.max(Post.created_dt)).where(Post.discussion_id == discussion.id)
    )
    row = db.session.get(DiscussionRead, (user.id, discussion.id))
    previous = row.read_dt if row is not None else None
    if previous is not None and (newest is None or newest <= previous):
        return previous
    if row is None:
        db.session.add(DiscussionRead(user_id=user.id, discussion_id=discussion.id, read_dt=now))
    else:
        row.read_dt = now
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same user's other request marked it just before
        db.session.rollback()
    return previous


def mark_forum_read(user: User, forum: Forum) -> None:
    """ "Mark all as read": every post of the forum up to now. Not committed."""
    row = db.session.get(ForumRead, (user.id, forum.id))
    if row is None:
        db.session.add(ForumRead(user_id=user.id, forum_id=forum.id, read_dt=utcnow()))
    else:
        row.read_dt = utcnow()
    db.session.flush()
