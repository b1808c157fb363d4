"""Backups: a consistent copy of the database, the stored files, and a checksum manifest to verify them."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.storage import StoredFile, path_of

MANIFEST = "manifest.json"
#: The shape of the keys the store makes; anything else in a manifest is refused, never opened.
STORE_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")
SQLITE_COPY = "portal.sqlite3"
PG_DUMP = "portal.pgdump"


class BackupError(RuntimeError):
    """The backup could not be made; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_sqlite(dest: Path) -> tuple[str, list]:
    # The online backup API copies a consistent snapshot while the site keeps running; the list of stored
    # files is read from that copy, so that files and rows agree.
    source = sqlite3.connect(db.engine.url.database)
    target = sqlite3.connect(dest / SQLITE_COPY)
    try:
        with target:
            source.backup(target)
        rows = target.execute("SELECT key, sha256, size FROM stored_file").fetchall()
    finally:
        target.close()
        source.close()
    return SQLITE_COPY, rows


def _copy_postgresql(dest: Path) -> tuple[str, list]:
    if shutil.which("pg_dump") is None:
        raise BackupError(
            "pg_dump is not installed: install the PostgreSQL client (apt-get install postgresql-client)."
        )
    url = db.engine.url
    environment = dict(os.environ)
    if url.password:
        # A password on the command line would show in `ps`; libpq reads it from the environment.
        environment["PGPASSWORD"] = url.password
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with (
        db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        connection.begin(),
    ):
        # pg_dump and the list of stored files share one snapshot, so that files and rows agree.
        snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        rows = connection.execute(sa.select(StoredFile.key, StoredFile.sha256, StoredFile.size)).all()
        result = subprocess.run(  # noqa: S603 - fixed program, URL from the site's own settings
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dest / PG_DUMP}", libpq_url],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return PG_DUMP, rows


def _copy_database(dest: Path) -> tuple[str, list]:
    backend = db.engine.url.get_backend_name()
    if backend == "sqlite":
        return _copy_sqlite(dest)
    if backend == "postgresql":
        return _copy_postgresql(dest)
    raise BackupError(f"no backup method for the {backend} database")


def make_backup(dest: Path) -> dict:
    """Write the database copy, the stored files and the manifest into `dest` (which must be empty)."""
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: choose a new folder for each backup.")
    database, rows = _copy_database(dest)
    files: dict[str, dict] = {}
    problems: list[str] = []
    for key, sha256, size in rows:
        source = path_of(StoredFile(key=key))
        if not source.is_file():
            problems.append(f"missing in the store: {key}")
            continue
        target = dest / "files" / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied = _sha256(target)
        if copied != sha256:
            problems.append(f"checksum differs from the record: {key}")
        files[key] = {"sha256": copied, "size": size}
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"file": database, "sha256": _sha256(dest / database)},
        "files": files,
        "problems": problems,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def verify_backup(dest: Path) -> list[str]:
    """Check a backup against its manifest; returns the problems found (empty when the copy is sound)."""
    manifest_path = dest / MANIFEST
    if not manifest_path.is_file():
        return [f"no {MANIFEST} in {dest}"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError:
        return [f"{MANIFEST} is not valid JSON"]
    try:
        database, database_sha256 = dest / manifest["database"]["file"], manifest["database"]["sha256"]
        files = manifest["files"].items()
    except (KeyError, TypeError, AttributeError):
        return [f"{MANIFEST} is incomplete"]
    # What the backup itself found missing or damaged in the store: the copy is not a sound one either.
    problems = [f"at backup time: {problem}" for problem in manifest.get("problems", [])]
    if not database.is_file():
        problems.append(f"database copy missing: {database.name}")
    elif _sha256(database) != database_sha256:
        problems.append(f"database copy altered: {database.name}")
    elif database.name == SQLITE_COPY:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            verdict = str(error)
        finally:
            connection.close()
        if verdict != "ok":
            problems.append(f"database copy corrupt: {verdict}")
    for key, expected in files:
        if not STORE_KEY.fullmatch(str(key)):
            problems.append(f"not a store key: {key!r}")
            continue
        path = dest / "files" / key
        if not path.is_file():
            problems.append(f"file missing: {key}")
        elif _sha256(path) != expected["sha256"]:
            problems.append(f"file altered: {key}")
    return problems
