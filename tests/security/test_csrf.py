"""CSRF: browser sessions must send the token on every unsafe request; API tokens are not cookies."""

import pytest
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return APIClient(enforce_csrf_checks=True)


SESSION_WRITES = [
    ("/api/v2/register/individual/{event}", {}),
    ("/api/v2/register/cancel/{event}", {}),
    ("/api/v2/feedback/submit/{event}", {"rating": 5}),
]


@pytest.mark.parametrize(("path", "body"), SESSION_WRITES, ids=[p for p, _ in SESSION_WRITES])
def test_session_authenticated_api_write_without_csrf_token_is_forbidden(csrf_client, event, student, path, body):
    csrf_client.force_login(student.user)

    response = csrf_client.post(
        path.format(event=event.pk), {"enrollment_no": student.enrollment_no, **body}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    assert not Registration.objects.filter(student=student, status="confirmed").exists()


def test_session_authenticated_staff_write_without_csrf_token_is_forbidden(csrf_client, staff_user):
    csrf_client.force_login(staff_user)

    response = csrf_client.post("/api/v2/events/", {"event_id": "csrf-probe", "title": "Probe"}, format="json")

    assert response.status_code == 403


def test_session_write_with_the_csrf_token_goes_through(csrf_client, event, student):
    csrf_client.force_login(student.user)
    secret = get_random_string(32)
    csrf_client.cookies["csrftoken"] = secret

    response = csrf_client.post(
        f"/api/v2/register/individual/{event.pk}",
        {"enrollment_no": student.enrollment_no},
        format="json",
        HTTP_X_CSRFTOKEN=secret,
    )

    assert response.status_code == 201


def test_token_authenticated_write_needs_no_csrf_token(csrf_client, event, student):
    key = Token.objects.create(user=student.user).key

    response = csrf_client.post(
        f"/api/v2/register/individual/{event.pk}",
        {"enrollment_no": student.enrollment_no},
        format="json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )

    assert response.status_code == 201
