"""The direct confirmation (one statement on PostgreSQL, three elsewhere) takes a seat exactly when the rules say so."""

import itertools
from datetime import timedelta

import pytest
from django.db.models import F, Q
from django.utils import timezone

from events.models import Event
from events.selectors import registration_window_open_q
from registrations.models import Notification, Registration
from registrations.services import _registration_confirm_directly
from tests.factories import EventFactory, RegistrationFactory, StudentFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _open_with_a_seat(now) -> Q:
    """The rule as the ORM states it (the general path and the event list use these pieces)."""
    return (
        Q(status=Event.Status.PUBLISHED, registration_mode=Event.Mode.INDIVIDUAL)
        & registration_window_open_q(now)
        & (Q(capacity__isnull=True) | Q(confirmed_count__lt=F("capacity")))
    )


def test_the_direct_confirmation_takes_a_seat_exactly_when_the_event_is_open_with_a_seat():
    now = timezone.now()
    cases = itertools.product(
        [Event.Status.PUBLISHED, Event.Status.DRAFT, Event.Status.CANCELLED],
        [Event.Mode.INDIVIDUAL, Event.Mode.TEAM],
        [None, now - HOUR, now + HOUR],  # registration opens
        [None, now - HOUR, now + 2 * HOUR],  # registration closes
        [now - 3 * HOUR, now + 3 * HOUR],  # starts
        [None, 1, 2],  # capacity; one seat is already taken
    )
    student = StudentFactory()
    outcomes = []
    for status, mode, opens, closes, starts, capacity in cases:
        if opens and closes and closes <= opens:
            continue  # the database refuses such a window
        event = EventFactory(
            status=status,
            registration_mode=mode,
            team_size_max=4 if mode == Event.Mode.TEAM else 1,
            registration_opens_at=opens,
            registration_closes_at=closes,
            starts_at=starts,
            capacity=capacity,
            confirmed_count=1,
            sessions=[],
        )
        expected = Event.objects.filter(_open_with_a_seat(timezone.now()), pk=event.pk).exists()
        confirmed = _registration_confirm_directly(event.pk, student.pk)
        outcomes.append(expected)
        event.refresh_from_db()
        assert (confirmed is not None) == expected, (status, mode, opens, closes, starts, capacity)
        assert event.confirmed_count == (2 if expected else 1)
        assert Registration.objects.filter(event=event).count() == (1 if expected else 0)
        assert Notification.objects.filter(object_id=getattr(confirmed, "pk", None)).count() == (1 if expected else 0)
    assert any(outcomes) and not all(outcomes)


def test_a_second_direct_confirmation_for_the_same_student_changes_nothing(event):
    first = RegistrationFactory(event=event)
    event.refresh_from_db()
    seats_before = event.confirmed_count

    assert _registration_confirm_directly(event.pk, first.student_id) is None

    event.refresh_from_db()
    assert event.confirmed_count == seats_before
    assert Registration.objects.filter(event=event, student=first.student).count() == 1
    assert not Notification.objects.filter(student=first.student).exists()


def test_the_direct_confirmation_writes_the_row_the_general_path_would(event):
    student = StudentFactory()

    registration = _registration_confirm_directly(event.pk, student.pk)

    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.event_id, stored.student_id, stored.status, stored.team_id, stored.waitlist_seq) == (
        event.pk,
        student.pk,
        "confirmed",
        None,
        None,
    )
    assert stored.checkin_code == registration.checkin_code and stored.cancelled_at is None
    assert stored.registered_at == registration.registered_at
    assert event.registrations == {student.pk: registration.pk}
