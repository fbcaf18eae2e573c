"""CSRF on every HTML form: a POST without the token is refused with 403 and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from registrations.models import Attendance, Registration

pytestmark = pytest.mark.django_db

# (url name, needs the event's id, who is logged in, a body the view would otherwise accept)
FORM_VIEWS = [
    ("login", False, None, {"username": "anyone", "password": "anything"}),
    ("signup", False, None, {"enrollment_no": "24CSE99999", "full_name": "Probe", "email": "p@college.example"}),
    ("password_reset", False, None, {"email": "p@college.example"}),
    ("logout", False, "student", {}),
    ("password_change", False, "student", {"old_password": "x", "new_password1": "y", "new_password2": "y"}),
    ("event-detail", True, "student", {"action": "register"}),
    ("event-feedback", True, "student", {"rating": 5, "comments": "probe"}),
    ("event-checkin", True, "organizer", {"code": "PROBE"}),
    ("event-certificates", True, "organizer", {"action": "all"}),
    ("admin:login", False, None, {"username": "anyone", "password": "anything"}),
]


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(("name", "with_event", "who", "body"), FORM_VIEWS, ids=[v[0] for v in FORM_VIEWS])
def test_form_post_without_csrf_token_is_forbidden(csrf_client, event, student, organizer, name, with_event, who, body):
    users = {"student": student.user, "organizer": organizer}
    if who:
        csrf_client.force_login(users[who])
    url = reverse(name, args=[event.pk]) if with_event else reverse(name)

    response = csrf_client.post(url, body)

    assert response.status_code == 403, (name, response.status_code)
    assert not Registration.objects.exists()
    assert not Attendance.objects.exists()


def test_form_post_with_the_csrf_token_reaches_the_view(csrf_client, event, student):
    csrf_client.force_login(student.user)
    page = csrf_client.get(reverse("event-detail", args=[event.pk]))
    token = page.context["csrf_token"]

    response = csrf_client.post(
        reverse("event-detail", args=[event.pk]), {"action": "register", "csrfmiddlewaretoken": str(token)}
    )

    assert response.status_code in (200, 302)
    assert Registration.objects.filter(student=student, event=event).exists()
