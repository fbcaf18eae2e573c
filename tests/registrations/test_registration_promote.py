"""registration_promote: an organizer seats a waitlisted registration ahead of its turn, never beyond the capacity."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import EventAuditEntry
from eventsite.errors import EventFull, NotAuthenticated, NotFound, NotRegistered, PermissionDenied
from registrations.integrity import integrity_problems
from registrations.models import Notification, Registration, RegistrationStatus
from registrations.services import registration_create, registration_promote, team_register
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory
from tests.registrations.test_concurrency import _codes, run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(organizer):
    """One seat, taken; two students wait."""
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    first, second = (registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(2))
    return event, first, second


def test_without_a_free_seat_promotion_is_event_full_and_changes_nothing(full, organizer):
    event, _, second = full

    with pytest.raises(EventFull) as refused:
        registration_promote(event=event, registration_id=second.pk, actor=organizer)

    assert refused.value.details == {"capacity": 1, "seats_left": 0, "needed": 1}
    second.refresh_from_db()
    event.refresh_from_db()
    assert (second.status, event.capacity, event.confirmed_count) == ("waitlisted", 1, 1)


def test_adding_seats_raises_the_capacity_by_what_is_missing_and_audits_it(full, organizer):
    event, first, second = full

    promoted = registration_promote(event=event, registration_id=second.pk, add_seats=True, actor=organizer)

    assert promoted == {second.student_id: second.pk}
    event.refresh_from_db()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (event.capacity, event.confirmed_count) == (2, 2)
    assert (second.status, first.status) == ("confirmed", "waitlisted")  # out of turn: the organizer's choice
    assert second.checkin_code and second.waitlist_seq is not None
    entry = EventAuditEntry.objects.get(event=event, action=EventAuditEntry.Action.CAPACITY_CHANGED)
    assert (entry.before, entry.after, entry.actor) == ({"capacity": 1}, {"capacity": 2}, organizer)
    assert Notification.objects.filter(kind="waitlist_promoted", student_id=second.student_id).exists()
    assert integrity_problems([event.pk]) == []


def test_a_waitlisted_team_is_promoted_whole(organizer):
    event = TeamEventFactory(organizers=[organizer], capacity=2, waitlist_enabled=True, team_size_min=2)
    students = StudentFactory.create_batch(4)
    team_register(event=event, team_name="Seated", leader=students[0].pk, members=[students[1].pk])
    team_register(event=event, team_name="Waiting", leader=students[2].pk, members=[students[3].pk])
    member = Registration.objects.get(student=students[3])

    promoted = registration_promote(event=event, registration_id=member.pk, add_seats=True, actor=organizer)

    assert set(promoted) == {students[2].pk, students[3].pk}
    assert set(Registration.objects.filter(team__name="Waiting").values_list("status", flat=True)) == {"confirmed"}
    assert Registration.objects.get(student=students[2]).team.status == "confirmed"
    event.refresh_from_db()
    assert (event.capacity, event.confirmed_count) == (4, 4)
    assert integrity_problems([event.pk]) == []


def test_only_a_waitlisted_registration_is_promoted(full, organizer):
    event, _, _ = full
    seated = Registration.objects.get(event=event, status=RegistrationStatus.CONFIRMED)

    with pytest.raises(NotRegistered):
        registration_promote(event=event, registration_id=seated.pk, add_seats=True, actor=organizer)


def test_a_registration_of_another_event_is_not_found(full, organizer):
    event, _, _ = full
    elsewhere = registration_create(event=EventFactory(), enrollment_no=StudentFactory().pk)

    with pytest.raises(NotFound):
        registration_promote(event=event, registration_id=elsewhere.pk, actor=organizer)


def test_only_organizers_promote(full):
    event, first, _ = full

    with pytest.raises(PermissionDenied):
        registration_promote(event=event, registration_id=first.pk, add_seats=True, actor=StudentUserFactory().user)
    with pytest.raises(NotAuthenticated):
        registration_promote(event=event, registration_id=first.pk, add_seats=True, actor=AnonymousUser())
    first.refresh_from_db()
    assert first.status == "waitlisted"


@pytest.mark.django_db(transaction=True)
def test_two_organizers_adding_a_seat_each_at_once_lose_neither_seat(organizer):
    """Each promotion raises the capacity under the event's lock: no raise is lost, nobody is over capacity."""
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    waiting = [registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(2)]
    second_organizer = StudentUserFactory().user
    event.organizers.add(second_organizer)

    outcomes = run_together(
        [
            lambda: registration_promote(event=event, registration_id=waiting[0].pk, add_seats=True, actor=organizer),
            lambda: registration_promote(
                event=event, registration_id=waiting[1].pk, add_seats=True, actor=second_organizer
            ),
        ]
    )

    assert _codes(outcomes) == {"ok": 2}
    event.refresh_from_db()
    assert event.capacity == event.confirmed_count == 3
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    raises = EventAuditEntry.objects.filter(event=event, action="capacity_changed").order_by("at", "id")
    assert [(entry.before["capacity"], entry.after["capacity"]) for entry in raises] == [(1, 2), (2, 3)]
    assert integrity_problems([event.pk]) == []
