"""Public answers name no student's contacts: no email, phone or enrollment number of anyone.

The public surfaces: the certificate verification page and API, the event list and detail
(API and pages). Each is fetched anonymously for an event with registered, attending and
certified students, and searched for every student's email, phone and enrollment number.
"""

import pytest
from django.urls import reverse

from certificates.services import certificate_issue
from registrations.services import attendance_mark, registration_create
from tests.factories import StudentFactory

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
