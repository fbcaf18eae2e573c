"""Approval through the API: a registration answers ``pending``; organizers approve or reject it."""

import pytest

from events.models import EventAuditEntry
from registrations.models import Registration, RegistrationStatus
from tests.api.helpers import error_of
from tests.factories import EventFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_event(organizer):
    return EventFactory(organizers=[organizer], approval_required=True, capacity=1, waitlist_enabled=True)


def _request(client_for, student, event) -> dict:
    response = client_for(student).post(f"/api/v2/register/individual/{event.pk}", {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_registration_answers_pending_without_a_checkin_code(client_for, approval_event):
    body = _request(client_for, StudentUserFactory(), approval_event)
    assert body["status"] == "pending" and body["checkin_code"] is None and body["waitlist_position"] is None


def test_registering_again_while_waiting_is_pending_approval(client_for, approval_event):
    student = StudentUserFactory()
    _request(client_for, student, approval_event)
    response = client_for(student).post(f"/api/v2/register/individual/{approval_event.pk}", {}, format="json")
    assert response.status_code == 409 and error_of(response)["code"] == "PENDING_APPROVAL"


def test_approve_confirms_then_waitlists(client_for, approval_event, organizer):
    first, second = StudentUserFactory.create_batch(2)
    ids = [_request(client_for, s, approval_event)["registration_id"] for s in (first, second)]
    answers = [client_for(organizer).post(f"/api/v2/registrations/{rid}/approve").json() for rid in ids]
    assert [(a["status"], a["waitlist_position"]) for a in answers] == [("confirmed", None), ("waitlisted", 1)]
    assert answers[0]["checkin_code"]
    status = client_for(organizer).get(f"/api/v2/status/{approval_event.pk}").json()
    assert status["registrations"] == {first.pk: ids[0]} and status["waitlist"] == {second.pk: ids[1]}


def test_reject_takes_a_reason_for_the_audit_trail(client_for, approval_event, organizer):
    rid = _request(client_for, StudentUserFactory(), approval_event)["registration_id"]
    response = client_for(organizer).post(f"/api/v2/registrations/{rid}/reject", {"reason": "Full."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert EventAuditEntry.objects.get(action="registration_rejected").note == "Full."


def test_the_lookup_shows_pending_to_the_student(client_for, approval_event):
    student = StudentUserFactory()
    rid = _request(client_for, student, approval_event)["registration_id"]
    body = client_for(student).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{approval_event.pk}").json()
    assert (body["registration_id"], body["status"], body["checkin_code"]) == (rid, "pending", None)


def test_deciding_an_unknown_registration_is_not_found(client_for, organizer):
    response = client_for(organizer).post("/api/v2/registrations/Rnope/approve")
    assert response.status_code == 404 and error_of(response)["details"]["what"] == "registration"


def test_a_decided_registration_cannot_be_decided_the_other_way(client_for, approval_event, organizer):
    rid = _request(client_for, StudentUserFactory(), approval_event)["registration_id"]
    client_for(organizer).post(f"/api/v2/registrations/{rid}/reject")
    response = client_for(organizer).post(f"/api/v2/registrations/{rid}/approve")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    assert Registration.objects.get(pk=rid).status == RegistrationStatus.REJECTED


def test_a_student_cannot_approve_their_own(client_for, approval_event):
    student = StudentUserFactory()
    rid = _request(client_for, student, approval_event)["registration_id"]
    response = client_for(student).post(f"/api/v2/registrations/{rid}/approve")
    assert response.status_code == 403 and error_of(response)["code"] == "PERMISSION_DENIED"
