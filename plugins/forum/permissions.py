"""Who may read, post in and moderate a forum, and who may see a post, asked of portal.permissions.

What a user may read is also one SQL condition (`readable_forums`, `visible_posts`), used by lists, counts,
the dashboard and the mail, so that a page, a count and a direct address never disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from plugins.forum.models import Forum, ForumKind, Post
from portal.models import Role, utcnow
from portal.permissions import atelier_ids, cohort_ids, is_member, is_tutor, managed_cohort_ids, role_in


def _logged_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def may_manage(user, forum: Forum) -> bool:
    """Admins and the cohort's staff manage every forum of the cohort."""
    if not _logged_in(user):
        return False
    return user.is_admin or Role.STAFF in role_in(user, forum.cohort_id)


def may_read(user, forum: Forum) -> bool:
    """An atelier forum: its learners and tutors and the cohort's staff; the cohort's forums: its people."""
    if not _logged_in(user):
        return False
    if may_manage(user, forum):
        return True
    if forum.kind == ForumKind.ATELIER:
        return is_member(user, forum.atelier_id)
    return bool(role_in(user, forum.cohort_id))


def may_moderate(user, forum: Forum) -> bool:
    """Staff, and the tutors of the atelier (atelier forum) or of the cohort (cohort forums)."""
    if may_manage(user, forum):
        return True
    if not _logged_in(user):
        return False
    if forum.kind == ForumKind.ATELIER:
        return is_tutor(user, forum.atelier_id)
    return Role.TUTOR in role_in(user, forum.cohort_id)


def may_post(user, forum: Forum) -> bool:
    """Anyone who reads may post, except in announcements where only staff and tutors write."""
    if forum.kind == ForumKind.ANNOUNCEMENTS:
        return may_moderate(user, forum)
    return may_read(user, forum)


def may_see_post(user, forum: Forum, post: Post) -> bool:
    """A private reply is seen by its learner, its author while they moderate, the atelier's tutors and
    staff; other posts by every reader of the forum."""
    if not may_read(user, forum):
        return False
    if post.private_to_id is None:
        return True
    return post.private_to_id == user.id or may_moderate(user, forum)


def edit_window() -> timedelta:
    """How long an author may edit or delete their post (FORUM_EDIT_WINDOW_MINUTES, default 30)."""
    return timedelta(minutes=int(current_app.config.get("FORUM_EDIT_WINDOW_MINUTES", 30)))


def within_window(post: Post, now: datetime | None = None) -> bool:
    """Whether the post is still inside its author's edit window."""
    return (now or utcnow()) < post.created_dt + edit_window()


def may_edit_post(user, forum: Forum, post: Post, now: datetime | None = None) -> bool:
    """The author during the edit window (in an open discussion), and moderators at any time."""
    if post.deleted_dt is not None or not may_see_post(user, forum, post):
        return False
    if may_moderate(user, forum):
        return True
    return post.author_id == user.id and within_window(post, now) and not post.discussion.locked


def readable_forums(user) -> sa.ColumnElement[bool]:
    """SQL condition on Forum: the forums the user may read."""
    if not _logged_in(user):
        return sa.false()
    managed = managed_cohort_ids(user)
    if managed is None:
        return sa.true()
    return sa.or_(
        Forum.cohort_id.in_(sorted(managed)),
        sa.and_(Forum.kind != ForumKind.ATELIER, Forum.cohort_id.in_(sorted(cohort_ids(user)))),
        Forum.atelier_id.in_(sorted(atelier_ids(user))),
    )


def moderated_forums(user) -> sa.ColumnElement[bool]:
    """SQL condition on Forum: the forums the user moderates (and so sees every private reply of)."""
    if not _logged_in(user):
        return sa.false()
    managed = managed_cohort_ids(user)
    if managed is None:
        return sa.true()
    return sa.or_(
        Forum.cohort_id.in_(sorted(managed)),
        sa.and_(Forum.kind != ForumKind.ATELIER, Forum.cohort_id.in_(sorted(cohort_ids(user, Role.TUTOR)))),
        Forum.atelier_id.in_(sorted(atelier_ids(user, Role.TUTOR))),
    )


def visible_posts(user) -> sa.ColumnElement[bool]:
    """SQL condition on Post joined to its Forum: public posts, and private ones the user may see."""
    return sa.or_(Post.private_to_id.is_(None), Post.private_to_id == user.id, moderated_forums(user))
