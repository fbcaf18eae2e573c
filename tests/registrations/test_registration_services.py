from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from events.models import Event
from eventsite.errors import (
    AlreadyRegistered,
    EventCancelled,
    EventFull,
    NotAuthenticated,
    NotFound,
    NotRegistered,
    PermissionDenied,
    RegistrationClosed,
    ValidationFailed,
    WrongRegistrationMode,
)
from registrations.models import Registration
from registrations.selectors import waitlist_position
from registrations.services import enrollment_no_normalize, registration_cancel, registration_create
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    StudentFactory,
    StudentUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# Enrollment numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("22CSE30001", "22CSE30001"),
        ("  22cse30001\t", "22CSE30001"),
        ("21ece123", "21ECE123"),
        ("23ABCDE123456", "23ABCDE123456"),
    ],
)
def test_enrollment_no_normalize_trims_and_upper_cases(raw, expected):
    assert enrollment_no_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", None, 22, "22C30001", "2CSE30001", "22CSE12", "22CSE1234567", "22-CSE-30001"]
)
def test_enrollment_no_normalize_refuses_what_is_not_an_enrollment_number(raw):
    with pytest.raises(ValidationFailed) as error:
        enrollment_no_normalize(raw)
    assert error.value.code == "VALIDATION_ERROR"
    assert "enrollment_no" in error.value.details


def test_enrollment_no_normalize_names_the_field_it_checked():
    with pytest.raises(ValidationFailed) as error:
        enrollment_no_normalize("nope", field_name="leader")
    assert list(error.value.details) == ["leader"]


@override_settings(ENROLLMENT_NO_PATTERN=r"^S[0-9]{4}$")
def test_enrollment_no_normalize_follows_the_pattern_setting():
    assert enrollment_no_normalize(" s1234 ") == "S1234"
    with pytest.raises(ValidationFailed):
        enrollment_no_normalize("22CSE30001")


# Registering


def test_registration_create_confirms_with_a_checkin_code_and_counts_the_seat():
    event = EventFactory(capacity=5)
    student = StudentFactory()

    registration = registration_create(event=event, enrollment_no=f" {student.pk.lower()} ")

    assert registration.status == "confirmed"
    assert registration.student_id == student.pk
    assert registration.checkin_code
    assert registration.waitlist_seq is None
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert dict(event.registrations) == {student.pk: registration.pk}


def test_registration_create_accepts_the_event_id_instead_of_the_event():
    event = EventFactory()
    student = StudentFactory()

    registration = registration_create(event=event.pk, enrollment_no=student.pk)

    assert Registration.objects.get(pk=registration.pk).event_id == event.pk


def test_registration_create_refuses_an_unknown_event():
    with pytest.raises(NotFound) as error:
        registration_create(event="no-such-event", enrollment_no=StudentFactory().pk)
    assert error.value.details == {"what": "event", "key": "no-such-event"}


def test_registration_create_refuses_an_unknown_student():
    event = EventFactory()
    with pytest.raises(NotFound) as error:
        registration_create(event=event, enrollment_no="22CSE99999")
    assert error.value.details["what"] == "student"
    assert not Registration.objects.exists()


def test_registration_create_refuses_an_invalid_enrollment_number():
    with pytest.raises(ValidationFailed):
        registration_create(event=EventFactory(), enrollment_no="not a number")


def test_registration_create_refuses_before_the_window_opens():
    event = EventFactory(
        registration_opens_at=timezone.now() + timedelta(hours=1),
        registration_closes_at=timezone.now() + timedelta(hours=2),
    )
    with pytest.raises(RegistrationClosed) as error:
        registration_create(event=event, enrollment_no=StudentFactory().pk)
    assert error.value.code == "REGISTRATION_CLOSED"
    assert error.value.details["opens_at"] == event.registration_opens_at.isoformat()


def test_registration_create_refuses_after_the_window_closes():
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RegistrationClosed):
        registration_create(event=event, enrollment_no=StudentFactory().pk)


def test_registration_without_a_closing_time_closes_when_the_event_starts():
    event = EventFactory(
        registration_opens_at=timezone.now() - timedelta(days=3),
        registration_closes_at=None,
        starts_at=timezone.now() - timedelta(minutes=5),
    )
    with pytest.raises(RegistrationClosed):
        registration_create(event=event, enrollment_no=StudentFactory().pk)


def test_registration_without_an_opening_time_is_open_once_published():
    event = EventFactory(registration_opens_at=None)
    assert registration_create(event=event, enrollment_no=StudentFactory().pk).status == "confirmed"


def test_registration_create_refuses_a_draft_event():
    event = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(RegistrationClosed):
        registration_create(event=event, enrollment_no=StudentFactory().pk)


def test_registration_create_refuses_a_cancelled_event_with_its_own_code():
    event = EventFactory(status=Event.Status.CANCELLED)
    with pytest.raises(EventCancelled) as error:
        registration_create(event=event, enrollment_no=StudentFactory().pk)
    assert error.value.code == "EVENT_CANCELLED"


def test_registration_create_refuses_a_team_event(team_event):
    with pytest.raises(WrongRegistrationMode) as error:
        registration_create(event=team_event, enrollment_no=StudentFactory().pk)
    assert error.value.details == {"registration_mode": "team"}


def test_registration_create_refuses_a_full_event_without_a_waitlist():
    event = EventFactory(capacity=1)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    latecomer = StudentFactory()

    with pytest.raises(EventFull) as error:
        registration_create(event=event, enrollment_no=latecomer.pk)

    assert error.value.details == {"capacity": 1, "seats_left": 0}
    assert not Registration.objects.filter(student=latecomer).exists()
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_registration_create_waitlists_when_full_in_arrival_order():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    waiting = [registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(3)]

    assert [reg.status for reg in waiting] == ["waitlisted"] * 3
    assert all(reg.checkin_code is None for reg in waiting)
    assert [waitlist_position(reg) for reg in waiting] == [1, 2, 3]
    assert list(event.waitlist) == [reg.student_id for reg in waiting]
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_registration_create_with_unlimited_capacity_always_confirms():
    event = EventFactory(capacity=None)
    statuses = {registration_create(event=event, enrollment_no=StudentFactory().pk).status for _ in range(5)}
    assert statuses == {"confirmed"}


def test_registration_create_refuses_a_second_active_registration():
    event = EventFactory()
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    with pytest.raises(AlreadyRegistered) as error:
        registration_create(event=event, enrollment_no=student.pk.lower())

    assert error.value.code == "ALREADY_REGISTERED"
    assert error.value.details == {"enrollment_nos": [student.pk]}
    assert Registration.objects.filter(event=event, student=student).count() == 1


def test_registration_create_refuses_a_waitlisted_student_twice():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(AlreadyRegistered):
        registration_create(event=event, enrollment_no=student.pk)


def test_a_registered_student_hears_already_registered_even_when_the_event_is_full():
    event = EventFactory(capacity=1)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event, enrollment_no=student.pk)

    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_a_refused_second_registration_gives_back_the_seat_it_claimed():
    event = EventFactory(capacity=5, waitlist_enabled=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event, enrollment_no=student.pk)

    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert event.waitlist_counter == 0


def test_a_student_who_cancelled_may_register_again():
    event = EventFactory()
    student = StudentFactory()
    first = registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)

    again = registration_create(event=event, enrollment_no=student.pk)

    assert again.pk != first.pk
    assert event.registrations[student.pk] == again.pk


# Who may register whom


def test_a_student_registers_themselves(student):
    event = EventFactory()
    assert registration_create(event=event, enrollment_no=student.pk, actor=student.user).student_id == student.pk


def test_a_student_cannot_register_someone_else(student):
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        registration_create(event=event, enrollment_no=StudentFactory().pk, actor=student.user)
    assert not Registration.objects.exists()


def test_an_organizer_of_the_event_registers_anyone(event, organizer):
    assert registration_create(event=event, enrollment_no=StudentFactory().pk, actor=organizer).status == "confirmed"


def test_an_organizer_of_another_event_cannot_register_for_this_one(organizer):
    elsewhere = EventFactory()
    with pytest.raises(PermissionDenied):
        registration_create(event=elsewhere, enrollment_no=StudentFactory().pk, actor=organizer)


def test_staff_register_anyone(staff_user):
    assert registration_create(event=EventFactory(), enrollment_no=StudentFactory().pk, actor=staff_user)


def test_a_login_without_a_student_cannot_register_anyone():
    with pytest.raises(PermissionDenied):
        registration_create(event=EventFactory(), enrollment_no=StudentFactory().pk, actor=UserFactory())


def test_anonymous_cannot_register():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated) as error:
        registration_create(event=EventFactory(), enrollment_no=StudentFactory().pk, actor=AnonymousUser())
    assert error.value.http_status == 401


# Cancelling an individual registration


def test_registration_cancel_frees_the_seat_and_clears_the_checkin_code():
    event = EventFactory(capacity=2)
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)

    result = registration_cancel(event=event, enrollment_no=student.pk)

    assert result.cancelled == [registration.pk]
    assert result.promoted == {}
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.cancelled_at is not None
    assert registration.checkin_code is None
    event.refresh_from_db()
    assert event.confirmed_count == 0
    assert student.pk not in event.registrations


def test_registration_cancel_promotes_the_first_waitlisted():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    holder, first, second = StudentFactory.create_batch(3)
    registration_create(event=event, enrollment_no=holder.pk)
    waiting_first = registration_create(event=event, enrollment_no=first.pk)
    waiting_second = registration_create(event=event, enrollment_no=second.pk)

    result = registration_cancel(event=event, enrollment_no=holder.pk)

    assert result.promoted == {first.pk: waiting_first.pk}
    waiting_first.refresh_from_db()
    assert waiting_first.status == "confirmed"
    assert waiting_first.checkin_code
    waiting_second.refresh_from_db()
    assert waitlist_position(waiting_second) == 1
    assert list(event.registrations) == [first.pk]
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_cancelling_a_waitlisted_registration_promotes_nobody():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    holder, first, second = StudentFactory.create_batch(3)
    registration_create(event=event, enrollment_no=holder.pk)
    registration_create(event=event, enrollment_no=first.pk)
    last = registration_create(event=event, enrollment_no=second.pk)

    result = registration_cancel(event=event, enrollment_no=first.pk)

    assert result.promoted == {}
    assert list(event.registrations) == [holder.pk]
    last.refresh_from_db()
    assert waitlist_position(last) == 1


def test_registration_cancel_refuses_a_student_without_an_active_registration():
    event = EventFactory()
    with pytest.raises(NotRegistered):
        registration_cancel(event=event, enrollment_no=StudentFactory().pk)


def test_a_student_cancels_their_own_registration(student):
    event = EventFactory()
    registration_create(event=event, enrollment_no=student.pk)
    assert registration_cancel(event=event, enrollment_no=student.pk, actor=student.user).cancelled


def test_a_student_cannot_cancel_someone_elses_registration(student):
    event = EventFactory()
    other = StudentFactory()
    registration_create(event=event, enrollment_no=other.pk)
    with pytest.raises(PermissionDenied):
        registration_cancel(event=event, enrollment_no=other.pk, actor=student.user)
    assert other.pk in event.registrations


def test_a_student_cannot_cancel_once_the_event_has_started():
    student = StudentUserFactory()
    event = EventFactory()
    registration_create(event=event, enrollment_no=student.pk)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(RegistrationClosed):
        registration_cancel(event=event, enrollment_no=student.pk, actor=student.user)
    assert student.pk in event.registrations


def test_an_organizer_cancels_after_the_event_has_started(event, organizer):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    assert registration_cancel(event=event, enrollment_no=student.pk, actor=organizer).cancelled
    assert student.pk not in event.registrations


def test_an_organizer_of_another_event_cannot_cancel(organizer):
    event = EventFactory()
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(PermissionDenied):
        registration_cancel(event=event, enrollment_no=student.pk, actor=organizer)


def test_anonymous_cannot_cancel():
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory()
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(NotAuthenticated):
        registration_cancel(event=event, enrollment_no=student.pk, actor=AnonymousUser())


def test_cancelling_after_check_in_keeps_the_attendance_as_history(event, organizer):
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    attendance = AttendanceFactory(registration=registration)

    registration_cancel(event=event, enrollment_no=student.pk, actor=organizer)

    assert event.attendances[student.pk] == [attendance.pk]


def test_cancelling_revokes_the_students_certificate(event, organizer):
    from certificates.services import certificate_issue

    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    AttendanceFactory(registration=registration)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    registration_cancel(event=event, enrollment_no=student.pk, actor=organizer)

    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revoked_reason == "Registration cancelled."
    assert certificate.revoked_by == organizer
    assert student.pk not in event.certificates


def test_a_student_registering_themselves_into_a_full_event_is_refused_and_keeps_nothing(student):
    event = EventFactory(capacity=1)
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    with pytest.raises(EventFull):
        registration_create(event=event, enrollment_no=student.pk, actor=student.user)

    assert not Registration.objects.filter(student=student).exists()
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_a_student_registering_themselves_when_full_joins_the_waitlist(student):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    registration = registration_create(event=event, enrollment_no=student.pk, actor=student.user)

    assert registration.status == "waitlisted"
    assert registration.waitlist_seq == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": Event.Status.DRAFT},
        {"status": Event.Status.CANCELLED},
        {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
        {
            "registration_opens_at": timezone.now() + timedelta(days=1),
            "registration_closes_at": timezone.now() + timedelta(days=2),
        },
    ],
    ids=["draft", "cancelled", "closed", "not-yet-open"],
)
def test_a_student_registering_themselves_gets_no_seat_outside_an_open_published_event(student, change):
    event = EventFactory(**change)

    with pytest.raises((RegistrationClosed, EventCancelled)):
        registration_create(event=event, enrollment_no=student.pk, actor=student.user)

    assert not Registration.objects.filter(student=student).exists()
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_a_student_registering_themselves_twice_is_told_already_registered(student):
    event = EventFactory(capacity=10)
    registration_create(event=event, enrollment_no=student.pk, actor=student.user)

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event, enrollment_no=student.pk, actor=student.user)

    event.refresh_from_db()
    assert event.confirmed_count == 1
