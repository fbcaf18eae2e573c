from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import RecordSnapshot
from certificates.selectors import student_record
from certificates.services import certificate_issue
from registrations.models import RegistrationStatus
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    PastEventFactory,
    RegistrationFactory,
    StaffFactory,
    StudentFactory,
    StudentUserFactory,
    TeamEventFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record_student():
    """A student with known answers: an attended event with feedback and certificate, team roles, noise."""
    student = StudentUserFactory(full_name="Ananya Iyer")
    hackathon = PastEventFactory(title="Hackathon 2026", sessions=["day-1", "day-2"])
    registration = RegistrationFactory(event=hackathon, student=student)
    for session in hackathon.sessions.all():
        AttendanceFactory(registration=registration, session=session)
    FeedbackFactory(registration=registration, rating=5)
    certificate, _ = certificate_issue(event=hackathon, enrollment_no=student.pk)

    robotics = TeamEventFactory(title="Robotics League")
    led = TeamFactory(event=robotics, leader=student, name="Gearheads")
    RegistrationFactory(event=robotics, student=student, team=led)

    quiz = TeamEventFactory(title="Quiz Night")
    other_team = TeamFactory(event=quiz, name="Owls")
    RegistrationFactory(event=quiz, student=other_team.leader, team=other_team)
    RegistrationFactory(event=quiz, student=student, team=other_team)

    RegistrationFactory(event=EventFactory(title="Waitlisted Talk"), student=student, status="waitlisted")
    RegistrationFactory(event=EventFactory(title="Left Workshop"), student=student, status=RegistrationStatus.CANCELLED)
    return student, certificate


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf_links(response) -> list[str]:
    reader = PdfReader(BytesIO(response.content))
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]


def test_student_record_lists_confirmed_events_with_roles_sessions_feedback_and_certificates(record_student):
    student, certificate = record_student

    lines = {line.event.title: line for line in student_record(student)}

    assert set(lines) == {"Hackathon 2026", "Robotics League", "Quiz Night"}
    hackathon = lines["Hackathon 2026"]
    assert (hackathon.role, hackathon.sessions_attended, hackathon.sessions_total) == ("individual", 2, 2)
    assert (hackathon.gave_feedback, hackathon.feedback_rating, hackathon.certificate) == (True, 5, certificate)
    assert (lines["Robotics League"].role, lines["Robotics League"].team_name) == ("team_leader", "Gearheads")
    assert (lines["Quiz Night"].role, lines["Quiz Night"].certificate) == ("team_member", None)
    assert not lines["Quiz Night"].gave_feedback


def test_student_record_takes_the_same_queries_whatever_the_number_of_events(record_student, django_assert_num_queries):
    student, _ = record_student
    with django_assert_num_queries(7):
        student_record(student)
    for _ in range(3):
        RegistrationFactory(event=EventFactory(), student=student)
    with django_assert_num_queries(7):
        assert len(student_record(student)) == 6


def test_my_record_pdf_shows_my_events_and_certificate_links(client, record_student):
    student, certificate = record_student
    client.force_login(student.user)

    response = client.get(reverse("my-record-pdf"))

    assert response.status_code == 200
    text = _pdf_text(response)
    for expected in (
        "Co-curricular record",
        "Ananya Iyer",
        student.pk,
        "Hackathon 2026",
        "Robotics League",
        "Team leader",
        "Team Gearheads",
        "Quiz Night",
        "Team member",
        "2 of 2",
        "Upcoming",
        "Given (5/5)",
        certificate.certificate_id,
    ):
        assert expected in text
    assert certificate.verify_url in text.replace("\n", "")
    assert "Waitlisted Talk" not in text
    assert "Left Workshop" not in text
    record = RecordSnapshot.objects.get(student=student)
    assert set(_pdf_links(response)) == {certificate.verify_url, record.verify_url}


def test_my_record_pdf_embeds_the_dejavu_font(client, record_student):
    student, _ = record_student
    client.force_login(student.user)

    reader = PdfReader(BytesIO(client.get(reverse("my-record-pdf")).content))

    fonts = {str(font["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)


def test_my_record_pdf_for_a_student_without_events_says_so(client):
    student = StudentUserFactory()
    client.force_login(student.user)

    assert "No events yet." in _pdf_text(client.get(reverse("my-record-pdf")))


def test_my_record_pdf_needs_a_login(client, settings):
    settings.LOGIN_URL = "/login/"

    response = client.get(reverse("my-record-pdf"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_my_record_pdf_is_not_found_for_a_login_without_a_student(client, organizer):
    client.force_login(organizer)

    assert client.get(reverse("my-record-pdf")).status_code == 404


def test_staff_open_any_students_record(client, record_student):
    student, _ = record_student
    client.force_login(StaffFactory())

    response = client.get(reverse("student-record-pdf", args=[student.pk.lower()]))

    assert response.status_code == 200
    assert "Hackathon 2026" in _pdf_text(response)


def test_a_student_cannot_open_another_students_record(client, record_student):
    student, _ = record_student
    other = StudentUserFactory()
    client.force_login(other.user)

    assert client.get(reverse("student-record-pdf", args=[student.pk])).status_code == 403


def test_staff_get_not_found_for_an_unknown_student(client):
    client.force_login(StaffFactory())

    assert client.get(reverse("student-record-pdf", args=["99XX99999"])).status_code == 404


def test_a_student_record_uses_only_the_confirmed_unrevoked_certificate(record_student):
    student, certificate = record_student
    certificate.revoked_at = certificate.issued_at
    certificate.save()
    StudentFactory()

    hackathon = next(line for line in student_record(student) if line.event.title == "Hackathon 2026")

    assert hackathon.certificate is None
