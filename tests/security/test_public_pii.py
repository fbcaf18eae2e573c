"""Public answers name no student's contacts: no email, phone or enrollment number of anyone.

The public surfaces: the certificate verification page and API, the event list and detail
(API and pages). Each is fetched anonymously for an event with registered, attending and
certified students, and searched for every student's email, phone and enrollment number.
"""

import pytest
from django.urls import reverse

from certificates.services import certificate_issue
from registrations.services import attendance_mark, registration_create
from tests.factories import StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(event):
    """Three students registered, attended and certified; returns (students, certificates)."""
    students = StudentFactory.create_batch(3)
    certificates = []
    for student in students:
        registration_create(event=event, enrollment_no=student.enrollment_no)
        attendance_mark(event=event, enrollment_no=student.enrollment_no)
        certificates.append(certificate_issue(event=event, enrollment_no=student.enrollment_no)[0])
    return students, certificates


def private_values(students) -> list[str]:
    values = []
    for student in students:
        values += [student.email, student.phone, student.enrollment_no, student.enrollment_no.lower()]
    return [value for value in values if value]


def assert_no_private_value(content: bytes, students) -> None:
    text = content.decode()
    leaked = [value for value in private_values(students) if value in text]
    assert not leaked, f"public answer shows {leaked}"


def test_certificate_verify_page_shows_name_and_event_but_no_contacts(client, certified):
    students, certificates = certified

    response = client.get(reverse("certificate-verify", args=[certificates[0].certificate_id]))

    assert response.status_code == 200
    assert students[0].full_name.encode() in response.content
    assert_no_private_value(response.content, students)


def test_certificate_verify_page_for_unknown_id_leaks_nothing(client, certified):
    students, _ = certified

    response = client.get(reverse("certificate-verify", args=["CNOSUCHCERTIFICATE"]))

    assert response.status_code == 404
    assert_no_private_value(response.content, students)


def test_certificate_verify_api_shows_name_and_event_but_no_contacts(api_client, certified):
    students, certificates = certified

    response = api_client.get(f"/api/v2/certificates/{certificates[0].certificate_id}/verify")

    assert response.status_code == 200
    assert response.json()["student_name"] == students[0].full_name
    assert_no_private_value(response.content, students)


@pytest.mark.parametrize("path", ["/api/v2/events/", "/api/v2/events/{event}/", "/api/v2/events/?q=Event"])
def test_public_event_api_answers_name_no_student(api_client, event, certified, path):
    students, _ = certified

    response = api_client.get(path.format(event=event.pk))

    assert response.status_code == 200
    assert event.title.encode() in response.content
    assert_no_private_value(response.content, students)


@pytest.mark.parametrize("name", ["home", "event-list", "event-detail"])
def test_public_event_pages_name_no_student(client, event, certified, name):
    students, _ = certified

    response = client.get(reverse(name, args=[event.pk]) if name == "event-detail" else reverse(name))

    assert response.status_code == 200
    assert event.title.encode() in response.content
    assert_no_private_value(response.content, students)


def test_a_logged_in_student_sees_no_other_students_contacts_on_the_event_page(client, event, certified):
    students, _ = certified
    visitor = StudentUserFactory()
    client.force_login(visitor.user)

    response = client.get(reverse("event-detail", args=[event.pk]))

    assert response.status_code == 200
    assert_no_private_value(response.content, students)
