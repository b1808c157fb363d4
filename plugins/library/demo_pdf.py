"""PDF attachments of the demo monographs, drawn with reportlab."""

from __future__ import annotations

import io
import textwrap

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def pdf_of(title: str, paragraphs: list[str]) -> bytes:
    """A PDF with a title and paragraphs, wrapped and paginated."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setTitle(title)
    _width, height = A4
    y = height - 60
    page.setFont("Helvetica-Bold", 15)
    page.drawString(50, y, title)
    y -= 30
    page.setFont("Helvetica", 11)
    for paragraph in paragraphs:
        for line in [*textwrap.wrap(paragraph, 90), ""]:
            if y < 60:
                page.showPage()
                page.setFont("Helvetica", 11)
                y = height - 60
            page.drawString(50, y, line)
            y -= 15
    page.save()
    return out.getvalue()
