import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from certificates.pdf import certificate_pdf, event_dates_text
from certificates.services import certificate_issue
from registrations.services import attendance_mark, registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def _issued(full_name: str, **event_fields):
    event = EventFactory(**event_fields)
    student = StudentFactory(full_name=full_name)
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk, at=event.starts_at)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)
    return certificate


def test_the_pdf_carries_an_accented_name_the_event_the_dates_and_the_id():
    certificate = _issued(
        "José Ñúñez-Øberg",
        title="Café Robotics Hackathon",
        starts_at=datetime(2026, 3, 3, 9, tzinfo=IST),
        ends_at=datetime(2026, 3, 5, 18, tzinfo=IST),
    )

    reader = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    text = reader.pages[0].extract_text()

    assert len(reader.pages) == 1
    assert "José Ñúñez-Øberg" in text
    assert "Café Robotics Hackathon" in text
    assert "3 – 5 March 2026" in text
    assert certificate.certificate_id in text
    assert certificate.verify_url in text


def test_the_pdf_is_a4_landscape_and_embeds_its_font():
    reader = PdfReader(io.BytesIO(certificate_pdf(_issued("Ana"))))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    fonts = {font["/BaseFont"] for font in page["/Resources"]["/Font"].values()}
    assert (round(width), round(height)) == (842, 595)
    assert any("DejaVuSans" in str(name) for name in fonts)


def test_a_very_long_name_still_fits_on_one_line():
    name = "Venkata Satya Naga Sri Lakshmi Narasimha Swamy Chaitanya Prasad Raju Mandapati"
    text = PdfReader(io.BytesIO(certificate_pdf(_issued(name)))).pages[0].extract_text()
    assert name in text


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (datetime(2026, 3, 3, 9), datetime(2026, 3, 3, 17), "3 March 2026"),
        (datetime(2026, 2, 27, 9), datetime(2026, 3, 2, 17), "27 February – 2 March 2026"),
        (datetime(2025, 12, 30, 9), datetime(2026, 1, 2, 17), "30 December 2025 – 2 January 2026"),
    ],
)
def test_event_dates_text(starts, ends, expected):
    assert event_dates_text(starts.replace(tzinfo=IST), ends.replace(tzinfo=IST)) == expected


def test_a_revoked_certificate_says_so_on_the_pdf():
    from certificates.services import certificate_revoke

    certificate = _issued("Meera Iyer")
    certificate_revoke(event=certificate.event, enrollment_no=certificate.student_id, reason="Issued in error")
    certificate.refresh_from_db()
    text = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0].extract_text()
    assert "REVOKED" in text
    assert "Issued in error" not in text
