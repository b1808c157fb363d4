"""Rows written safely when several requests write the same one at once: "get or create" and "create or
update" as single statements (INSERT … ON CONFLICT), on SQLite and PostgreSQL alike.

Ten identical requests at once give one row and ten normal answers: the database's unique key decides, no
request fails on it, and no row is read then written in two steps that another request could interleave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model.__table__)


def insert_or_ignore(model, values: Mapping[str, Any], unique: Iterable[str]) -> bool:
    """Insert a row unless one with the same `unique` columns (a unique key of the table) exists; True when
    this call inserted it. Runs in the current transaction; the row is visible to `db.session` afterwards."""
    keys = list(unique)
    table = model.__table__
    # Read first: on SQLite an INSERT takes the database's write lock even when it then inserts nothing, and
    # holds it to the end of the transaction.
    present = sa.select(sa.literal(1)).where(*(table.c[key] == values[key] for key in keys)).limit(1)
    if db.session.execute(present).first() is not None:
        return False
    statement = _insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    # RETURNING says whether a row was written: psycopg's rowcount is -1 for this statement.
    return db.session.execute(statement.returning(sa.literal_column("1"))).first() is not None


def insert_or_update(
    model, values: Mapping[str, Any], unique: Iterable[str], update: Mapping[str, Any] | None = None
) -> None:
    """Insert a row, or update the existing one with the same `unique` columns: with `update` when given,
    else with every value that is not part of the key. Objects the session loaded before keep their old
    values until refreshed."""
    keys = list(unique)
    changes = dict(update) if update is not None else {k: v for k, v in values.items() if k not in keys}
    statement = _insert(model).values(**values)
    statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
    db.session.execute(statement)
