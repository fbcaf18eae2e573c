"""A club owner designs a certificate template, previews it, and issues a merit certificate with it;
the student downloads it; anyone verifies it by the QR code printed on it."""

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader
from pypdf.generic import ContentStream

from certificates.models import Certificate, CertificateTemplate
from registrations.services import attendance_mark, registration_create
from tests.e2e.conftest import log_in
from tests.factories import ClubFactory, EventFactory, StudentUserFactory, UserFactory
from tests.images import png_with_transparency

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

JSQR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "jsqr" / "jsQR.js"


def _pdf_text(content: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())


def _qr_png(content: bytes) -> bytes:
    """The QR code drawn in the PDF, read back from its content stream and painted as a picture.

    The code is one path of equal squares (its dark modules); nothing here knows the URL.
    """
    reader = PdfReader(io.BytesIO(content))
    squares: list[list[float]] = []
    found: list[list[float]] = []
    for operands, operator in ContentStream(reader.pages[0].get_contents(), reader).operations:
        if operator == b"re":
            squares.append([float(value) for value in operands])
        elif operator in (b"f", b"f*", b"S", b"B", b"n"):
            if len(squares) > len(found):
                found = squares
            squares = []
    cell = found[0][2]
    assert len(found) > 100 and all(abs(w - cell) < 1e-6 and abs(h - cell) < 1e-6 for _, _, w, h in found)
    left, top = min(x for x, *_ in found), max(y for _, y, *_ in found)
    modules = {(round((top - y) / cell), round((x - left) / cell)) for x, y, *_ in found}
    size = max(max(row, col) for row, col in modules) + 1
    scale, quiet = 8, 4
    image = Image.new("L", ((size + 2 * quiet) * scale,) * 2, 255)
    for row, col in modules:
        image.paste(
            0, ((col + quiet) * scale, (row + quiet) * scale, (col + quiet + 1) * scale, (row + quiet + 1) * scale)
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _decode_qr(page, png: bytes) -> str:
    """Decode with jsQR (the door scanner's decoder) in the browser, as a phone would."""
    page.add_script_tag(path=str(JSQR))
    return page.evaluate(
        """async (source) => {
            const image = new Image();
            image.src = source;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
            const code = jsQR(pixels.data, pixels.width, pixels.height);
            return code ? code.data : null;
        }""",
        "data:image/png;base64," + base64.b64encode(png).decode(),
    )


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_a_club_owner_designs_previews_and_issues_and_anyone_verifies_by_qr(
    new_context, shoot, width, tmp_path, settings, live_server
):
    settings.SITE_URL = live_server.url  # the QR code then points at this test server
    owner = UserFactory(username="robotics-owner")
    ClubFactory(club_id="robotics", name="Robotics Club", owners=[owner])
    event = EventFactory(event_id="robo-race", title="Robo Race 2026", club_id="robotics")
    student = StudentUserFactory(full_name="Ananya Iyer")
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk, at=event.starts_at)
    logo, signature = tmp_path / "logo.png", tmp_path / "signature.png"
    logo.write_bytes(png_with_transparency((400, 400)))
    signature.write_bytes(png_with_transparency((500, 160)))

    page = new_context(width=width, height=800).new_page()
    log_in(page, owner.username)
    page.goto("/organize/")
    page.get_by_role("link", name="Certificate templates").click()
    page.get_by_role("link", name="New template").click()
    page.get_by_label("For").select_option("robotics")
    page.get_by_label("Template name").fill("Robotics winners")
    page.get_by_label("Institution").fill("Government College of Engineering, Pune")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_label("Wording").fill(
        "This certifies that {student_name} is the {title} of {event_title}, {event_dates}."
    )
    page.get_by_label("Signatory 1: name").fill("Dr. Anjali Deshmukh")
    page.get_by_label("Signatory 1: designation").fill("Principal")
    page.get_by_label("Signatory 1: signature").set_input_files(str(signature))
    page.get_by_label("Signatory 2: name").fill("Prof. Rahul Kulkarni")
    page.get_by_label("Signatory 2: designation").fill("Club Advisor")
    shoot(page, f"{width}-01-template-form")
    _fits(page, width)

    # The preview opens in a new tab: a PDF of what the form says, with a sample student. Headless
    # Chromium shows it in its viewer, which keeps the bytes from the test: the answer's headers are
    # checked here, the text of the saved template's preview below.
    with page.context.expect_event(
        "response", lambda answer: answer.url.endswith("/certificates/templates/preview.pdf")
    ) as preview:
        page.get_by_role("button", name="Preview (PDF)").click()
    assert (preview.value.status, preview.value.headers["content-type"]) == (200, "application/pdf")
    assert not CertificateTemplate.objects.exists()

    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Robotics winners is saved")).to_be_visible()
    shoot(page, f"{width}-02-template-saved")
    _fits(page, width)
    template = CertificateTemplate.objects.get()
    saved_preview = page.get_by_role("link", name="Preview saved version (PDF)").get_attribute("href")
    preview_text = _pdf_text(page.request.get(saved_preview).body())
    for expected in ("Government College of Engineering, Pune", "Aarav Sharma", "Dr. Anjali Deshmukh", "Club Advisor"):
        assert expected in preview_text

    page.goto("/certificates/templates/")
    expect(page.get_by_role("link", name="Robotics winners")).to_be_visible()
    shoot(page, f"{width}-02b-template-list")
    _fits(page, width)

    page.goto("/organize/events/robo-race/edit/")
    page.get_by_label("Certificate template").select_option(str(template.pk))
    shoot(page, f"{width}-03-event-picks-template")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Robo Race 2026 is saved.")).to_be_visible()

    page.goto("/events/robo-race/manage/certificates/")
    expect(page.get_by_text("Drawn with the template “Robotics winners”")).to_be_visible()
    issue = page.locator("form.panel").first
    issue.get_by_label("Enrollment number").fill(student.pk)
    issue.get_by_label("Kind").select_option("merit")
    issue.get_by_label("Title").fill("Winner")
    issue.get_by_role("button", name="Issue certificate").click()
    expect(page.get_by_text("Merit: Winner").first).to_be_visible()
    shoot(page, f"{width}-04-merit-issued")
    _fits(page, width)
    certificate = Certificate.objects.get(kind="merit")

    student_page = new_context(width=width, height=800).new_page()
    log_in(student_page, student.user.username)
    student_page.goto("/me/events/")
    link = student_page.get_by_role("link", name="Download Certificate of Merit: Winner (PDF)")
    shoot(student_page, f"{width}-05-student-download")
    _fits(student_page, width)
    downloaded = student_page.request.get(link.get_attribute("href"))
    assert downloaded.headers["content-type"] == "application/pdf"
    content = downloaded.body()
    text = _pdf_text(content)
    for expected in (
        "Government College of Engineering, Pune",
        "Dr. Anjali Deshmukh",
        "Principal",
        "Winner",
        "Ananya Iyer",
    ):
        assert expected in text
    assert len(content) < 300 * 1024

    anyone = new_context(width=width, height=800).new_page()
    anyone.goto("/")
    url = _decode_qr(anyone, _qr_png(content))
    assert url == certificate.verify_url
    anyone.goto(url)
    expect(anyone.get_by_text("Valid certificate")).to_be_visible()
    expect(anyone.get_by_text("Certificate of Merit: Winner")).to_be_visible()
    expect(anyone.get_by_text("Ananya Iyer")).to_be_visible()
    shoot(anyone, f"{width}-06-verified-by-qr")
    _fits(anyone, width)

    # The student's co-curricular record verifies itself the same way.
    record = student_page.request.get("/me/record.pdf").body()
    assert "Certificate of Merit: Winner" in _pdf_text(record)
    record_url = _decode_qr(anyone, _qr_png(record))
    anyone.goto(record_url)
    expect(anyone.get_by_text("Valid record")).to_be_visible()
    expect(anyone.get_by_text("Certificate of Merit: Winner")).to_be_visible()
    shoot(anyone, f"{width}-07-record-verified-by-qr")
    _fits(anyone, width)
