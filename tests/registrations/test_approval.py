"""Approval: a registration waits as ``pending`` (no seat) until an organizer approves or rejects it."""

import pytest

from events.models import EventAuditEntry
from events.services import event_cancel
from eventsite.errors import EventFull, NotRegistered, PendingApproval, PermissionDenied, ValidationFailed
from registrations.integrity import integrity_problems
from registrations.models import Notification, Registration, RegistrationStatus, Team
from registrations.selectors import student_event_record_for
from registrations.services import (
    attendance_mark,
    registration_approve,
    registration_cancel,
    registration_create,
    registration_reject,
)
from registrations.teams import team_create, team_invitation_accept
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_event(organizer):
    return EventFactory(organizers=[organizer], approval_required=True, capacity=2, waitlist_enabled=True)


def _kinds(enrollment_no: str) -> list[str]:
    return list(Notification.objects.filter(student_id=enrollment_no).order_by("id").values_list("kind", flat=True))


def test_a_student_registering_waits_pending_holding_no_seat(approval_event):
    student = StudentUserFactory()
    registration = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    approval_event.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    assert registration.checkin_code is None and registration.waitlist_seq is None
    assert approval_event.confirmed_count == 0
    assert dict(approval_event.registrations) == {} and dict(approval_event.waitlist) == {}
    assert _kinds(student.pk) == [Notification.Kind.REGISTRATION_PENDING]


def test_a_pending_student_cannot_register_again(approval_event):
    student = StudentUserFactory()
    registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    with pytest.raises(PendingApproval) as refused:
        registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    assert refused.value.http_status == 409
    assert Registration.objects.filter(event=approval_event, student=student).count() == 1


def test_approve_takes_a_seat_emails_and_records_who(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    approved = registration_approve(registration=pending.pk, actor=organizer)
    approval_event.refresh_from_db()
    assert approved.status == RegistrationStatus.CONFIRMED and approved.checkin_code
    assert approval_event.confirmed_count == 1
    assert dict(approval_event.registrations) == {student.pk: pending.pk}
    assert _kinds(student.pk)[-1] == Notification.Kind.REGISTRATION_CONFIRMED
    entry = EventAuditEntry.objects.get(event=approval_event, action=EventAuditEntry.Action.REGISTRATION_APPROVED)
    assert entry.actor == organizer and entry.after["status"] == "confirmed"
    assert entry.after["registrations"] == {student.pk: pending.pk}


def test_approve_when_the_seats_are_gone_gives_the_waitlist(approval_event, organizer):
    students = StudentUserFactory.create_batch(3)
    pending = [registration_create(event=approval_event, enrollment_no=s.pk, actor=s.user) for s in students]
    results = [registration_approve(registration=r, actor=organizer) for r in pending]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted"]
    assert _kinds(students[2].pk)[-1] == Notification.Kind.WAITLIST_JOINED
    approval_event.refresh_from_db()
    assert list(approval_event.waitlist) == [students[2].pk]


def test_approve_when_full_without_waitlist_is_event_full_and_keeps_waiting(organizer):
    event = EventFactory(organizers=[organizer], approval_required=True, capacity=1)
    first, second = StudentUserFactory.create_batch(2)
    one = registration_create(event=event, enrollment_no=first.pk, actor=first.user)
    two = registration_create(event=event, enrollment_no=second.pk, actor=second.user)
    registration_approve(registration=one, actor=organizer)
    with pytest.raises(EventFull):
        registration_approve(registration=two, actor=organizer)
    assert Registration.objects.get(pk=two.pk).status == RegistrationStatus.PENDING


def test_a_full_event_without_waitlist_refuses_the_request_itself(organizer):
    event = EventFactory(organizers=[organizer], approval_required=True, capacity=1)
    holder, late = StudentFactory(), StudentUserFactory()
    registration_create(event=event, enrollment_no=holder.pk, actor=organizer)  # an organizer's: confirmed
    with pytest.raises(EventFull):
        registration_create(event=event, enrollment_no=late.pk, actor=late.user)


def test_reject_emails_records_the_reason_and_frees_the_student(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    rejected = registration_reject(registration=pending.pk, reason="Seats are for finalists.", actor=organizer)
    assert rejected.status == RegistrationStatus.REJECTED
    assert _kinds(student.pk)[-1] == Notification.Kind.REGISTRATION_REJECTED
    entry = EventAuditEntry.objects.get(event=approval_event, action=EventAuditEntry.Action.REGISTRATION_REJECTED)
    assert entry.note == "Seats are for finalists." and entry.actor == organizer
    again = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    assert again.status == RegistrationStatus.PENDING and again.pk != pending.pk


def test_approving_twice_changes_nothing_the_second_time(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    first = registration_approve(registration=pending, actor=organizer)
    second = registration_approve(registration=pending, actor=organizer)
    approval_event.refresh_from_db()
    assert second.checkin_code == first.checkin_code and approval_event.confirmed_count == 1
    assert EventAuditEntry.objects.filter(action=EventAuditEntry.Action.REGISTRATION_APPROVED).count() == 1


def test_a_rejected_registration_cannot_be_approved(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    registration_reject(registration=pending, actor=organizer)
    with pytest.raises(ValidationFailed):
        registration_approve(registration=pending, actor=organizer)


def test_an_approved_registration_is_not_rejected(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    registration_approve(registration=pending, actor=organizer)
    with pytest.raises(ValidationFailed):
        registration_reject(registration=pending, actor=organizer)


@pytest.mark.parametrize("decide", [registration_approve, registration_reject])
def test_only_organizers_decide(approval_event, decide):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    for outsider in (student.user, UserFactory()):
        with pytest.raises(PermissionDenied):
            decide(registration=pending, actor=outsider)
    assert Registration.objects.get(pk=pending.pk).status == RegistrationStatus.PENDING


def test_an_organizer_registering_someone_needs_no_approval(approval_event, organizer):
    student = StudentFactory()
    registration = registration_create(event=approval_event, enrollment_no=student.pk, actor=organizer)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_pending_student_cancels_their_request(approval_event):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    result = registration_cancel(event=approval_event, enrollment_no=student.pk, actor=student.user)
    assert result.cancelled == [pending.pk] and result.promoted == {}
    approval_event.refresh_from_db()
    assert approval_event.confirmed_count == 0


def test_a_pending_student_is_not_checked_in(approval_event, organizer):
    student = StudentUserFactory()
    registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    with pytest.raises(PendingApproval):
        attendance_mark(event=approval_event, enrollment_no=student.pk, actor=organizer, at=approval_event.starts_at)
    registration_cancel(event=approval_event, enrollment_no=student.pk, actor=student.user)
    with pytest.raises(NotRegistered):
        attendance_mark(event=approval_event, enrollment_no=student.pk, actor=organizer, at=approval_event.starts_at)


def test_the_lookup_says_the_registration_waits(approval_event):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    record = student_event_record_for(student.user, student.pk, approval_event)
    assert record.registration.pk == pending.pk and record.registration.status == "pending"


def test_integrity_holds_with_pending_and_rejected(approval_event, organizer):
    students = StudentUserFactory.create_batch(4)
    pending = [registration_create(event=approval_event, enrollment_no=s.pk, actor=s.user) for s in students]
    registration_approve(registration=pending[0], actor=organizer)
    registration_reject(registration=pending[1], actor=organizer)
    assert integrity_problems([approval_event.pk]) == []


def test_a_team_waits_whole_and_is_approved_whole(organizer):
    event = TeamEventFactory(organizers=[organizer], approval_required=True, capacity=3, waitlist_enabled=True)
    leader, member = StudentUserFactory(), StudentUserFactory()
    team = team_create(event=event, team_name="Byte", invite=[member.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    team.refresh_from_db()
    assert team.status == RegistrationStatus.PENDING
    assert set(team.registrations.values_list("status", flat=True)) == {"pending"}
    assert dict(event.team_registrations) == {}
    one = team.registrations.get(student=member)
    registration_approve(registration=one, actor=organizer)
    event.refresh_from_db()
    assert Team.objects.get(pk=team.pk).status == RegistrationStatus.CONFIRMED
    assert event.confirmed_count == 2
    assert set(event.team_registrations["Byte"]) == {leader.pk, member.pk}
    assert integrity_problems([event.pk]) == []


def test_a_team_is_rejected_whole_and_the_checks_hold(organizer):
    event = TeamEventFactory(organizers=[organizer], approval_required=True, capacity=4)
    leader, member = StudentUserFactory(), StudentUserFactory()
    team = team_create(event=event, team_name="Byte", invite=[member.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    registration_reject(registration=team.registrations.get(student=leader), actor=organizer)
    assert Team.objects.get(pk=team.pk).status == RegistrationStatus.REJECTED
    assert set(team.registrations.values_list("status", flat=True)) == {"rejected"}
    assert integrity_problems([event.pk]) == []
    again = team_create(event=event, team_name="Byte", invite=[member.pk], actor=leader.user)
    team_invitation_accept(team=again, actor=member.user)
    again.refresh_from_db()
    assert again.status == RegistrationStatus.PENDING  # the name and the members are free again


def test_cancelling_the_event_releases_and_tells_a_student_still_waiting(approval_event, organizer):
    student = StudentUserFactory()
    pending = registration_create(event=approval_event, enrollment_no=student.pk, actor=student.user)
    event_cancel(event=approval_event, reason="The speaker fell ill.", actor=organizer)
    assert Registration.objects.get(pk=pending.pk).status == RegistrationStatus.CANCELLED
    assert _kinds(student.pk)[-1] == Notification.Kind.EVENT_CANCELLED
    assert integrity_problems([approval_event.pk]) == []
