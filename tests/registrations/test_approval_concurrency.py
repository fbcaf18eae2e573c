"""Approvals and access codes under simultaneous requests, with real threads, on SQLite and PostgreSQL alike."""

import pytest

from registrations.integrity import integrity_problems
from registrations.models import AccessCode, Registration, RegistrationStatus
from registrations.services import access_codes_generate, registration_approve, registration_create
from tests.factories import EventFactory, StudentUserFactory, UserFactory
from tests.registrations.test_concurrency import _codes, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_organizers_approving_at_once_for_the_last_seats_never_overbook():
    first_organizer, second_organizer = UserFactory(), UserFactory()
    event = EventFactory(organizers=[first_organizer, second_organizer], approval_required=True, capacity=3)
    students = StudentUserFactory.create_batch(8)
    pending = [registration_create(event=event, enrollment_no=s.pk, actor=s.user) for s in students]

    # Each organizer works through the same list from opposite ends, every approval its own request.
    calls = [
        lambda r=r, who=who: registration_approve(registration=r.pk, actor=who)
        for r in pending
        for who in (first_organizer, second_organizer)
    ]
    outcomes = run_together(calls)

    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 3
    assert Registration.objects.filter(event=event, status=RegistrationStatus.PENDING).count() == 5
    assert set(_codes(outcomes)) == {"ok", "EVENT_FULL"}
    event.refresh_from_db()
    assert event.confirmed_count == 3
    assert set(event.registrations) == set(confirmed.values_list("student_id", flat=True))
    assert integrity_problems([event.pk]) == []


def test_simultaneous_approvals_with_a_waitlist_seat_some_and_queue_the_rest_in_one_order():
    organizer = UserFactory()
    event = EventFactory(organizers=[organizer], approval_required=True, capacity=2, waitlist_enabled=True)
    students = StudentUserFactory.create_batch(6)
    pending = [registration_create(event=event, enrollment_no=s.pk, actor=s.user) for s in students]

    run_together([lambda r=r: registration_approve(registration=r.pk, actor=organizer) for r in pending])

    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert sorted(statuses) == ["confirmed"] * 2 + ["waitlisted"] * 4
    seqs = sorted(Registration.objects.filter(event=event, status="waitlisted").values_list("waitlist_seq", flat=True))
    assert len(set(seqs)) == 4
    assert integrity_problems([event.pk]) == []


def test_an_access_code_is_never_used_past_its_limit():
    organizer = UserFactory()
    event = EventFactory(organizers=[organizer], access_code_required=True)
    (code,) = access_codes_generate(event=event, count=1, max_uses=5, actor=organizer)
    students = StudentUserFactory.create_batch(16)

    outcomes = run_together(
        [
            lambda s=s: registration_create(event=event, enrollment_no=s.pk, access_code=code.code, actor=s.user)
            for s in students
        ]
    )

    assert _codes(outcomes) == {"ok": 5, "ACCESS_CODE_INVALID": 11}
    assert AccessCode.objects.get(pk=code.pk).uses == 5
    assert Registration.objects.filter(event=event, access_code=code).count() == 5
    assert integrity_problems([event.pk]) == []
