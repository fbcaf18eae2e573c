import pytest

from certificates.selectors import student_history
from certificates.services import certificate_issue, certificate_revoke
from registrations.models import Registration
from registrations.selectors import student_event_record, student_list, waitlist_position
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_cancel,
    registration_create,
    team_register,
)
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    PastEventFactory,
    RegistrationFactory,
    StudentFactory,
    TeamEventFactory,
)

pytestmark = pytest.mark.django_db


def test_student_event_record_gathers_everything_in_one_query_per_kind(event, django_assert_num_queries):
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    attendance, _ = attendance_mark(event=event, enrollment_no=student.pk)
    feedback = feedback_submit(event=event, enrollment_no=student.pk, rating=5)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    with django_assert_num_queries(4):
        record = student_event_record(student, event)
        assert record.team_name is None

    assert record.registration.pk == registration.pk
    assert record.status == "confirmed"
    assert record.checkin_code == registration.checkin_code
    assert record.attendance_ids == [attendance.pk]
    assert record.feedback_id == feedback.pk
    assert record.certificate_id == certificate.pk


def test_student_event_record_of_a_stranger_is_empty(event):
    record = student_event_record(StudentFactory(), event)
    assert (record.registration, record.status, record.checkin_code, record.attendance_ids) == (None, None, None, [])
    assert (record.feedback_id, record.certificate_id) == (None, None)


def test_student_event_record_of_a_waitlisted_student_shows_no_checkin_code():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    record = student_event_record(student, event)
    assert (record.status, record.checkin_code) == ("waitlisted", None)


def test_student_event_record_prefers_the_active_registration_over_a_cancelled_one(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)
    again = registration_create(event=event, enrollment_no=student.pk)
    assert student_event_record(student, event).registration.pk == again.pk


def test_student_event_record_shows_the_team_and_hides_a_revoked_certificate(team_event):
    members = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="Alpha", leader=members[0].pk, members=[members[1].pk])
    attendance_mark(event=team_event, enrollment_no=members[1].pk)
    certificate_issue(event=team_event, enrollment_no=members[1].pk)
    certificate_revoke(event=team_event, enrollment_no=members[1].pk, reason="x")

    record = student_event_record(members[1], team_event)

    assert record.team_name == "Alpha"
    assert record.certificate_id is None


def test_student_history_covers_every_event_newest_first_in_one_query_per_kind(django_assert_num_queries):
    student = StudentFactory()
    past = PastEventFactory()
    upcoming = EventFactory()
    teamed = TeamEventFactory()
    past_registration = RegistrationFactory(event=past, student=student)
    attendance = AttendanceFactory(registration=past_registration)
    registration_create(event=upcoming, enrollment_no=student.pk)
    team_register(event=teamed, team_name="Alpha", leader=StudentFactory().pk, members=[student.pk])
    StudentFactory()  # someone else's history stays out

    with django_assert_num_queries(4):
        history = student_history(student)
        roles = [entry.role for entry in history]
        teams = [entry.team_name for entry in history]

    assert [entry.event.pk for entry in history] == [teamed.pk, upcoming.pk, past.pk]
    by_event = {entry.event.pk: entry for entry in history}
    assert by_event[past.pk].attendance_ids == [attendance.pk]
    assert by_event[teamed.pk].team_name == "Alpha"
    assert sorted(roles) == ["individual", "individual", "team_member"]
    assert teams.count("Alpha") == 1


def test_student_history_keeps_one_entry_per_event_preferring_the_active_registration(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)
    again = registration_create(event=event, enrollment_no=student.pk)

    history = student_history(student)

    assert [entry.registration.pk for entry in history] == [again.pk]


def test_student_history_keeps_a_cancelled_registration_when_nothing_is_active(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)
    assert [entry.registration.status for entry in student_history(student)] == ["cancelled"]


def test_waitlist_position_counts_a_team_as_one_place():
    event = TeamEventFactory(capacity=0, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(3), StudentFactory.create_batch(2)
    team_register(event=event, team_name="A", leader=first[0].pk, members=[s.pk for s in first])
    team_register(event=event, team_name="B", leader=second[0].pk, members=[second[1].pk])
    assert waitlist_position(Registration.objects.get(student=second[1])) == 2


def test_waitlist_position_of_a_confirmed_registration_is_none(event):
    assert waitlist_position(registration_create(event=event, enrollment_no=StudentFactory().pk)) is None


def test_student_list_searches_number_name_email_and_department():
    asha = StudentFactory(full_name="Asha Verma", department="CSE")
    StudentFactory(full_name="Ravi Kumar", department="ECE")
    assert list(student_list(q=" asha ")) == [asha]
    assert list(student_list(q=asha.pk.lower())) == [asha]
    assert asha in student_list(q="cse")
