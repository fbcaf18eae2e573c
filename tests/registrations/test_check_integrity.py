"""check_integrity finds each kind of broken data, planted directly in the rows."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue
from events.models import Event
from eventsite import ids
from registrations.integrity import integrity_problems
from registrations.models import Registration, Team, TeamMembership
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_cancel,
    registration_create,
    team_register,
)
from registrations.teams import team_create, team_invitation_accept
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    RegistrationFactory,
    StudentFactory,
    StudentUserFactory,
    TeamEventFactory,
)

pytestmark = pytest.mark.django_db


def run_check(*event_ids):
    """Run the command; returns (output, error message or None)."""
    out = StringIO()
    args = [arg for event_id in event_ids for arg in ("--event", event_id)]
    try:
        call_command("check_integrity", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def assert_found(code, event, enrollment_no=None):
    output, error = run_check()
    assert error is not None, output
    expected = f"[{code}] {event.pk}" + (f" {enrollment_no}" if enrollment_no else "")
    assert expected in output, output
    return output


@pytest.fixture
def healthy_event(organizer):
    """An event that went through every service: registrations, a waitlist, a team-free cancel, attendance,
    feedback and certificates."""
    event = EventFactory(capacity=3, waitlist_enabled=True, organizers=[organizer])
    students = StudentFactory.create_batch(5)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=students[0].pk)
    for student in students[1:3]:
        attendance_mark(event=event, enrollment_no=student.pk)
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)
        certificate_issue(event=event, enrollment_no=student.pk)
    event.refresh_from_db()
    return event


@pytest.fixture
def healthy_team_event():
    event = TeamEventFactory(capacity=4, waitlist_enabled=True)
    for name in ("Alpha", "Beta", "Gamma"):
        members = StudentFactory.create_batch(2)
        team_register(event=event, team_name=name, leader=members[0].pk, members=[members[1].pk])
    leader = Team.objects.get(name="Alpha").leader_id
    registration_cancel(event=event, enrollment_no=leader)
    return event


@pytest.fixture
def without_one_active_registration_rule():
    """Drop the unique index, as data written before it existed (or around it) would be."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX registration_one_active_per_student")


def test_data_written_by_the_services_is_clean(healthy_event, healthy_team_event):
    output, error = run_check()
    assert error is None, output
    assert output.strip() == "No integrity problems in 2 event(s)."


def test_an_empty_database_is_clean():
    assert run_check() == ("No integrity problems in 0 event(s).\n", None)


def test_too_many_confirmed_for_the_capacity(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(capacity=1, confirmed_count=3)
    output = assert_found("CAPACITY_EXCEEDED", healthy_event)
    assert "3 confirmed students for a capacity of 1" in output


def test_a_counter_that_disagrees_with_the_rows(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(confirmed_count=2)
    output = assert_found("CONFIRMED_COUNT_MISMATCH", healthy_event)
    assert "counter says 2 confirmed, the rows say 3" in output


def test_a_confirmed_registration_written_around_the_counter(healthy_event):
    RegistrationFactory(event=healthy_event)
    output = assert_found("CONFIRMED_COUNT_MISMATCH", healthy_event)
    assert "CAPACITY_EXCEEDED" in output


def test_two_active_registrations_of_one_student(healthy_event, without_one_active_registration_rule):
    student = Registration.objects.filter(event=healthy_event, status="waitlisted").first().student
    RegistrationFactory(event=healthy_event, student=student, status="waitlisted", checkin_code=None)
    output = assert_found("DUPLICATE_REGISTRATION", healthy_event, student.pk)
    assert "2 active registrations" in output


def test_a_team_smaller_than_allowed(healthy_team_event):
    team = Team.objects.get(name="Beta")
    left = Registration.objects.filter(team=team).exclude(student=team.leader).first()
    Registration.objects.filter(pk=left.pk).update(team=None)
    output = assert_found("TEAM_SIZE", healthy_team_event, team.leader_id)
    assert "Team 'Beta' has 1 active members; the event allows 2 to 4" in output


def test_a_team_larger_than_allowed(healthy_team_event):
    team = Team.objects.get(name="Beta")
    for student in StudentFactory.create_batch(3):
        RegistrationFactory(event=healthy_team_event, team=team, student=student)
    Event.objects.filter(pk=healthy_team_event.pk).update(confirmed_count=7, capacity=10)
    assert_found("TEAM_SIZE", healthy_team_event, team.leader_id)


def test_a_member_whose_status_differs_from_the_team(healthy_team_event):
    team = Team.objects.get(name="Gamma")
    member = Registration.objects.filter(team=team, status="confirmed").first()
    Registration.objects.filter(pk=member.pk).update(status="waitlisted", checkin_code=None, waitlist_seq=99)
    output = assert_found("TEAM_STATUS_MISMATCH", healthy_team_event, member.student_id)
    assert "is waitlisted but team 'Gamma' is" in output


def test_a_member_of_a_seated_team_whose_registration_was_lost(healthy_team_event):
    team = Team.objects.get(name="Gamma")
    member = Registration.objects.filter(team=team).first()
    Registration.objects.filter(pk=member.pk).update(status="cancelled", checkin_code=None)
    output = assert_found("TEAM_MEMBER_WITHOUT_PLACE", healthy_team_event, member.student_id)
    assert "In confirmed team 'Gamma' without a registration" in output


def test_a_forming_team_holding_a_seat(healthy_team_event):
    team = Team.objects.get(name="Gamma")
    Team.objects.filter(pk=team.pk).update(status="forming")
    member = Registration.objects.filter(team=team, status="confirmed").first()
    output = assert_found("FORMING_TEAM_HOLDS_SEAT", healthy_team_event, member.student_id)
    assert "in team 'Gamma', which is still forming" in output


def test_a_forming_team_at_its_minimum_that_took_no_seats(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=3)
    leader, friend = StudentUserFactory.create_batch(2)
    team = team_create(event=event, team_name="Stuck", invite=[friend.pk], actor=leader.user)
    TeamMembership.objects.filter(team=team, student=friend).update(state="accepted")
    output = assert_found("FORMING_TEAM_COMPLETE", event, leader.pk)
    assert "Team 'Stuck' has 2 members, enough to take its seats" in output


def test_a_place_held_by_someone_who_left_the_team(healthy_team_event):
    team = Team.objects.get(name="Gamma")
    member = Registration.objects.filter(team=team, status="confirmed").exclude(student_id=team.leader_id).first()
    TeamMembership.objects.filter(team=team, student_id=member.student_id).update(state="left")
    assert_found("TEAM_PLACE_WITHOUT_MEMBER", healthy_team_event, member.student_id)


def test_forming_teams_and_their_invitations_are_clean(organizer):
    event = TeamEventFactory(team_size_min=3, team_size_max=4)
    leader, accepted, invited = StudentUserFactory.create_batch(3)
    team = team_create(event=event, team_name="Forming", invite=[accepted.pk, invited.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=accepted.user)
    assert integrity_problems([event.pk]) == []


def test_a_cancelled_team_with_an_active_member(healthy_team_event):
    alpha = Team.objects.get(name="Alpha")
    member = Registration.objects.filter(team=alpha).first()
    Registration.objects.filter(pk=member.pk).update(status="waitlisted")
    assert_found("TEAM_STATUS_MISMATCH", healthy_team_event, member.student_id)


def test_attendance_of_a_waitlisted_registration(healthy_event):
    waiting = Registration.objects.get(event=healthy_event, status="waitlisted")
    AttendanceFactory(registration=waiting)
    output = assert_found("ATTENDANCE_NOT_CONFIRMED", healthy_event, waiting.student_id)
    assert "for a waitlisted registration" in output


def test_attendance_marked_after_the_registration_was_cancelled(healthy_event):
    cancelled = Registration.objects.get(event=healthy_event, status="cancelled")
    AttendanceFactory(registration=cancelled, marked_at=cancelled.cancelled_at + timedelta(minutes=5))
    assert_found("ATTENDANCE_NOT_CONFIRMED", healthy_event, cancelled.student_id)


def test_attendance_marked_before_an_organizer_cancelled_is_history(healthy_event, organizer):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed", attendance__isnull=True).first()
    attendance_mark(event=healthy_event, enrollment_no=registration.student_id)
    registration_cancel(event=healthy_event, enrollment_no=registration.student_id, actor=organizer)
    assert run_check()[1] is None


def test_attendance_that_disagrees_with_its_registration(healthy_event):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed").first()
    other_event = EventFactory()
    AttendanceFactory(registration=registration, event=other_event, session=other_event.sessions.first())
    output = assert_found("ATTENDANCE_NOT_CONFIRMED", other_event, registration.student_id)
    assert f"points at the registration of {registration.student_id} at {healthy_event.pk}" in output


def test_attendance_for_a_session_of_another_event(healthy_event):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed", attendance__isnull=True).first()
    AttendanceFactory(registration=registration, session=EventFactory().sessions.first())
    output = assert_found("ATTENDANCE_NOT_CONFIRMED", healthy_event, registration.student_id)
    assert "is for a session of" in output


def test_feedback_without_attendance(healthy_event):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed", attendance__isnull=True).first()
    FeedbackFactory(registration=registration)
    assert_found("FEEDBACK_WITHOUT_ATTENDANCE", healthy_event, registration.student_id)


def test_a_certificate_for_a_student_who_never_attended(healthy_event):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed", attendance__isnull=True).first()
    Certificate.objects.create(
        certificate_id=ids.new_certificate_id(),
        event=healthy_event,
        student_id=registration.student_id,
        registration=registration,
        issued_at=timezone.now(),
    )
    output = assert_found("CERTIFICATE_NOT_ELIGIBLE", healthy_event, registration.student_id)
    assert "they attended 0 of the 1 session needed" in output


def test_a_certificate_for_a_student_not_confirmed(healthy_event):
    waiting = Registration.objects.get(event=healthy_event, status="waitlisted")
    Certificate.objects.create(
        certificate_id=ids.new_certificate_id(), event=healthy_event, student=waiting.student, issued_at=timezone.now()
    )
    output = assert_found("CERTIFICATE_NOT_ELIGIBLE", healthy_event, waiting.student_id)
    assert "they have no confirmed registration" in output


def test_certificates_held_without_the_feedback_or_sessions_the_event_now_requires(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(min_sessions_for_certificate=2)
    output = assert_found("CERTIFICATE_NOT_ELIGIBLE", healthy_event)
    assert output.count("CERTIFICATE_NOT_ELIGIBLE") == 2
    assert "they attended 1 of the 2 sessions needed" in output


def test_a_certificate_without_the_required_feedback():
    event = EventFactory(certificate_requires_feedback=True)
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    AttendanceFactory(registration=registration)
    Certificate.objects.create(
        certificate_id=ids.new_certificate_id(), event=event, student=student, issued_at=timezone.now()
    )
    output = assert_found("CERTIFICATE_NOT_ELIGIBLE", event, student.pk)
    assert "feedback is still due" in output


def test_a_revoked_certificate_of_an_ineligible_student_is_fine(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(min_sessions_for_certificate=2)
    Certificate.objects.filter(event=healthy_event).update(revoked_at=timezone.now(), revoked_reason="x")
    assert run_check()[1] is None


def test_a_confirmed_registration_without_a_checkin_code(healthy_event):
    registration = Registration.objects.filter(event=healthy_event, status="confirmed").first()
    Registration.objects.filter(pk=registration.pk).update(checkin_code=None)
    output = assert_found("CHECKIN_CODE_MISMATCH", healthy_event, registration.student_id)
    assert "confirmed registration without a check-in code" in output


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_a_registration_not_confirmed_with_a_checkin_code(healthy_event, status):
    registration = Registration.objects.get(event=healthy_event, status=status)
    Registration.objects.filter(pk=registration.pk).update(checkin_code=ids.new_checkin_code())
    output = assert_found("CHECKIN_CODE_MISMATCH", healthy_event, registration.student_id)
    assert f"A {status} registration with a check-in code" in output


def test_every_problem_is_listed_and_counted(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(confirmed_count=5)
    Registration.objects.filter(event=healthy_event, status="waitlisted").update(checkin_code="ABC")
    output, error = run_check()
    assert error == "2 integrity problem(s) in 1 event(s) checked."
    assert len(output.strip().splitlines()) == 2


def test_the_check_can_be_limited_to_some_events(healthy_event, healthy_team_event):
    Event.objects.filter(pk=healthy_event.pk).update(confirmed_count=0)

    assert run_check(healthy_team_event.pk) == ("No integrity problems in 1 event(s).\n", None)
    output, error = run_check(healthy_event.pk, healthy_team_event.pk)
    assert error is not None
    assert "CONFIRMED_COUNT_MISMATCH" in output


def test_an_unknown_event_is_an_error():
    output, error = run_check("no-such-event")
    assert error == "No such event: no-such-event."


def test_the_checks_return_plain_problems_for_the_importer(healthy_event):
    Event.objects.filter(pk=healthy_event.pk).update(confirmed_count=9)
    [problem] = integrity_problems([healthy_event.pk])
    assert (problem.code, problem.event_id, problem.enrollment_no) == (
        "CONFIRMED_COUNT_MISMATCH",
        healthy_event.pk,
        None,
    )
    assert problem.message


def test_the_checks_cost_the_same_whatever_the_number_of_rows(django_assert_num_queries):
    small = EventFactory()
    for student in StudentFactory.create_batch(2):
        registration_create(event=small, enrollment_no=student.pk)
    # One aggregate query per check, two for teams (sizes, members' statuses) and the waitlist (students, teams),
    # four for the team members (places without members and the reverse, complete forming teams, events).
    with django_assert_num_queries(15):
        integrity_problems()
    for student in StudentFactory.create_batch(30):
        registration = registration_create(event=small, enrollment_no=student.pk)
        attendance_mark(event=small, enrollment_no=registration.student_id)
    with django_assert_num_queries(15):
        integrity_problems()


def test_a_student_waiting_while_a_seat_is_free(healthy_event):
    holder = Registration.objects.filter(event=healthy_event, status="confirmed").first()
    Registration.objects.filter(pk=holder.pk).update(status="cancelled", checkin_code=None, cancelled_at=timezone.now())
    Event.objects.filter(pk=healthy_event.pk).update(confirmed_count=2)
    Certificate.objects.filter(student=holder.student).delete()
    waiting = Registration.objects.get(event=healthy_event, status="waitlisted")
    output = assert_found("WAITLIST_NOT_PROMOTED", healthy_event, waiting.student_id)
    assert output.count("[") == 1, output


def test_a_waiting_team_that_fits_the_free_seats():
    event = TeamEventFactory(capacity=2, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(2), StudentFactory.create_batch(2)
    team_register(event=event, team_name="First", leader=first[0].pk, members=[first[1].pk])
    team_register(event=event, team_name="Second", leader=second[0].pk, members=[second[1].pk])
    assert run_check()[1] is None

    Event.objects.filter(pk=event.pk).update(capacity=4)  # raised around event_update, which would promote

    output = assert_found("WAITLIST_NOT_PROMOTED", event, second[0].pk)
    assert output.count("[") == 1, output


def test_a_waiting_team_larger_than_the_free_seats_is_fine():
    event = TeamEventFactory(capacity=4, waitlist_enabled=True, team_size_max=4)
    first = StudentFactory.create_batch(2)
    team_register(event=event, team_name="First", leader=first[0].pk, members=[first[1].pk])
    second = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Second", leader=second[0].pk, members=[second[1].pk])
    big = StudentFactory.create_batch(4)
    team_register(event=event, team_name="Big", leader=big[0].pk, members=[s.pk for s in big[1:]])
    registration_cancel(event=event, enrollment_no=first[0].pk)

    assert run_check() == ("No integrity problems in 1 event(s).\n", None)
    Event.objects.filter(pk=event.pk).update(capacity=None)
    assert_found("WAITLIST_NOT_PROMOTED", event, big[0].pk)
