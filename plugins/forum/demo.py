"""The forum's share of the demo site: forums for every cohort and atelier, and a few lived-in discussions."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from plugins.forum import service
from plugins.forum.models import Forum, ForumKind, Post
from portal.extensions import db
from portal.members import atelier_members
from portal.models import Atelier, Role, utcnow
from portal.permissions import atelier_ids

ATELIER_THREADS = [
    (
        "learner",
        "Problématique du mémoire : vos retours ?",
        "Bonjour à toutes et à tous,\n\nJe cherche à resserrer ma problématique sur "
        "**la gouvernance partagée dans les tiers-lieux associatifs**. Ma question de départ : "
        "comment une association concilie-t-elle "
        "la participation des bénévoles et la professionnalisation de ses salariés ?\n\n"
        "Est-ce trop large à votre avis ?",
        [
            (
                "peer",
                "Elle me paraît encore large : tu pourrais la limiter à un territoire, ou à un type de "
                "décision (budget, recrutement). Le séminaire sur la gouvernance associative donnait "
                "de bonnes pistes.",
            ),
            (
                "tutor",
                "Bonne remarque. Je vous propose de formuler chacun votre question en une phrase pour le "
                "prochain regroupement, et de la poster ici avant vendredi.",
            ),
        ],
    ),
    (
        "tutor",
        "Calendrier de l'atelier mémoire",
        "Voici les étapes jusqu'au prochain jalon :\n\n1. note d'intention (2 pages) ;\n2. plan détaillé ;\n"
        "3. premier entretien exploratoire.\n\nPostez vos questions dans cette discussion.",
        [],
    ),
]
COHORT_THREADS = [
    (
        "learner",
        "Covoiturage pour le regroupement de mars",
        "Je pars de Montreuil le lundi matin, deux places disponibles. Qui est intéressé·e ?",
    ),
]
ANNOUNCEMENTS = [
    (
        "staff",
        "Bienvenue sur les forums de la promotion",
        "Chaque atelier mémoire dispose de son forum, visible seulement de ses auditeurs, de son tuteur "
        "et de l'équipe pédagogique. Les annonces de l'équipe arrivent aussi par courriel.",
    ),
]


def _mark_old(posts, days_ago: float) -> None:
    """Demo history: dated in the past, and never mailed (it is not news)."""
    when = utcnow() - timedelta(days=days_ago)
    for post in posts:
        post.created_dt = when
        post.mailed_dt = when
        post.discussion.created_dt = min(post.discussion.created_dt, when)
        post.discussion.last_post_dt = when
        when += timedelta(hours=3)


def load_demo(demo: dict) -> None:
    """Create every forum, then discussions in the demo learner's atelier, the cohort forum and news."""
    cohorts = demo["cohorts"]
    service.ensure_forums([c.id for c in cohorts])
    db.session.flush()
    accounts = demo["accounts"]
    learner, tutor, staff = accounts["learner"], accounts["tutor"], accounts["staff"]
    atelier_id = next(iter(sorted(atelier_ids(learner, Role.LEARNER))), None)
    if atelier_id is None:
        return
    atelier = db.session.get(Atelier, atelier_id)
    peer = next((u for u in atelier_members([atelier.id], Role.LEARNER) if u.id != learner.id), learner)
    people = {"learner": learner, "peer": peer, "tutor": tutor, "staff": staff}
    forum = db.session.scalar(sa.select(Forum).where(Forum.atelier_id == atelier.id))
    cohort = atelier.cohort_id
    general = db.session.scalar(sa.select(Forum).where(Forum.key == f"{ForumKind.COHORT.value}:{cohort}"))
    news = db.session.scalar(sa.select(Forum).where(Forum.key == f"{ForumKind.ANNOUNCEMENTS.value}:{cohort}"))
    age = 12.0
    for author, subject, body, replies in ATELIER_THREADS:
        discussion = service.start_discussion(forum, people[author], subject, body)
        posts = [discussion.posts[0]]
        for who, text in replies:
            posts.append(service.reply(posts[-1], people[who], text))
        _mark_old(posts, age)
        age -= 4
    for target, threads in ((general, COHORT_THREADS), (news, ANNOUNCEMENTS)):
        for author, subject, body in threads:
            discussion = service.start_discussion(target, people[author], subject, body)
            _mark_old([discussion.posts[0]], age)
            age -= 1
    db.session.flush()
    # The documents were queued with their first dates; queue them again with the final ones.
    from plugins.forum import indexing

    for post in db.session.scalars(sa.select(Post)):
        indexing.reindex_post_later(post)
