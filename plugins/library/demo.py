"""Demo content of the library: monographs of varied legal forms and regions, some with a PDF, one draft and
one waiting for review (`portal demo` indexes them afterwards)."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from plugins.library.demo_pdf import pdf_of
from plugins.library.demo_texts import MONOGRAPHS
from plugins.library.lists import LEGAL_FORMS, SECTORS
from plugins.library.models import (
    Attachment,
    LegalForm,
    Monograph,
    MonographTheme,
    Sector,
    Status,
    Visibility,
)
from portal.extract import extract_text
from portal.models import utcnow
from portal.storage import path_of, save_upload


def _entries(session, model, names) -> dict[str, object]:
    """The list's entries by name, created when missing (the migration normally seeds them)."""
    have = {entry.name: entry for entry in session.scalars(sa.select(model))}
    for name in names:
        if name not in have:
            have[name] = model(name=name)
            session.add(have[name])
    return have


def load_demo(session, demo: dict) -> None:
    """Twelve published monographs (one for staff only), a learner's draft and a submitted proposal."""
    accounts = demo["accounts"]
    staff, learner = accounts["staff"], accounts["learner"]
    forms = _entries(session, LegalForm, LEGAL_FORMS)
    sectors = _entries(session, Sector, SECTORS)
    now = utcnow()
    last = len(MONOGRAPHS) - 1
    for n, data in enumerate(MONOGRAPHS):
        if n == last:
            status, author = Status.DRAFT, learner
        elif n == last - 1:
            status, author = Status.SUBMITTED, learner
        else:
            status, author = Status.PUBLISHED, staff
        monograph = Monograph(
            title=data["title"],
            organisation=data["organisation"],
            legal_form=forms[data["legal_form"]],
            sector=sectors[data["sector"]],
            region=data["region"],
            department=data["department"],
            town=data["town"],
            year_founded=data["year"],
            summary=data["summary"],
            body=data["body"],
            source=data["source"],
            authors=data["authors"],
            status=status,
            # The foundation's monograph is kept for the équipe pédagogique.
            visibility=Visibility.STAFF if data["legal_form"] == "Fondation" else Visibility.ALL,
            created_by_id=author.id,
            created_dt=now - timedelta(days=60 - n),
            updated_dt=now - timedelta(days=30 - n),
            published_dt=now - timedelta(days=30 - n) if status == Status.PUBLISHED else None,
            themes=[MonographTheme(name=theme) for theme in data["themes"]],
        )
        if "pdf" in data:
            title, paragraphs = data["pdf"]
            upload = FileStorage(
                io.BytesIO(pdf_of(title, paragraphs)),
                filename=f"annexe-{n + 1}.pdf",
                content_type="application/pdf",
            )
            stored = save_upload(upload, "library", author, allowed_types=["application/pdf"])
            monograph.attachments.append(
                Attachment(stored=stored, text=extract_text(path_of(stored), stored.content_type))
            )
        session.add(monograph)
