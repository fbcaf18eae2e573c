"""Each endpoint runs a fixed number of queries: the same for an event of 10 and of 2,000 registrations."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_issue_all_eligible
from events.models import Event
from eventsite import ids
from registrations.models import Attendance, Feedback, Registration, RegistrationStatus, Student
from registrations.services import attendance_mark, feedback_submit, registration_create
from registrations.teams import team_create
from tests.factories import DEPARTMENTS, EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db

SIZES = (10, 2000)
# Teams: the same count whatever the event's size; each figure is what the endpoint runs today.
BUDGET_TEAM_DIRECT = 19
BUDGET_TEAM_FORMING = 25
BUDGET_TEAM_ACCEPT = 22


@dataclass
class Crowd:
    event: Event
    size: int


def crowd_event(size: int, organizer, **event_fields) -> Crowd:
    """An event with ``size`` confirmed students: half attended, a quarter gave feedback, a tenth certified."""
    event = EventFactory(organizers=[organizer], **event_fields)
    session = event.sessions.get()
    now = timezone.now()
    students = Student.objects.bulk_create(
        [
            Student(
                enrollment_no=f"25Q{event.pk[-3:].upper().replace('-', 'X'):X>3}{number:05d}",
                full_name=f"Student {number}",
                email=f"{event.pk}-{number}@college.example",
                department=DEPARTMENTS[number % len(DEPARTMENTS)],
                year=number % 4 + 1,
            )
            for number in range(size)
        ],
        batch_size=500,
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                registration_id=ids.new_registration_id(),
                event=event,
                student=student,
                status=RegistrationStatus.CONFIRMED,
                checkin_code=ids.new_checkin_code(),
                registered_at=now,
            )
            for student in students
        ],
        batch_size=500,
    )
    attended = registrations[: size // 2]
    Attendance.objects.bulk_create(
        [
            Attendance(
                attendance_id=ids.new_attendance_id(),
                event=event,
                student_id=r.student_id,
                registration=r,
                session=session,
                marked_at=now,
            )
            for r in attended
        ],
        batch_size=500,
    )
    Feedback.objects.bulk_create(
        [
            Feedback(feedback_id=ids.new_feedback_id(), event=event, student_id=r.student_id, registration=r, rating=4)
            for r in attended[: size // 4]
        ],
        batch_size=500,
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                certificate_id=ids.new_certificate_id(),
                event=event,
                student_id=r.student_id,
                registration=r,
                issued_at=now,
            )
            for r in attended[: size // 10]
        ],
        batch_size=500,
    )
    Event.objects.filter(pk=event.pk).update(confirmed_count=size)
    event.refresh_from_db()
    return Crowd(event=event, size=size)


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), response.content
    return len(captured.captured_queries)


def assert_fixed(counts: dict[int, int], budget: int) -> None:
    """The same count for both sizes, and no more than the endpoint runs today (a new query must be a choice)."""
    assert counts[SIZES[0]] == counts[SIZES[1]], counts
    assert counts[SIZES[0]] <= budget, counts


def me_at(event: Event, *, attended: bool = False, feedback: bool = False, certified: bool = False) -> Student:
    me = StudentUserFactory()
    registration_create(event=event, enrollment_no=me.pk)
    if attended:
        attendance_mark(event=event, enrollment_no=me.pk)
    if feedback:
        feedback_submit(event=event, enrollment_no=me.pk, rating=5)
    if certified:
        certificate_issue(event=event, enrollment_no=me.pk)
    return me


def test_crowd_events_hold_what_they_say(organizer):
    crowd = crowd_event(2000, organizer)

    assert len(crowd.event.registrations) == 2000
    assert len(crowd.event.attendances) == 1000
    assert len(crowd.event.feedbacks) == 500
    assert len(crowd.event.certificates) == 200


# Reads


def test_status_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        client = client_for(organizer)
        counts[size] = queries(lambda c=client, e=crowd.event: c.get(f"/api/v2/status/{e.pk}"))
    assert_fixed(counts, budget=9)


def test_lookup_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event, attended=True, feedback=True, certified=True)
        client = client_for(me)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=me: c.get(f"/api/v2/lookup/enrollment/{m.pk}/event/{e.pk}")
        )
    assert_fixed(counts, budget=9)  # the answers are one more query


def test_history_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event, attended=True, feedback=True, certified=True)
        client = client_for(me)
        counts[size] = queries(lambda c=client, m=me: c.get(f"/api/v2/students/{m.pk}/history"))
    assert_fixed(counts, budget=7)


def test_analytics_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        client = client_for(organizer)
        counts[size] = queries(lambda c=client, e=crowd.event: c.get(f"/api/v2/analytics/{e.pk}"))
    assert_fixed(counts, budget=10)


def test_event_list_runs_a_fixed_number_of_queries_whatever_the_events_and_their_size(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd_event(size, organizer)
        EventFactory.create_batch(3, organizers=[organizer])
        counts[size] = queries(lambda: client_for().get("/api/v2/events/"))
    assert_fixed(counts, budget=5)  # the questions are one more query


def test_event_detail_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        counts[size] = queries(lambda e=crowd.event: client_for().get(f"/api/v2/events/{e.pk}/"))
    assert_fixed(counts, budget=4)  # the questions are one more query


# Writes


def test_individual_registration_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = StudentUserFactory()
        client = client_for(me)
        counts[size] = queries(lambda c=client, e=crowd.event: c.post(f"/api/v2/register/individual/{e.pk}", {}))
    assert_fixed(counts, budget=9)


def test_team_registration_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer, registration_mode="team", team_size_min=2, team_size_max=4)
        leader, *mates = [student.pk for student in StudentFactory.create_batch(4)]
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=mates, lead=leader: c.post(
                f"/api/v2/register/team/{e.pk}", {"team_name": "Quads", "leader": lead, "members": m}, format="json"
            )
        )
    assert_fixed(counts, budget=BUDGET_TEAM_DIRECT)


def test_starting_a_team_with_invitations_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer, registration_mode="team", team_size_min=2, team_size_max=4)
        me = StudentUserFactory()
        mates = [student.pk for student in StudentFactory.create_batch(3)]
        client = client_for(me)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=mates: c.post(
                f"/api/v2/register/team/{e.pk}", {"team_name": "Quads", "members": m}, format="json"
            )
        )
    assert_fixed(counts, budget=BUDGET_TEAM_FORMING)


def test_accepting_the_invitation_that_completes_a_team_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer, registration_mode="team", team_size_min=2, team_size_max=4)
        leader, friend = StudentUserFactory(), StudentUserFactory()
        team = team_create(event=crowd.event, team_name="Pair", invite=[friend.pk], actor=leader.user)
        client = client_for(friend)
        counts[size] = queries(lambda c=client, t=team: c.post(f"/api/v2/teams/{t.pk}/accept", {}, format="json"))
    assert_fixed(counts, budget=BUDGET_TEAM_ACCEPT)


def test_cancel_with_a_promotion_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer, waitlist_enabled=True)
        me = me_at(crowd.event)
        Event.objects.filter(pk=crowd.event.pk).update(capacity=size + 1)
        waiting = registration_create(event=crowd.event, enrollment_no=StudentFactory().pk)
        assert waiting.status == RegistrationStatus.WAITLISTED
        client = client_for(me)
        counts[size] = queries(lambda c=client, e=crowd.event: c.post(f"/api/v2/register/cancel/{e.pk}", {}))
        assert crowd.event.registrations[waiting.student_id] == waiting.registration_id
    assert_fixed(counts, budget=14)  # one of them owes the cancelled student their email


def test_attendance_mark_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event)
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=me: c.post(f"/api/v2/attendance/mark/{e.pk}", {"enrollment_no": m.pk})
        )
    assert_fixed(counts, budget=12)  # one of them writes the new certificates' outbox rows


def test_feedback_submit_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event, attended=True)
        client = client_for(me)
        counts[size] = queries(
            lambda c=client, e=crowd.event: c.post(f"/api/v2/feedback/submit/{e.pk}", {"rating": 5}, format="json")
        )
    assert_fixed(counts, budget=10)


def test_certificate_issue_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event, attended=True)
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=me: c.post(f"/api/v2/certificate/issue/{e.pk}", {"enrollment_no": m.pk})
        )
    assert_fixed(counts, budget=14)  # the attendance rule reads the event's sessions


def test_bulk_certificate_issue_runs_a_fixed_number_of_queries(client_for, organizer):
    """With the same number of newly eligible students, the event's size costs nothing more."""
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        certificate_issue_all_eligible(event=crowd.event)
        for _ in range(3):
            me_at(crowd.event, attended=True)
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event: c.post(
                f"/api/v2/certificate/issue/{e.pk}", {"all_eligible": True}, format="json"
            )
        )
    assert_fixed(counts, budget=12)  # one of them writes the new certificates' outbox rows


def test_certificate_revoke_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        me = me_at(crowd.event, attended=True, certified=True)
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event, m=me: c.post(
                f"/api/v2/certificate/revoke/{e.pk}", {"enrollment_no": m.pk, "reason": "Proxy"}, format="json"
            )
        )
    assert_fixed(counts, budget=7)


def test_event_update_runs_a_fixed_number_of_queries(client_for, organizer):
    counts = {}
    for size in SIZES:
        crowd = crowd_event(size, organizer)
        client = client_for(organizer)
        counts[size] = queries(
            lambda c=client, e=crowd.event: c.patch(f"/api/v2/events/{e.pk}/", {"capacity": 5000}, format="json")
        )
    # 15: the capacity change writes its audit row.
    assert_fixed(counts, budget=17)  # the questions, read with the event before and after
