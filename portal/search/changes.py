"""Changes to the index: collected during a transaction and written after its commit, or a whole rebuild."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator

from sqlalchemy import event
from whoosh import writing

from portal.aftercommit import PortalSession, after_commit
from portal.extensions import db
from portal.plugins import SearchDoc
from portal.search.schema import build_schema, document_fields
from portal.search.snapshots import forget_snapshots
from portal.search.store import index_path, is_outdated, open_index, refilled, writer_of

log = logging.getLogger(__name__)

_PENDING = "portal_search_pending"


def _pending() -> dict[str, SearchDoc | None]:
    # One write of the index per transaction, with every document it changed (the last change of each wins).
    after_commit(_apply_pending, once="search")
    return db.session().info.setdefault(_PENDING, {})


def index_later(doc: SearchDoc) -> None:
    """Add or replace a document once the current transaction commits."""
    _pending()[doc.doc_id] = doc


def remove_later(doc_id: str) -> None:
    """Remove a document once the current transaction commits."""
    _pending()[doc_id] = None


def apply_changes(changes: dict[str, SearchDoc | None]) -> None:
    """Write documents (None: delete) in one writer."""
    if not changes:
        return
    writer = writer_of(open_index())
    try:
        for doc_id, doc in changes.items():
            if doc is None:
                writer.delete_by_term("doc_id", doc_id)
            else:
                writer.update_document(**document_fields(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _apply_pending() -> None:
    changes = db.session().info.pop(_PENDING, None)
    if not changes:
        return
    try:
        apply_changes(changes)
    except Exception:
        # The database change stands; `portal reindex` brings the index back in line.
        log.exception("search index update failed for %d document(s)", len(changes))


@event.listens_for(PortalSession, "after_soft_rollback")
def _drop_pending(session: PortalSession, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def rebuild(documents: Iterable[SearchDoc]) -> Iterator[SearchDoc]:
    """Replace the whole index by these documents, yielding each as it is written (for a progress bar);
    searches keep seeing the old index until the new one is committed."""
    ix = open_index()
    if ix.schema.names() != build_schema().names() or is_outdated(ix):
        ix.close()
        forget_snapshots()
        shutil.rmtree(index_path())
        ix = open_index()
    writer = writer_of(ix)
    try:
        for doc in documents:
            writer.add_document(**document_fields(doc))
            yield doc
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=writing.CLEAR, optimize=True)
    refilled()
