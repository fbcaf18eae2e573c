import pytest
from django.contrib.auth.models import AnonymousUser

from eventsite.errors import (
    FeedbackAlreadySubmitted,
    NotAttended,
    NotAuthenticated,
    NotRegistered,
    PermissionDenied,
    ValidationFailed,
)
from registrations.models import Feedback
from registrations.services import attendance_mark, feedback_submit, registration_create
from tests.factories import EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def _attended(event, student=None):
    student = student or StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    return student


def test_feedback_submit_records_rating_and_trimmed_comments(event):
    student = _attended(event)

    feedback = feedback_submit(event=event, enrollment_no=student.pk.lower(), rating=5, comments="  Great talks.  ")

    assert feedback.rating == 5
    assert feedback.comments == "Great talks."
    assert feedback.registration.student_id == student.pk
    assert event.feedbacks[student.pk] == feedback.pk


def test_feedback_comments_are_optional(event):
    student = _attended(event)
    assert feedback_submit(event=event, enrollment_no=student.pk, rating=1).comments == ""


def test_feedback_comments_may_be_exactly_2000_characters(event):
    student = _attended(event)
    assert len(feedback_submit(event=event, enrollment_no=student.pk, rating=3, comments="x" * 2000).comments) == 2000


def test_feedback_comments_over_2000_characters_are_refused(event):
    student = _attended(event)
    with pytest.raises(ValidationFailed) as error:
        feedback_submit(event=event, enrollment_no=student.pk, rating=3, comments="x" * 2001)
    assert "comments" in error.value.details
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1, 3.5, "4", None, True])
def test_feedback_rating_must_be_a_whole_number_from_1_to_5(event, rating):
    student = _attended(event)
    with pytest.raises(ValidationFailed) as error:
        feedback_submit(event=event, enrollment_no=student.pk, rating=rating)
    assert error.value.code == "VALIDATION_ERROR"
    assert "rating" in error.value.details


def test_feedback_from_a_student_not_registered_is_refused(event):
    with pytest.raises(NotRegistered):
        feedback_submit(event=event, enrollment_no=StudentFactory().pk, rating=4)


def test_feedback_from_a_waitlisted_student_is_refused():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(NotRegistered):
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)


def test_feedback_before_attending_is_refused(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(NotAttended) as error:
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)
    assert error.value.code == "NOT_ATTENDED"


def test_feedback_is_given_once_per_event(event):
    student = _attended(event)
    first = feedback_submit(event=event, enrollment_no=student.pk, rating=4)

    with pytest.raises(FeedbackAlreadySubmitted) as error:
        feedback_submit(event=event, enrollment_no=student.pk, rating=2)

    assert error.value.code == "FEEDBACK_ALREADY_SUBMITTED"
    assert list(Feedback.objects.values_list("pk", "rating")) == [(first.pk, 4)]


def test_a_student_gives_their_own_feedback(event):
    student = _attended(event, StudentUserFactory())
    assert feedback_submit(event=event, enrollment_no=student.pk, rating=4, actor=student.user)


def test_a_student_cannot_give_feedback_for_someone_else(event):
    attendee = _attended(event)
    other = StudentUserFactory()
    with pytest.raises(PermissionDenied):
        feedback_submit(event=event, enrollment_no=attendee.pk, rating=1, actor=other.user)


def test_an_organizer_records_feedback_for_a_student(event, organizer):
    student = _attended(event)
    assert feedback_submit(event=event, enrollment_no=student.pk, rating=4, actor=organizer)


def test_anonymous_cannot_give_feedback(event):
    student = _attended(event)
    with pytest.raises(NotAuthenticated):
        feedback_submit(event=event, enrollment_no=student.pk, rating=4, actor=AnonymousUser())
