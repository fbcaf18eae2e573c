"""Issue 12, finding 4: an organizer sees a student's details only through their own event."""

import pytest

from registrations.selectors import student_visible_to
from registrations.services import registration_cancel, registration_create
from tests.factories import EventFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def _lookup(client, enrollment_no: str, event_id: str):
    return client.get(f"/api/v2/lookup/enrollment/{enrollment_no}/event/{event_id}")


def test_lookup_of_a_student_never_registered_at_the_event_is_not_found_for_its_organizer(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    stranger = StudentUserFactory(phone="+91 98450 00000")
    registration_create(event=EventFactory(), enrollment_no=stranger.pk)

    response = _lookup(client_for(organizer), stranger.pk, event.pk)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    body = response.content.decode()
    for private in (stranger.email, stranger.phone, stranger.full_name):
        assert private not in body


def test_lookup_answers_the_same_for_a_stranger_and_for_nobody(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    stranger = StudentUserFactory()

    known = _lookup(client_for(organizer), stranger.pk, event.pk)
    unknown = _lookup(client_for(organizer), "22ZZZ99999", event.pk)

    assert (known.status_code, unknown.status_code) == (404, 404)
    assert known.json()["error"]["code"] == unknown.json()["error"]["code"] == "NOT_FOUND"
    assert set(known.json()["error"]["details"]) == set(unknown.json()["error"]["details"])


def test_lookup_shows_a_registrant_to_the_organizer(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)

    response = _lookup(client_for(organizer), student.pk, event.pk)

    assert response.status_code == 200
    assert response.json()["student"]["email"] == student.email


def test_lookup_shows_a_former_registrant_to_the_organizer(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)

    response = _lookup(client_for(organizer), student.pk, event.pk)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_lookup_of_own_record_and_by_staff_needs_no_registration(client_for, staff_user):
    event = EventFactory()
    student = StudentUserFactory()

    assert _lookup(client_for(student), student.pk, event.pk).status_code == 200
    assert _lookup(client_for(staff_user), student.pk, event.pk).status_code == 200


def test_lookup_by_another_student_is_refused_whether_or_not_the_student_exists(client_for):
    event = EventFactory()
    student, other = StudentUserFactory(), StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)

    assert _lookup(client_for(other), student.pk, event.pk).status_code == 403
    assert _lookup(client_for(other), "22ZZZ99999", event.pk).status_code == 403


def test_organizer_of_another_event_does_not_see_a_registrant(client_for, organizer, other_organizer):
    event = EventFactory(organizers=[organizer])
    elsewhere = EventFactory(organizers=[other_organizer])
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)

    assert _lookup(client_for(other_organizer), student.pk, elsewhere.pk).status_code == 404
    assert _lookup(client_for(other_organizer), student.pk, event.pk).status_code == 403


def test_student_visible_to_an_organizer_only_through_a_registration(organizer):
    event = EventFactory(organizers=[organizer])
    student = StudentUserFactory()

    assert not student_visible_to(organizer, student.pk, event=event)
    registration_create(event=event, enrollment_no=student.pk)
    assert student_visible_to(organizer, student.pk, event=event)
