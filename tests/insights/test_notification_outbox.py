"""The email outbox: owed in the transaction, sent once, retried while the mail server fails."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from events.services import event_cancel
from registrations import notifications
from registrations.models import Notification
from registrations.services import registration_cancel, registration_create
from tests.factories import EventFactory, RegistrationFactory, StudentFactory
from tests.insights.mail_backend import RejectingBackend

pytestmark = pytest.mark.django_db

State = Notification.State


@pytest.fixture
def worker_mode(settings):
    settings.NOTIFICATIONS_SENDER = "worker"


def _send_due() -> str:
    out = StringIO()
    call_command("send_notifications", "--once", stdout=out)
    return out.getvalue()


def _come_due(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_in_worker_mode_the_request_only_writes_the_outbox_row(event, worker_mode, django_capture_on_commit_callbacks):
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, enrollment_no=student.pk)

    assert mail.outbox == []
    notification = Notification.objects.get()
    assert (notification.kind, notification.student_id, notification.object_id) == (
        "registration_confirmed",
        student.pk,
        registration.pk,
    )
    assert notification.state == State.PENDING


def test_the_worker_sends_each_owed_email_once(event, worker_mode):
    students = StudentFactory.create_batch(3)
    registrations = [registration_create(event=event, enrollment_no=s.pk) for s in students]

    first = _send_due()
    second = _send_due()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in students)
    for message in mail.outbox:
        holder = next(r for r, s in zip(registrations, students, strict=True) if s.email == message.to[0])
        assert holder.checkin_code in message.body
    assert "Sent 3, skipped 0" in first
    assert "Sent 0, skipped 0" in second
    assert set(Notification.objects.values_list("state", "attempts")) == {(State.SENT, 1)}
    assert all(n.sent_at is not None for n in Notification.objects.all())


def test_a_mail_server_that_is_down_leaves_the_email_owed_and_it_goes_out_later(
    event, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.insights.mail_backend.RefusingBackend"
    student = StudentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, enrollment_no=student.pk)

    notification = Notification.objects.get()
    assert registration.status == "confirmed"
    assert (notification.state, notification.attempts) == (State.PENDING, 1)
    assert "Connection refused" in notification.last_error
    assert notification.next_attempt_at > timezone.now()
    assert "Sent 0" in _send_due()  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _come_due(notification)
    _send_due()

    [message] = mail.outbox
    assert message.to == [student.email]
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == (State.SENT, 2, "")


def test_one_rejected_address_does_not_hold_back_the_others(event, settings, worker_mode):
    settings.EMAIL_BACKEND = "tests.insights.mail_backend.RejectingBackend"
    bounced = StudentFactory(email=RejectingBackend.rejected)
    fine = StudentFactory()
    for student in (bounced, fine):
        registration_create(event=event, enrollment_no=student.pk)

    _send_due()

    assert [m.to for m in mail.outbox] == [[fine.email]]
    states = dict(Notification.objects.values_list("student_id", "state"))
    assert states == {bounced.pk: State.PENDING, fine.pk: State.SENT}


def test_an_email_is_given_up_after_the_last_attempt(event, settings, worker_mode):
    settings.EMAIL_BACKEND = "tests.insights.mail_backend.RefusingBackend"
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    notification = Notification.objects.get()

    for _ in range(notifications.MAX_ATTEMPTS):
        _come_due(notification)
        _send_due()

    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (State.FAILED, notifications.MAX_ATTEMPTS)
    _come_due(notification)
    assert "Sent 0, skipped 0, to retry 0, given up 0" in _send_due()


def test_the_retry_delay_grows_and_is_capped():
    delays = [notifications.retry_delay(n) for n in range(1, 12)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delays == sorted(delays)
    assert max(delays) == timedelta(hours=6)


def test_a_confirmation_for_a_registration_cancelled_before_sending_is_skipped(event, worker_mode):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)

    assert "Sent 1, skipped 1" in _send_due()

    assert [m.subject for m in mail.outbox] == [f"Registration cancelled: {event.title}"]
    notification = Notification.objects.get(kind=Notification.Kind.REGISTRATION_CONFIRMED)
    assert notification.state == State.SKIPPED
    assert notification.last_error == notifications.NO_LONGER_SO


def test_a_student_without_an_email_is_skipped_with_the_reason(event, worker_mode):
    registration_create(event=event, enrollment_no=StudentFactory(email="").pk)

    _send_due()

    assert Notification.objects.get().last_error == notifications.NO_ADDRESS
    assert mail.outbox == []


def test_a_claimed_email_whose_sender_died_comes_due_again_after_the_lease(event, worker_mode):
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    notification = Notification.objects.get()
    assert notifications._claim(None, 10) == [notification]  # claimed, then the sender is gone

    assert notifications.deliver().claimed == 0
    _come_due(notification)
    assert notifications.deliver().sent == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_never_send_the_same_email_twice(worker_mode):
    registrations = RegistrationFactory.create_batch(60)
    notifications.registrations_confirmed(registrations)
    sent: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            while (delivery := notifications.deliver(limit=7)).claimed:
                sent.append(delivery.sent)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(sent) == 60
    assert len(mail.outbox) == 60
    assert len({m.to[0] for m in mail.outbox}) == 60
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


def test_one_batch_for_two_events_gives_each_message_its_own_events_facts(worker_mode):
    first = EventFactory(title="Robotics Workshop", venue="Lab 3")
    second = EventFactory(title="Poetry Evening", venue="Open Air Theatre")
    student = StudentFactory()
    for event in (first, second):
        registration_create(event=event, enrollment_no=student.pk)

    _send_due()

    by_subject = {message.subject: message for message in mail.outbox}
    for event in (first, second):
        message = by_subject[f"Registration confirmed: {event.title}"]
        [(html, _)] = message.alternatives
        for text in (message.body, html):
            assert event.title in text and event.venue in text
        assert f"When: {timezone.localtime(event.starts_at):%a %-d %b %Y, %H:%M}" in message.body
    assert "Lab 3" not in by_subject["Registration confirmed: Poetry Evening"].body


def test_a_request_claims_only_those_of_its_emails_no_other_sender_holds(event, worker_mode):
    for student in StudentFactory.create_batch(3):
        registration_create(event=event, enrollment_no=student.pk)
    first, *others = Notification.objects.order_by("id")
    assert notifications._claim([first.pk], 10) == [first]  # another sender took this one

    claimed = notifications._claim([first.pk, *(n.pk for n in others)], 10)

    assert claimed == others


def test_a_request_that_owes_more_than_one_batch_sends_them_all(event, django_capture_on_commit_callbacks):
    students = StudentFactory.create_batch(130)
    for student in students:
        RegistrationFactory(event=event, student=student)

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event)

    assert len(mail.outbox) == 130
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_message_that_cannot_be_built_is_retried_later_and_the_others_still_go(event, worker_mode, monkeypatch):
    broken, fine = StudentFactory(), StudentFactory()
    for student in (broken, fine):
        registration_create(event=event, enrollment_no=student.pk)
    build = notifications.Batch.message

    def message(self, notification):
        if notification.student_id == broken.pk:
            raise ValueError("template error")
        return build(self, notification)

    monkeypatch.setattr(notifications.Batch, "message", message)

    delivery = notifications.deliver()

    assert (delivery.sent, delivery.retrying) == (1, 1)
    assert [m.to for m in mail.outbox] == [[fine.email]]
    failed = Notification.objects.get(student=broken)
    assert (failed.state, failed.attempts, failed.last_error) == (State.PENDING, 1, "ValueError: template error")
