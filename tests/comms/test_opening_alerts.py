""" "Tell me when registration opens": one email when it opens, from the worker."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from comms.models import OpeningAlert
from comms.services import opening_alert_subscribe
from events.services import event_update
from registrations.models import Notification
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def _worker() -> None:
    call_command("send_notifications", "--once", stdout=StringIO())


@pytest.fixture
def upcoming(clock, organizer):
    return EventFactory(
        title="Cultural Fest",
        registration_opens_at=clock.now + timedelta(days=2),
        registration_closes_at=clock.now + timedelta(days=9),
        starts_at=clock.now + timedelta(days=10),
        ends_at=clock.now + timedelta(days=10, hours=6),
        organizers=[organizer],
    )


def _opened():
    return [m for m in mail.outbox if m.subject.startswith("Registration is open")]


def test_a_waiting_student_is_emailed_once_when_registration_opens(upcoming, clock, worker_mode):
    student = StudentFactory()
    opening_alert_subscribe(event=upcoming, student=student)
    opening_alert_subscribe(event=upcoming, student=student)

    _worker()
    assert _opened() == []

    clock.now = upcoming.registration_opens_at + timedelta(seconds=1)
    _worker()
    _worker()
    clock.advance(days=1)
    _worker()

    [email] = _opened()
    assert email.to == [student.email]
    assert email.subject == "Registration is open: Cultural Fest"
    assert f"/events/{upcoming.pk}/" in email.body
    assert Notification.objects.get(kind="registration_opened").due_at == upcoming.registration_opens_at


def test_a_student_who_registered_meanwhile_is_not_told(upcoming, clock, worker_mode):
    student = StudentFactory()
    opening_alert_subscribe(event=upcoming, student=student)
    clock.now = upcoming.registration_opens_at - timedelta(minutes=2)
    _worker()  # written ahead of the opening
    clock.advance(minutes=3)
    registration_create(event=upcoming, enrollment_no=student.pk)

    _worker()

    assert _opened() == []


def test_an_opening_moved_later_is_told_at_the_new_time(upcoming, clock, worker_mode):
    student = StudentFactory()
    opening_alert_subscribe(event=upcoming, student=student)
    clock.now = upcoming.registration_opens_at - timedelta(minutes=2)
    _worker()
    event_update(event=upcoming, registration_opens_at=upcoming.registration_opens_at + timedelta(days=1))
    upcoming.refresh_from_db()

    clock.advance(minutes=3)
    _worker()
    assert _opened() == []

    clock.now = upcoming.registration_opens_at + timedelta(minutes=1)
    _worker()
    assert [m.to for m in _opened()] == [[student.email]]


def test_asking_when_registration_is_already_open_is_refused(event):
    with pytest.raises(Exception) as refused:
        opening_alert_subscribe(event=event, student=StudentFactory())

    assert refused.value.code == "REGISTRATION_CLOSED"
    assert not OpeningAlert.objects.exists()


def test_the_event_page_offers_it_and_a_student_asks_and_stops(client, upcoming):
    student = StudentUserFactory()
    page = client.get(f"/events/{upcoming.pk}/").text
    assert "to be told by email when it opens" in page

    client.force_login(student.user)
    assert "Tell me when registration opens" in client.get(f"/events/{upcoming.pk}/").text
    response = client.post(f"/events/{upcoming.pk}/notify-me/", {"action": "watch"}, follow=True)

    assert f"We will email {student.email} once, when registration opens." in response.text
    assert "We will email you once, when registration opens on" in response.text
    assert OpeningAlert.objects.filter(event=upcoming, student=student).exists()

    client.post(f"/events/{upcoming.pk}/notify-me/", {"action": "unwatch"})
    assert not OpeningAlert.objects.exists()


def test_asking_needs_a_login(client, upcoming):
    response = client.post(f"/events/{upcoming.pk}/notify-me/", {"action": "watch"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not OpeningAlert.objects.exists()


def test_an_open_event_does_not_offer_it(client, event):
    client.force_login(StudentUserFactory().user)

    assert "Tell me when registration opens" not in client.get(f"/events/{event.pk}/").text
