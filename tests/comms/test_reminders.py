"""Reminders before an event: scheduled outbox rows, sent when due by the worker, exactly once."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from certificates.services import certificate_issue
from comms.services import email_preferences_set, reminder_offset_due, reminders_schedule
from events.services import event_cancel, event_update
from registrations import notifications
from registrations.models import Notification
from registrations.services import registration_cancel, registration_create
from tests.factories import AttendanceFactory, EventFactory, RegistrationFactory, StudentFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def _worker() -> str:
    out = StringIO()
    call_command("send_notifications", "--once", stdout=out)
    return out.getvalue()


def _event_starting_in(clock, **delta):
    starts_at = clock.now + timedelta(**delta)
    return EventFactory(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        registration_opens_at=clock.now - timedelta(days=10),
        registration_closes_at=starts_at - timedelta(minutes=1),
    )


def _confirmed(event, clock, **registered_ago):
    """A student registered through the service that long ago (three days unless told)."""
    now = clock.now
    clock.now = now - timedelta(**(registered_ago or {"days": 3}))
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    notifications.deliver()  # its confirmation
    clock.now = now
    mail.outbox.clear()
    return registration


def _reminders():
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def test_a_reminder_due_in_the_past_is_sent_once_by_the_worker(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    registration = _confirmed(event, clock)

    first = _worker()
    second = _worker()

    [reminder] = _reminders()
    assert reminder.to == [registration.student.email]
    assert reminder.subject == f"Reminder: {event.title} in 30 minutes"
    assert registration.checkin_code in reminder.body
    assert "Scheduled 1" in first and "Sent 1," in first
    assert "Scheduled 0" in second and "Sent 0," in second
    row = Notification.objects.get(kind=Kind.EVENT_REMINDER)
    assert (row.state, row.object_id, row.due_at) == ("sent", registration.pk, event.starts_at - timedelta(hours=1))


def test_a_reminder_carries_the_calendar_file_and_the_check_in_qr_code(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    registration = _confirmed(event, clock)

    _worker()

    [reminder] = _reminders()
    parts = {part.get_content_type(): part for part in reminder.message().walk()}
    calendar = parts["text/calendar"]
    assert calendar.get_filename() == f"{event.pk}.ics"
    assert f"SUMMARY:{event.title}" in calendar.get_payload(decode=True).decode()
    qr = parts["image/png"]
    assert qr["Content-ID"] == "<checkin-qr>"
    assert qr.get_payload(decode=True).startswith(b"\x89PNG")
    html = reminder.alternatives[0].content
    assert 'src="cid:checkin-qr"' in html
    assert registration.checkin_code in html


def test_each_offset_reminds_once_as_the_clock_reaches_it(clock, worker_mode):
    event = _event_starting_in(clock, days=3)
    _confirmed(event, clock, minutes=5)

    _worker()
    assert _reminders() == []

    clock.now = event.starts_at - timedelta(days=1, minutes=2)  # inside the look-ahead: written, not yet due
    _worker()
    assert _reminders() == []
    assert Notification.objects.filter(kind=Kind.EVENT_REMINDER, state="pending").count() == 1

    clock.advance(minutes=2)
    _worker()
    _worker()
    assert [m.subject for m in _reminders()] == [f"Reminder: {event.title} tomorrow"]

    clock.now = event.starts_at - timedelta(minutes=62)
    _worker()
    clock.advance(minutes=2)
    _worker()
    clock.advance(minutes=30)
    _worker()
    assert [m.subject for m in _reminders()] == [
        f"Reminder: {event.title} tomorrow",
        f"Reminder: {event.title} in 1 hour",
    ]

    clock.now = event.starts_at + timedelta(minutes=1)
    _worker()
    assert len(_reminders()) == 2


def test_a_cancelled_registration_gets_no_reminder(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    kept, cancelled = _confirmed(event, clock), _confirmed(event, clock)
    registration_cancel(event=event, enrollment_no=cancelled.student_id)
    mail.outbox.clear()

    _worker()

    assert [m.to for m in _reminders()] == [[kept.student.email]]


def test_a_registration_cancelled_after_its_reminder_was_written_is_not_reminded(clock, worker_mode):
    event = _event_starting_in(clock, hours=1, minutes=3)
    registration = _confirmed(event, clock)
    assert reminders_schedule(clock.now) == 1  # written ahead, due in three minutes
    registration_cancel(event=event, enrollment_no=registration.student_id)
    mail.outbox.clear()

    clock.advance(minutes=4)
    _worker()

    assert _reminders() == []
    assert Notification.objects.get(kind=Kind.EVENT_REMINDER).state == "skipped"


def test_a_cancelled_event_sends_no_reminder_even_one_already_written(clock, worker_mode):
    event = _event_starting_in(clock, hours=1, minutes=3)
    _confirmed(event, clock)
    reminders_schedule(clock.now)
    event_cancel(event=event)
    other_cancelled = _event_starting_in(clock, minutes=30)
    _confirmed(other_cancelled, clock)
    event_cancel(event=other_cancelled)
    mail.outbox.clear()

    clock.advance(minutes=4)
    _worker()

    assert _reminders() == []
    assert Notification.objects.filter(kind=Kind.EVENT_REMINDER).count() == 1


def test_a_moved_event_is_reminded_at_its_new_time_only(clock, worker_mode):
    event = _event_starting_in(clock, hours=1, minutes=3)
    event_update(event=event, reminder_offsets_minutes=[60])
    registration = _confirmed(event, clock)
    reminders_schedule(clock.now)
    new_start = event.starts_at + timedelta(hours=2)
    event_update(event=event, starts_at=new_start, ends_at=new_start + timedelta(hours=3))

    clock.advance(minutes=4)
    _worker()
    assert _reminders() == []

    clock.now = new_start - timedelta(minutes=50)
    _worker()
    [reminder] = _reminders()
    assert reminder.to == [registration.student.email]
    assert set(Notification.objects.filter(kind=Kind.EVENT_REMINDER).values_list("state", flat=True)) == {
        "skipped",
        "sent",
    }


def test_a_student_who_registered_after_a_reminders_time_does_not_get_it(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    _confirmed(event, clock, minutes=10)

    _worker()

    assert _reminders() == []


def test_no_reminders_for_an_event_without_offsets(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    event_update(event=event, reminder_offsets_minutes=[])
    _confirmed(event, clock)

    _worker()

    assert _reminders() == []


def test_unsubscribed_students_get_no_reminder_but_do_get_their_certificate(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    registration = _confirmed(event, clock)
    email_preferences_set(student=registration.student, reminders=False)

    _worker()
    assert _reminders() == []

    clock.now = event.ends_at + timedelta(minutes=1)
    AttendanceFactory(registration=registration)
    certificate_issue(event=event, enrollment_no=registration.student_id)
    _worker()
    [certificate_email] = mail.outbox
    assert certificate_email.to == [registration.student.email]
    assert certificate_email.subject == f"Your certificate: {event.title}"


def test_a_student_who_turns_reminders_off_after_one_was_written_does_not_get_it(clock, worker_mode):
    event = _event_starting_in(clock, hours=1, minutes=3)
    registration = _confirmed(event, clock)
    reminders_schedule(clock.now)
    email_preferences_set(student=registration.student, reminders=False)

    clock.advance(minutes=4)
    _worker()

    assert _reminders() == []
    assert Notification.objects.get(kind=Kind.EVENT_REMINDER).last_error == "The student turned these emails off."


def test_of_several_reminders_due_only_the_latest_is_sent(clock, worker_mode):
    event = _event_starting_in(clock, minutes=30)
    event_update(event=event, reminder_offsets_minutes=[2880, 1440, 60])
    _confirmed(event, clock)

    _worker()

    assert [m.subject for m in _reminders()] == [f"Reminder: {event.title} in 30 minutes"]
    assert reminder_offset_due(event.starts_at, [1440, 60, 10], until=clock.now + timedelta(minutes=25)) == 10
    assert reminder_offset_due(event.starts_at + timedelta(days=3), [1440, 60], until=clock.now) is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_send_each_reminder_once(worker_mode):
    from django.utils import timezone

    now = timezone.now()
    event = EventFactory(
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now + timedelta(minutes=20),
    )
    registrations = RegistrationFactory.create_batch(40, event=event, registered_at=now - timedelta(days=2))
    outputs: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            out = StringIO()
            call_command("send_notifications", "--once", "--batch", "7", stdout=out)
            outputs.append(out.getvalue())
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(outputs) == 2
    assert sorted(m.to[0] for m in _reminders()) == sorted(r.student.email for r in registrations)
    assert Notification.objects.filter(kind=Kind.EVENT_REMINDER).count() == 40
    assert set(Notification.objects.filter(kind=Kind.EVENT_REMINDER).values_list("state", flat=True)) == {"sent"}
