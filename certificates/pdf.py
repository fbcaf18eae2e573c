"""A certificate as a one-page PDF: A4 landscape, the student's name, the event, its dates,
the certificate id and a QR code of the public verification URL.

The DejaVu fonts ship inside the repository (``certificates/fonts/``, with their licence)
so names with accents render the same on any machine; reportlab's built-in fonts cover
Latin-1 only.
"""

from io import BytesIO
from pathlib import Path

import segno
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from certificates.models import Certificate

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
INK = HexColor("#1d2a3a")
ACCENT = HexColor("#1f5f8b")
REVOKED = HexColor("#b3261e")


def _fonts_register() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (FONT_REGULAR, FONT_BOLD):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))


def event_dates_text(starts_at, ends_at) -> str:
    """'3 March 2026' for one day, '3 - 5 March 2026' or '28 February - 2 March 2026' for more."""
    start, end = timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date()
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} – {end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def _qr_drawing(url: str, size: float) -> Drawing:
    """The QR code as vector squares, so it stays sharp at any zoom and needs no image library."""
    matrix = segno.make(url, error="m").matrix
    quiet = 2
    modules = len(matrix) + 2 * quiet
    cell = size / modules
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=white, strokeColor=None))
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                x = (col_index + quiet) * cell
                y = size - (row_index + quiet + 1) * cell
                drawing.add(Rect(x, y, cell, cell, fillColor=INK, strokeColor=None, strokeWidth=0))
    return drawing


def _fit_font_size(text: str, font: str, wanted: float, max_width: float) -> float:
    width = pdfmetrics.stringWidth(text, font, wanted)
    return wanted if width <= max_width else wanted * max_width / width


KIND_WORDS = {
    Certificate.Kind.PARTICIPATION: "took part in",
    Certificate.Kind.MERIT: "is recognised for distinction at",
    Certificate.Kind.VOLUNTEER: "volunteered at",
    Certificate.Kind.ORGANIZER: "helped organize",
}


def certificate_pdf(certificate: Certificate) -> bytes:
    """Render the certificate; the event and student are read from the certificate's relations."""
    _fonts_register()
    event, student = certificate.event, certificate.student
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"Certificate {certificate.certificate_id}")
    canvas.setAuthor("College Events")
    canvas.setSubject(f"{student.full_name}, {event.title}")

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    centre = width / 2
    text_width = width - 60 * mm
    canvas.setFillColor(ACCENT)
    heading, _, title = certificate.heading.partition(": ")
    canvas.setFont(FONT_BOLD, _fit_font_size(heading, FONT_BOLD, 34, text_width))
    canvas.drawCentredString(centre, height - 44 * mm, heading)
    if title:
        canvas.setFont(FONT_BOLD, _fit_font_size(title, FONT_BOLD, 22, text_width))
        canvas.drawCentredString(centre, height - 56 * mm, title)

    canvas.setFillColor(INK)
    canvas.setFont(FONT_REGULAR, 15)
    canvas.drawCentredString(centre, height - 70 * mm, "This certifies that")
    name_size = _fit_font_size(student.full_name, FONT_BOLD, 30, text_width)
    canvas.setFont(FONT_BOLD, name_size)
    canvas.drawCentredString(centre, height - 88 * mm, student.full_name)
    canvas.setFont(FONT_REGULAR, 15)
    canvas.drawCentredString(centre, height - 104 * mm, KIND_WORDS.get(certificate.kind, "took part in"))
    title_size = _fit_font_size(event.title, FONT_BOLD, 22, text_width)
    canvas.setFont(FONT_BOLD, title_size)
    canvas.drawCentredString(centre, height - 118 * mm, event.title)
    canvas.setFont(FONT_REGULAR, 14)
    dates = event_dates_text(event.starts_at, event.ends_at)
    canvas.drawCentredString(centre, height - 130 * mm, f"{dates}{', ' + event.venue if event.venue else ''}")

    qr_size = 38 * mm
    renderPDF.draw(_qr_drawing(certificate.verify_url, qr_size), canvas, width - 26 * mm - qr_size, 24 * mm)
    canvas.setFont(FONT_REGULAR, 10)
    canvas.drawString(26 * mm, 36 * mm, f"Certificate ID: {certificate.certificate_id}")
    issued = timezone.localtime(certificate.issued_at).date()
    canvas.drawString(26 * mm, 30 * mm, f"Issued on {issued.day} {issued:%B %Y}")
    canvas.drawString(26 * mm, 24 * mm, f"Verify at {certificate.verify_url}")

    if certificate.is_revoked:
        canvas.setFillColor(REVOKED)
        canvas.setFont(FONT_BOLD, 18)
        canvas.drawCentredString(centre, 44 * mm, "REVOKED — this certificate is no longer valid")

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
