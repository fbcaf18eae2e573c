"""Nothing a user can type into a page gives a 500: NUL bytes (PostgreSQL refuses them), huge
strings, markup and wrong types all come back as a page with a plain message."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "A\x00B", "x" * 5000, "<script>alert(1)</script>", "../../", "%00", "' OR 1=1 --", "١٢٣"]


@pytest.mark.parametrize("value", HOSTILE)
def test_student_forms_survive_hostile_input(client, event, team_event, student, login, value):
    login(student.user)
    posts = [
        (reverse("event-detail", args=[event.pk]), {"action": value}),
        (reverse("event-detail", args=[team_event.pk]), {"action": "team", "team_name": value, "members": value}),
        (reverse("event-feedback", args=[event.pk]), {"rating": value, "comments": value}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, url
        assert "<script>alert(1)</script>" not in response.content.decode()
    for url in (reverse("event-list"), reverse("home")):
        assert client.get(url, {"q": value, "status": value, "page": value}).status_code < 500


@pytest.mark.parametrize("value", HOSTILE)
def test_organizer_forms_survive_hostile_input(client, event, organizer, login, value):
    login(organizer)
    checkin = client.post(reverse("event-checkin", args=[event.pk]), {"code": value, "session": value})
    issue = client.post(reverse("event-certificates", args=[event.pk]), {"action": "one", "enrollment_no": value})
    roster = client.get(reverse("event-roster", args=[event.pk]), {"q": value, "page": value})
    assert checkin.status_code < 500
    assert issue.status_code < 500
    assert roster.status_code < 500


@pytest.mark.parametrize("value", HOSTILE)
def test_anonymous_forms_survive_hostile_input(client, value):
    fields = {"enrollment_no": value, "full_name": value, "email": value, "password": value, "password_again": value}
    assert client.post(reverse("signup"), fields).status_code < 500
    assert client.post(reverse("login"), {"username": value, "password": value}).status_code < 500
    assert client.post(reverse("password_reset"), {"email": value}).status_code < 500
    assert client.get(reverse("certificate-verify-form"), {"certificate_id": value}).status_code < 500
