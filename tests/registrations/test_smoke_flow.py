import pytest

from certificates.services import certificate_issue
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_cancel,
    registration_create,
    team_register,
)
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_student_goes_from_registration_to_certificate_and_every_map_shows_it(event):
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.enrollment_no.lower() + " ")
    attendance, created = attendance_mark(event=event, checkin_code=registration.checkin_code)
    feedback = feedback_submit(event=event, enrollment_no=student.enrollment_no, rating=5)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.enrollment_no)

    assert created
    assert dict(event.registrations) == {student.enrollment_no: registration.registration_id}
    assert event.registrations[student.enrollment_no] == registration.registration_id
    assert event.attendances[student.enrollment_no] == [attendance.attendance_id]
    assert event.feedbacks[student.enrollment_no] == feedback.feedback_id
    assert event.certificates[student.enrollment_no] == certificate.certificate_id
    assert len(event.waitlist) == 0


def test_a_team_is_waitlisted_whole_and_promoted_whole(team_event):
    team_event.capacity = 3
    team_event.waitlist_enabled = True
    team_event.save()
    first = StudentFactory.create_batch(3)
    second = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="Alpha", leader=first[0].pk, members=[s.pk for s in first])
    waiting = team_register(event=team_event, team_name="Beta", leader=second[0].pk, members=[second[1].pk])
    assert waiting.status == "waitlisted"
    assert set(team_event.waitlist) == {s.pk for s in second}

    result = registration_cancel(event=team_event, enrollment_no=first[0].pk)

    assert len(result.cancelled) == 3
    assert set(result.promoted) == {s.pk for s in second}
    assert set(team_event.team_registrations) == {"Beta"}
    assert set(team_event.team_registrations["beta"]) == {s.pk for s in second}


def test_maps_answer_in_one_query_each(django_assert_num_queries):
    event = EventFactory()
    for student in StudentFactory.create_batch(5):
        registration_create(event=event, enrollment_no=student.pk)
    with django_assert_num_queries(1):
        assert len(dict(event.registrations)) == 5
