"""Differences between two versions' texts (text answer and the text of PDF, DOCX and ODT files), line by line
with difflib; rendered by the template with <del>/<ins> and words, never colour alone."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from plugins.memoire.indexing import version_text

#: Lines compared at most: beyond, the comparison would cost more than a page may take.
MAX_LINES = 20_000


@dataclass(frozen=True)
class Row:
    """One line of the comparison: "same", "removed" or "added", with its line numbers."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str


def lines_of(version) -> list[str]:
    """The version's text, as non-empty lines."""
    return [line.rstrip() for line in version_text(version).splitlines() if line.strip()][:MAX_LINES]


def compare_versions(old, new) -> tuple[list[Row], int]:
    """The rows of the comparison of two versions, and how many lines changed."""
    a, b = lines_of(old), lines_of(new)
    rows: list[Row] = []
    changed = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                Row("same", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        rows += [Row("removed", i + 1, None, a[i]) for i in range(i1, i2)]
        rows += [Row("added", None, j + 1, b[j]) for j in range(j1, j2)]
        changed += (i2 - i1) + (j2 - j1)
    return rows, changed
