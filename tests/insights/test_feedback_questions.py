import pytest
from django.db import IntegrityError, transaction

from eventsite.errors import FeedbackAlreadySubmitted, ValidationFailed
from registrations.models import Feedback, FeedbackAnswer, FeedbackQuestion
from registrations.services import feedback_submit
from tests.factories import AttendanceFactory, FeedbackFactory, FeedbackQuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(event):
    return AttendanceFactory(registration__event=event).student


@pytest.fixture
def questions(event):
    return {
        "venue": FeedbackQuestionFactory(event=event, kind="rating", prompt="The venue", required=True),
        "speakers": FeedbackQuestionFactory(event=event, kind="rating", prompt="The speakers"),
        "improve": FeedbackQuestionFactory(event=event, kind="text", prompt="What should change?"),
    }


def test_feedback_submit_without_answers_keeps_working_when_the_event_has_no_questions(event, attended):
    feedback = feedback_submit(event=event, enrollment_no=attended.pk, rating=4, comments="Good")

    assert feedback.rating == 4
    assert not FeedbackAnswer.objects.exists()


def test_feedback_submit_stores_one_answer_per_answered_question(event, attended, questions):
    feedback = feedback_submit(
        event=event,
        enrollment_no=attended.pk,
        rating=5,
        answers={questions["venue"].pk: 3, str(questions["improve"].pk): "  More water  "},
    )

    stored = {answer.question_id: (answer.rating, answer.text) for answer in feedback.answers.all()}
    assert stored == {questions["venue"].pk: (3, ""), questions["improve"].pk: (None, "More water")}
    assert feedback.rating == 5


def test_feedback_submit_accepts_a_rating_given_as_text_from_a_form(event, attended, questions):
    feedback = feedback_submit(event=event, enrollment_no=attended.pk, rating=5, answers={questions["venue"].pk: "2"})

    assert feedback.answers.get().rating == 2


def test_feedback_submit_refuses_a_missing_required_answer_and_stores_nothing(event, attended, questions):
    with pytest.raises(ValidationFailed) as caught:
        feedback_submit(event=event, enrollment_no=attended.pk, rating=5, answers={questions["speakers"].pk: 4})

    assert caught.value.details == {f"question_{questions['venue'].pk}": ["This question needs an answer."]}
    assert not Feedback.objects.exists()
    assert not FeedbackAnswer.objects.exists()


def test_feedback_submit_reports_every_bad_answer_by_question(event, attended, questions):
    with pytest.raises(ValidationFailed) as caught:
        feedback_submit(
            event=event,
            enrollment_no=attended.pk,
            rating=5,
            answers={questions["venue"].pk: 6, questions["speakers"].pk: True, questions["improve"].pk: "x" * 2001},
        )

    assert set(caught.value.details) == {f"question_{q.pk}" for q in questions.values()}
    assert caught.value.code == "VALIDATION_ERROR"


def test_feedback_submit_refuses_a_question_of_another_event(event, attended, questions):
    foreign = FeedbackQuestionFactory()

    with pytest.raises(ValidationFailed) as caught:
        feedback_submit(
            event=event, enrollment_no=attended.pk, rating=5, answers={questions["venue"].pk: 4, foreign.pk: 4}
        )

    assert list(caught.value.details) == [f"question_{foreign.pk}"]


def test_feedback_submit_refuses_an_unknown_question_key(event, attended, questions):
    with pytest.raises(ValidationFailed) as caught:
        feedback_submit(event=event, enrollment_no=attended.pk, rating=5, answers={questions["venue"].pk: 4, "abc": 1})

    assert list(caught.value.details) == ["question_abc"]


def test_feedback_submit_treats_a_blank_optional_answer_as_no_answer(event, attended, questions):
    feedback = feedback_submit(
        event=event,
        enrollment_no=attended.pk,
        rating=5,
        answers={questions["venue"].pk: 4, questions["improve"].pk: "   ", questions["speakers"].pk: None},
    )

    assert [answer.question_id for answer in feedback.answers.all()] == [questions["venue"].pk]


def test_feedback_submit_a_second_time_is_refused_before_answers_are_written(event, attended, questions):
    feedback_submit(event=event, enrollment_no=attended.pk, rating=5, answers={questions["venue"].pk: 4})

    with pytest.raises(FeedbackAlreadySubmitted):
        feedback_submit(event=event, enrollment_no=attended.pk, rating=3, answers={questions["venue"].pk: 1})

    assert FeedbackAnswer.objects.count() == 1


def test_database_refuses_two_answers_to_one_question_in_one_feedback(event):
    question = FeedbackQuestionFactory(event=event)
    feedback = FeedbackFactory(registration__event=event)
    FeedbackAnswer.objects.create(feedback=feedback, question=question, rating=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(feedback=feedback, question=question, rating=4)


@pytest.mark.parametrize(
    ("rating", "text"),
    [(0, ""), (6, ""), (None, ""), (3, "and text")],
    ids=["rating-below-1", "rating-above-5", "empty", "both"],
)
def test_database_refuses_an_answer_that_is_not_one_rating_or_one_text(event, rating, text):
    question = FeedbackQuestionFactory(event=event)
    feedback = FeedbackFactory(registration__event=event)

    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(feedback=feedback, question=question, rating=rating, text=text)


def test_database_refuses_an_unknown_question_kind(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackQuestion.objects.create(event=event, kind="choice", prompt="Pick one")
