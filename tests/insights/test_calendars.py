from datetime import UTC

import icalendar
import pytest
from django.urls import reverse

from events.models import Event
from registrations.models import Student
from registrations.services import registration_cancel, registration_create, student_calendar_token_rotate
from tests.factories import EventFactory, RegistrationFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def _events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(component["summary"]): component for component in calendar.walk("VEVENT")}


def test_event_ics_is_public_for_a_published_event(client, event):
    response = client.get(reverse("event-ics", args=[event.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [vevent] = _events(response).values()
    assert vevent["summary"] == event.title
    assert vevent["location"] == event.venue
    assert vevent.decoded("dtstart") == event.starts_at.astimezone(UTC).replace(microsecond=0)
    assert vevent.decoded("dtend") == event.ends_at.astimezone(UTC).replace(microsecond=0)
    assert str(vevent["uid"]).startswith(f"{event.pk}@")
    assert vevent["status"] == "CONFIRMED"


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_event_ics_is_not_found_for_an_unpublished_event(client, status):
    event = EventFactory(status=status)

    assert client.get(reverse("event-ics", args=[event.pk])).status_code == 404


def test_event_ics_is_not_found_for_an_unknown_event(client):
    assert client.get("/events/no-such-event.ics").status_code == 404


def test_student_feed_lists_the_active_registrations_with_their_status(client):
    student = StudentFactory()
    confirmed = EventFactory(title="Hackathon")
    waitlisted = EventFactory(title="Robotics", capacity=0, waitlist_enabled=True)
    cancelled_event = EventFactory(title="Quiz")
    left = EventFactory(title="Debate")
    draft = EventFactory(title="Draft", status=Event.Status.DRAFT)
    for event in (confirmed, waitlisted, cancelled_event, left):
        registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=left, enrollment_no=student.pk)
    RegistrationFactory(event=draft, student=student)
    cancelled_event.status = Event.Status.CANCELLED
    cancelled_event.save()
    RegistrationFactory(event=EventFactory(title="Someone else's"))

    response = client.get(reverse("student-calendar-feed", args=[student.calendar_token]))

    assert response.status_code == 200
    events = _events(response)
    assert {name: str(vevent["status"]) for name, vevent in events.items()} == {
        "Hackathon": "CONFIRMED",
        "Robotics": "TENTATIVE",
        "Quiz": "CANCELLED",
    }
    assert response["Cache-Control"].startswith("private")


def test_student_feed_is_not_found_for_an_unknown_token(client):
    StudentFactory()

    assert client.get(reverse("student-calendar-feed", args=["0" * 26])).status_code == 404


def test_calendar_tokens_are_long_random_and_distinct():
    tokens = {student.calendar_token for student in StudentFactory.create_batch(50)}

    assert len(tokens) == 50
    assert all(len(token) * 5 >= 64 for token in tokens)


def test_rotating_the_token_retires_the_old_feed_url(client):
    student = StudentFactory()
    old = student.calendar_token

    new = student_calendar_token_rotate(student=student)

    assert new != old
    assert Student.objects.get(pk=student.pk).calendar_token == new
    assert client.get(reverse("student-calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("student-calendar-feed", args=[new])).status_code == 200


def test_a_logged_in_student_rotates_their_own_feed_url(client):
    student = StudentUserFactory()
    old = student.calendar_token
    client.force_login(student.user)

    response = client.post(reverse("student-calendar-rotate"), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    student.refresh_from_db()
    assert student.calendar_token != old


def test_rotating_needs_a_login_and_a_post(client, settings):
    settings.LOGIN_URL = "/login/"
    student = StudentUserFactory()
    old = student.calendar_token

    assert client.post(reverse("student-calendar-rotate"))["Location"].startswith("/login/")
    assert Student.objects.get(pk=student.pk).calendar_token == old
    client.force_login(student.user)
    assert client.get(reverse("student-calendar-rotate")).status_code == 405
