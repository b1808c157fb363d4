"""Ids are never given twice: a mailed link, a bookmark, a stored file's address or a calendar UID never comes
to point at other content after a deletion."""

from __future__ import annotations

import sqlalchemy as sa

from portal import people
from portal.extensions import db
from portal.models import Cohort, User
from tests.factories import make_cohort


def _id_tables():
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].name == "id" and isinstance(key[0].type, sa.Integer):
            yield table


def test_every_table_with_an_id_keeps_its_ids(app):
    """On SQLite each such table is AUTOINCREMENT, as the model declares and the migrations built it; on
    PostgreSQL a sequence never gives an id twice."""
    names = [table.name for table in _id_tables()]
    assert "user" in names and len(names) > 10
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        existing = set(sa.inspect(connection).get_table_names())
        for table in _id_tables():
            if table.name not in existing:
                continue  # a plugin not under test (PORTAL_TEST_PLUGINS)
            assert table.dialect_options["sqlite"]["autoincrement"], f"model of {table.name}"
            sql = connection.scalar(
                sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table.name}
            )
            assert "AUTOINCREMENT" in sql.upper(), f"table {table.name}"


def test_the_last_rows_id_is_not_given_again(world):
    last = people.create_user("last@example.org", "Last", "One")
    db.session.commit()
    gone = last.id
    db.session.delete(last)
    db.session.commit()
    after = people.create_user("next@example.org", "Next", "One")
    db.session.commit()
    assert after.id > gone
    cohort = make_cohort(world.programme, "Éphémère")
    gone = cohort.id
    db.session.delete(cohort)
    db.session.commit()
    assert make_cohort(world.programme, "Suivante").id > gone
    assert db.session.get(User, gone) is None or db.session.get(Cohort, gone) is None
