"""The search index: the only module that imports whoosh. French analyser, access fields on every document,
every query filtered by what the user may open, updates after commit, safe with several writer processes."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import highlight, index, query, sorting, writing
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.lang import stopwords_for_language
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import FieldsPlugin, FuzzyTermPlugin, PlusMinusPlugin
from whoosh.searching import ResultsPage
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


# -- queries ------------------------------------------------------------------------------------------
def access_filter(user) -> query.Query | None:
    """What the user may open: None for an admin (everything), else a query over the access fields."""
    if user is None or not getattr(user, "is_authenticated", False):
        return query.NullQuery
    managed = managed_cohort_ids(user)
    if managed is None:
        return None
    audience: list[query.Query] = [query.Term("visibility", "all")]
    audience += [
        query.And([query.Term("visibility", "cohort"), query.Term("cohort_id", str(c))])
        for c in cohort_ids(user)
    ]
    audience += [
        query.And([query.Term("visibility", "atelier"), query.Term("atelier_id", str(a))])
        for a in atelier_ids(user)
    ]
    now = datetime.now(UTC).replace(tzinfo=None)
    window = query.And(
        [
            query.DateRange("visible_from", None, now),
            query.DateRange("visible_until", now, None, startexcl=True),
        ]
    )
    terms: list[query.Query] = [
        query.And([query.Or(audience), window]),
        query.Term("owner_id", str(user.id)),
        query.Term("readers", str(user.id)),
    ]
    # The équipe pédagogique sees every document of the cohorts it manages, whatever its window.
    terms += [query.Term("cohort_id", str(c)) for c in managed]
    if managed:
        # Visibility "staff": anyone who manages a cohort (e.g. a staff-only monograph of the library).
        terms.append(query.Term("visibility", "staff"))
    return query.Or(terms)


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


def _sorted_by(sort: str):
    if sort == "year_desc":
        return sorting.FieldFacet("year", reverse=True)
    if sort == "year_asc":
        # Documents without a year (0) after every dated one.
        dated = sorting.QueryFacet({"0-dated": query.NumericRange("year", 1, None)}, other="1-undated")
        return sorting.MultiFacet([dated, sorting.FieldFacet("year")])
    return None


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
    ix = open_index()
    parser = _parser(ix.schema)
    parsed = parser.parse(text)
    if parsed is query.NullQuery or not list(parsed.leaves()):
        return Results([], 0, 1, 0, None, no_words=True)
    allowed = access_filter(user)
    if allowed is query.NullQuery:
        return empty
    restrict = [allowed] if allowed is not None else []
    if plugin:
        restrict.append(query.Term("plugin", plugin))
    by_facet = {
        name: chosen
        for name, values in (filters or {}).items()
        if (chosen := _facet_filter(name, values)) is not None
    }
    with _reading(ix.searcher) as searcher:
        # The filters as sets of document numbers, each computed once and reused for the hits, the total,
        # the facet counts and the suggestion (the access query alone has hundreds of terms).
        access_docs = set(searcher.docs_for_query(query.And(restrict))) if restrict else None
        facet_docs = {name: set(searcher.docs_for_query(chosen)) for name, chosen in by_facet.items()}
        allowed_filter = _intersection([access_docs, *facet_docs.values()])
        if allowed_filter is not None and not allowed_filter:
            # Nothing the user may open passes the filters (and Whoosh reads an empty set as no filter).
            no_words = next(iter(searcher.schema["body"].analyzer(text)), None) is None
            return Results([], 0, 1, 0, None, {name: [] for name in facet_names}, no_words)
        limit = max(page, 1) * page_size
        results = searcher.search(
            parsed, limit=limit, filter=allowed_filter, terms=True, sortedby=_sorted_by(sort)
        )
        total = _total(searcher, results, limit, parsed, allowed_filter)
        pages = max(1, -(-total // page_size))
        page_obj = ResultsPage(results, min(max(page, 1), pages), page_size)
        # The words' offsets stored in the index (chars=True) place the snippet without analysing the body
        # again (re-stemming whole texts cost 25 ms per hit on long documents).
        page_obj.results.fragmenter = highlight.PinpointFragmenter(maxchars=220, surround=60)
        page_obj.results.formatter = _Escaped()
        hits = [_hit(hit, hit.highlights("body")) for hit in page_obj]
        suggestion = _suggestion(searcher, parser, text, allowed_filter) if total == 0 else None
        matches = set(searcher.docs_for_query(parsed)) if facet_names else set()
        cache: dict[tuple[str, ...], set[int]] = {}
        counts = {
            name: _facet_counts(searcher, name, matches, access_docs, facet_docs, cache)
            for name in facet_names
        }
        no_words = total == 0 and next(iter(searcher.schema["body"].analyzer(text)), None) is None
        return Results(hits, total, page_obj.pagenum, pages, suggestion, counts, no_words)


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


def _intersection(sets: list[set[int] | None]) -> set[int] | None:
    """The documents in every set given (None: no restriction)."""
    present = [docs for docs in sets if docs is not None]
    if not present:
        return None
    return set.intersection(*present) if len(present) > 1 else present[0]


def _facet_counts(searcher, name: str, matches, access_docs, facet_docs, cache) -> list[tuple[str, int]]:
    """How many matches the user may open have each value of the facet, the filters of the other facets
    applied; most frequent first, then alphabetical; values without a match left out."""
    others = tuple(sorted(other for other in facet_docs if other != name))
    if others not in cache:
        # Facets not filtered by share one match set.
        allowed = _intersection([access_docs, *(facet_docs[other] for other in others)])
        cache[others] = matches if allowed is None else matches & allowed
    matching = cache[others]
    if not matching:
        return []
    reader = searcher.reader()
    prefix = facet_term(name, "")
    counts = []
    for term in reader.expand_prefix("facets", prefix):
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        count = len(matching.intersection(reader.postings("facets", term).all_ids()))
        if count:
            counts.append((term[len(prefix) :], count))
    return sorted(counts, key=lambda item: (-item[1], item[0].casefold()))


def similar(
    user, doc_id: str, facet_names: Iterable[str], limit: int = 5, plugin: str | None = None
) -> list[Hit]:
    """Documents the user may open sharing values of these facets with doc_id (most shared first)."""
    ix = open_index()
    allowed = access_filter(user)
    if allowed is query.NullQuery:
        return []
    with _reading(ix.searcher) as searcher:
        stored = searcher.document(doc_id=doc_id)
        if stored is None:
            return []
        facets = _stored_facets(stored.get("facets", ""))
        terms = [
            query.Term("facets", facet_term(name, value))
            for name in facet_names
            for value in facets.get(name, ())
        ]
        if not terms:
            return []
        restrict = [query.Not(query.Term("doc_id", doc_id))]
        restrict += [allowed] if allowed is not None else []
        restrict += [query.Term("plugin", plugin)] if plugin else []
        results = searcher.search(query.Or(terms), limit=limit, filter=query.And(restrict))
        return [_hit(hit, "") for hit in results]


def _suggestion(searcher, parser, text: str, allowed: set[int] | None) -> str | None:
    """The query with each unknown word replaced by the closest indexed word (before stemming) that finds a
    document the user may open: a suggestion never reveals a word of a document they may not open."""
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
            if not searcher.search(parser.parse(candidate), limit=1, filter=allowed).is_empty():
                parts.append(text[end:start] + candidate)
                end = stop
                break
    return "".join(parts) + text[end:] if parts else None


def _total(searcher, results, limit: int, parsed, allowed_filter: set[int] | None) -> int:
    """How many documents the user may open match; Whoosh's own count ignores the filter, so when the
    hits do not all fit in the limit the filter is applied to the whole match set here."""
    if allowed_filter is None:
        return len(results)
    if results.scored_length() < limit:
        return results.scored_length()
    return len(allowed_filter.intersection(searcher.docs_for_query(parsed)))


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
