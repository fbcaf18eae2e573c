"""What organizers type (event titles, venues, descriptions) cannot inject a header or break an email or a feed."""

import pytest
from django.core import mail

from events.calendars import event_ics
from registrations import notifications
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_title_with_line_breaks_cannot_add_a_header(worker_mode):
    event = EventFactory(title="Robotics\r\nBcc: everyone@elsewhere.example\r\n\r\nFree prizes")
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    notifications.deliver()

    [email] = mail.outbox
    assert email.subject == "Registration confirmed: Robotics Bcc: everyone@elsewhere.example Free prizes"
    raw = email.message().as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\r\nBcc:" not in headers
    assert email.bcc == []


def test_a_title_of_control_characters_and_great_length_still_makes_one_bounded_header_line(worker_mode):
    event = EventFactory(title="A\x07B\x1b[31mC\u2028D" + "x" * 180)
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    notifications.deliver()

    [email] = mail.outbox
    assert "\x07" not in email.subject and "\x1b" not in email.subject and "\u2028" not in email.subject
    assert len(email.subject) <= 200


def test_the_calendar_file_keeps_a_hostile_title_and_description_inside_their_properties():
    event = EventFactory(
        title="Talk\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected", description="Line one\nEND:VCALENDAR"
    )

    ics = event_ics(event).decode()

    unfolded = ics.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VCALENDAR") == 1
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary.startswith("SUMMARY:Talk") and summary.endswith("SUMMARY:Injected")
    assert "DESCRIPTION:Line one\\nEND:VCALENDAR" in lines
