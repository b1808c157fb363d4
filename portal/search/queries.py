"""Searching: a page of ranked hits with snippets, the exact total and facet counts; similar documents;
spelling suggestions."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from markupsafe import Markup, escape
from whoosh import highlight, query
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import FieldsPlugin, FuzzyTermPlugin, PlusMinusPlugin

from portal.search.access import access_docs
from portal.search.matching import facet_counts, facet_docs, intersection, lists_everything, matching, ranking
from portal.search.schema import facet_term, stored_facets
from portal.search.snapshots import Snapshot, borrow

#: Longest query taken into account; the rest is dropped.
MAX_QUERY_LENGTH = 500
#: Words of the query syntax, never corrected.
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


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
    with borrow() as snapshot:
        searcher = snapshot.searcher
        parser = _parser(searcher.schema)
        parsed = parser.parse(text)
        if parsed is query.NullQuery or not list(parsed.leaves()):
            return Results([], 0, 1, 0, None, no_words=True)
        access = access_docs(snapshot, user)
        if access is not None and not access:
            return empty
        scope = intersection([access, snapshot.term_docs("plugin", plugin) if plugin else None])
        by_facet = {
            name: facet_docs(snapshot, name, chosen)
            for name, values in (filters or {}).items()
            if (chosen := [value for value in values if value])
        }
        matches = matching(snapshot, parsed)
        allowed = intersection([scope, *by_facet.values()])
        visible = matches if allowed is None else matches & allowed
        counts = {name: facet_counts(snapshot, name, matches, scope, by_facet) for name in facet_names}
        if not visible:
            suggestion = _suggestion(snapshot, parser, text, allowed) if allowed is None or allowed else None
            no_words = next(iter(searcher.schema["body"].analyzer(text)), None) is None
            return Results([], 0, 1, 0, suggestion, counts, no_words)
        pages = -(-len(visible) // page_size)
        page = min(max(page, 1), pages)
        hits = _page(snapshot, parsed, visible, sort, slice((page - 1) * page_size, page * page_size))
        return Results(hits, len(visible), page, pages, None, counts)


def _page(snapshot: Snapshot, parsed: query.Query, visible: frozenset[int], sort: str, wanted: slice):
    """The hits of one page: ranked by Whoosh for relevance, else taken in year order from the visible
    documents; with highlighted snippets when the query has words."""
    searcher = snapshot.searcher
    everything = lists_everything(parsed)
    if sort == "relevance" and not everything:
        # Only the documents to show are ranked; the filter is the exact set of those the user may open.
        results = searcher.search(ranking(parsed), limit=wanted.stop, filter=set(visible), terms=True)
        docnums = [hit.docnum for hit in results[wanted]]
    else:
        order = snapshot.order(sort) if sort in SORTS[1:] else sorted(visible)
        docnums = list(
            itertools.islice((docnum for docnum in order if docnum in visible), wanted.start, wanted.stop)
        )
        if everything:
            return [_hit(searcher.stored_fields(docnum), "") for docnum in docnums]
        results = searcher.search(ranking(parsed), limit=len(docnums), filter=set(docnums), terms=True)
    # The words' offsets stored in the index (chars=True) place the snippet without analysing the body
    # again (re-stemming whole texts cost 25 ms per hit on long documents).
    results.fragmenter = highlight.PinpointFragmenter(maxchars=220, surround=60)
    results.formatter = _Escaped()
    found = {hit.docnum: hit for hit in results}
    return [_hit(found[docnum], found[docnum].highlights("body")) for docnum in docnums]


def _hit(hit, highlighted: str) -> Hit:
    return Hit(
        doc_id=hit["doc_id"],
        plugin=hit["plugin"],
        kind=hit["kind"],
        title=hit["title"],
        url=hit["url"],
        snippet=Markup(highlighted or escape(hit["body"][:220])),  # noqa: S704 - escaped
        updated=hit["updated"].replace(tzinfo=UTC),
        year=hit.get("year") or None,
        facets=stored_facets(hit.get("facets", "")),
    )


def similar(
    user, doc_id: str, facet_names: Iterable[str], limit: int = 5, plugin: str | None = None
) -> list[Hit]:
    """Documents the user may open sharing values of these facets with doc_id (most shared first)."""
    with borrow() as snapshot:
        searcher = snapshot.searcher
        access = access_docs(snapshot, user)
        scope = intersection([access, snapshot.term_docs("plugin", plugin) if plugin else None])
        docnum = searcher.document_number(doc_id=doc_id)
        if docnum is None or (scope is not None and not scope - {docnum}):
            return []
        facets = stored_facets(searcher.stored_fields(docnum).get("facets", ""))
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


def _suggestion(snapshot: Snapshot, parser, text: str, allowed: frozenset[int] | None) -> str | None:
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
            found = matching(snapshot, parser.parse(candidate))
            if found and (allowed is None or not found.isdisjoint(allowed)):
                parts.append(text[end:start] + candidate)
                end = stop
                break
    return "".join(parts) + text[end:] if parts else None
