"""GET /api/v2/events/{id}/roster/: the organizers' roster as JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.services import certificate_issue
from events.services import QuestionSpec, event_update
from registrations.models import Registration, RegistrationStatus
from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
from tests.api.helpers import error_of
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="laptop", label="Bringing a laptop?", kind="yes_no"),
]


def _roster(client, event, **params):
    return client.get(f"/api/v2/events/{event.pk}/roster/", params)


def test_a_row_carries_the_registration_student_check_ins_answers_feedback_and_certificates(
    client_for, event, organizer
):
    event_update(event=event, questions=QUESTIONS, actor=organizer)
    student = StudentFactory(full_name="Asha Rao")
    registration = registration_create(event=event, enrollment_no=student.pk, answers={"tshirt": "M", "laptop": True})
    attendance_mark(event=event, enrollment_no=student.pk, actor=organizer)
    feedback = feedback_submit(event=event, enrollment_no=student.pk, rating=5)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk, actor=organizer)

    body = _roster(client_for(organizer), event).json()

    assert body["count"] == 1 and body["next"] is None
    assert body["results"] == [
        {
            "registration_id": registration.pk,
            "status": "confirmed",
            "student": {
                "enrollment_no": student.pk,
                "full_name": "Asha Rao",
                "email": student.email,
                "department": student.department,
                "year": student.year,
                "phone": student.phone,
            },
            "team_name": None,
            "attended_sessions": ["main"],
            "answers": {"tshirt": "M", "laptop": True},
            "feedback_id": feedback.pk,
            "certificate_ids": [certificate.pk],
        }
    ]


def test_team_members_carry_their_team_name(client_for, organizer):
    event = TeamEventFactory(organizers=[organizer])
    leader, member = StudentFactory(), StudentFactory()
    team_register(event=event, team_name="Byte Club", leader=leader.pk, members=[member.pk])

    rows = _roster(client_for(organizer), event).json()["results"]

    assert [row["team_name"] for row in rows] == ["Byte Club", "Byte Club"]


def test_the_roster_filters_by_status_query_and_session(client_for, organizer):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True, sessions=["day-1", "day-2"])
    seated = StudentFactory(full_name="Seated Sam")
    waiting = StudentFactory(full_name="Waiting Wanda")
    registration_create(event=event, enrollment_no=seated.pk)
    registration_create(event=event, enrollment_no=waiting.pk)
    attendance_mark(event=event, enrollment_no=seated.pk, session="day-1", actor=organizer)
    client = client_for(organizer)

    def names(**params):
        return [row["student"]["full_name"] for row in _roster(client, event, **params).json()["results"]]

    assert sorted(names()) == ["Seated Sam", "Waiting Wanda"]
    assert names(status="waitlisted") == ["Waiting Wanda"]
    assert names(q="sam") == ["Seated Sam"]
    assert names(q=waiting.pk.lower()) == ["Waiting Wanda"]
    assert names(session="day-1") == ["Seated Sam"]
    assert names(session="day-2") == []


def test_cancelled_registrations_show_only_when_asked_for(client_for, event, organizer):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    Registration.objects.filter(student=student).update(status=RegistrationStatus.CANCELLED, checkin_code=None)
    client = client_for(organizer)

    assert _roster(client, event).json()["count"] == 0
    assert [row["status"] for row in _roster(client, event, status="cancelled").json()["results"]] == ["cancelled"]


def test_registrations_awaiting_approval_are_on_the_roster_and_filtered_by_status(client_for, organizer):
    event = EventFactory(organizers=[organizer], approval_required=True)
    waiting = StudentFactory()
    registration_create(event=event, enrollment_no=waiting.pk)
    client = client_for(organizer)

    everyone = _roster(client, event).json()["results"]
    pending = _roster(client, event, status="pending").json()["results"]

    assert [(row["student"]["enrollment_no"], row["status"]) for row in everyone] == [(waiting.pk, "pending")]
    assert pending == everyone
    assert _roster(client, event, status="confirmed").json()["count"] == 0


def test_the_roster_is_paginated(client_for, event, organizer):
    for student in StudentFactory.create_batch(5):
        registration_create(event=event, enrollment_no=student.pk)
    client = client_for(organizer)

    first = _roster(client, event, page_size=2).json()
    last = _roster(client, event, page_size=2, page=3).json()
    beyond = _roster(client, event, page_size=2, page=4)

    assert first["count"] == 5 and len(first["results"]) == 2 and "page=2" in first["next"]
    assert len(last["results"]) == 1 and last["next"] is None
    assert beyond.status_code == 404 and error_of(beyond)["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "nonsense"}, "status"), ({"session": "nope"}, "session"), ({"q": "x" * 101}, "q")],
)
def test_a_bad_filter_is_a_validation_error(client_for, event, organizer, params, field):
    response = _roster(client_for(organizer), event, **params)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR" and field in error["details"]


def test_an_unknown_event_is_not_found(client_for, organizer):
    response = client_for(organizer).get("/api/v2/events/nope/roster/")
    assert response.status_code == 404 and error_of(response)["details"]["what"] == "event"


def test_a_student_registered_at_the_event_may_not_read_its_roster(client_for, event, student):
    registration_create(event=event, enrollment_no=student.pk)

    response = _roster(client_for(student), event)

    assert response.status_code == 403 and error_of(response)["code"] == "PERMISSION_DENIED"


def _queries(client, event) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = _roster(client, event, page_size=100)
    assert response.status_code == 200
    return len(captured)


def test_the_roster_api_costs_the_same_queries_for_5_or_50_registrations(client_for, organizer):
    events = {}
    for size in (5, 50):
        event = EventFactory(organizers=[organizer], capacity=size - 2, waitlist_enabled=True)
        event_update(event=event, questions=QUESTIONS, actor=organizer)
        for student in StudentFactory.create_batch(size):
            registration_create(event=event, enrollment_no=student.pk, answers={"tshirt": "S", "laptop": False})
        for registration in Registration.objects.filter(event=event, status="confirmed"):
            attendance_mark(event=event, enrollment_no=registration.student_id, actor=organizer)
            feedback_submit(event=event, enrollment_no=registration.student_id, rating=4)
        events[size] = event
    client = client_for(organizer)
    _queries(client, events[5])  # the token's first use writes nothing later calls repeat

    small, large = _queries(client, events[5]), _queries(client, events[50])

    assert small == large
    assert large <= 12
    assert len(_roster(client, events[50], page_size=100).json()["results"]) == 50
