"""Fixtures of the forum tests: the world's forums and helpers that post through real requests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from plugins.forum.models import Discussion, Forum, Post
from plugins.forum.service import ensure_and_commit
from portal.extensions import db
from tests.helpers import text

TABLES = {
    "forum_discussion": (),
    "forum_post": (),
    "forum_post_file": (),
    "stored_file": (),
    "forum_discussion_subscription": (),
}


@dataclass
class Forums:
    """The forums of the test world."""

    a1: Forum
    a2: Forum
    b1: Forum
    cohort_a: Forum
    news_a: Forum
    cohort_b: Forum


@pytest.fixture
def forums(world) -> Forums:
    """Every forum of the world, created as the index page would."""
    ensure_and_commit()

    def key(k: str) -> Forum:
        return db.session.scalar(sa.select(Forum).where(Forum.key == k))

    return Forums(
        a1=key(f"atelier:{world.atelier_a1.id}"),
        a2=key(f"atelier:{world.atelier_a2.id}"),
        b1=key(f"atelier:{world.atelier_b1.id}"),
        cohort_a=key(f"cohort:{world.cohort_a.id}"),
        news_a=key(f"announcements:{world.cohort_a.id}"),
        cohort_b=key(f"cohort:{world.cohort_b.id}"),
    )


def start(client, forum: Forum, subject: str, body: str = "Premier message.", **extra) -> Discussion:
    """Open a discussion through the form; returns it."""
    response = client.post(f"/forum/{forum.id}/new", data={"subject": subject, "body": body, **extra})
    assert response.status_code == 303, text(response)
    return db.session.scalar(sa.select(Discussion).where(Discussion.subject == subject))


def answer(client, parent: Post, body: str, **extra) -> Post:
    """Reply to a post through the form; returns the new post."""
    response = client.post(f"/forum/post/{parent.id}/reply", data={"body": body, **extra})
    assert response.status_code == 303, text(response)
    return db.session.scalar(sa.select(Post).where(Post.body == body))


def first_post(discussion: Discussion) -> Post:
    """The post that opens the discussion."""
    return db.session.scalar(
        sa.select(Post).where(Post.discussion_id == discussion.id, Post.parent_id.is_(None))
    )


def age(post_or_posts, minutes: int) -> None:
    """Move posts back in time (instead of sleeping), committed."""
    posts = post_or_posts if isinstance(post_or_posts, list) else [post_or_posts]
    for post in posts:
        post.created_dt = post.created_dt - timedelta(minutes=minutes)
    db.session.commit()


def txt_file(content: str = "Notes de lecture.", name: str = "notes.txt"):
    """An upload tuple for a form."""
    return (io.BytesIO(content.encode()), name)
