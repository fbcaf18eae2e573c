"""The student's co-curricular record as a PDF to hand to a placement office.

Every certificate line carries its kind, its title and its public verification URL, printed
in full and clickable, so the reader can check it without trusting the paper. The record
itself carries a QR code of its own verification page (``record_seal``): what the paper says
is stored at that moment, so it can be checked, and withdrawn, as a whole.
"""

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from certificates.selectors import RecordLine
from certificates.services import record_snapshot_seal
from eventsite.pdf_common import FONT, FONT_BOLD, fonts_register, qr_draw, text_markup
from registrations.models import Student

ROLE_LABELS = {"individual": "Individual", "team_leader": "Team leader", "team_member": "Team member"}
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
ACCENT = colors.HexColor("#1d4ed8")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=14, textColor=MUTED),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, fontSize=11, leading=15),
        "cell": base,
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "link": ParagraphStyle("link", parent=base, fontSize=7.5, leading=10, textColor=ACCENT),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT),
    }


def _text(value: object) -> str:
    return text_markup(value)


def _dates(event) -> str:
    local_start = timezone.localtime(event.starts_at)
    local_end = timezone.localtime(event.ends_at)
    dates = date_format(local_start, "j M Y")
    if local_end.date() != local_start.date():
        dates += " – " + date_format(local_end, "j M Y")
    return dates


def record_summary(lines: list[RecordLine]) -> list[dict]:
    """What the paper says of each event, as plain data: the snapshot a verification shows later."""
    now = timezone.now()
    return [
        {
            "event_title": line.event.title,
            "event_dates": _dates(line.event),
            "role": ROLE_LABELS.get(line.role, line.role),
            "sessions": _sessions_text(line, now),
            "certificates": [
                {"certificate_id": c.certificate_id, "kind": c.kind, "title": c.title, "heading": c.heading}
                for c in line.certificates
            ],
        }
        for line in lines
    ]


def record_seal(student: Student, lines: list[RecordLine]) -> str:
    """The URL verifying this record as it is now (its snapshot is stored)."""
    return record_snapshot_seal(student=student, lines=record_summary(lines))


class _QrCode(Flowable):
    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url, self.size = url, size
        self.width = self.height = size

    def draw(self) -> None:
        qr_draw(self.canv, self.url, x=0, y=0, size=self.size)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _event_cell(line: RecordLine, styles) -> list:
    event = line.event
    cell = [Paragraph(_text(event.title), styles["cell_bold"]), Paragraph(_dates(event), styles["small"])]
    if event.venue:
        cell.append(Paragraph(_text(event.venue), styles["small"]))
    return cell


def _role_cell(line: RecordLine, styles) -> list:
    cell = [Paragraph(ROLE_LABELS.get(line.role, line.role), styles["cell"])]
    if line.team_name:
        cell.append(Paragraph(f"Team {_text(line.team_name)}", styles["small"]))
    return cell


def _certificate_cell(line: RecordLine, styles) -> list:
    if not line.certificates:
        return [Paragraph("—", styles["cell"])]
    cell = []
    for certificate in line.certificates:
        url = certificate.verify_url
        cell += [
            Paragraph(_text(certificate.heading), styles["cell_bold"]),
            Paragraph(_text(certificate.certificate_id), styles["cell"]),
            Paragraph(f'<link href="{_text(url)}">{_text(url)}</link>', styles["link"]),
        ]
    return cell


def _sessions_text(line: RecordLine, now) -> str:
    if not line.sessions_attended and line.event.ends_at > now:
        return "Upcoming"
    return f"{line.sessions_attended} of {line.sessions_total}"


def _sessions_cell(line: RecordLine, styles, now) -> Paragraph:
    return Paragraph(_sessions_text(line, now), styles["cell"])


def _feedback_cell(line: RecordLine, styles) -> Paragraph:
    if not line.gave_feedback:
        return Paragraph("—", styles["cell"])
    return Paragraph(f"Given ({line.feedback_rating}/5)" if line.feedback_rating else "Given", styles["cell"])


def record_pdf(student: Student, lines: list[RecordLine], *, verify_url: str | None = None) -> bytes:
    """The record; with ``verify_url`` (from ``record_seal``) it carries that URL and its QR code."""
    fonts_register()
    styles = _styles()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Co-curricular record: {student.full_name}",
        author="College Events",
    )
    details = [student.enrollment_no]
    if student.department:
        details.append(f"Department {student.department}")
    if student.year:
        details.append(f"Year {student.year}")
    attended = sum(1 for line in lines if line.sessions_attended)
    certified = sum(len(line.certificates) for line in lines)
    heading = [
        Paragraph("Co-curricular record", styles["title"]),
        Paragraph(_text(student.full_name), styles["heading"]),
        Paragraph(_text(" · ".join(details)), styles["subtitle"]),
    ]
    if verify_url:
        heading.append(
            Paragraph(
                f'Verify this record: <link href="{_text(verify_url)}">{_text(verify_url)}</link>', styles["link"]
            )
        )
        header = Table([[heading, _QrCode(verify_url, 26 * mm)]], colWidths=[152 * mm, 26 * mm])
        header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        top = [header]
    else:
        top = heading
    story = [
        *top,
        Spacer(1, 4 * mm),
        Paragraph(
            f"{_count(len(lines), 'event')} · {attended} attended · "
            f"{_count(sum(line.sessions_attended for line in lines), 'session')} attended · "
            f"{_count(certified, 'certificate')}",
            styles["cell"],
        ),
        Spacer(1, 5 * mm),
    ]
    columns = [Paragraph(label, styles["cell_bold"]) for label in ("Event", "Role", "Sessions", "Feedback")]
    columns.append(Paragraph("Certificates and verification links", styles["cell_bold"]))
    rows = [columns]
    now = timezone.now()
    for line in lines:
        rows.append(
            [
                _event_cell(line, styles),
                _role_cell(line, styles),
                _sessions_cell(line, styles, now),
                _feedback_cell(line, styles),
                _certificate_cell(line, styles),
            ]
        )
    if not lines:
        rows.append([Paragraph("No events yet.", styles["cell"]), "", "", "", ""])
    table = Table(rows, colWidths=[50 * mm, 26 * mm, 21 * mm, 22 * mm, 59 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    generated = date_format(timezone.localtime(timezone.now()), "j M Y, H:i")
    story.append(
        Paragraph(
            f"Generated on {generated} from {_text(settings.SITE_URL)}. Each certificate can be checked by anyone "
            "at its verification link, which shows whether it is valid or revoked.",
            styles["small"],
        )
    )
    document.build(story)
    return buffer.getvalue()
