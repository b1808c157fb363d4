"""The search documents of forums: a discussion (its first post) and each reply, with the access fields of
their forum; a private reply is "private" with its learner and the atelier's tutors as readers."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal import search
from portal.extensions import db
from portal.extract import extract_text
from portal.members import atelier_member_ids
from portal.models import Atelier, Role
from portal.plugins import SearchDoc
from portal.storage import path_of


def doc_id(post) -> str:
    """The search document of a post: the discussion's for a first post."""
    if post.parent_id is None:
        return f"forum:discussion:{post.discussion_id}"
    return f"forum:post:{post.id}"


def _tutor_ids(atelier: Atelier | None) -> tuple[int, ...]:
    if atelier is None:
        return ()
    return atelier_member_ids([atelier.id], Role.TUTOR).get(atelier.id, ())


def _text(post) -> str:
    parts = [post.body]
    for link in post.files:
        parts.append(link.stored.name)
        parts.append(extract_text(path_of(link.stored), link.stored.content_type))
    return "\n".join(p for p in parts if p)


def document(post, tutor_ids: tuple[int, ...] | None = None) -> SearchDoc | None:
    """The post's document, or None for a deleted post."""
    from plugins.forum.models import ForumKind
    from plugins.forum.service import forum_url

    if post.deleted_dt is not None:
        return None
    discussion = post.discussion
    forum = discussion.forum
    first = post.parent_id is None
    atelier = forum.kind == ForumKind.ATELIER
    fields = {
        "doc_id": doc_id(post),
        "plugin": "forum",
        "kind": "discussion" if first else "post",
        "title": discussion.subject if first else f"Re: {discussion.subject}",
        "body": _text(post),
        "url": forum_url("forum.post", post_id=post.id),
        "updated_dt": post.updated_dt or post.created_dt,
        "cohort_id": forum.cohort_id,
        "atelier_id": forum.atelier_id if atelier else None,
        "visibility": "atelier" if atelier else "cohort",
    }
    if post.private_to_id is not None:
        tutors = tutor_ids if tutor_ids is not None else _tutor_ids(forum.atelier)
        fields["visibility"] = "private"
        fields["reader_ids"] = tuple(sorted({post.private_to_id, *tutors}))
    return SearchDoc(**fields)


def reindex_post_later(post) -> None:
    """Replace the post's document once the transaction commits."""
    doc = document(post)
    if doc is None:
        search.remove_later(doc_id(post))
    else:
        search.index_later(doc)


def remove_post_later(post) -> None:
    """Remove the post's document once the transaction commits."""
    search.remove_later(doc_id(post))


def reindex_discussion_later(discussion) -> None:
    """Replace the documents of a discussion's posts (its subject is in each title)."""
    for post in discussion.posts:
        reindex_post_later(post)


def reindex_forum_later(forum, private_only: bool = False) -> None:
    """Replace the documents of a forum's posts (only its private replies when their readers changed)."""
    from plugins.forum.models import Discussion, Post

    query = (
        sa.select(Post)
        .join(Discussion)
        .where(Discussion.forum_id == forum.id)
        .options(so.selectinload(Post.files), so.joinedload(Post.discussion))
    )
    if private_only:
        query = query.where(Post.private_to_id.is_not(None))
    tutors = _tutor_ids(forum.atelier)
    for post in db.session.scalars(query):
        doc = document(post, tutors)
        if doc is None:
            search.remove_later(doc_id(post))
        else:
            search.index_later(doc)


def all_documents() -> Iterator[SearchDoc]:
    """Every post's document, for `portal reindex`."""
    from plugins.forum.models import Discussion, Forum, Post, PostFile

    # Every atelier's tutors in one query (readers of the private replies).
    tutors = atelier_member_ids(
        db.session.scalars(sa.select(Forum.atelier_id).where(Forum.atelier_id.is_not(None))), Role.TUTOR
    )
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.deleted_dt.is_(None))
        .options(
            so.joinedload(Post.discussion).joinedload(Discussion.forum).joinedload(Forum.atelier),
            so.selectinload(Post.files).joinedload(PostFile.stored),
        )
        .order_by(Post.id)
    )
    for post in posts:
        doc = document(post, tutors.get(post.discussion.forum.atelier_id or 0, ()))
        if doc is not None:
            yield doc
