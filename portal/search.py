"""The search index: the only module that imports whoosh. French analyser, access fields on every document,
every query filtered by what the user may open, updates after commit, safe with several writer processes."""

from __future__ import annotations

import bisect
import copy
import itertools
import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import formats, highlight, index, query, writing
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.lang import stopwords_for_language
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import FieldsPlugin, FuzzyTermPlugin, PlusMinusPlugin
from whoosh.reading import TermNotFound
from whoosh.support.charset import accent_map
from whoosh.util.filelock import try_for

from portal.extensions import db
from portal.permissions import atelier_ids, cohort_ids, managed_cohort_ids
from portal.plugins import SearchDoc

log = logging.getLogger(__name__)
_PENDING = "portal_search_pending"
#: Longest query taken into account; the rest is dropped.
MAX_QUERY_LENGTH = 500
#: How long a writer waits for another process's lock before giving up.
WRITER_TIMEOUT = 60.0
#: How many times a reader tries to open the index while other processes commit to it.
OPEN_ATTEMPTS = 10

#: French stop words, with and without accents, and the elided forms (l', d', qu' ...).
FRENCH_STOP_WORDS = (
    frozenset(stopwords_for_language("fr"))
    | {word.translate(accent_map) for word in stopwords_for_language("fr")}
    | {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"}
    # missing from Whoosh's (Snowball's) list, "les" first of all
    | {"les", "ils", "elles", "cet", "cette", "leurs"}
)
#: Words of the query syntax, never corrected.
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


def french_analyzer():
    """Words, lower-cased, French stop words removed, accents folded, then stemmed.

    Folding before stemming gives a word with and without its accents the same stem ("salariés" and
    "salaries" both become "salar"; "coopératives" and "cooperative" both become "cooper").
    """
    return (
        RegexTokenizer(r"\w+(?:[-.]\w+)*")
        | LowercaseFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(lang="fr")
    )


def build_schema() -> Schema:
    """The fields of every document: content, then the access fields every query is filtered by."""
    analyzer = french_analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        plugin=ID(stored=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        # chars=True keeps each word's offsets, so that snippets are cut without analysing the text again
        body=TEXT(analyzer=analyzer, stored=True, spelling=True, chars=True),
        # The body's words twice more, lighter: which documents hold a word is read from `words` (no
        # positions) ten times faster than from the body's postings, which carry every occurrence's position
        # and offsets; phrases are checked on `word_positions` (positions only), twice as fast as on the body.
        words=FieldType(formats.Existence(), analyzer),
        word_positions=FieldType(formats.Positions(), analyzer),
        url=STORED(),
        updated=DATETIME(stored=True, sortable=True),
        cohort_id=ID(stored=True),
        atelier_id=ID(stored=True),
        owner_id=ID(stored=True),
        visibility=ID(stored=True),
        readers=KEYWORD(stored=True, commas=True),
        visible_from=DATETIME(),
        visible_until=DATETIME(),
        # "name:value" terms, one per facet value (values are kept whole: no analysis)
        facets=KEYWORD(stored=True, commas=True, lowercase=False, scorable=True),
        # 0 when the document has none
        year=NUMERIC(int, bits=32, stored=True, sortable=True, default=0),
    )


def index_path() -> Path:
    """The index folder (SEARCH_INDEX_PATH, default instance/search-index)."""
    configured = current_app.config.get("SEARCH_INDEX_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "search-index"


def _reading(action):
    """action(), tried again when another process's commit removed the files it was opening: Whoosh deletes a
    previous generation without waiting for readers, who then simply open the new one."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return action()
        except FileNotFoundError:
            if attempt + 1 == OPEN_ATTEMPTS:
                raise
            time.sleep(0.01 * (attempt + 1))


def _outdated(ix: index.Index) -> bool:
    """Whether the index was created by an older schema (a field of today's schema is missing, or the body
    lacks the words' offsets that snippets are cut with)."""
    names = set(ix.schema.names())
    return not set(build_schema().names()) <= names or not ix.schema["body"].supports("characters")


def open_index() -> index.Index:
    """The index, created empty on first use; an index of an older schema is recreated empty (and a warning
    logged): the index only mirrors the database, and `portal reindex` refills it."""
    path = index_path()
    if _reading(lambda: index.exists_in(path)):
        ix = _reading(lambda: index.open_dir(path))
        if not _outdated(ix):
            return ix
        ix.close()
    path.mkdir(parents=True, exist_ok=True)
    # Whoosh's create_in wipes whatever index files are there, without any lock: when several processes
    # arrive first at once, it is created under the writers' lock, by the first one only.
    lock = FileStorage(str(path)).lock(f"{index._DEF_INDEX_NAME}_WRITELOCK")
    if not try_for(lock.acquire, timeout=WRITER_TIMEOUT, delay=0.05):
        raise index.LockError(f"the search index {path} stayed locked")
    try:
        if not _reading(lambda: index.exists_in(path)):
            index.create_in(path, build_schema())
        else:
            ix = _reading(lambda: index.open_dir(path))
            outdated = _outdated(ix)
            ix.close()
            if outdated:
                log.warning(
                    "the search index %s was built by an older version: recreated empty, "
                    "run `portal reindex` to fill it again",
                    path,
                )
                index.create_in(path, build_schema())
    finally:
        lock.release()
    return _reading(lambda: index.open_dir(path))


EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(9999, 12, 31)


def _fields(doc: SearchDoc) -> dict:
    updated = doc.updated_dt.astimezone(UTC).replace(tzinfo=None)
    return {
        "doc_id": doc.doc_id,
        "plugin": doc.plugin,
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "words": doc.body,
        "word_positions": doc.body,
        "url": doc.url,
        "updated": updated,
        "cohort_id": str(doc.cohort_id or ""),
        "atelier_id": str(doc.atelier_id or ""),
        "owner_id": str(doc.owner_id or ""),
        "visibility": doc.visibility,
        "readers": ",".join(str(r) for r in doc.reader_ids),
        # Open ends are stored as far dates, so that one range query checks the window.
        "visible_from": _naive_utc(doc.visible_from) or EARLIEST,
        "visible_until": _naive_utc(doc.visible_until) or LATEST,
        "facets": ",".join(
            facet_term(name, value) for name, values in doc.facets.items() for value in values if value
        ),
        "year": doc.year or 0,
    }


def facet_term(name: str, value: str) -> str:
    """The indexed term of one facet value: "name:value" (commas, which separate terms, become spaces)."""
    return f"{name}:{str(value).replace(',', ' ').strip()}"


def _stored_facets(stored: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for term in filter(None, (t.strip() for t in (stored or "").split(","))):
        name, _, value = term.partition(":")
        found.setdefault(name, []).append(value)
    return {name: tuple(values) for name, values in found.items()}


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _writer(ix: index.Index) -> writing.IndexWriter:
    # The lock is a file lock shared by every process; waiting for it, rather than failing, loses no write.
    return ix.writer(timeout=WRITER_TIMEOUT, delay=0.05)


# -- changes, applied after the commit ----------------------------------------------------------------
def _pending() -> dict[str, SearchDoc | None]:
    session = db.session()
    if not session.in_transaction():
        # Without a transaction begun, a rollback is a no-op that fires no event: the change would wait for
        # the next commit instead of being dropped.
        session.begin()
    return session.info.setdefault(_PENDING, {})


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
    writer = _writer(open_index())
    try:
        for doc_id, doc in changes.items():
            if doc is None:
                writer.delete_by_term("doc_id", doc_id)
            else:
                writer.update_document(**_fields(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


@event.listens_for(Session, "after_commit")
def _apply_pending(session: Session) -> None:
    changes = session.info.pop(_PENDING, None)
    if not changes:
        return
    try:
        apply_changes(changes)
    except Exception:
        # The database change stands; `portal reindex` brings the index back in line.
        log.exception("search index update failed for %d document(s)", len(changes))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def rebuild(documents: Iterable[SearchDoc]) -> Iterator[SearchDoc]:
    """Replace the whole index by these documents, yielding each as it is written (for a progress bar);
    searches keep seeing the old index until the new one is committed."""
    ix = open_index()
    if ix.schema.names() != build_schema().names() or _outdated(ix):
        ix.close()
        _forget_snapshots()
        shutil.rmtree(index_path())
        ix = open_index()
    writer = _writer(ix)
    try:
        for doc in documents:
            writer.add_document(**_fields(doc))
            yield doc
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=writing.CLEAR, optimize=True)


# -- searchers kept open, and the document sets computed on them ------------------------------------------
#: Index folders a process keeps searchers open on (a site has one; the tests use many).
KEPT_INDEXES = 4
#: Document numbers the sets cached on one searcher may hold in all (about 60 bytes each: 30 MB).
KEPT_DOCNUMS = 500_000


class _Snapshot:
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

    def latest(self) -> _Snapshot:
        """This snapshot if the index has not changed since, else one on its latest generation."""
        if self.searcher.up_to_date():
            return self
        # Not Whoosh's refresh(): the reader it builds keeps the segments merged away and misses new
        # deletions.
        self.searcher.close()
        return _Snapshot(_reading(open_index().searcher))


_pool_lock = threading.Lock()
#: index folder -> snapshots not in use (as many as threads have searched at once)
_idle: OrderedDict[str, list[_Snapshot]] = OrderedDict()


@contextmanager
def _snapshot() -> Iterator[_Snapshot]:
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
        snapshot = snapshot.latest() if snapshot else _Snapshot(_reading(open_index().searcher))
        yield snapshot
    except BaseException:
        # A snapshot that failed (files gone under it, say) is not handed out again.
        if snapshot is not None:
            snapshot.searcher.close()
        raise
    with _pool_lock:
        _idle.setdefault(path, []).append(snapshot)


def _forget_snapshots() -> None:
    """Close this process's searchers on the index (before its folder is replaced)."""
    with _pool_lock:
        for snapshot in _idle.pop(str(index_path()), []):
            snapshot.searcher.close()


# -- queries ------------------------------------------------------------------------------------------
def _shared_access(cohorts, ateliers, managed, now: datetime) -> query.Query:
    """What every user with these memberships may open at this moment."""
    audience: list[query.Query] = [query.Term("visibility", "all")]
    audience += [
        query.And([query.Term("visibility", "cohort"), query.Term("cohort_id", str(c))]) for c in cohorts
    ]
    audience += [
        query.And([query.Term("visibility", "atelier"), query.Term("atelier_id", str(a))]) for a in ateliers
    ]
    window = query.And(
        [
            query.DateRange("visible_from", None, now),
            query.DateRange("visible_until", now, None, startexcl=True),
        ]
    )
    terms: list[query.Query] = [query.And([query.Or(audience), window])]
    # The équipe pédagogique sees every document of the cohorts it manages, whatever its window.
    terms += [query.Term("cohort_id", str(c)) for c in managed]
    if managed:
        # Visibility "staff": anyone who manages a cohort (e.g. a staff-only monograph of the library).
        terms.append(query.Term("visibility", "staff"))
    return query.Or(terms)


def _access_docs(snapshot: _Snapshot, user) -> frozenset[int] | None:
    """The documents the user may open: None for an admin (everything).

    What a user's groups may open is computed once per index generation and visibility period and shared by
    everyone with the same memberships; what is theirs alone (owned, or addressed to them) is added."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    managed = managed_cohort_ids(user)
    if managed is None:
        return None
    cohorts, ateliers = tuple(sorted(cohort_ids(user))), tuple(sorted(atelier_ids(user)))
    now = datetime.now(UTC).replace(tzinfo=None)
    managed = tuple(sorted(managed))
    shared = snapshot.docs(
        ("access", cohorts, ateliers, managed, snapshot.window_period(now)),
        lambda: snapshot.searcher.docs_for_query(_shared_access(cohorts, ateliers, managed, now)),
    )
    own = snapshot.query_docs(
        query.Or([query.Term("owner_id", str(user.id)), query.Term("readers", str(user.id))])
    )
    return shared | own if own else shared


@dataclass(frozen=True)
class Hit:
    """One result: the stored fields and a highlighted snippet (safe HTML)."""

    doc_id: str
    plugin: str
    kind: str
    title: str
    url: str
    snippet: Markup
    updated: datetime
    #: the document's year (None when it has none)
    year: int | None = None
    #: its facet values, e.g. {"region": ("Bretagne",)}
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Results:
    """One page of results."""

    hits: list[Hit]
    total: int
    page: int
    pages: int
    #: a corrected query when the words are unknown and nothing was found
    suggestion: str | None
    #: for each facet asked for, its values and how many matches the user may open have each, most first
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: the query had text but no word to search for (only stop words, punctuation or operators)
    no_words: bool = False


class _Escaped(highlight.HtmlFormatter):
    """Snippets with matched words in <mark>; the text itself is escaped by Whoosh."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        """A matched word, escaped, in a plain <mark>."""
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"


#: Result orders: relevance, newest year first, oldest year first (documents without a year last).
SORTS = ("relevance", "year_desc", "year_asc")


def _parser(schema) -> MultifieldParser:
    parser = MultifieldParser(["title", "body"], schema=schema, group=OrGroup.factory(0.9))
    parser.remove_plugin_class(FuzzyTermPlugin)
    # Only the title and the body are searched: "url:x" or "owner_id:3" are words, not fields.
    parser.remove_plugin_class(FieldsPlugin)
    # "-" and "+" are operators only before a word, never inside one: "tiers-lieu" is a word, not "tiers"
    # without "lieu".
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<!\w)\+", minusexpr=r"(?<!\w)-"))
    return parser


def _facet_filter(name: str, values: Iterable[str]) -> query.Query | None:
    """Any of the values of one facet (OR within a facet)."""
    terms = [query.Term("facets", facet_term(name, value)) for value in values if value]
    return query.Or(terms) if terms else None


def search(
    user,
    text: str,
    page: int = 1,
    page_size: int = 10,
    plugin: str | None = None,
    *,
    filters: dict[str, Iterable[str]] | None = None,
    facet_names: Iterable[str] = (),
    sort: str = "relevance",
) -> Results:
    """Search what the user may open; an empty, stop-word-only or unparsable query gives no result.

    filters keeps the documents having, for every facet named, one of the values given (AND across facets,
    OR within one); facet_names asks for the counts of those facets' values over the matches the user may
    open, each facet counted with the filters of the other facets only (so that values of a facet already
    filtered by can still be added); sort is one of SORTS ("*" with a year sort lists everything).
    """
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    empty = Results([], 0, 1, 0, None)
    if not text:
        return empty
    with _snapshot() as snapshot:
        searcher = snapshot.searcher
        parser = _parser(searcher.schema)
        parsed = parser.parse(text)
        if parsed is query.NullQuery or not list(parsed.leaves()):
            return Results([], 0, 1, 0, None, no_words=True)
        access = _access_docs(snapshot, user)
        if access is not None and not access:
            return empty
        scope = _intersection([access, snapshot.term_docs("plugin", plugin) if plugin else None])
        by_facet = {
            name: _facet_docs(snapshot, name, chosen)
            for name, values in (filters or {}).items()
            if (chosen := [value for value in values if value])
        }
        matches = _matching(snapshot, parsed)
        allowed = _intersection([scope, *by_facet.values()])
        visible = matches if allowed is None else matches & allowed
        counts = {name: _facet_counts(snapshot, name, matches, scope, by_facet) for name in facet_names}
        if not visible:
            suggestion = _suggestion(snapshot, parser, text, allowed) if allowed is None or allowed else None
            no_words = next(iter(searcher.schema["body"].analyzer(text)), None) is None
            return Results([], 0, 1, 0, suggestion, counts, no_words)
        pages = -(-len(visible) // page_size)
        page = min(max(page, 1), pages)
        hits = _page(snapshot, parsed, visible, sort, slice((page - 1) * page_size, page * page_size))
        return Results(hits, len(visible), page, pages, None, counts)


def _page(snapshot: _Snapshot, parsed: query.Query, visible: frozenset[int], sort: str, wanted: slice):
    """The hits of one page: ranked by Whoosh for relevance, else taken in year order from the visible
    documents; with highlighted snippets when the query has words."""
    searcher = snapshot.searcher
    everything = _lists_everything(parsed)
    if sort == "relevance" and not everything:
        # Only the documents to show are ranked; the filter is the exact set of those the user may open.
        results = searcher.search(_ranking(parsed), limit=wanted.stop, filter=set(visible), terms=True)
        docnums = [hit.docnum for hit in results[wanted]]
    else:
        order = snapshot.order(sort) if sort in SORTS[1:] else sorted(visible)
        docnums = list(
            itertools.islice((docnum for docnum in order if docnum in visible), wanted.start, wanted.stop)
        )
        if everything:
            return [_hit(searcher.stored_fields(docnum), "") for docnum in docnums]
        results = searcher.search(_ranking(parsed), limit=len(docnums), filter=set(docnums), terms=True)
    # The words' offsets stored in the index (chars=True) place the snippet without analysing the body
    # again (re-stemming whole texts cost 25 ms per hit on long documents).
    results.fragmenter = highlight.PinpointFragmenter(maxchars=220, surround=60)
    results.formatter = _Escaped()
    found = {hit.docnum: hit for hit in results}
    return [_hit(found[docnum], found[docnum].highlights("body")) for docnum in docnums]


def _lists_everything(q: query.Query) -> bool:
    """Whether the query is "*" (every document)."""
    return isinstance(q, query.Every) or (
        type(q) is query.Or and all(isinstance(child, query.Every) for child in q.children())
    )


def _matching(snapshot: _Snapshot, parsed: query.Query) -> frozenset[int]:
    """Every document matching the query, unranked: from the words' sets when the query is made of words
    only, else from Whoosh's matchers (phrases, prefixes, "*")."""
    if _lists_everything(parsed):
        return snapshot.docs(("everything",), snapshot.searcher.reader().all_doc_ids)
    words = _word_docs(snapshot, parsed)
    return snapshot.query_docs(_on_positions(parsed)) if words is None else words


def _ranking(q: query.Query) -> query.Query:
    """The query the matches are ranked and highlighted with: a phrase becomes its words, all required.

    The documents holding the phrase are already known (they are the filter); matching its words' positions a
    second time would cost as much again as finding them."""
    if isinstance(q, query.Phrase):
        return query.And([query.Term(q.fieldname, word) for word in q.words], boost=q.boost)
    if isinstance(q, query.AndNot):
        # What is excluded stays exact: its words apart must not exclude a match.
        return query.AndNot(_ranking(q.a), q.b)
    if isinstance(q, query.BinaryQuery):
        return type(q)(_ranking(q.a), _ranking(q.b))
    if isinstance(q, query.CompoundQuery):
        ranked = copy.copy(q)
        ranked.subqueries = [_ranking(child) for child in q.subqueries]
        return ranked
    return q


def _phrase_docs(snapshot: _Snapshot, q: query.Phrase) -> frozenset[int] | None:
    """The documents holding the phrase's words next to each other, in order: those holding all its words
    (from the words' sets), kept when their positions line up; None for a phrase with a slop.

    Whoosh's own phrase matcher builds an object per occurrence of each word: comparing position sets costs
    half as much."""
    if q.slop != 1 or q.fieldname not in ("title", "body"):
        return None
    words_field, positions_field = (
        ("words", "word_positions") if q.fieldname == "body" else ("title", "title")
    )
    candidates = frozenset.intersection(*(snapshot.term_docs(words_field, word) for word in q.words))
    if len(q.words) < 2 or not candidates:
        return candidates
    reader = snapshot.searcher.reader()
    return snapshot.docs(
        ("phrase", q.fieldname, tuple(q.words)),
        lambda: _adjacent(reader, positions_field, q.words, candidates),
    )


def _adjacent(reader, fieldname: str, words: list[str], candidates: frozenset[int]) -> Iterator[int]:
    """The candidates in which the words follow each other at consecutive positions."""
    matchers = [reader.postings(fieldname, word) for word in words]
    for docnum in sorted(candidates):
        starts: set[int] = set()
        for offset, matcher in enumerate(matchers):
            matcher.skip_to(docnum)
            shifted = {position - offset for position in matcher.value_as("positions")}
            starts = shifted if offset == 0 else starts & shifted
            if not starts:
                break
        else:
            yield docnum


def _on_positions(q: query.Query) -> query.Query:
    """The query with its phrases of the body checked on `word_positions`."""
    if isinstance(q, query.Phrase) and q.fieldname == "body":
        return query.Phrase("word_positions", q.words, slop=q.slop, boost=q.boost)
    return q.apply(_on_positions)


def _word_docs(snapshot: _Snapshot, q: query.Query) -> frozenset[int] | None:
    """The documents matching a query of words combined by OR, AND, AND NOT and ANDMAYBE; None for any other
    query. A word of the body is read from the `words` field, which holds the same terms without positions."""
    kind = type(q)
    if kind is query.Term and q.fieldname in ("title", "body"):
        return snapshot.term_docs("words" if q.fieldname == "body" else "title", q.text)
    if kind is query.Phrase:
        return _phrase_docs(snapshot, q)
    if kind not in (query.Or, query.And, query.AndNot, query.AndMaybe):
        return None
    parts = [_word_docs(snapshot, child) for child in q.children()]
    if any(part is None for part in parts):
        return None
    if kind is query.Or:
        return frozenset().union(*parts)
    if kind is query.And:
        return frozenset.intersection(*parts)
    if kind is query.AndNot:
        return parts[0] - parts[1]
    return parts[0]  # ANDMAYBE: the optional words only change the order


def _hit(hit, highlighted: str) -> Hit:
    return Hit(
        doc_id=hit["doc_id"],
        plugin=hit["plugin"],
        kind=hit["kind"],
        title=hit["title"],
        url=hit["url"],
        snippet=Markup(highlighted or _escape(hit["body"][:220])),  # noqa: S704 - escaped
        updated=hit["updated"].replace(tzinfo=UTC),
        year=hit.get("year") or None,
        facets=_stored_facets(hit.get("facets", "")),
    )


def _facet_docs(snapshot: _Snapshot, name: str, values: Iterable[str]) -> frozenset[int]:
    """The documents having any of these values of a facet (OR within a facet)."""
    return frozenset().union(*(snapshot.term_docs("facets", facet_term(name, value)) for value in values))


def _intersection(sets: list[frozenset[int] | None]) -> frozenset[int] | None:
    """The documents in every set given (None: no restriction)."""
    present = [docs for docs in sets if docs is not None]
    if not present:
        return None
    return frozenset.intersection(*present) if len(present) > 1 else present[0]


def _facet_counts(snapshot: _Snapshot, name: str, matches, scope, by_facet) -> list[tuple[str, int]]:
    """How many matches the user may open have each value of the facet, the filters of the other facets
    applied; most frequent first, then alphabetical; values without a match left out."""
    allowed = _intersection([scope, *(docs for other, docs in by_facet.items() if other != name)])
    matching = matches if allowed is None else matches & allowed
    if not matching:
        return []
    prefix = facet_term(name, "")
    counts = [
        (term[len(prefix) :], count)
        for term in snapshot.facet_terms(name)
        if (count := len(matching & snapshot.term_docs("facets", term)))
    ]
    return sorted(counts, key=lambda item: (-item[1], item[0].casefold()))


def similar(
    user, doc_id: str, facet_names: Iterable[str], limit: int = 5, plugin: str | None = None
) -> list[Hit]:
    """Documents the user may open sharing values of these facets with doc_id (most shared first)."""
    with _snapshot() as snapshot:
        searcher = snapshot.searcher
        access = _access_docs(snapshot, user)
        scope = _intersection([access, snapshot.term_docs("plugin", plugin) if plugin else None])
        docnum = searcher.document_number(doc_id=doc_id)
        if docnum is None or (scope is not None and not scope - {docnum}):
            return []
        facets = _stored_facets(searcher.stored_fields(docnum).get("facets", ""))
        terms = [
            query.Term("facets", facet_term(name, value))
            for name in facet_names
            for value in facets.get(name, ())
        ]
        if not terms:
            return []
        results = searcher.search(
            query.Or(terms), limit=limit, filter=None if scope is None else set(scope), mask={docnum}
        )
        return [_hit(hit, "") for hit in results]


def _suggestion(snapshot: _Snapshot, parser, text: str, allowed: frozenset[int] | None) -> str | None:
    """The query with each unknown word replaced by the closest indexed word (before stemming) that finds a
    document the user may open: a suggestion never reveals a word of a document they may not open."""
    searcher = snapshot.searcher
    reader = searcher.reader()
    analyzer = searcher.schema["body"].analyzer
    corrector = reader.corrector("body")
    words = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, no_morph=True)]
    parts, end = [], 0
    for word, start, stop in words:
        original = text[start:stop]
        if original in _OPERATORS or len(word) < 3:
            continue
        if any((field, stem.text) in reader for stem in analyzer(original) for field in ("title", "body")):
            continue
        for candidate in corrector.suggest(word, limit=3, maxdist=2 if len(word) > 5 else 1):
            found = _matching(snapshot, parser.parse(candidate))
            if found and (allowed is None or not found.isdisjoint(allowed)):
                parts.append(text[end:start] + candidate)
                end = stop
                break
    return "".join(parts) + text[end:] if parts else None


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
