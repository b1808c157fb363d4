"""Readable file types, their icons and sizes, for templates: "PDF, 994 octets" rather than a MIME type."""

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: What people call each type the store accepts (and a few more that plugins may produce, such as ZIP).
TYPE_LABELS = {
    "application/pdf": _l("PDF"),
    "application/msword": _l("Document Word"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Document Word"),
    "application/vnd.ms-excel": _l("Classeur Excel"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Classeur Excel"),
    "application/vnd.ms-powerpoint": _l("Présentation PowerPoint"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l(
        "Présentation PowerPoint"
    ),
    "application/vnd.oasis.opendocument.text": _l("Document OpenDocument"),
    "application/vnd.oasis.opendocument.spreadsheet": _l("Classeur OpenDocument"),
    "application/vnd.oasis.opendocument.presentation": _l("Présentation OpenDocument"),
    "text/plain": _l("Texte"),
    "text/markdown": _l("Texte"),
    "text/csv": _l("CSV"),
    "image/png": _l("Image PNG"),
    "image/jpeg": _l("Image JPEG"),
    "image/gif": _l("Image GIF"),
    "image/webp": _l("Image WebP"),
    "image/svg+xml": _l("Image SVG"),
    "application/zip": _l("Archive ZIP"),
    "application/json": _l("Données JSON"),
    "text/calendar": _l("Calendrier iCal"),
}

#: Bootstrap Icons names (without "bi-") per type; see docs/interface.md.
TYPE_ICONS = {
    "application/pdf": "file-earmark-pdf",
    "application/msword": "file-earmark-word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "file-earmark-word",
    "application/vnd.ms-excel": "file-earmark-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "file-earmark-excel",
    "application/vnd.ms-powerpoint": "file-earmark-ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "file-earmark-ppt",
    "application/vnd.oasis.opendocument.text": "file-earmark-text",
    "application/vnd.oasis.opendocument.spreadsheet": "file-earmark-spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "file-earmark-slides",
    "text/plain": "file-earmark-text",
    "text/markdown": "file-earmark-text",
    "text/csv": "filetype-csv",
    "application/zip": "file-earmark-zip",
    "application/json": "filetype-json",
    "text/calendar": "calendar-event",
}


def _essence(content_type: str | None) -> str:
    """The type without its parameters ("text/plain; charset=utf-8" → "text/plain"), lower-cased."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def file_type_label(content_type: str | None) -> str:
    """The type as people name it ("PDF", "Document Word"); "Image" for another image, else "Fichier"."""
    essence = _essence(content_type)
    if essence in TYPE_LABELS:
        return str(TYPE_LABELS[essence])
    if essence.startswith("image/"):
        return _("Image")
    return _("Fichier")


def file_icon(content_type: str | None) -> str:
    """The Bootstrap Icons class of the type ("bi-file-earmark-pdf"); a plain file icon when unknown."""
    essence = _essence(content_type)
    if essence in TYPE_ICONS:
        return "bi-" + TYPE_ICONS[essence]
    if essence.startswith("image/"):
        return "bi-file-earmark-image"
    return "bi-file-earmark"


#: Binary multiples, as file managers count them, with their French abbreviations.
_UNITS = ((1024**3, _l("%(num)s Go")), (1024**2, _l("%(num)s Mo")), (1024, _l("%(num)s Ko")))


def filesize(size: int | None) -> str:
    """A size in bytes for people: "1 octet", "994 octets", "12,5 Ko", "3,2 Mo" (in the user's locale)."""
    size = max(int(size or 0), 0)
    for factor, unit in _UNITS:
        # From 1,000 of a unit on, the next one up reads better: "1 Mo" rather than "1 023,4 Ko".
        if size >= factor * 1000 / 1024:
            value = round(size / factor, 1)
            return str(unit) % {"num": format_decimal(value, format="#,##0.#")}
    return ngettext("%(size)s octet", "%(size)s octets", size, size=format_decimal(size))
