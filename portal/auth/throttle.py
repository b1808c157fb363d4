"""The login throttle's default storage: the site's own database (`database://`), so that every worker and
host of a site counts failed logins together without another service. A `limits` storage for its fixed-window
strategy; Redis (`redis://...`) stays the choice of large sites."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import UTCDateTime, utcnow

#: Expired counters removed by each increment, at most: enough to keep the table to the live windows.
CLEANUP_BATCH = 100


class RateLimitCounter(db.Model):
    """One counter of a rate limit's current window (e.g. failed logins of one account)."""

    __tablename__ = "rate_limit_counter"

    #: SHA-256 of the limit's key: a fixed width, and no address or account name kept at rest
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    #: hits in the window
    count: so.Mapped[int]
    #: end of the window: the counter then starts again from zero
    expires_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _upsert(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"database:// rate-limit storage: no support for {dialect}")


class DatabaseStorage(Storage):
    """Counters in the `rate_limit_counter` table of the app's database (the current app's engine). Each
    increment is one atomic statement, safe across processes on SQLite and PostgreSQL."""

    #: the URI scheme `limits` registers this storage under
    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self) -> type[Exception]:
        """What the database may raise."""
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's counter (starting a new window of `expiry` seconds when the last one
        ended); returns the new count. Also removes a batch of expired counters, so the table stays small."""
        table = RateLimitCounter.__table__
        now = utcnow()
        insert = _upsert(db.engine.dialect.name)(table).values(
            key_hash=_hash(key), count=amount, expires_dt=now + timedelta(seconds=expiry)
        )
        ended = table.c.expires_dt <= now
        # Every SET expression reads the row as it was before the update, on both databases.
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.key_hash],
            set_={
                "count": sa.case((ended, insert.excluded.count), else_=table.c.count + insert.excluded.count),
                "expires_dt": sa.case((ended, insert.excluded.expires_dt), else_=table.c.expires_dt),
            },
        ).returning(table.c.count)
        # SKIP LOCKED (PostgreSQL; SQLite writes one at a time anyway): a cleanup never waits for a counter
        # that another login is updating, so that two logins never wait for each other.
        expired = (
            sa.select(table.c.key_hash)
            .where(table.c.expires_dt <= now)
            .limit(CLEANUP_BATCH)
            .with_for_update(skip_locked=True)
        )
        with db.engine.begin() as connection:
            count = connection.execute(upsert).scalar_one()
            connection.execute(sa.delete(table).where(table.c.key_hash.in_(expired.scalar_subquery())))
        return count

    def get(self, key: str) -> int:
        """The key's count in its current window (0 when the window ended)."""
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            count = connection.scalar(
                sa.select(table.c.count).where(table.c.key_hash == _hash(key), table.c.expires_dt > utcnow())
            )
        return count or 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends, in seconds since the epoch (now when it has none)."""
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            expires = connection.scalar(sa.select(table.c.expires_dt).where(table.c.key_hash == _hash(key)))
        return expires.timestamp() if expires is not None else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Remove every counter; returns how many there were."""
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        """Remove the key's counter."""
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.key_hash == _hash(key)))
