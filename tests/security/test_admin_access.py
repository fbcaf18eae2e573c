"""The Django admin is for staff only."""

import pytest
from django.urls import reverse

from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:index",
    "admin:registrations_student_changelist",
    "admin:registrations_registration_changelist",
    "admin:events_event_changelist",
    "admin:certificates_certificate_changelist",
    "admin:auth_user_changelist",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page_sends_anonymous_visitors_to_the_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page_is_closed_to_a_logged_in_student(client, name):
    student = StudentUserFactory()
    client.force_login(student.user)

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page_opens_for_staff(client, staff_user, name):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)

    response = client.get(reverse(name))

    assert response.status_code == 200


def test_admin_login_refuses_a_student_password(client):
    student = StudentUserFactory()

    response = client.post(
        reverse("admin:login"), {"username": student.user.username, "password": "correct-horse-battery"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
