"""The index folder: opened (created, or recreated when its schema is outdated) and written under the lock
every process shares."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import current_app
from whoosh import index, writing
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import try_for

from portal.search.schema import build_schema

log = logging.getLogger(__name__)

#: How long a writer waits for another process's lock before giving up.
WRITER_TIMEOUT = 60.0
#: How many times a reader tries to open the index while other processes commit to it.
OPEN_ATTEMPTS = 10
#: Left in the index folder when an index of an older schema was recreated empty; a rebuild removes it.
REFILL_MARKER = "REFILL-NEEDED"


def index_path() -> Path:
    """The index folder (SEARCH_INDEX_PATH, default instance/search-index)."""
    configured = current_app.config.get("SEARCH_INDEX_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "search-index"


def reading(action):
    """action(), tried again when another process's commit removed the files it was opening: Whoosh deletes a
    previous generation without waiting for readers, who then simply open the new one."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return action()
        except FileNotFoundError:
            if attempt + 1 == OPEN_ATTEMPTS:
                raise
            time.sleep(0.01 * (attempt + 1))


def is_outdated(ix: index.Index) -> bool:
    """Whether the index was created by an older schema (a field of today's schema is missing, or the body
    lacks the words' offsets that snippets are cut with)."""
    names = set(ix.schema.names())
    return not set(build_schema().names()) <= names or not ix.schema["body"].supports("characters")


def needs_refill() -> bool:
    """Whether the index lacks documents of the database: it has an older schema, or was recreated empty
    from one and not rebuilt since."""
    path = index_path()
    if (path / REFILL_MARKER).exists():
        return True
    if not reading(lambda: index.exists_in(path)):
        return False
    ix = reading(lambda: index.open_dir(path))
    try:
        return is_outdated(ix)
    finally:
        ix.close()


def refilled() -> None:
    """Note that the index holds every document again (after a rebuild)."""
    (index_path() / REFILL_MARKER).unlink(missing_ok=True)


def open_index() -> index.Index:
    """The index, created empty on first use; an index of an older schema is recreated empty (and a warning
    logged): the index only mirrors the database, and `portal reindex` refills it."""
    path = index_path()
    if reading(lambda: index.exists_in(path)):
        ix = reading(lambda: index.open_dir(path))
        if not is_outdated(ix):
            return ix
        ix.close()
    path.mkdir(parents=True, exist_ok=True)
    # Whoosh's create_in wipes whatever index files are there, without any lock: when several processes
    # arrive first at once, it is created under the writers' lock, by the first one only.
    lock = FileStorage(str(path)).lock(f"{index._DEF_INDEX_NAME}_WRITELOCK")
    if not try_for(lock.acquire, timeout=WRITER_TIMEOUT, delay=0.05):
        raise index.LockError(f"the search index {path} stayed locked")
    try:
        if not reading(lambda: index.exists_in(path)):
            index.create_in(path, build_schema())
        else:
            ix = reading(lambda: index.open_dir(path))
            stale = is_outdated(ix)
            ix.close()
            if stale:
                log.warning(
                    "the search index %s was built by an older version: recreated empty, "
                    "run `portal reindex` (or `portal db upgrade`) to fill it again",
                    path,
                )
                index.create_in(path, build_schema())
                (path / REFILL_MARKER).touch()
    finally:
        lock.release()
    return reading(lambda: index.open_dir(path))


def writer_of(ix: index.Index) -> writing.IndexWriter:
    """A writer on the index, once the other processes' writers are done.

    The lock is a file lock shared by every process; waiting for it, rather than failing, loses no write."""
    return ix.writer(timeout=WRITER_TIMEOUT, delay=0.05)
