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
