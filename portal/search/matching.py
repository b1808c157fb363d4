"""Which documents match a query, by set algebra on a snapshot's cached sets; facet counts; the query
the matches are ranked with."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

from whoosh import query

from portal.search.schema import facet_term
from portal.search.snapshots import Snapshot


def lists_everything(q: query.Query) -> bool:
    """Whether the query is "*" (every document)."""
    return isinstance(q, query.Every) or (
        type(q) is query.Or and all(isinstance(child, query.Every) for child in q.children())
    )


def matching(snapshot: Snapshot, parsed: query.Query) -> frozenset[int]:
    """Every document matching the query, unranked: from the words' sets when the query is made of words
    only, else from Whoosh's matchers (phrases, prefixes, "*")."""
    if lists_everything(parsed):
        return snapshot.docs(("everything",), snapshot.searcher.reader().all_doc_ids)
    words = _word_docs(snapshot, parsed)
    return snapshot.query_docs(_on_positions(parsed)) if words is None else words


def ranking(q: query.Query) -> query.Query:
    """The query the matches are ranked and highlighted with: a phrase becomes its words, all required.

    The documents holding the phrase are already known (they are the filter); matching its words' positions a
    second time would cost as much again as finding them."""
    if isinstance(q, query.Phrase):
        return query.And([query.Term(q.fieldname, word) for word in q.words], boost=q.boost)
    if isinstance(q, query.AndNot):
        # What is excluded stays exact: its words apart must not exclude a match.
        return query.AndNot(ranking(q.a), q.b)
    if isinstance(q, query.BinaryQuery):
        return type(q)(ranking(q.a), ranking(q.b))
    if isinstance(q, query.CompoundQuery):
        ranked = copy.copy(q)
        ranked.subqueries = [ranking(child) for child in q.subqueries]
        return ranked
    return q


def _phrase_docs(snapshot: Snapshot, q: query.Phrase) -> frozenset[int] | None:
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


def _word_docs(snapshot: Snapshot, q: query.Query) -> frozenset[int] | None:
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


def facet_docs(snapshot: Snapshot, name: str, values: Iterable[str]) -> frozenset[int]:
    """The documents having any of these values of a facet (OR within a facet)."""
    return frozenset().union(*(snapshot.term_docs("facets", facet_term(name, value)) for value in values))


def intersection(sets: list[frozenset[int] | None]) -> frozenset[int] | None:
    """The documents in every set given (None: no restriction)."""
    present = [docs for docs in sets if docs is not None]
    if not present:
        return None
    return frozenset.intersection(*present) if len(present) > 1 else present[0]


def facet_counts(snapshot: Snapshot, name: str, matches, scope, by_facet) -> list[tuple[str, int]]:
    """How many matches the user may open have each value of the facet, the filters of the other facets
    applied; most frequent first, then alphabetical; values without a match left out."""
    allowed = intersection([scope, *(docs for other, docs in by_facet.items() if other != name)])
    counted = matches if allowed is None else matches & allowed
    if not counted:
        return []
    prefix = facet_term(name, "")
    counts = [
        (term[len(prefix) :], count)
        for term in snapshot.facet_terms(name)
        if (count := len(counted & snapshot.term_docs("facets", term)))
    ]
    return sorted(counts, key=lambda item: (-item[1], item[0].casefold()))
