import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from certificates.pdf import certificate_pdf, event_dates_text
from certificates.services import Signatory, certificate_issue, certificate_template_create
from registrations.services import attendance_mark, registration_create
from tests.certificates.test_templates import noisy_jpeg, png
from tests.factories import ClubFactory, EventFactory, StudentFactory, UserFactory

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


# Drawn with a template


def _designed_event(**event_fields):
    owner = UserFactory()
    club = ClubFactory(owners=[owner])
    template = certificate_template_create(
        club=club,
        actor=owner,
        name="Winners",
        institution="Government College of Engineering, Pune",
        accent_color="#7a1f5c",
        body="This certifies that {student_name} is the {title} of {event_title}, held on {event_dates}.",
        signatories=[
            Signatory("Dr. Anjali Deshmukh", "Principal"),
            Signatory("Prof. Rahul Kulkarni", "Dean, Student Affairs"),
            Signatory("Meera Iyer", "Club Coordinator"),
        ],
        logo=noisy_jpeg(),
        signatures={1: noisy_jpeg((700, 250)), 2: png((500, 160)), 3: noisy_jpeg((600, 200))},
    )
    return EventFactory(club=club, certificate_template=template, **event_fields)


def _merit(event, full_name: str):
    student = StudentFactory(full_name=full_name)
    registration_create(event=event, enrollment_no=student.pk)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="merit", title="Winner")
    return certificate


def _fonts(reader: PdfReader) -> dict[str, object]:
    return {str(font["/BaseFont"]): font for font in reader.pages[0]["/Resources"]["/Font"].values()}


def test_a_designed_certificate_holds_the_institution_signatories_title_and_verification_url():
    certificate = _merit(_designed_event(title="Smart India Hackathon"), "Priya Patil")

    content = certificate_pdf(certificate)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()

    for expected in (
        "Government College of Engineering, Pune",
        "Dr. Anjali Deshmukh",
        "Principal",
        "Prof. Rahul Kulkarni",
        "Dean, Student Affairs",
        "Meera Iyer",
        "Club Coordinator",
        "Certificate of Merit",
        "Winner",
        "Priya Patil",
        "Smart India Hackathon",
        certificate.verify_url,
    ):
        assert expected in text, expected
    assert len(content) < 300 * 1024


def test_a_devanagari_name_renders_with_its_font_embedded():
    certificate = _merit(_designed_event(), "आदित्य शर्मा")

    reader = PdfReader(io.BytesIO(certificate_pdf(certificate)))

    fonts = _fonts(reader)
    devanagari = next(font for name, font in fonts.items() if "Lohit-Devanagari" in name)
    latin = next(font for name, font in fonts.items() if "DejaVuSans" in name)
    for font in (devanagari, latin):
        descriptor = (
            font["/DescendantFonts"][0]["/FontDescriptor"] if "/DescendantFonts" in font else font["/FontDescriptor"]
        )
        assert "/FontFile2" in descriptor  # the TrueType program is in the PDF, not only named
    # Shaped by HarfBuzz: the vowel sign ि is drawn before the consonant it follows in writing
    # (द), and त्य is one conjunct glyph, so the drawn glyphs no longer read in typed order.
    text = reader.pages[0].extract_text()
    assert "आिद" in text
    assert "आदित्य" not in text


def test_an_accented_name_renders_in_a_designed_certificate():
    certificate = _merit(_designed_event(), "Zoë Ångström-Núñez")
    assert "Zoë Ångström-Núñez" in PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0].extract_text()


def test_the_qr_code_links_to_the_verification_url():
    certificate = _merit(_designed_event(), "Priya Patil")

    page = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0]

    links = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    assert links == [certificate.verify_url]
