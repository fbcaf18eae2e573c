"""Simultaneous changes to one club and one event, each thread on its own connection."""

import pytest

from clubs.models import ClubMembership
from clubs.services import club_member_remove
from events.models import EventAuditEntry
from events.services import event_cancel
from registrations.models import Notification, Registration
from registrations.services import registration_create
from tests.factories import ClubFactory, EventFactory, StudentFactory, UserFactory
from tests.registrations.test_concurrency import _codes, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_owners_leaving_at_once_leave_one_owner_behind():
    first, second = UserFactory(), UserFactory()
    club = ClubFactory(owners=[first, second])

    outcomes = run_together(
        [
            lambda: club_member_remove(club=club, username=first.username, actor=first),
            lambda: club_member_remove(club=club, username=second.username, actor=second),
        ]
    )

    assert _codes(outcomes) == {"ok": 1, "VALIDATION_ERROR": 1}
    assert ClubMembership.objects.filter(club=club, role="owner").count() == 1


def test_two_organizers_cancelling_at_once_cancel_once_and_email_each_registrant_once():
    first, second = UserFactory(), UserFactory()
    event = EventFactory(club=ClubFactory(organizers=[first, second]))
    students = StudentFactory.create_batch(3)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)

    outcomes = run_together(
        [
            lambda: event_cancel(event=event, reason="Storm warning.", actor=first),
            lambda: event_cancel(event=event, reason="Storm warning.", actor=second),
        ]
    )

    assert _codes(outcomes) == {"ok": 2}
    assert EventAuditEntry.objects.filter(event=event, action="cancelled").count() == 1
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.filter(kind="event_cancelled", object_id=event.pk).count() == len(students)
