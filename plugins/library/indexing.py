"""The search document of a published monograph; drafts and submitted monographs are never indexed."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from plugins.library.models import Attachment, Monograph, Status
from portal import search
from portal.extensions import db
from portal.plugins import SearchDoc

#: The facets of the library, in the order they are shown.
FACETS = ("legal_form", "sector", "region", "theme", "decade")


def doc_id(monograph_id: int) -> str:
    """The index id of a monograph."""
    return f"library:monograph:{monograph_id}"


def document_for(monograph: Monograph) -> SearchDoc:
    """The monograph as a search document (visibility "all" or "staff")."""
    parts = [
        monograph.organisation,
        monograph.town,
        monograph.department,
        monograph.summary,
        monograph.body,
        monograph.authors,
        monograph.source,
        " ".join(monograph.theme_names),
    ]
    parts += [a.text for a in monograph.attachments]
    return SearchDoc(
        doc_id=doc_id(monograph.id),
        plugin="library",
        kind="monograph",
        title=monograph.title,
        body="\n".join(p for p in parts if p),
        url=url_for("library.monograph", monograph_id=monograph.id),
        updated_dt=monograph.updated_dt,
        owner_id=None,
        visibility=monograph.visibility.value,
        facets={
            "legal_form": (monograph.legal_form.name,) if monograph.legal_form else (),
            "sector": (monograph.sector.name,) if monograph.sector else (),
            "region": (monograph.region,) if monograph.region else (),
            "theme": tuple(monograph.theme_names),
            "decade": (monograph.decade,) if monograph.decade else (),
        },
        year=monograph.year_founded,
    )


def reindex_later(monograph: Monograph) -> None:
    """Index a published monograph, or remove any other, once the transaction commits."""
    if monograph.status == Status.PUBLISHED:
        search.index_later(document_for(monograph))
    else:
        search.remove_later(doc_id(monograph.id))


def remove_later(monograph_id: int) -> None:
    """Remove the monograph from the index once the transaction commits."""
    search.remove_later(doc_id(monograph_id))


def all_documents() -> Iterator[SearchDoc]:
    """Every published monograph, for `portal reindex`."""
    monographs = db.session.scalars(
        sa.select(Monograph)
        .where(Monograph.status == Status.PUBLISHED)
        .options(
            so.selectinload(Monograph.themes),
            so.selectinload(Monograph.attachments).load_only(Attachment.text),
            so.joinedload(Monograph.legal_form),
            so.joinedload(Monograph.sector),
        )
        .execution_options(yield_per=200)
    )
    for monograph in monographs:
        yield document_for(monograph)
