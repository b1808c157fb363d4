"""The forum plugin's benchmark data: a discussion of 500 posts by 30 authors with attachments and 2,000 other
discussions in the cohort forum of each driven client, a tenth of that in the other cohorts; and its pages,
for learners and tutors."""

from __future__ import annotations

from bench.pages import Page

PAGES = [
    Page(
        "forum: discussion (500 posts)",
        "/forum/discussion/{forum_discussion_id}",
        ("learner", "tutor"),
        plugin="forum",
    ),
    Page(
        "forum: forum (2,000 discussions)",
        "/forum/{forum_forum_id}",
        ("learner", "tutor"),
        plugin="forum",
    ),
    Page(
        "forum: forum, page 5",
        "/forum/{forum_forum_id}?page=5",
        ("learner",),
        plugin="forum",
    ),
    Page("forum: index", "/forum/", ("learner", "tutor"), plugin="forum"),
]

#: Posts of the long discussion and discussions of the forum: the issue's figures at reference size.
SIZES = {"reference": (500, 2000), "small": (50, 200)}
#: The runner's default clients per role (`--clients`): their cohorts get the issue's figures.
DRIVEN_CLIENTS = 4
#: One post in this many has an attachment.
ATTACHMENT_EVERY = 5
#: Authors of the long discussion.
AUTHORS = 30

#: Post text of a realistic length, kept clear of the words of the core's search queries (bench/pages.py), so
#: that thousands of forum posts do not turn every search of the benchmark into thousands of hits.
BODY = (
    "Retour sur l'entretien exploratoire de mardi : la **grille** tient, deux questions sont à reformuler "
    "et la relance sur les horaires a bien marché.\n\n> Laisser la personne dérouler son parcours.\n\n"
    "Je dépose la retranscription ; trame des entretiens : [guide](https://www.example.org/guide)."
)


def fill(context) -> dict[str, int]:
    """Fill each cohort's forum; the posts are dated in the past and marked as mailed (no mail storm)."""
    import io
    from datetime import timedelta

    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage

    from plugins.forum.models import Discussion, Forum, ForumKind, Post, PostFile
    from plugins.forum.service import ensure_forums
    from portal.extensions import db
    from portal.models import utcnow
    from portal.storage import save_upload
    from portal.text import render_markdown

    full_size = SIZES["reference" if context.reference else "small"]
    # The clients of a role are its first accounts: gathered in the first cohort where it has enough people,
    # they need the figures in one or two cohorts, not ten (ten copies of the forum would also turn
    # the core search bench into a bench of 25,000 forum posts).
    first = context.cohorts[0].id
    for role in ("learner", "tutor"):
        context.accounts[role].sort(key=lambda account: account["cohort_id"] != first)
    driven = {
        account["cohort_id"]
        for role in ("learner", "tutor")
        for account in context.accounts[role][:DRIVEN_CLIENTS]
    }
    ensure_forums([c.id for c in context.cohorts])
    db.session.commit()
    body_html = str(render_markdown(BODY))
    now = utcnow()
    per_cohort: dict[int, tuple[int, int]] = {}
    files = 0
    for cohort in context.cohorts:
        posts_count, discussions_count = full_size if cohort.id in driven else [n // 10 for n in full_size]
        forum = db.session.scalar(
            sa.select(Forum).where(Forum.cohort_id == cohort.id, Forum.kind == ForumKind.COHORT)
        )
        authors = [
            account["id"]
            for role in ("learner", "tutor")
            for account in context.accounts[role]
            if account["cohort_id"] == cohort.id
        ][:AUTHORS]
        start = now - timedelta(days=30)
        long_one = Discussion(
            forum_id=forum.id,
            subject="Retours d'entretiens exploratoires",
            author_id=authors[0],
            created_dt=start,
            last_post_dt=start + timedelta(minutes=posts_count),
            post_count=posts_count,
        )
        db.session.add(long_one)
        db.session.flush()
        post_ids: list[int] = []
        for k in range(posts_count):
            # Replies answer one of the ten previous posts: a thread several levels deep.
            parent = post_ids[max(0, k - 1 - context.rng.randrange(10))] if post_ids else None
            post = Post(
                discussion_id=long_one.id,
                parent_id=parent,
                author_id=authors[k % len(authors)],
                body=BODY,
                body_html=body_html,
                created_dt=start + timedelta(minutes=k),
                mailed_dt=start + timedelta(minutes=k),
            )
            if k % ATTACHMENT_EVERY == 0:
                content = io.BytesIO(f"Notes d'entretien {k}.".encode())
                upload = FileStorage(content, filename=f"notes-{k}.txt")
                post.files = [PostFile(stored=save_upload(upload, "forum"))]
                files += 1
            db.session.add(post)
            db.session.flush()
            post_ids.append(post.id)
        others = [
            {
                "forum_id": forum.id,
                "subject": f"Point d'étape {n + 1} : entretiens et lectures",
                "author_id": authors[n % len(authors)],
                "created_dt": start - timedelta(hours=n),
                "last_post_dt": start - timedelta(hours=n),
                "pinned": n < 2,
                "locked": False,
                "post_count": 1,
            }
            for n in range(discussions_count)
        ]
        db.session.execute(sa.insert(Discussion), others)
        ids = db.session.scalars(
            sa.select(Discussion.id).where(Discussion.forum_id == forum.id, Discussion.id != long_one.id)
        ).all()
        authors_of = dict(
            db.session.execute(
                sa.select(Discussion.id, Discussion.author_id).where(Discussion.id.in_(ids))
            ).all()
        )
        db.session.execute(
            sa.insert(Post),
            [
                {
                    "discussion_id": d,
                    "author_id": authors_of[d],
                    "body": BODY,
                    "body_html": body_html,
                    "created_dt": start,
                    "mailed_dt": start,
                }
                for d in ids
            ],
        )
        db.session.commit()
        per_cohort[cohort.id] = (long_one.id, forum.id)
    for accounts in context.accounts.values():
        for account in accounts:
            discussion_id, forum_id = per_cohort[account["cohort_id"]]
            account["forum_discussion_id"] = discussion_id
            account["forum_forum_id"] = forum_id
    return {
        "forum posts in the long discussion": full_size[0],
        "forum discussions in a driven cohort's forum": full_size[1] + 1,
        "cohorts with the issue's figures": len(driven),
        "forum attachments": files,
    }
