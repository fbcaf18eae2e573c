from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from events.models import Event
from eventsite.errors import (
    EventCancelled,
    NotAuthenticated,
    NotFound,
    NotRegistered,
    PermissionDenied,
    ValidationFailed,
)
from registrations.models import Attendance
from registrations.services import attendance_mark, registration_cancel, registration_create
from tests.factories import EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_day_event(organizer):
    return EventFactory(organizers=[organizer], sessions=["day-1", "day-2"])


def _confirmed(event):
    student = StudentFactory()
    return registration_create(event=event, enrollment_no=student.pk)


def test_attendance_mark_by_enrollment_number_records_who_marked(event, organizer):
    registration = _confirmed(event)

    attendance, created = attendance_mark(event=event, enrollment_no=registration.student_id.lower(), actor=organizer)

    assert created
    assert attendance.registration_id == registration.pk
    assert attendance.student_id == registration.student_id
    assert attendance.event_id == event.pk
    assert attendance.session.code == "main"
    assert attendance.marked_by == organizer
    assert event.attendances[registration.student_id] == [attendance.pk]


@pytest.mark.parametrize("typed", [str.lower, lambda code: f" {code[:5]}-{code[5:]} ", lambda code: code])
def test_attendance_mark_by_checkin_code_as_scanned_or_typed(event, typed):
    registration = _confirmed(event)

    attendance, created = attendance_mark(event=event, checkin_code=typed(registration.checkin_code))

    assert created
    assert attendance.student_id == registration.student_id


def test_a_second_scan_returns_the_existing_attendance(event):
    registration = _confirmed(event)
    first, _ = attendance_mark(event=event, checkin_code=registration.checkin_code)

    again, created = attendance_mark(event=event, enrollment_no=registration.student_id)

    assert not created
    assert again.pk == first.pk
    assert Attendance.objects.count() == 1


def test_attendance_is_per_session(two_day_event):
    registration = _confirmed(two_day_event)

    day_two, _ = attendance_mark(
        event=two_day_event,
        enrollment_no=registration.student_id,
        session="day-2",
        at=two_day_event.sessions.get(code="day-2").starts_at,
    )
    day_one, _ = attendance_mark(event=two_day_event, enrollment_no=registration.student_id, session="day-1")

    assert day_one.session.code == "day-1"
    assert day_two.session.code == "day-2"
    assert two_day_event.attendances[registration.student_id] == [day_one.pk, day_two.pk]


def test_without_a_session_the_one_under_way_is_used(two_day_event):
    registration = _confirmed(two_day_event)
    two_day_event.sessions.filter(code="day-1").update(starts_at=timezone.now() - timedelta(days=1))
    two_day_event.sessions.filter(code="day-2").update(starts_at=timezone.now() - timedelta(hours=1))

    attendance, _ = attendance_mark(event=two_day_event, enrollment_no=registration.student_id)

    assert attendance.session.code == "day-2"


def test_before_any_session_starts_the_first_one_is_used(two_day_event):
    registration = _confirmed(two_day_event)
    attendance, _ = attendance_mark(event=two_day_event, enrollment_no=registration.student_id)
    assert attendance.session.code == "day-1"


def test_attendance_mark_refuses_an_unknown_session(two_day_event):
    registration = _confirmed(two_day_event)
    with pytest.raises(NotFound) as error:
        attendance_mark(event=two_day_event, enrollment_no=registration.student_id, session="day-9")
    assert error.value.details == {"what": "session", "key": "day-9"}
    assert not Attendance.objects.exists()


def test_attendance_mark_refuses_a_waitlisted_student():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    waiting = registration_create(event=event, enrollment_no=StudentFactory().pk)
    with pytest.raises(NotRegistered) as error:
        attendance_mark(event=event, enrollment_no=waiting.student_id)
    assert error.value.code == "NOT_REGISTERED"


def test_attendance_mark_refuses_an_unregistered_student(event):
    with pytest.raises(NotRegistered):
        attendance_mark(event=event, enrollment_no=StudentFactory().pk)


def test_attendance_mark_refuses_a_cancelled_registration(event):
    registration = _confirmed(event)
    registration_cancel(event=event, enrollment_no=registration.student_id)
    with pytest.raises(NotRegistered):
        attendance_mark(event=event, enrollment_no=registration.student_id)


def test_the_code_of_a_cancelled_registration_no_longer_opens_the_door(event):
    registration = _confirmed(event)
    registration_cancel(event=event, enrollment_no=registration.student_id)
    with pytest.raises(NotFound):
        attendance_mark(event=event, checkin_code=registration.checkin_code)


def test_attendance_mark_refuses_an_unknown_checkin_code(event):
    with pytest.raises(NotFound) as error:
        attendance_mark(event=event, checkin_code="0000000000000")
    assert error.value.details == {"what": "registration"}


def test_a_checkin_code_from_another_event_is_unknown_here(event):
    elsewhere = _confirmed(EventFactory())
    with pytest.raises(NotFound):
        attendance_mark(event=event, checkin_code=elsewhere.checkin_code)


def test_attendance_mark_needs_an_enrollment_number_or_a_code(event):
    with pytest.raises(ValidationFailed):
        attendance_mark(event=event)


def test_attendance_mark_refuses_a_cancelled_event(event):
    registration = _confirmed(event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(EventCancelled):
        attendance_mark(event=event, enrollment_no=registration.student_id)


def test_staff_mark_attendance_anywhere(staff_user):
    event = EventFactory()
    registration = _confirmed(event)
    assert attendance_mark(event=event, enrollment_no=registration.student_id, actor=staff_user)[1]


def test_an_organizer_of_another_event_cannot_mark_attendance(organizer):
    event = EventFactory()
    registration = _confirmed(event)
    with pytest.raises(PermissionDenied):
        attendance_mark(event=event, enrollment_no=registration.student_id, actor=organizer)


def test_a_student_cannot_check_themselves_in(event):
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(PermissionDenied):
        attendance_mark(event=event, enrollment_no=student.pk, actor=student.user)
    assert not Attendance.objects.exists()


def test_anonymous_cannot_mark_attendance(event):
    registration = _confirmed(event)
    with pytest.raises(NotAuthenticated):
        attendance_mark(event=event, checkin_code=registration.checkin_code, actor=AnonymousUser())
