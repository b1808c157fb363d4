"""The papers handed to funders: a learner's attendance attestation and a half-day's attendance sheet."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_STYLES = getSampleStyleSheet()
_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


def _p(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(text), _STYLES[style])


def hours_text(hours: float) -> str:
    """Hours as people write them: 3 h 30."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def _build(title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Portail ESS",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
    )
    doc.build(story)
    return buffer.getvalue()


@dataclass
class AttestationData:
    """What an attestation says."""

    programme: str
    rncp: str
    cohort: str
    learner: str
    first_day: date | None
    last_day: date | None
    #: (bloc label, planned hours, attended hours)
    blocs: list[tuple[str, float, float]]
    attended_total: float
    programme_hours: int
    issued: date
    centre: str


def attestation_pdf(data: AttestationData) -> bytes:
    """A one-page attestation of attendance of a learner, hours per bloc and in total."""
    story = [
        _p(_("Attestation d'assiduité"), "Title"),
        _p(f"{data.programme}" + (f" ({data.rncp})" if data.rncp else "")),
        _p(_("Promotion : %(c)s", c=data.cohort)),
        Spacer(1, 0.4 * cm),
        _p(
            _(
                "L'équipe pédagogique atteste que %(name)s a suivi les regroupements de la formation "
                "pour les heures indiquées ci-dessous.",
                name=data.learner,
            )
        ),
    ]
    if data.first_day and data.last_day:
        story.append(
            _p(
                _(
                    "Période : du %(a)s au %(b)s.",
                    a=data.first_day.strftime("%d/%m/%Y"),
                    b=data.last_day.strftime("%d/%m/%Y"),
                )
            )
        )
    rows = [[_("Bloc"), _("Heures prévues"), _("Heures suivies")]]
    for label, planned, attended in data.blocs:
        rows.append([_p(label), hours_text(planned), hours_text(attended)])
    rows.append([_("Total"), hours_text(sum(b[1] for b in data.blocs)), hours_text(data.attended_total)])
    table = Table(rows, colWidths=[10 * cm, 3.3 * cm, 3.3 * cm], repeatRows=1)
    table.setStyle(_GRID)
    table.setStyle(TableStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9)]))
    story += [
        Spacer(1, 0.4 * cm),
        table,
        _p(
            _(
                "Soit %(done)s suivies sur les %(total)d h de la formation.",
                done=hours_text(data.attended_total),
                total=data.programme_hours,
            )
        ),
        Spacer(1, 1 * cm),
        _p(_("Fait à %(place)s, le %(d)s.", place=data.centre, d=data.issued.strftime("%d/%m/%Y"))),
        _p(_("Pour l'équipe pédagogique (signature et cachet) :")),
    ]
    return _build(_("Attestation d'assiduité"), story)


@dataclass
class SheetData:
    """What a half-day sheet says."""

    programme: str
    cohort: str
    day: date
    morning: bool
    #: (hours "09:00–12:30", title, lecturers, status note)
    sessions: list[tuple[str, str, str, str]]
    #: (learner name, [status label per session], check-in times)
    learners: list[tuple[str, list[str], str]]
    printed: datetime


def sheet_pdf(data: SheetData) -> bytes:
    """The attendance sheet of a half-day: its sessions, then one line per learner with a signature box."""
    half = _("matin") if data.morning else _("après-midi")
    title = _("Feuille d'émargement du %(d)s (%(half)s)", d=data.day.strftime("%d/%m/%Y"), half=half)
    story = [
        _p(title, "Title"),
        _p(data.programme),
        _p(_("Promotion : %(c)s", c=data.cohort)),
        Spacer(1, 0.3 * cm),
    ]
    rows = [[_("Horaire"), _("Séance"), _("Intervenant·e·s")]]
    for hours, label, lecturers, note in data.sessions:
        rows.append([hours, _p(label + (f" — {note}" if note else "")), _p(lecturers)])
    table = Table(rows, colWidths=[3 * cm, 9 * cm, 5 * cm], repeatRows=1)
    table.setStyle(_GRID)
    story += [table, Spacer(1, 0.4 * cm)]
    heads = [_("Auditeur·rice")] + [_("Séance %(n)d", n=i + 1) for i in range(len(data.sessions))]
    rows = [[*heads, _("Émargement"), _("Signature")]]
    for name, statuses, checked in data.learners:
        rows.append([name, *statuses, checked, ""])
    width = 17 * cm - 5.5 * cm - 3 * cm - 3.5 * cm
    each = width / max(1, len(data.sessions))
    table = Table(
        rows,
        colWidths=[5.5 * cm] + [each] * len(data.sessions) + [3 * cm, 3.5 * cm],
        repeatRows=1,
        rowHeights=[None] + [0.8 * cm] * len(data.learners),
    )
    table.setStyle(_GRID)
    story += [table, Spacer(1, 0.4 * cm), _p(_("Édité le %(d)s.", d=data.printed.strftime("%d/%m/%Y %H:%M")))]
    return _build(title, story)
