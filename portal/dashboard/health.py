"""The site at a glance, for admins: promotions, people, the mail queue, the search index and the storage."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from portal.dates import today
from portal.extensions import db
from portal.mail import MailQueueHealth, mail_queue_health
from portal.models import Cohort, Enrolment, Role, User, utcnow
from portal.search.store import index_path, needs_refill
from portal.storage import StoredFile, store_root


@dataclass(frozen=True)
class SiteHealth:
    """The figures an admin checks first."""

    cohorts_running: int
    cohorts_upcoming: int
    cohorts_ended: int
    active_accounts: int
    learners_running: int
    seen_last_30_days: int
    mail: MailQueueHealth
    index_needs_rebuild: bool
    index_bytes: int
    files: int
    files_bytes: int
    disk_free_bytes: int | None


def _folder_bytes(path) -> int:
    return sum(entry.stat().st_size for entry in path.iterdir() if entry.is_file()) if path.is_dir() else 0


def site_health() -> SiteHealth:
    """Every figure, in four queries whatever the site's size."""
    day = today()
    running = sa.and_(Cohort.start_date <= day, Cohort.end_date >= day)
    cohorts = db.session.execute(
        sa.select(
            sa.func.count().filter(running),
            sa.func.count().filter(Cohort.start_date > day),
            sa.func.count().filter(Cohort.end_date < day),
        ).select_from(Cohort)
    ).one()
    learners = (
        sa.select(sa.func.count(sa.distinct(Enrolment.user_id)))
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.role == Role.LEARNER, running)
        .scalar_subquery()
    )
    people = db.session.execute(
        sa.select(
            sa.func.count().filter(User.active.is_(True)),
            sa.func.count().filter(User.last_login_dt >= utcnow() - timedelta(days=30)),
            learners,
        ).select_from(User)
    ).one()
    files = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(StoredFile.size), 0))
    ).one()
    root = store_root()
    return SiteHealth(
        cohorts_running=cohorts[0],
        cohorts_upcoming=cohorts[1],
        cohorts_ended=cohorts[2],
        active_accounts=people[0],
        seen_last_30_days=people[1],
        learners_running=people[2],
        mail=mail_queue_health(),
        index_needs_rebuild=needs_refill(),
        index_bytes=_folder_bytes(index_path()),
        files=files[0],
        files_bytes=int(files[1]),
        disk_free_bytes=shutil.disk_usage(root).free if root.exists() else None,
    )
