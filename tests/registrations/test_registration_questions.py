"""Registration questions: the event's questions are rows, each answer is a row, nothing is ever lost."""

import pytest
from django.db.models.deletion import ProtectedError

from events.models import EventQuestion
from events.services import QuestionSpec, event_update
from eventsite.errors import ValidationFailed
from registrations.models import Registration, RegistrationAnswer
from registrations.selectors import registration_answers
from registrations.services import registration_answers_clean, registration_create, team_register
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="diet", label="Dietary needs", kind="text"),
    QuestionSpec(code="langs", label="Languages you use", kind="multi_choice", choices=("Python", "C", "Rust")),
    QuestionSpec(code="laptop", label="Bringing a laptop?", kind="yes_no", required=True),
    QuestionSpec(code="age", label="Age", kind="number"),
]
GOOD = {"tshirt": "M", "diet": "  vegetarian ", "langs": ["Rust", "Python"], "laptop": True, "age": 20}


@pytest.fixture
def asking(event, organizer):
    return event_update(event=event, questions=QUESTIONS, actor=organizer)


def _details(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.details


def test_questions_are_rows_in_the_order_given(asking):
    rows = list(EventQuestion.objects.filter(event=asking).values_list("code", "kind", "position", "required"))
    assert rows == [
        ("tshirt", "choice", 0, True),
        ("diet", "text", 1, False),
        ("langs", "multi_choice", 2, False),
        ("laptop", "yes_no", 3, True),
        ("age", "number", 4, False),
    ]


def test_well_formed_answers_are_cleaned_into_one_row_each(asking):
    rows = registration_answers_clean(event=asking, answers=GOOD)
    assert {row.question.code: row.value for row in rows} == {
        "tshirt": "M",
        "diet": "vegetarian",
        "langs": ["Python", "Rust"],  # in the question's order
        "laptop": True,
        "age": 20,
    }


def test_form_values_are_accepted_as_strings(asking):
    rows = registration_answers_clean(
        event=asking, answers={"tshirt": "L", "laptop": "no", "age": "19.5", "langs": "C", "diet": ""}
    )
    assert {row.question.code: row.value for row in rows} == {
        "tshirt": "L",
        "laptop": False,
        "age": 19.5,
        "langs": ["C"],
    }


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("tshirt", "XXL"),
        ("tshirt", ["M"]),
        ("langs", ["Go"]),
        ("langs", {"a": 1}),
        ("laptop", "maybe"),
        ("laptop", 1),
        ("age", "twenty"),
        ("age", True),
        ("diet", 5),
        ("diet", "x" * 2001),
        ("diet", "bad\x00byte"),
    ],
)
def test_a_malformed_answer_is_reported_under_its_code(asking, code, value):
    details = _details(lambda: registration_answers_clean(event=asking, answers={**GOOD, code: value}))
    assert list(details) == [f"answers.{code}"]


def test_every_missing_required_answer_and_unknown_code_is_reported(asking):
    details = _details(lambda: registration_answers_clean(event=asking, answers={"diet": "none", "shoe": "42"}))
    assert set(details) == {"answers.tshirt", "answers.laptop", "answers.shoe"}


def test_answers_that_are_not_an_object_are_refused(asking):
    assert list(_details(lambda: registration_answers_clean(event=asking, answers=["M"]))) == ["answers"]


def test_registering_writes_one_row_per_answer(asking):
    student = StudentFactory()
    registration = registration_create(event=asking, enrollment_no=student.pk, answers=GOOD)
    assert RegistrationAnswer.objects.filter(registration=registration).count() == 5
    assert registration_answers(registration)["langs"] == ["Python", "Rust"]


@pytest.mark.parametrize("own", [True, False], ids=["the student themself", "an organizer for them"])
def test_a_registration_with_bad_answers_writes_nothing_and_takes_no_seat(asking, organizer, own):
    student = StudentUserFactory()
    actor = student.user if own else organizer
    with pytest.raises(ValidationFailed) as caught:
        registration_create(event=asking.pk, enrollment_no=student.pk, answers={"tshirt": "XXL"}, actor=actor)
    assert set(caught.value.details) == {"answers.tshirt", "answers.laptop"}
    asking.refresh_from_db()
    assert asking.confirmed_count == 0
    assert not Registration.objects.filter(event=asking).exists()


def test_a_student_registering_themselves_keeps_their_answers_on_both_engines(asking):
    """On PostgreSQL a student's own registration usually takes one direct statement; an event with questions
    never does, so the answers are written in the seat's transaction."""
    student = StudentUserFactory()
    registration = registration_create(event=asking.pk, enrollment_no=student.pk, answers=GOOD, actor=student.user)
    assert registration.status == "confirmed"
    assert registration_answers(registration) == {
        "tshirt": "M",
        "diet": "vegetarian",
        "langs": ["Python", "Rust"],
        "laptop": True,
        "age": 20,
    }


def test_a_student_registering_themselves_without_the_required_answers_is_refused_on_both_engines(asking):
    student = StudentUserFactory()
    with pytest.raises(ValidationFailed) as caught:
        registration_create(event=asking.pk, enrollment_no=student.pk, actor=student.user)
    assert set(caught.value.details) == {"answers.tshirt", "answers.laptop"}
    assert not Registration.objects.filter(event=asking).exists()


def test_answers_to_an_event_without_questions_are_refused(event):
    student = StudentUserFactory()
    with pytest.raises(ValidationFailed) as caught:
        registration_create(event=event.pk, enrollment_no=student.pk, answers={"x": "y"}, actor=student.user)
    assert list(caught.value.details) == ["answers.x"]


def test_a_team_leaders_answers_go_on_the_leaders_registration(organizer):
    event = TeamEventFactory(organizers=[organizer])
    event_update(event=event, questions=QUESTIONS[:1], actor=organizer)
    leader, member = StudentFactory(), StudentFactory()
    team = team_register(event=event, team_name="Owls", leader=leader.pk, members=[member.pk], answers={"tshirt": "S"})
    rows = RegistrationAnswer.objects.filter(registration__team=team)
    assert [(row.registration.student_id, row.value) for row in rows] == [(leader.pk, "S")]
    with pytest.raises(ValidationFailed) as caught:
        team_register(event=event, team_name="Larks", leader=StudentFactory().pk, members=[StudentFactory().pk])
    assert list(caught.value.details) == ["answers.tshirt"]


# Editing questions after people answered


def test_removing_an_answered_question_archives_it_and_keeps_the_answers(asking):
    registration = registration_create(event=asking, enrollment_no=StudentFactory().pk, answers=GOOD)
    event_update(event=asking, questions=[QUESTIONS[0], QUESTIONS[3]])
    archived = EventQuestion.objects.get(event=asking, code="diet")
    assert archived.archived
    assert EventQuestion.objects.get(event=asking, code="age").archived  # answered too: kept
    assert registration_answers(registration) == registration_answers(Registration.objects.get(pk=registration.pk))
    assert RegistrationAnswer.objects.filter(registration=registration).count() == 5
    # Archived questions are no longer asked.
    assert registration_answers_clean(event=asking, answers={"tshirt": "S", "laptop": False})
    with pytest.raises(ValidationFailed):
        registration_answers_clean(event=asking, answers={"tshirt": "S", "laptop": False, "diet": "x"})


def test_an_unanswered_question_is_deleted_and_an_archived_one_comes_back_with_its_answers(asking):
    registration = registration_create(
        event=asking, enrollment_no=StudentFactory().pk, answers={"tshirt": "S", "laptop": True}
    )
    event_update(event=asking, questions=[QUESTIONS[0]])
    assert set(EventQuestion.objects.filter(event=asking).values_list("code", "archived")) == {
        ("tshirt", False),
        ("laptop", True),
    }
    event_update(event=asking, questions=[QUESTIONS[3], QUESTIONS[0]])
    assert list(EventQuestion.objects.filter(event=asking).values_list("code", "archived", "position")) == [
        ("laptop", False, 0),
        ("tshirt", False, 1),
    ]
    assert registration_answers(registration) == {"laptop": True, "tshirt": "S"}


def test_changing_a_label_keeps_the_answers_and_changing_an_answered_kind_is_refused(asking):
    registration = registration_create(event=asking, enrollment_no=StudentFactory().pk, answers=GOOD)
    relabelled = [QuestionSpec(code="tshirt", label="Shirt size", kind="choice", choices=("S", "M", "L", "XL"))]
    event_update(event=asking, questions=relabelled + QUESTIONS[1:])
    assert EventQuestion.objects.get(event=asking, code="tshirt").label == "Shirt size"
    assert registration_answers(registration)["tshirt"] == "M"
    retyped = [QuestionSpec(code="tshirt", label="Shirt size", kind="text")]
    details = _details(lambda: event_update(event=asking, questions=retyped + QUESTIONS[1:]))
    assert list(details) == ["questions[0].kind"]
    assert EventQuestion.objects.get(event=asking, code="tshirt").kind == "choice"


def test_the_database_refuses_to_delete_an_answered_question(asking):
    registration_create(event=asking, enrollment_no=StudentFactory().pk, answers=GOOD)
    with pytest.raises(ProtectedError):
        EventQuestion.objects.get(event=asking, code="tshirt").delete()


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (QuestionSpec(code="", label="Size"), "questions[0].code"),
        (QuestionSpec(code="a b", label="Size"), "questions[0].code"),
        (QuestionSpec(code="size", label="  "), "questions[0].label"),
        (QuestionSpec(code="size", label="Size", kind="colour"), "questions[0].kind"),
        (QuestionSpec(code="size", label="Size", kind="choice"), "questions[0].choices"),
        (QuestionSpec(code="size", label="Size", kind="choice", choices=("S", "S")), "questions[0].choices"),
        (QuestionSpec(code="size", label="Size", kind="text", choices=("S",)), "questions[0].choices"),
    ],
)
def test_a_malformed_question_is_refused_under_its_position(event, spec, field):
    details = _details(lambda: event_update(event=event, questions=[spec]))
    assert list(details) == [field]
    assert not EventQuestion.objects.filter(event=event).exists()


def test_two_questions_with_one_code_are_refused(event):
    details = _details(lambda: event_update(event=event, questions=[QUESTIONS[0], QUESTIONS[0]]))
    assert list(details) == ["questions[1].code"]


def test_another_events_questions_are_untouched(asking):
    other = EventFactory()
    event_update(event=other, questions=[QUESTIONS[1]])
    assert EventQuestion.objects.filter(event=asking).count() == 5


def test_the_direct_statement_takes_no_seat_at_an_event_with_questions(asking):
    """The one-statement path's condition leaves an event with questions to the general path, on PostgreSQL
    where it runs; the condition itself holds on both engines."""
    from django.db import connection
    from django.utils import timezone

    from events.models import Event
    from registrations.services import _open_with_a_seat_q, _registration_confirm_directly

    assert not Event.objects.filter(_open_with_a_seat_q(timezone.now()), pk=asking.pk).exists()
    assert Event.objects.filter(_open_with_a_seat_q(timezone.now()), pk=EventFactory().pk).exists()
    if connection.vendor == "postgresql":
        assert _registration_confirm_directly(asking.pk, StudentUserFactory().pk) is None
        asking.refresh_from_db()
        assert asking.confirmed_count == 0
        assert not Registration.objects.filter(event=asking).exists()
