"""Read-only queries of the forum pages, each a bounded number of SQL statements whatever the data size."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from plugins.forum.models import Discussion, DiscussionRead, Forum, ForumKind, ForumRead, Post, PostFile
from plugins.forum.permissions import readable_forums, visible_posts
from portal.extensions import db
from portal.models import User, utcnow
from portal.storage import StoredFile

#: Forum kinds in the order they are listed.
KIND_ORDER = {ForumKind.ANNOUNCEMENTS: 0, ForumKind.COHORT: 1, ForumKind.ATELIER: 2}


def unread_cutoff(now: datetime | None = None) -> datetime:
    """Posts older than FORUM_UNREAD_DAYS (default 60) count as read: a newcomer is not buried."""
    return (now or utcnow()) - timedelta(days=int(current_app.config.get("FORUM_UNREAD_DAYS", 60)))


def _unread(user, group_by, where) -> dict[int, int]:
    read = so.aliased(DiscussionRead)
    forum_read = so.aliased(ForumRead)
    query = (
        sa.select(group_by, sa.func.count(Post.id))
        .select_from(Post)
        .join(Discussion, Discussion.id == Post.discussion_id)
        .join(Forum, Forum.id == Discussion.forum_id)
        .outerjoin(read, sa.and_(read.discussion_id == Discussion.id, read.user_id == user.id))
        .outerjoin(forum_read, sa.and_(forum_read.forum_id == Forum.id, forum_read.user_id == user.id))
        .where(
            where,
            Post.deleted_dt.is_(None),
            sa.or_(Post.author_id.is_(None), Post.author_id != user.id),
            Post.created_dt > unread_cutoff(),
            sa.or_(read.read_dt.is_(None), Post.created_dt > read.read_dt),
            sa.or_(forum_read.read_dt.is_(None), Post.created_dt > forum_read.read_dt),
            visible_posts(user),
        )
        .group_by(group_by)
    )
    return dict(db.session.execute(query).all())


def unread_by_forum(user, forum_ids: list[int]) -> dict[int, int]:
    """Unread posts per forum."""
    if not forum_ids:
        return {}
    return _unread(user, Forum.id, Forum.id.in_(forum_ids))


def unread_by_discussion(user, discussion_ids: list[int]) -> dict[int, int]:
    """Unread posts per discussion."""
    if not discussion_ids:
        return {}
    return _unread(user, Discussion.id, Discussion.id.in_(discussion_ids))


def readable_forum_list(user) -> list[Forum]:
    """The forums the user may read, by cohort, announcements first, then the cohort's, then ateliers."""
    forums = db.session.scalars(
        sa.select(Forum).where(readable_forums(user)).options(so.joinedload(Forum.cohort))
    ).all()
    return sorted(forums, key=lambda f: (f.cohort.name, f.cohort_id, KIND_ORDER[f.kind], f.title))


def discussion_counts(forum_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """Per forum: its number of discussions and its latest activity."""
    if not forum_ids:
        return {}
    rows = db.session.execute(
        sa.select(Discussion.forum_id, sa.func.count(Discussion.id), sa.func.max(Discussion.last_post_dt))
        .where(Discussion.forum_id.in_(forum_ids))
        .group_by(Discussion.forum_id)
    )
    return {forum_id: (count, latest) for forum_id, count, latest in rows}


def discussions_page(forum: Forum, page: int):
    """One page of the forum's discussions: pinned first, then by latest activity."""
    per_page = int(current_app.config.get("FORUM_DISCUSSIONS_PER_PAGE", 25))
    query = (
        sa.select(Discussion)
        .where(Discussion.forum_id == forum.id)
        .order_by(Discussion.pinned.desc(), Discussion.last_post_dt.desc(), Discussion.id.desc())
        .options(so.joinedload(Discussion.author))
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


#: The columns of a post a discussion page shows: plain rows, not ORM objects, since a page may hold hundreds.
THREAD_COLUMNS = (
    Post.id,
    Post.parent_id,
    Post.author_id,
    Post.body_html,
    Post.created_dt,
    Post.updated_dt,
    Post.edited_by_id,
    Post.deleted_dt,
    Post.private_to_id,
)


def thread(discussion: Discussion, user):
    """The posts of a discussion the user may see (rows, oldest first), the names of the people they mention
    by id, and their files (rows of post_id, file id, name) by post: three queries whatever the size."""
    posts = db.session.execute(
        sa.select(*THREAD_COLUMNS)
        .join(Discussion, Discussion.id == Post.discussion_id)
        .join(Forum, Forum.id == Discussion.forum_id)
        .where(Post.discussion_id == discussion.id, visible_posts(user))
        .order_by(Post.created_dt, Post.id)
    ).all()
    people = {p.author_id for p in posts} | {p.edited_by_id for p in posts} | {p.private_to_id for p in posts}
    people.discard(None)
    names = {
        user_id: f"{first} {last}"
        for user_id, first, last in db.session.execute(
            sa.select(User.id, User.first_name, User.last_name).where(User.id.in_(sorted(people)))
        )
    }
    ids = {p.id for p in posts}
    files: dict[int, list] = {}
    for row in db.session.execute(
        sa.select(PostFile.post_id, StoredFile.id, StoredFile.name)
        .join(Post, Post.id == PostFile.post_id)
        .join(StoredFile, StoredFile.id == PostFile.file_id)
        .where(Post.discussion_id == discussion.id, Post.deleted_dt.is_(None))
        .order_by(PostFile.id)
    ):
        if row.post_id in ids:
            files.setdefault(row.post_id, []).append(row)
    return posts, names, files


#: Deeper answers are shown at this depth, as Moodle does: a long exchange stays readable.
MAX_DEPTH = 6


def nest(posts: list[Post]) -> list[tuple[Post, int]]:
    """The posts in thread order, each with its depth (at most MAX_DEPTH): answers under the post they
    answer."""
    children: dict[int | None, list[Post]] = {}
    ids = {p.id for p in posts}
    for post in posts:
        parent = post.parent_id if post.parent_id in ids else None
        if post.parent_id is not None and parent is None:
            parent = -1  # its parent is not visible to this reader: shown at the first level
        children.setdefault(parent, []).append(post)
    ordered: list[tuple[Post, int]] = []
    roots = children.get(None, []) + children.get(-1, [])
    stack = [(post, 0) for post in reversed(roots)]
    while stack:
        post, depth = stack.pop()
        ordered.append((post, depth))
        below = min(depth + 1, MAX_DEPTH)
        stack.extend((child, below) for child in reversed(children.get(post.id, [])))
    return ordered


def participation(forum: Forum, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """Per author: discussions started and replies written in the forum between start and end."""
    rows = db.session.execute(
        sa.select(
            Post.author_id,
            sa.func.count(Post.id).filter(Post.parent_id.is_(None)),
            sa.func.count(Post.id).filter(Post.parent_id.is_not(None)),
        )
        .join(Discussion, Discussion.id == Post.discussion_id)
        .where(
            Discussion.forum_id == forum.id,
            Post.created_dt >= start,
            Post.created_dt < end,
            Post.deleted_dt.is_(None),
        )
        .group_by(Post.author_id)
    )
    return {author_id: (started, replies) for author_id, started, replies in rows}


def latest_unread(user, forum_ids: list[int], limit: int = 5) -> list[tuple[Discussion, int]]:
    """The discussions with unread posts among the forums, latest activity first, with their counts."""
    counts = _unread(user, Discussion.id, Forum.id.in_(forum_ids)) if forum_ids else {}
    if not counts:
        return []
    discussions = db.session.scalars(
        sa.select(Discussion)
        .where(Discussion.id.in_(list(counts)))
        .order_by(Discussion.last_post_dt.desc())
        .limit(limit)
        .options(so.joinedload(Discussion.forum))
    ).all()
    return [(d, counts[d.id]) for d in discussions]
