"""Searchers kept open between queries, one per thread at a time, with the sets of document numbers
computed on them."""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from whoosh import query
from whoosh.reading import TermNotFound

from portal.search.schema import EARLIEST, LATEST, facet_term
from portal.search.store import index_path, open_index, reading

#: Index folders a process keeps searchers open on (a site has one; the tests use many).
KEPT_INDEXES = 4
#: Document numbers the sets cached on one searcher may hold in all (about 60 bytes each: 30 MB).
KEPT_DOCNUMS = 500_000


class Snapshot:
    """A searcher on one generation of the index, with the sets of document numbers computed on it (access
    groups, plugins, facet values, words): they hold until the index changes, when a new snapshot starts.

    Opening a searcher on a large index takes ~100 ms, and building these sets most of a query's time.
    """

    def __init__(self, searcher):
        self.searcher = searcher
        self._sets: OrderedDict[object, frozenset[int]] = OrderedDict()
        self._size = 0
        self._boundaries: list[datetime] | None = None
        self._facet_terms: dict[str, list[str]] = {}
        self._orders: dict[str, list[int]] = {}

    def docs(self, key, compute: Callable[[], Iterable[int]]) -> frozenset[int]:
        """The set cached under key, computed the first time (least recently used sets dropped first)."""
        found = self._sets.get(key)
        if found is not None:
            self._sets.move_to_end(key)
            return found
        found = frozenset(compute())
        self._sets[key] = found
        self._size += len(found)
        while self._size > KEPT_DOCNUMS and len(self._sets) > 1:
            _, dropped = self._sets.popitem(last=False)
            self._size -= len(dropped)
        return found

    def query_docs(self, q: query.Query) -> frozenset[int]:
        """The documents matching a query."""
        return self.docs(("query", q), lambda: self.searcher.docs_for_query(q))

    def term_docs(self, fieldname: str, text: str) -> frozenset[int]:
        """The documents holding a term."""

        def postings():
            try:
                return self.searcher.reader().postings(fieldname, text).all_ids()
            except TermNotFound:
                return ()

        return self.docs(("term", fieldname, text), postings)

    def facet_terms(self, name: str) -> list[str]:
        """The indexed terms of a facet's values."""
        if name not in self._facet_terms:
            prefix = facet_term(name, "")
            self._facet_terms[name] = [
                term.decode("utf-8") if isinstance(term, bytes) else term
                for term in self.searcher.reader().expand_prefix("facets", prefix)
            ]
        return self._facet_terms[name]

    def order(self, sort: str) -> list[int]:
        """Every document in the order of a year sort: newest first, or oldest first with the undated last;
        ties in index order."""
        if sort not in self._orders:
            reader = self.searcher.reader()
            years = reader.column_reader("year")
            if sort == "year_desc":
                key = lambda docnum: (-years[docnum], docnum)  # noqa: E731
            else:
                key = lambda docnum: (years[docnum] == 0, years[docnum], docnum)  # noqa: E731
            self._orders[sort] = sorted(reader.all_doc_ids(), key=key)
        return self._orders[sort]

    def window_period(self, moment: datetime) -> int:
        """Which interval between the documents' visibility dates a moment falls in: every moment of one
        interval sees the same documents, so access sets are cached per interval, not per instant."""
        if self._boundaries is None:
            reader, schema = self.searcher.reader(), self.searcher.schema
            dates = {
                schema[name].from_bytes(term)
                for name in ("visible_from", "visible_until")
                for term in schema[name].sortable_terms(reader, name)
            }
            self._boundaries = sorted(dates - {EARLIEST, LATEST})
        return bisect.bisect_right(self._boundaries, moment)

    def latest(self) -> Snapshot:
        """This snapshot if the index has not changed since, else one on its latest generation."""
        if self.searcher.up_to_date():
            return self
        # Not Whoosh's refresh(): the reader it builds keeps the segments merged away and misses new
        # deletions.
        self.searcher.close()
        return Snapshot(_open_snapshot_searcher())


def _open_snapshot_searcher():
    # The whole opening is tried again: a retry must look for the index's newest generation, not reopen the
    # one whose files another process's commit just removed.
    return reading(lambda: open_index().searcher())


_pool_lock = threading.Lock()
#: index folder -> snapshots not in use (as many as threads have searched at once)
_idle: OrderedDict[str, list[Snapshot]] = OrderedDict()


@contextmanager
def borrow() -> Iterator[Snapshot]:
    """A snapshot of the index's latest generation, for this thread alone until the block ends."""
    path = str(index_path())
    with _pool_lock:
        idle = _idle.setdefault(path, [])
        _idle.move_to_end(path)
        snapshot = idle.pop() if idle else None
        while len(_idle) > KEPT_INDEXES:
            for dropped in _idle.popitem(last=False)[1]:
                dropped.searcher.close()
    try:
        snapshot = snapshot.latest() if snapshot else Snapshot(_open_snapshot_searcher())
        yield snapshot
    except BaseException:
        # A snapshot that failed (files gone under it, say) is not handed out again.
        if snapshot is not None and not snapshot.searcher.is_closed:
            snapshot.searcher.close()
        raise
    with _pool_lock:
        _idle.setdefault(path, []).append(snapshot)


def forget_snapshots() -> None:
    """Close this process's searchers on the index (before its folder is replaced)."""
    with _pool_lock:
        for snapshot in _idle.pop(str(index_path()), []):
            snapshot.searcher.close()
