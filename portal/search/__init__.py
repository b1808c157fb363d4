"""The search index: the only package that imports whoosh. French analyser, access fields on every document,
every query filtered by what the user may open, updates after commit, safe with several writer processes.

Its modules: `schema` (analyser, fields), `store` (the index folder), `changes` (writing after commit,
rebuild), `snapshots` (searchers kept open and the sets cached on them), `access` (what a user may open),
`matching` (matches by set algebra), `queries` (search, similar, suggestions).
"""

from portal.search.changes import apply_changes, index_later, rebuild, remove_later
from portal.search.queries import MAX_QUERY_LENGTH, SORTS, Hit, Results, search, similar
from portal.search.schema import build_schema, facet_term, french_analyzer
from portal.search.store import index_path, needs_refill, open_index

__all__ = [
    "MAX_QUERY_LENGTH",
    "SORTS",
    "Hit",
    "Results",
    "apply_changes",
    "build_schema",
    "facet_term",
    "french_analyzer",
    "index_later",
    "index_path",
    "needs_refill",
    "open_index",
    "rebuild",
    "remove_later",
    "search",
    "similar",
]
