"""A certificate as a one-page PDF: A4 landscape, drawn with its event's template (institution,
logo, accent colour, wording, up to three signatories) or the plain layout, with the
certificate id and a QR code of the public verification URL.

The fonts are embedded (``eventsite.pdf_fonts``: DejaVu for Latin with accents, Lohit for
Devanagari), so every name renders the same on any machine. Images were cleaned and shrunk
when they were uploaded (``certificates.images``), which keeps a PDF under 300 KB.
"""

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from io import BytesIO

from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from certificates.models import Certificate, CertificateKind, CertificateTemplate
from eventsite.pdf_common import (
    FONT,
    FONT_BOLD,
    fonts_register,
    qr_draw,
    text_draw,
    text_draw_fitted,
    text_markup,
)

INK = HexColor("#1d2a3a")
DEFAULT_ACCENT = "#1f5f8b"
REVOKED = HexColor("#b3261e")
MUTED = HexColor("#52606d")

KIND_WORDS = {
    CertificateKind.PARTICIPATION: "took part in",
    CertificateKind.MERIT: "is recognised for distinction at",
    CertificateKind.VOLUNTEER: "volunteered at",
    CertificateKind.ORGANIZER: "helped organize",
}


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


@dataclass(frozen=True)
class Design:
    """How a certificate looks: a template's choices, or the plain layout's."""

    institution: str = ""
    accent_color: str = DEFAULT_ACCENT
    body: str = ""
    signatories: list[dict] = field(default_factory=list)
    logo: bytes | None = None
    signatures: list[bytes | None] = field(default_factory=list)

    @cached_property
    def logo_reader(self) -> ImageReader | None:
        """Decoded once per design, however many certificates are drawn with it."""
        return ImageReader(BytesIO(self.logo)) if self.logo else None

    @cached_property
    def signature_readers(self) -> list[ImageReader | None]:
        return [ImageReader(BytesIO(image)) if image else None for image in self.signatures]

    @classmethod
    def of(cls, template: CertificateTemplate | None) -> "Design":
        if template is None:
            return cls()
        return cls(
            institution=template.institution,
            accent_color=template.accent_color,
            body=template.body,
            signatories=list(template.signatories),
            logo=bytes(template.logo) if template.logo else None,
            signatures=[bytes(image) if image else None for image in template.signature_images()],
        )


@dataclass(frozen=True)
class Sheet:
    """What one certificate says."""

    certificate_id: str
    kind: str
    heading: str
    title: str
    student_name: str
    event_title: str
    event_dates: str
    venue: str
    issued_on: date
    verify_url: str
    revoked: bool = False

    @classmethod
    def of(cls, certificate: Certificate) -> "Sheet":
        event = certificate.event
        return cls(
            certificate_id=certificate.certificate_id,
            kind=certificate.kind,
            heading=certificate.heading.partition(": ")[0],
            title=certificate.title,
            student_name=certificate.student.full_name,
            event_title=event.title,
            event_dates=event_dates_text(event.starts_at, event.ends_at),
            venue=event.venue,
            issued_on=timezone.localtime(certificate.issued_at).date(),
            verify_url=certificate.verify_url,
            revoked=certificate.is_revoked,
        )


def certificate_pdf(certificate: Certificate) -> bytes:
    """Render the certificate with its event's template; the event and student come from its relations."""
    return sheet_pdf(Sheet.of(certificate), Design.of(certificate.event.certificate_template))


def certificate_pdfs(certificates: QuerySet[Certificate]) -> Iterator[tuple[Certificate, bytes]]:
    """Each certificate with its PDF, one at a time: the rows are read in chunks and each template's
    images are loaded once, so memory stays flat whatever the number."""
    designs: dict[int | None, Design] = {}
    rows = certificates.select_related("event", "student").order_by("pk").iterator(chunk_size=500)
    for certificate in rows:
        template_id = certificate.event.certificate_template_id
        if template_id not in designs:
            template = CertificateTemplate.objects.filter(pk=template_id).first() if template_id else None
            designs[template_id] = Design.of(template)
        yield certificate, sheet_pdf(Sheet.of(certificate), designs[template_id])


def template_preview_pdf(design: Design, *, verify_url: str) -> bytes:
    """The template drawn with sample data, for its designers to look at before an event uses it."""
    sheet = Sheet(
        certificate_id="SAMPLE0000000000",
        kind=CertificateKind.MERIT,
        heading="Certificate of Merit",
        title="Winner",
        student_name="Aarav Sharma",
        event_title="Sample Hackathon 2026",
        event_dates=event_dates_text(
            datetime(2026, 3, 3, 9, tzinfo=timezone.get_current_timezone()),
            datetime(2026, 3, 5, 18, tzinfo=timezone.get_current_timezone()),
        ),
        venue="Main Auditorium",
        issued_on=timezone.localdate(),
        verify_url=verify_url,
    )
    return sheet_pdf(sheet, design)


def _default_body(kind: str) -> str:
    return (
        "This certifies that {student_name} " + KIND_WORDS.get(kind, "took part in") + " {event_title}, {event_dates}."
    )


def _body_around_name(body: str, values: dict[str, str]) -> tuple[str, str]:
    """The wording as Paragraph markup before and after the first {student_name}; the values in bold."""
    before: list[str] = []
    after: list[str] = []
    current = before
    for literal, name, _, _ in string.Formatter().parse(body):
        current.append(text_markup(literal))
        if name is None:
            continue
        if name == "student_name" and current is before:
            current = after
            continue
        value = values.get(name, "")
        if value:
            current.append(f"<b>{text_markup(value)}</b>")
    return "".join(before).strip(), "".join(after).strip()


def sheet_pdf(sheet: Sheet, design: Design) -> bytes:
    fonts_register()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"Certificate {sheet.certificate_id}")
    canvas.setAuthor(design.institution or "College Events")
    canvas.setSubject(f"{sheet.student_name}, {sheet.event_title}")
    accent = HexColor(design.accent_color)
    centre = width / 2
    text_width = width - 60 * mm

    canvas.setStrokeColor(accent)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    top = height - 22 * mm
    if design.logo:
        logo_height = 20 * mm
        canvas.drawImage(
            design.logo_reader,
            centre - 30 * mm,
            top - logo_height,
            60 * mm,
            logo_height,
            mask="auto",
            preserveAspectRatio=True,
            anchor="c",
        )
        top -= logo_height + 8 * mm
    else:
        top -= 6 * mm
    if design.institution:
        canvas.setFillColor(accent)
        text_draw_fitted(canvas, centre, top, design.institution, FONT_BOLD, 17, text_width)
        top -= 14 * mm
    else:
        top -= 4 * mm

    canvas.setFillColor(accent)
    text_draw_fitted(canvas, centre, top, sheet.heading, FONT_BOLD, 30, text_width)
    top -= 11 * mm
    if sheet.title:
        text_draw_fitted(canvas, centre, top, sheet.title, FONT_BOLD, 21, text_width)
        top -= 12 * mm
    else:
        top -= 4 * mm

    values = {
        "student_name": sheet.student_name,
        "event_title": sheet.event_title,
        "event_dates": sheet.event_dates,
        "title": sheet.title,
    }
    before, after = _body_around_name(design.body or _default_body(sheet.kind), values)
    style = ParagraphStyle(
        "body", fontName=FONT, fontSize=15, leading=20, alignment=TA_CENTER, textColor=INK, shaping=1
    )
    if before:
        paragraph = Paragraph(before, style)
        _, used = paragraph.wrapOn(canvas, text_width, 30 * mm)
        paragraph.drawOn(canvas, 30 * mm, top - used + 5 * mm)
        top -= used + 6 * mm
    canvas.setFillColor(INK)
    text_draw_fitted(canvas, centre, top - 4 * mm, sheet.student_name, FONT_BOLD, 28, text_width)
    top -= 14 * mm
    if after:
        paragraph = Paragraph(after, style)
        _, used = paragraph.wrapOn(canvas, text_width, 40 * mm)
        paragraph.drawOn(canvas, 30 * mm, top - used + 5 * mm)
        top -= used
    if not design.body and sheet.venue:
        canvas.setFillColor(MUTED)
        text_draw(canvas, centre, top - 2 * mm, sheet.venue, FONT, 12, centred=True)

    _signatories_draw(canvas, design, left=30 * mm, right=width - 62 * mm)

    qr_size = 32 * mm
    qr_draw(canvas, sheet.verify_url, x=width - 24 * mm - qr_size, y=20 * mm, size=qr_size)
    canvas.setFillColor(INK)
    for offset, line in enumerate(
        (
            f"Certificate ID: {sheet.certificate_id}",
            f"Issued on {sheet.issued_on.day} {sheet.issued_on:%B %Y}",
            f"Verify at {sheet.verify_url}",
        )
    ):
        text_draw(canvas, 24 * mm, 31 * mm - offset * 5 * mm, line, FONT, 9)

    if sheet.revoked:
        canvas.setFillColor(REVOKED)
        text_draw(canvas, centre, 70 * mm, "REVOKED — this certificate is no longer valid", FONT_BOLD, 18, centred=True)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _signatories_draw(canvas: Canvas, design: Design, *, left: float, right: float) -> None:
    """Each signatory in a column: the signature above a line, the name and designation under it."""
    count = len(design.signatories)
    if not count:
        return
    column = (right - left) / count
    line_y = 48 * mm
    for position, signatory in enumerate(design.signatories):
        centre = left + column * (position + 0.5)
        half = min(column * 0.4, 32 * mm)
        image = design.signature_readers[position] if position < len(design.signatures) else None
        if image:
            canvas.drawImage(
                image,
                centre - half,
                line_y + 1 * mm,
                2 * half,
                14 * mm,
                mask="auto",
                preserveAspectRatio=True,
                anchor="s",
            )
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.line(centre - half, line_y, centre + half, line_y)
        canvas.setFillColor(INK)
        name = signatory.get("name", "")
        text_draw_fitted(canvas, centre, line_y - 5 * mm, name, FONT_BOLD, 11, 2 * half)
        designation = signatory.get("designation", "")
        if designation:
            canvas.setFillColor(MUTED)
            text_draw_fitted(canvas, centre, line_y - 9.5 * mm, designation, FONT, 9.5, 2 * half)
