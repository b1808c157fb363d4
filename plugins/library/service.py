"""Changes to monographs: saving a form with its attachments, review steps (mailed to the author), deletion;
each reindexes."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from plugins.library import indexing
from plugins.library.models import Attachment, Monograph, MonographTheme, Status, Visibility
from portal.extensions import db
from portal.extract import DOCX, ODT, extract_text
from portal.mail import mail_user
from portal.models import utcnow
from portal.storage import delete_stored, path_of, save_upload
from portal.urls import absolute_url

#: Attachments accepted, detected from their content.
ATTACHMENT_TYPES = frozenset({"application/pdf", DOCX, ODT})

#: The regions of France, for the territory of a monograph.
REGIONS = (
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Guadeloupe",
    "Guyane",
    "Hauts-de-France",
    "Île-de-France",
    "La Réunion",
    "Martinique",
    "Mayotte",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
)


def parse_themes(text: str) -> list[str]:
    """Themes typed separated by commas: trimmed, lower-cased, without duplicates, at most 60 characters."""
    seen: dict[str, None] = {}
    for raw in (text or "").split(","):
        name = re.sub(r"\s+", " ", raw).strip().lower()[:60]
        if name:
            seen.setdefault(name, None)
    return list(seen)


def apply_form(form, monograph: Monograph, user) -> None:
    """Copy a valid form into the monograph, store its new attachments (flushed) and reindex it.

    Raises UploadRefused when an attachment is refused: the caller rolls back, so nothing is kept.
    """
    monograph.title = form.title.data
    monograph.organisation = form.organisation.data or ""
    monograph.legal_form_id = form.legal_form.data or None
    monograph.sector_id = form.sector.data or None
    monograph.region = form.region.data or ""
    monograph.department = form.department.data or ""
    monograph.town = form.town.data or ""
    monograph.year_founded = form.year_founded.data
    monograph.summary = form.summary.data or ""
    monograph.body = form.body.data or ""
    monograph.source = form.source.data or ""
    monograph.authors = form.authors.data or ""
    monograph.visibility = Visibility(form.visibility.data)
    wanted = parse_themes(form.themes.data)
    monograph.themes = [t for t in monograph.themes if t.name in wanted]
    have = set(monograph.theme_names)
    monograph.themes += [MonographTheme(name=name) for name in wanted if name not in have]
    if monograph.id is None:
        db.session.add(monograph)
    for upload in form.attachments.data or []:
        if not getattr(upload, "filename", None):
            continue
        stored = save_upload(upload, "library", user, allowed_types=ATTACHMENT_TYPES)
        text = extract_text(path_of(stored), stored.content_type)
        monograph.attachments.append(Attachment(stored=stored, text=text))
    monograph.updated_dt = utcnow()
    db.session.flush()
    indexing.reindex_later(monograph)


def submit(monograph: Monograph) -> None:
    """The author hands the draft to staff."""
    monograph.status = Status.SUBMITTED
    indexing.reindex_later(monograph)


def publish(monograph: Monograph) -> None:
    """Staff publish: everyone allowed finds it at once."""
    monograph.status = Status.PUBLISHED
    monograph.review_comment = ""
    monograph.published_dt = monograph.published_dt or utcnow()
    indexing.reindex_later(monograph)
    link = absolute_url("library.monograph", monograph_id=monograph.id)
    mail_user(
        monograph.created_by,
        lambda: _("Votre monographie est publiée : %(title)s", title=monograph.title),
        lambda: _(
            "L'équipe pédagogique a publié votre monographie « %(title)s ». "
            "Elle est désormais dans la bibliothèque du portail :\n\n%(link)s",
            title=monograph.title,
            link=link,
        ),
    )


def request_changes(monograph: Monograph, comment: str) -> None:
    """Staff send it back to its author as a draft, with what to change."""
    monograph.status = Status.DRAFT
    monograph.review_comment = comment
    indexing.reindex_later(monograph)
    link = absolute_url("library.edit", monograph_id=monograph.id)
    mail_user(
        monograph.created_by,
        lambda: _("Modifications demandées : %(title)s", title=monograph.title),
        lambda: _(
            "L'équipe pédagogique demande des modifications avant de publier votre monographie "
            "« %(title)s » :\n\n%(comment)s\n\n"
            "Elle est redevenue un brouillon. Pour la modifier, puis la soumettre à nouveau :\n\n%(link)s",
            title=monograph.title,
            comment=comment,
            link=link,
        ),
    )


def unpublish(monograph: Monograph) -> None:
    """Staff withdraw it: back in the review queue, out of the index."""
    monograph.status = Status.SUBMITTED
    indexing.reindex_later(monograph)


def remove_attachment(attachment: Attachment) -> None:
    """Remove an attachment and its file (after commit), then reindex."""
    monograph = attachment.monograph
    monograph.attachments.remove(attachment)
    delete_stored(attachment.stored)
    db.session.flush()
    indexing.reindex_later(monograph)


def delete(monograph: Monograph) -> None:
    """Delete the monograph, its attachments' files and its index entry."""
    stored = [attachment.stored for attachment in monograph.attachments]
    # The attachment rows go first: the files' rows cascade to them in the database as well.
    monograph.attachments.clear()
    db.session.flush()
    for file in stored:
        delete_stored(file)
    indexing.remove_later(monograph.id)
    db.session.delete(monograph)
