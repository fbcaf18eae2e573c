"""The direct confirmation (one statement, PostgreSQL only) takes a seat exactly when the rules say so."""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events.models import Event
from eventsite.errors import AlreadyRegistered, DomainError, EventFull, PendingApproval
from registrations.models import Notification, Registration
from registrations.services import _open_with_a_seat_q, _registration_confirm_directly, registration_create
from tests.factories import EventFactory, RegistrationFactory, StudentUserFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _general_path_answer(event: Event, enrollment_no: str) -> str:
    """What the general path (as an organizer acting for the student) answers, undone afterwards."""
    try:
        with transaction.atomic():
            answer = registration_create(event=event.pk, enrollment_no=enrollment_no).status
            transaction.set_rollback(True)
    except DomainError as error:
        answer = error.code
    return answer


def _direct_answer(event: Event, enrollment_no: str) -> str:
    """What the PostgreSQL statement answers by itself (a code, or "left to the general path"), undone afterwards."""
    try:
        with transaction.atomic():
            confirmed = _registration_confirm_directly(event.pk, enrollment_no)
            transaction.set_rollback(True)
    except DomainError as error:
        return error.code
    return "confirmed" if confirmed else "left to the general path"


def test_a_student_registering_themselves_gets_the_general_paths_answer_in_every_case():
    """On PostgreSQL through the direct statement: it takes a seat exactly when the event is open with a seat,
    and where it refuses by itself, it refuses as the general path would."""
    now = timezone.now()
    cases = itertools.product(
        [Event.Status.PUBLISHED, Event.Status.DRAFT, Event.Status.CANCELLED],
        [Event.Mode.INDIVIDUAL, Event.Mode.TEAM],
        [None, now - HOUR, now + HOUR],  # registration opens
        [None, now - HOUR, now + 2 * HOUR],  # registration closes
        [now - 3 * HOUR, now + 3 * HOUR],  # starts
        [None, 1, 2],  # capacity; one seat is already taken
        [False, True],  # waitlist
    )
    student = StudentUserFactory()
    on_postgresql = connection.vendor == "postgresql"
    outcomes = Counter()
    for status, mode, opens, closes, starts, capacity, waitlist in cases:
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
            waitlist_enabled=waitlist,
            confirmed_count=1,
            sessions=[],
        )
        case = (status, mode, opens, closes, starts, capacity, waitlist)
        expected = Event.objects.filter(_open_with_a_seat_q(timezone.now()), pk=event.pk).exists()
        general = _general_path_answer(event, student.pk)
        if on_postgresql:
            direct = _direct_answer(event, student.pk)
            assert (direct == "confirmed") == expected, case
            assert direct in ("confirmed", "left to the general path", general), case
            outcomes[direct if direct in ("confirmed", "left to the general path") else "refused directly"] += 1
        try:
            own = registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)
        except DomainError as error:
            assert error.code == general, case
            own = None
        else:
            assert own.status == general, case
        event.refresh_from_db()
        confirmed = own is not None and own.status == "confirmed"
        assert event.confirmed_count == (2 if confirmed else 1), case
        # A seat or a waitlist place owes its one email (confirmed, or joined the waitlist); a refusal none.
        assert Notification.objects.filter(object_id=getattr(own, "pk", None)).count() == (0 if own is None else 1)
        if expected:
            assert confirmed, case
    if on_postgresql:
        assert outcomes["confirmed"] and outcomes["left to the general path"] and outcomes["refused directly"], outcomes


def test_a_second_registration_of_ones_own_is_already_registered_and_changes_nothing(event):
    first = RegistrationFactory(event=event, student=StudentUserFactory())
    event.refresh_from_db()
    seats_before = event.confirmed_count

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event.pk, enrollment_no=first.student_id, actor=first.student.user)

    event.refresh_from_db()
    assert event.confirmed_count == seats_before
    assert Registration.objects.filter(event=event, student=first.student).count() == 1
    assert not Notification.objects.filter(student=first.student).exists()


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the statement runs without a savepoint
@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "pending"])
def test_a_student_holding_a_place_takes_no_seat_and_hears_why_in_as_many_queries_as_a_seat(
    event, status, django_assert_max_num_queries
):
    """A repeated request while seats are left: no seat taken and given back, no insert refused by the
    constraint; on PostgreSQL the one statement answers it (with the token's query, two in all)."""
    holder = StudentUserFactory()
    RegistrationFactory(
        event=event, student=holder, status=status, checkin_code=None if status != "confirmed" else "HOLD1"
    )
    event.refresh_from_db()
    seats_before = event.confirmed_count
    expected = PendingApproval if status == "pending" else AlreadyRegistered

    with (
        django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 8),
        pytest.raises(expected) as refused,
    ):
        registration_create(event=event.pk, enrollment_no=holder.pk, actor=holder.user)

    assert refused.value.details == {"enrollment_nos": [holder.pk]}
    event.refresh_from_db()
    assert event.confirmed_count == seats_before
    assert Registration.objects.filter(event=event, student=holder).count() == 1


def test_a_full_event_refuses_its_own_registrant_as_already_registered_and_others_as_full(event):
    event.capacity = 1
    event.save()
    holder, other = StudentUserFactory(), StudentUserFactory()
    registration_create(event=event.pk, enrollment_no=holder.pk, actor=holder.user)

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event.pk, enrollment_no=holder.pk, actor=holder.user)
    with pytest.raises(EventFull) as full:
        registration_create(event=event.pk, enrollment_no=other.pk, actor=other.user)

    assert full.value.details == {"capacity": 1, "seats_left": 0}
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_registering_oneself_writes_the_row_the_general_path_would(event):
    student = StudentUserFactory()

    registration = registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)

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
