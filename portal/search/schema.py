"""The index's schema: the French analyser, the fields of every document, and a document's values for
them."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh import formats
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from portal.plugins import SearchDoc

#: French stop words, with and without accents, and the elided forms (l', d', qu' ...).
FRENCH_STOP_WORDS = (
    frozenset(stopwords_for_language("fr"))
    | {word.translate(accent_map) for word in stopwords_for_language("fr")}
    | {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"}
    # missing from Whoosh's (Snowball's) list, "les" first of all
    | {"les", "ils", "elles", "cet", "cette", "leurs"}
)


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


EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(9999, 12, 31)


def document_fields(doc: SearchDoc) -> dict:
    """The values a document is indexed with."""
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


def stored_facets(stored: str) -> dict[str, tuple[str, ...]]:
    """A document's facet values, from their stored terms."""
    found: dict[str, list[str]] = {}
    for term in filter(None, (t.strip() for t in (stored or "").split(","))):
        name, _, value = term.partition(":")
        found.setdefault(name, []).append(value)
    return {name: tuple(values) for name, values in found.items()}


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None
