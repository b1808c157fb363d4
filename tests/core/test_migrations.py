"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from portal import create_app
from portal.cli import cli
from portal.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_plugin_branch_is_at_its_head(app):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        versions = set(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    applied = {rev.revision for rev in script.iterate_revisions(tuple(versions), "base")}
    assert set(script.get_heads()) <= applied
    assert {"core", "example"} <= {label for rev in script.walk_revisions() for label in rev.branch_labels}


def test_portal_db_upgrade_builds_an_empty_database(tmp_path, monkeypatch):
    database = tmp_path / "fresh.sqlite3"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret-for-cli")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{database}")
    # Two plugin branches besides the core's: `portal db upgrade` with no revision upgrades them all.
    monkeypatch.setenv("PORTAL_PLUGINS", '["tests.example_plugin:plugin", "courses"]')
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(f"sqlite:///{database}")
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "user",
        "programme",
        "bloc",
        "seminar",
        "cohort",
        "enrolment",
        "atelier",
        "atelier_member",
        "example_note",
        "courses_item",
    } <= tables
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("fresh.sqlite3")


def test_rebuilding_tables_for_lasting_ids_keeps_every_row_and_link(tmp_path, monkeypatch):
    """The SQLite upgrade that rebuilds tables (AUTOINCREMENT) keeps the rows of the rebuilt tables and of
    the tables pointing at them: dropping `user` with foreign keys on would have deleted every enrolment."""
    database = tmp_path / "old.sqlite3"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret-for-cli")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PORTAL_PLUGINS", "[]")
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "0002_services"]).exit_code == 0
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO user (id, email, first_name, last_name, active, is_admin, locale, session_token,"
            " created_dt, updated_dt) VALUES (7, 'a@example.org', 'A', 'B', 1, 0, 'fr', 't',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO programme (id, title, hours, description) VALUES (1, 'P', 0, '')"
        )
        connection.exec_driver_sql(
            "INSERT INTO cohort (id, programme_id, name, centre, start_date, end_date)"
            " VALUES (3, 1, 'C', 'Paris', '2026-01-01', '2027-01-01')"
        )
        connection.exec_driver_sql(
            "INSERT INTO enrolment (id, user_id, cohort_id, role, created_dt)"
            " VALUES (5, 7, 3, 'learner', '2026-01-01 00:00:00')"
        )
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, user_id, cohort_id FROM enrolment").all() == [(5, 7, 3)]
        assert connection.exec_driver_sql("SELECT email FROM user").scalars().all() == ["a@example.org"]
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'user'").scalar()
        assert "AUTOINCREMENT" in sql.upper()
    engine.dispose()
