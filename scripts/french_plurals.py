"""Fill the French catalogues' plural entries with the French source's own forms, so that French counts follow
French rules ("0 résultat", "1 monographie", "2 monographies": the singular up to 1) instead of gettext's
English fallback ("0 résultats"). Other entries stay empty: French is the source language.

Usage: python scripts/french_plurals.py CATALOGUE.po [...]   (run by `make translations`)
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def fill(path: str) -> None:
    """Give every plural entry of the catalogue its singular and plural French forms."""
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    # CLDR gives French three forms: one (0 and 1), many (whole millions: "1 000 000 de …"), other; the
    # source's plural serves for both of the last two.
    others = catalog.num_plurals - 1
    for message in catalog:
        if message.id and isinstance(message.id, tuple | list):
            message.string = (message.id[0], *[message.id[1]] * others)
    with open(path, "wb") as handle:
        write_po(handle, catalog, no_location=True)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        fill(argument)
