import pytest

from analytics.breakdowns import attendance_by_session, question_averages, registrations_by_year
from registrations.models import FeedbackAnswer
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    FeedbackQuestionFactory,
    RegistrationFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    event = EventFactory(sessions=["day-1", "day-2"])
    day1, day2 = event.sessions.order_by("position")
    regs = [RegistrationFactory(event=event, student=StudentFactory(year=year)) for year in (1, 1, 2, None)]
    RegistrationFactory(event=event, student=StudentFactory(year=3), status="waitlisted")
    RegistrationFactory(event=event, student=StudentFactory(year=4), status="cancelled")
    for registration in regs[:3]:
        AttendanceFactory(registration=registration, session=day1)
    AttendanceFactory(registration=regs[0], session=day2)
    AttendanceFactory(registration=RegistrationFactory(event=EventFactory()))  # another event
    return event, regs


def test_attendance_by_session_counts_and_rates_in_session_order(workshop):
    event, _ = workshop

    assert [(row["session"], row["attended"], row["rate"]) for row in attendance_by_session(event, registered=4)] == [
        ("day-1", 3, 0.75),
        ("day-2", 1, 0.25),
    ]


def test_attendance_rate_is_null_without_registrations():
    event = EventFactory()

    assert attendance_by_session(event, registered=0) == [
        {"session": "main", "title": "main", "starts_at": event.starts_at.isoformat(), "attended": 0, "rate": None}
    ]


def test_registrations_by_year_counts_active_registrations_with_unknown_last(workshop):
    event, _ = workshop

    result = registrations_by_year(event)

    assert result == {"1": 2, "2": 1, "3": 1, "unknown": 1}
    assert list(result) == ["1", "2", "3", "unknown"]


def test_question_averages_per_rating_question_and_answer_counts(workshop):
    event, regs = workshop
    speakers = FeedbackQuestionFactory(event=event, kind="rating", prompt="Speakers", position=0)
    improve = FeedbackQuestionFactory(event=event, kind="text", prompt="Improve?", position=1)
    venue = FeedbackQuestionFactory(event=event, kind="rating", prompt="Venue", position=2, required=True)
    FeedbackQuestionFactory(kind="rating")  # another event's question
    first, second = (FeedbackFactory(registration=registration) for registration in regs[:2])
    FeedbackAnswer.objects.create(feedback=first, question=speakers, rating=4)
    FeedbackAnswer.objects.create(feedback=second, question=speakers, rating=5)
    FeedbackAnswer.objects.create(feedback=second, question=improve, text="More coffee")
    FeedbackAnswer.objects.create(feedback=first, question=improve, text="Longer")

    assert question_averages(event) == [
        {
            "question_id": speakers.pk,
            "prompt": "Speakers",
            "kind": "rating",
            "required": False,
            "answers": 2,
            "average": 4.5,
        },
        {
            "question_id": improve.pk,
            "prompt": "Improve?",
            "kind": "text",
            "required": False,
            "answers": 2,
            "average": None,
        },
        {"question_id": venue.pk, "prompt": "Venue", "kind": "rating", "required": True, "answers": 0, "average": None},
    ]


def test_question_averages_round_to_two_decimals():
    event = EventFactory()
    question = FeedbackQuestionFactory(event=event, kind="rating")
    for rating in (5, 4, 4):
        FeedbackAnswer.objects.create(
            feedback=FeedbackFactory(registration__event=event), question=question, rating=rating
        )

    assert question_averages(event)[0]["average"] == 4.33
