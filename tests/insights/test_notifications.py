import pytest
from django.core import mail
from django.db import transaction

from certificates.services import certificate_issue, certificate_issue_all_eligible
from events.services import event_cancel, event_update
from registrations.services import registration_cancel, registration_create, team_register
from tests.factories import AttendanceFactory, RegistrationFactory, StudentFactory
from tests.insights import mail_backend

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_registration_create_sends_one_confirmation_with_the_checkin_code(event, django_capture_on_commit_callbacks):
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, enrollment_no=student.pk)

    [message] = mail.outbox
    assert message.to == [student.email]
    assert message.subject == f"Registration confirmed: {event.title}"
    assert registration.checkin_code in message.body
    assert registration.checkin_code in _html(message)
    assert f"/events/{event.pk}.ics" in message.body


def test_registration_create_sends_nothing_when_the_transaction_rolls_back(event, django_capture_on_commit_callbacks):
    student = StudentFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        registration_create(event=event, enrollment_no=student.pk)
        raise Rollback

    assert callbacks == []
    assert mail.outbox == []
    assert not event.registrations


def test_registration_create_tells_a_waitlisted_student_their_place(event, django_capture_on_commit_callbacks):
    event.capacity, event.waitlist_enabled = 0, True
    event.save()
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, enrollment_no=student.pk)

    assert registration.status == "waitlisted"
    [message] = mail.outbox
    assert message.to == [student.email]
    assert message.subject == f"You are on the waitlist: {event.title}"
    assert "place 2" in message.body
    assert "place 2" in message.alternatives[0].content


def test_registration_create_skips_a_student_without_an_email(event, django_capture_on_commit_callbacks):
    student = StudentFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, enrollment_no=student.pk)

    assert mail.outbox == []


def test_team_register_sends_each_member_one_confirmation_over_one_connection(
    team_event, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.insights.mail_backend.ConnectionCountingBackend"
    mail_backend.opened.clear()
    members = StudentFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        team = team_register(event=team_event, team_name="Alpha", leader=members[0].pk, members=[m.pk for m in members])

    assert _recipients() == sorted(m.email for m in members)
    codes = {reg.student_id: reg.checkin_code for reg in team.registrations.all()}
    for message in mail.outbox:
        member = next(m for m in members if m.email == message.to[0])
        assert codes[member.pk] in message.body
        assert "Alpha" in message.body
    assert len(mail_backend.opened) == 1


def test_cancelling_tells_the_student_and_promotes_the_waitlist_telling_the_promoted_one(
    event, django_capture_on_commit_callbacks
):
    event.capacity, event.waitlist_enabled = 1, True
    event.save()
    first, waiting = StudentFactory(), StudentFactory()
    registration_create(event=event, enrollment_no=first.pk)
    registration_create(event=event, enrollment_no=waiting.pk)

    with django_capture_on_commit_callbacks(execute=True):
        result = registration_cancel(event=event, enrollment_no=first.pk)

    cancelled, message = mail.outbox
    assert (cancelled.to, cancelled.subject) == ([first.email], f"Registration cancelled: {event.title}")
    assert message.to == [waiting.email]
    assert message.subject == f"You have a seat: {event.title}"
    promoted = event.registrations[waiting.pk]
    assert result.promoted == {waiting.pk: promoted}
    assert RegistrationFactory._meta.model.objects.get(pk=promoted).checkin_code in message.body


def test_raising_the_capacity_tells_each_promoted_student_once(event, django_capture_on_commit_callbacks):
    event.capacity, event.waitlist_enabled = 0, True
    event.save()
    waiting = StudentFactory.create_batch(2)
    for student in waiting:
        registration_create(event=event, enrollment_no=student.pk)

    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, capacity=5)

    assert _recipients() == sorted(s.email for s in waiting)


def test_waitlist_promotion_sends_nothing_when_rolled_back(event, django_capture_on_commit_callbacks):
    event.capacity, event.waitlist_enabled = 1, True
    event.save()
    first, waiting = StudentFactory(), StudentFactory()
    registration_create(event=event, enrollment_no=first.pk)
    registration_create(event=event, enrollment_no=waiting.pk)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        registration_cancel(event=event, enrollment_no=first.pk)
        raise Rollback

    assert mail.outbox == []
    assert waiting.pk in event.waitlist


def test_certificate_issue_sends_the_verification_link_once(event, django_capture_on_commit_callbacks):
    attendance = AttendanceFactory(registration__event=event)
    with django_capture_on_commit_callbacks(execute=True):
        certificate, created = certificate_issue(event=event, enrollment_no=attendance.student_id)
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again = certificate_issue(event=event, enrollment_no=attendance.student_id)

    assert created and not created_again and again == certificate
    [message] = mail.outbox
    assert message.to == [attendance.student.email]
    assert certificate.verify_url in message.body
    assert certificate.verify_url in _html(message)


def test_certificate_issue_all_eligible_sends_one_email_per_new_certificate_over_one_connection(
    event, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.insights.mail_backend.ConnectionCountingBackend"
    mail_backend.opened.clear()
    earlier = AttendanceFactory(registration__event=event)
    certificate_issue(event=event, enrollment_no=earlier.student_id)
    eligible = [AttendanceFactory(registration__event=event).student for _ in range(3)]
    RegistrationFactory(event=event)  # confirmed but never attended: not eligible

    with django_capture_on_commit_callbacks(execute=True):
        result = certificate_issue_all_eligible(event=event)

    assert result.created == 3
    assert _recipients() == sorted(s.email for s in eligible)
    for message in mail.outbox:
        holder = next(s for s in eligible if s.email == message.to[0])
        assert result.issued[holder.pk] in message.body
    assert len(mail_backend.opened) == 1


def test_certificate_issue_all_eligible_sends_nothing_when_rolled_back(event, django_capture_on_commit_callbacks):
    AttendanceFactory(registration__event=event)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        certificate_issue_all_eligible(event=event)
        raise Rollback

    assert mail.outbox == []


def test_event_cancel_tells_every_active_registrant_once(event, django_capture_on_commit_callbacks):
    event.capacity, event.waitlist_enabled = 2, True
    event.save()
    confirmed = StudentFactory.create_batch(2)
    waitlisted = StudentFactory()
    gone = StudentFactory()
    no_email = StudentFactory(email="")
    for student in [*confirmed, gone]:
        registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=gone.pk)
    registration_create(event=event, enrollment_no=waitlisted.pk)
    registration_create(event=event, enrollment_no=no_email.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event)

    assert _recipients() == sorted([*(s.email for s in confirmed), waitlisted.email])
    assert all(message.subject == f"Cancelled: {event.title}" for message in mail.outbox)
    assert all(event.title in _html(message) for message in mail.outbox)


def test_event_cancel_sends_nothing_when_rolled_back(event, django_capture_on_commit_callbacks):
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        event_cancel(event=event)
        raise Rollback

    assert mail.outbox == []
