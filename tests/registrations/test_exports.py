import pytest

from analytics.exports import roster_columns, roster_rows
from certificates.services import certificate_issue, certificate_revoke
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_cancel,
    registration_create,
    team_register,
)
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


def test_roster_rows_give_each_active_registration_with_its_attendance_feedback_and_certificate():
    event = EventFactory(sessions=["day-1", "day-2"], capacity=2, waitlist_enabled=True)
    done, registered, waiting, gone = (StudentFactory() for _ in range(4))
    for student in (done, gone, registered, waiting):
        registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=gone.pk)  # promotes `registered`
    attendance_mark(event=event, enrollment_no=done.pk, session="day-2", at=event.sessions.get(code="day-2").starts_at)
    feedback_submit(event=event, enrollment_no=done.pk, rating=5)
    certificate, _ = certificate_issue(event=event, enrollment_no=done.pk)

    rows = {row["enrollment_no"]: row for row in roster_rows(event)}

    assert gone.pk not in rows
    assert rows[done.pk] == {
        "enrollment_no": done.pk,
        "full_name": done.full_name,
        "department": done.department,
        "year": done.year,
        "team": "",
        "status": "confirmed",
        "attended_day-1": False,
        "attended_day-2": True,
        "feedback_rating": 5,
        "certificate_id": certificate.pk,
    }
    assert rows[registered.pk]["attended_day-2"] is False
    assert rows[registered.pk]["feedback_rating"] is None
    assert rows[registered.pk]["status"] == "confirmed"
    assert rows[waiting.pk]["status"] == "waitlisted"
    assert list(rows) == sorted(rows)
    assert all(list(row) == roster_columns(event.sessions.all()) for row in rows.values())


def test_roster_rows_leave_out_revoked_certificates_and_name_teams():
    event = TeamEventFactory()
    leader, member = StudentFactory(), StudentFactory()
    team_register(event=event, team_name="Owls", leader=leader.pk, members=[member.pk])
    attendance_mark(event=event, enrollment_no=leader.pk)
    certificate_issue(event=event, enrollment_no=leader.pk)
    certificate_revoke(event=event, enrollment_no=leader.pk, reason="Issued in error")

    rows = {row["enrollment_no"]: row for row in roster_rows(event)}

    assert rows[leader.pk]["team"] == rows[member.pk]["team"] == "Owls"
    assert rows[leader.pk]["certificate_id"] == ""


def test_roster_rows_limited_to_some_enrollment_numbers():
    event = EventFactory()
    students = StudentFactory.create_batch(4)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
    wanted = sorted(student.pk for student in students[1:3])
    assert [row["enrollment_no"] for row in roster_rows(event, enrollment_nos=wanted)] == wanted


@pytest.mark.parametrize("size", [3, 60])
def test_roster_rows_take_the_same_number_of_queries_whatever_the_size(django_assert_num_queries, size):
    event = EventFactory(sessions=["day-1", "day-2"])
    students = StudentFactory.create_batch(size)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
    for student in students[::2]:
        attendance_mark(event=event, enrollment_no=student.pk, session="day-1")
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)
    certificate_issue(event=event, enrollment_no=students[0].pk)

    with django_assert_num_queries(5):
        rows = list(roster_rows(event))

    assert len(rows) == size
    assert sum(row["attended_day-1"] for row in rows) == len(students[::2])
    assert sum(1 for row in rows if row["feedback_rating"] == 4) == len(students[::2])
