"""`portal backup`: a consistent database copy, the stored files and a manifest that `--verify` checks."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.storage import StoredFile, path_of, save_upload, store_root
from tests.factories import make_user


def backup(app, dest: Path, *options: str):
    """Run `portal backup [options] DEST` as the command line does."""
    return app.test_cli_runner().invoke(args=["backup", *options, str(dest)])


def manifest_of(dest: Path) -> dict:
    return json.loads((dest / "manifest.json").read_text(encoding="utf-8"))


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def keys_in_database_copy(dest: Path) -> set[str]:
    """The stored_file keys recorded in the backup's database copy, read with the database's own tools."""
    database = dest / manifest_of(dest)["database"]["file"]
    if database.name.endswith(".sqlite3"):
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return {key for (key,) in connection.execute("SELECT key FROM stored_file")}
        finally:
            connection.close()
    dumped = subprocess.run(
        ["pg_restore", "--data-only", "--table=stored_file", "--file=-", str(database)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = iter(dumped.splitlines())
    for line in lines:
        if line.startswith("COPY public.stored_file "):
            columns = line[line.index("(") + 1 : line.index(")")].split(", ")
            rows = []
            for row in lines:
                if row == "\\.":
                    break
                rows.append(row.split("\t"))
            return {row[columns.index("key")] for row in rows}
    raise AssertionError(f"no stored_file data in {database.name}")


def stored(user, content: bytes, name: str = "cr.txt") -> StoredFile:
    """A file saved in the store the way plugins do; committed."""
    result = save_upload(FileStorage(io.BytesIO(content), name), "example", user)
    db.session.commit()
    return result


@pytest.fixture
def two_files(app):
    """Two stored files and the user who uploaded them."""
    user = make_user()
    return stored(user, b"Premier compte rendu.\n"), stored(user, b"Second compte rendu.\n", "cr2.txt")


def test_a_file_uploaded_through_the_plugin_page_survives_backup_and_verify(app, world, login_as, tmp_path):
    document = io.BytesIO()
    report = docx.Document()
    report.add_paragraph("Bilan de l'atelier mémoire")
    report.save(document)
    learner = login_as(world.learner_a1)
    response = learner.post(
        "/example/",
        data={"text": "Bilan", "attachment": (io.BytesIO(document.getvalue()), "bilan.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    uploaded = db.session.scalar(sa.select(StoredFile))
    orphan = store_root() / "ff" / ("f" * 32)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"no record points to me")
    dest = tmp_path / "backups" / "2024-06-01"

    result = backup(app, dest)
    assert result.exit_code == 0, result.output
    assert f"Backup written to {dest}: database and 1 file(s)." in result.stdout
    assert "PROBLEM" not in result.output
    manifest = manifest_of(dest)
    assert manifest["problems"] == []
    assert manifest["files"] == {uploaded.key: {"sha256": uploaded.sha256, "size": uploaded.size}}
    copy = dest / "files" / uploaded.key
    assert copy.read_bytes() == document.getvalue() == path_of(uploaded).read_bytes()
    assert not (dest / "files" / "ff").exists(), "orphans are not part of a backup"
    database = dest / manifest["database"]["file"]
    assert database.stat().st_size > 0
    assert hashlib.sha256(database.read_bytes()).hexdigest() == manifest["database"]["sha256"]
    assert database.name == ("portal.pgdump" if is_postgresql() else "portal.sqlite3")
    assert keys_in_database_copy(dest) == {uploaded.key}

    verified = backup(app, dest, "--verify")
    assert verified.exit_code == 0, verified.output
    assert f"{dest}: backup verified." in verified.stdout


def test_the_database_copy_is_a_consistent_snapshot(app, two_files, tmp_path):
    """Committed rows are in the copy (even those still in SQLite's WAL); another connection's uncommitted
    row is not."""
    first, second = two_files
    with db.engine.connect() as other:
        other.execute(
            sa.insert(StoredFile).values(
                key="00/" + "0" * 32,
                plugin="example",
                name="pas-encore.txt",
                content_type="text/plain",
                size=1,
                sha256="0" * 64,
            )
        )
        result = backup(app, tmp_path / "copy")
        other.rollback()
    assert result.exit_code == 0, result.output
    assert keys_in_database_copy(tmp_path / "copy") == {first.key, second.key}
    assert set(manifest_of(tmp_path / "copy")["files"]) == {first.key, second.key}


def _alter(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"!")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda dest, key, db_name: _alter(dest / "files" / key), "file altered: {key}"),
        (lambda dest, key, db_name: (dest / "files" / key).unlink(), "file missing: {key}"),
        (lambda dest, key, db_name: _alter(dest / db_name), "database copy altered: {db_name}"),
        (lambda dest, key, db_name: (dest / db_name).unlink(), "database copy missing: {db_name}"),
        (lambda dest, key, db_name: (dest / "manifest.json").unlink(), "no manifest.json in {dest}"),
        (
            lambda dest, key, db_name: (dest / "manifest.json").write_text('{"files": '),
            "manifest.json is not valid JSON",
        ),
        (lambda dest, key, db_name: (dest / "manifest.json").write_text("{}"), "manifest.json is incomplete"),
    ],
    ids=[
        "file-altered",
        "file-missing",
        "database-altered",
        "database-missing",
        "manifest-missing",
        "manifest-broken",
        "manifest-incomplete",
    ],
)
def test_verify_fails_naming_what_is_wrong(app, two_files, tmp_path, damage, problem):
    dest = tmp_path / "copy"
    assert backup(app, dest).exit_code == 0
    assert backup(app, dest, "--verify").exit_code == 0
    key, db_name = two_files[0].key, manifest_of(dest)["database"]["file"]
    damage(dest, key, db_name)
    result = backup(app, dest, "--verify")
    assert result.exit_code == 1
    assert f"PROBLEM: {problem.format(key=key, db_name=db_name, dest=dest)}" in result.stderr
    assert f"problem(s) in {dest}" in result.stderr
    assert "backup verified" not in result.output


def test_verify_names_every_problem_at_once(app, two_files, tmp_path):
    dest = tmp_path / "copy"
    assert backup(app, dest).exit_code == 0
    first, second = two_files
    _alter(dest / "files" / first.key)
    (dest / "files" / second.key).unlink()
    result = backup(app, dest, "--verify")
    assert result.exit_code == 1
    assert f"PROBLEM: file altered: {first.key}" in result.stderr
    assert f"PROBLEM: file missing: {second.key}" in result.stderr
    assert "2 problem(s)" in result.stderr


def test_verify_checks_that_a_sqlite_copy_opens(app, two_files, tmp_path):
    if is_postgresql():
        pytest.skip("SQLite's integrity check; a PostgreSQL dump is checked by its checksum")
    dest = tmp_path / "copy"
    assert backup(app, dest).exit_code == 0
    database = dest / "portal.sqlite3"
    database.write_bytes(b"not a database" * 100)
    manifest = manifest_of(dest)
    manifest["database"]["sha256"] = hashlib.sha256(database.read_bytes()).hexdigest()
    (dest / "manifest.json").write_text(json.dumps(manifest))
    result = backup(app, dest, "--verify")
    assert result.exit_code == 1 and "PROBLEM: database copy corrupt" in result.stderr


def test_a_record_whose_file_is_missing_is_reported_and_the_backup_does_not_verify(app, two_files, tmp_path):
    first, second = two_files
    path_of(first).unlink()
    dest = tmp_path / "copy"
    result = backup(app, dest)
    assert f"PROBLEM: missing in the store: {first.key}" in result.stderr
    assert result.exit_code == 1, "cron must notice a backup that is not a sound copy"
    assert set(manifest_of(dest)["files"]) == {second.key}
    verified = backup(app, dest, "--verify")
    assert verified.exit_code == 1
    assert f"PROBLEM: at backup time: missing in the store: {first.key}" in verified.stderr


def test_backup_refuses_a_destination_that_is_not_empty(app, two_files, tmp_path):
    dest = tmp_path / "copy"
    dest.mkdir()
    (dest / "earlier.txt").write_text("an earlier backup")
    result = backup(app, dest)
    assert result.exit_code == 1
    assert f"{dest} is not empty" in result.stderr
    assert [p.name for p in dest.iterdir()] == ["earlier.txt"]
    assert (dest / "earlier.txt").read_text() == "an earlier backup"
    # A finished backup is not empty either: a second run into it is refused and changes nothing.
    fresh = tmp_path / "fresh"
    assert backup(app, fresh).exit_code == 0
    before = {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    assert backup(app, fresh).exit_code == 1
    assert {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()} == before
    assert backup(app, fresh, "--verify").exit_code == 0


def test_verify_never_opens_a_path_outside_the_backup(app, two_files, tmp_path):
    dest = tmp_path / "copy"
    assert backup(app, dest).exit_code == 0
    (tmp_path / "secret.txt").write_text("outside")
    manifest = manifest_of(dest)
    manifest["files"]["../../secret.txt"] = {"sha256": "0" * 64, "size": 7}
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    verified = backup(app, dest, "--verify")
    assert verified.exit_code == 1
    assert "PROBLEM: not a store key: '../../secret.txt'" in verified.stderr
