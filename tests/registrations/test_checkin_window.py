"""Attendance is accepted only around its session (issue 12, finding 12)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from eventsite.errors import CheckinNotOpen, NotAttended
from registrations.models import Attendance, Registration
from registrations.services import attendance_mark, attendance_window, feedback_submit, registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def _registered(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    return student


def _event_at(starts_at, **fields):
    """An event registered for now, whose first session starts at ``starts_at``."""
    fields.setdefault("ends_at", starts_at + timedelta(hours=8))
    return EventFactory(
        starts_at=starts_at,
        registration_opens_at=timezone.now() - timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(hours=1),
        **fields,
    )


def test_a_session_two_weeks_ahead_refuses_check_in_and_so_feedback_stays_closed(organizer):
    event = _event_at(timezone.now() + timedelta(days=14), organizers=[organizer])
    student = _registered(event)

    with pytest.raises(CheckinNotOpen) as refused:
        attendance_mark(event=event, enrollment_no=student.pk, actor=organizer)

    assert refused.value.code == "CHECKIN_NOT_OPEN" and refused.value.http_status == 409
    assert refused.value.details["session"] == "main"
    assert not Attendance.objects.exists()
    with pytest.raises(NotAttended):
        feedback_submit(event=event, enrollment_no=student.pk, rating=5)


def test_check_in_opens_checkin_opens_minutes_before_the_start(settings):
    settings.CHECKIN_OPENS_MINUTES = 30
    starts = datetime(2026, 3, 4, 10, 0, tzinfo=IST)
    event = _event_at(starts)
    student = _registered(event)

    with pytest.raises(CheckinNotOpen):
        attendance_mark(event=event, enrollment_no=student.pk, at=starts - timedelta(minutes=31))
    attendance, created = attendance_mark(event=event, enrollment_no=student.pk, at=starts - timedelta(minutes=30))

    assert created and attendance.marked_at == starts - timedelta(minutes=30)


def test_check_in_closes_at_the_end_of_the_sessions_day_in_the_sites_time_zone():
    starts = datetime(2026, 3, 4, 10, 0, tzinfo=IST)
    event = _event_at(starts)
    late, too_late = _registered(event), _registered(event)

    attendance_mark(event=event, enrollment_no=late.pk, at=datetime(2026, 3, 4, 23, 59, 59, tzinfo=IST))
    with pytest.raises(CheckinNotOpen) as refused:
        attendance_mark(event=event, enrollment_no=too_late.pk, at=datetime(2026, 3, 5, 0, 0, tzinfo=IST))

    assert refused.value.details["closes_at"] == "2026-03-05T00:00:00+05:30"
    assert refused.value.details["opens_at"] == "2026-03-04T08:00:00+05:30"


def test_the_window_uses_the_sites_time_zone_not_utc(settings):
    settings.TIME_ZONE = "America/New_York"
    starts = datetime(2026, 3, 4, 22, 0, tzinfo=ZoneInfo("America/New_York"))  # 03:00 UTC the next day
    event = _event_at(starts, ends_at=starts + timedelta(hours=1))

    opens, closes = attendance_window(event=event, session=event.sessions.get())

    assert closes == datetime(2026, 3, 5, 0, 0, tzinfo=ZoneInfo("America/New_York"))
    assert opens == starts - timedelta(minutes=120)


def test_an_overnight_events_last_session_stays_open_until_the_day_the_event_ends():
    starts = datetime(2026, 3, 4, 18, 0, tzinfo=IST)
    event = _event_at(starts, ends_at=starts + timedelta(hours=18), sessions=["day-1"])
    student = _registered(event)

    attendance, created = attendance_mark(
        event=event, enrollment_no=student.pk, at=datetime(2026, 3, 5, 1, 30, tzinfo=IST)
    )

    assert created and attendance.session.code == "day-1"


def test_an_earlier_session_of_a_multi_day_event_closes_with_its_own_day():
    starts = datetime(2026, 3, 4, 9, 0, tzinfo=IST)
    event = _event_at(starts, ends_at=starts + timedelta(days=1, hours=8), sessions=["day-1", "day-2"])
    student = _registered(event)

    with pytest.raises(CheckinNotOpen):
        attendance_mark(
            event=event, enrollment_no=student.pk, session="day-1", at=datetime(2026, 3, 5, 9, 0, tzinfo=IST)
        )
    attendance, _ = attendance_mark(
        event=event, enrollment_no=student.pk, session="day-2", at=datetime(2026, 3, 5, 9, 0, tzinfo=IST)
    )
    assert attendance.session.code == "day-2"


def test_a_student_already_in_is_still_answered_outside_the_window():
    starts = timezone.now() - timedelta(minutes=10)
    event = _event_at(starts)
    student = _registered(event)
    first, _ = attendance_mark(event=event, enrollment_no=student.pk)

    again, created = attendance_mark(event=event, enrollment_no=student.pk, at=starts + timedelta(days=3))

    assert not created and again.pk == first.pk


def test_the_api_answers_409_checkin_not_open(client_for, organizer):
    event = _event_at(timezone.now() + timedelta(days=14), organizers=[organizer])
    student = _registered(event)

    response = client_for(organizer).post(
        f"/api/v2/attendance/mark/{event.pk}", {"enrollment_no": student.pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CHECKIN_NOT_OPEN"
    assert not Attendance.objects.exists()


def test_the_check_in_page_says_when_check_in_opens(client, organizer, login):
    event = _event_at(timezone.now() + timedelta(days=14), organizers=[organizer])
    student = _registered(event)
    login(organizer)

    page = client.post(reverse("event-checkin", args=[event.pk]), {"code": student.pk, "session": "main"})

    assert "Check-in for main is open from" in page.content.decode()
    assert not Attendance.objects.exists()


def test_the_admin_obeys_the_window_too(admin_client):
    event = _event_at(timezone.now() + timedelta(days=14))
    student = _registered(event)

    page = admin_client.post(
        reverse("admin:registrations_attendance_add"),
        {"event": event.pk, "student": student.pk, "session": event.sessions.get().pk},
    )

    assert "CHECKIN_NOT_OPEN" in page.content.decode()
    assert not Attendance.objects.exists()


# How and by whom


def test_a_code_is_a_scan_and_an_enrollment_number_is_manual(organizer):
    event = _event_at(timezone.now(), organizers=[organizer])
    scanned, typed = _registered(event), _registered(event)
    code = Registration.objects.get(student=scanned).checkin_code

    by_code, _ = attendance_mark(event=event, checkin_code=code, actor=organizer)
    by_number, _ = attendance_mark(event=event, enrollment_no=typed.pk, actor=organizer)

    assert (by_code.method, by_code.marked_by) == ("scan", organizer)
    assert (by_number.method, by_number.marked_by) == ("manual", organizer)


def test_the_api_gives_method_and_marked_by(client_for, organizer):
    event = _event_at(timezone.now(), organizers=[organizer])
    student = _registered(event)

    body = (
        client_for(organizer)
        .post(
            f"/api/v2/attendance/mark/{event.pk}",
            {"checkin_code": Registration.objects.get(student=student).checkin_code},
        )
        .json()
    )

    assert body["method"] == "scan"
    assert body["marked_by"] == "organizer"


def test_the_roster_shows_how_and_by_whom_each_check_in_was_taken(client, organizer, login):
    event = _event_at(timezone.now(), organizers=[organizer])
    student = _registered(event)
    attendance_mark(event=event, enrollment_no=student.pk, actor=organizer)
    login(organizer)

    page = client.get(reverse("event-roster", args=[event.pk])).content.decode()

    assert "typed by an organizer · organizer" in page
