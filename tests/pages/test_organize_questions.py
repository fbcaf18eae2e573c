"""Organizers write the registration questions on the /organize/ event pages: add, edit, reorder,
remove; an answer given before an edit is never lost."""

import pytest
from django.urls import reverse

from events.models import Event, EventQuestion
from events.services import QuestionSpec, event_update
from registrations.models import RegistrationAnswer
from registrations.services import registration_create
from tests.factories import StudentFactory
from tests.pages.test_organize_event_pages import form_data, local

pytestmark = pytest.mark.django_db

ASKED = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="diet", label="Dietary needs", kind="text"),
]


def _question_rows(rows: list[dict], *, initial: int = 0, extra: int = 0) -> dict:
    data = {"questions-TOTAL_FORMS": str(len(rows) + extra), "questions-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"questions-{index}-{name}": value for name, value in row.items()})
    return data


def _edit_data(event: Event, rows: list[dict], *, initial: int) -> dict:
    data = form_data(
        title=event.title,
        capacity="",
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        **{"sessions-TOTAL_FORMS": "1", "sessions-0-code": "main", "sessions-0-starts_at": local(event.starts_at)},
    )
    data.pop("event_id")
    return data | _question_rows(rows, initial=initial)


def _asked(event: Event) -> list[tuple]:
    return list(
        EventQuestion.objects.filter(event=event, archived=False)
        .order_by("position")
        .values_list("code", "label", "kind", "choices", "required")
    )


@pytest.fixture
def asking(event, organizer):
    return event_update(event=event, questions=ASKED, actor=organizer)


def test_a_new_event_is_created_with_its_questions_in_order(client, login, organizer, staff_user):
    login(staff_user)
    rows = [
        {"label": "Which track?", "kind": "choice", "choices": "Web\r\nAI\r\n", "required": "on", "ORDER": "2"},
        {"label": "Bringing a laptop?", "kind": "yes_no", "ORDER": "1"},
        {"label": "", "kind": "text", "ORDER": ""},  # an empty row is no question
    ]
    response = client.post(reverse("organize-event-new"), form_data(club="") | _question_rows(rows))

    assert response.status_code == 302
    assert _asked(Event.objects.get(pk="code-jam")) == [
        ("bringing-a-laptop", "Bringing a laptop?", "yes_no", [], False),
        ("which-track", "Which track?", "choice", ["Web", "AI"], True),
    ]


def test_the_edit_page_shows_the_questions_asked_in_order(client, login, organizer, asking):
    login(organizer)

    page = client.get(reverse("organize-event-edit", args=[asking.pk])).content.decode()

    assert page.index('value="T-shirt size"') < page.index('value="Dietary needs"')
    assert 'name="questions-0-code" value="tshirt"' in page
    assert "S\nM\nL</textarea>" in page
    assert 'name="questions-INITIAL_FORMS" value="2"' in page


def test_organizers_edit_reorder_add_and_remove_questions_without_losing_an_answer(client, login, organizer, asking):
    student = StudentFactory()
    registration_create(event=asking, enrollment_no=student.pk, answers={"tshirt": "M", "diet": "vegan"})
    login(organizer)
    rows = [
        {"code": "tshirt", "label": "Shirt size", "kind": "choice", "choices": "S\nM\nL\nXL", "ORDER": "2"},
        {"code": "diet", "label": "Dietary needs", "kind": "text", "ORDER": "1", "DELETE": "on"},
        {"label": "Team name idea", "kind": "text", "ORDER": "1"},
    ]

    response = client.post(reverse("organize-event-edit", args=[asking.pk]), _edit_data(asking, rows, initial=2))

    assert response.status_code == 302
    assert _asked(asking) == [
        ("team-name-idea", "Team name idea", "text", [], False),
        ("tshirt", "Shirt size", "choice", ["S", "M", "L", "XL"], False),
    ]
    diet = EventQuestion.objects.get(event=asking, code="diet")
    assert diet.archived
    kept = dict(RegistrationAnswer.objects.filter(registration__student=student).values_list("question__code", "value"))
    assert kept == {"tshirt": "M", "diet": "vegan"}


def test_a_removed_question_nobody_answered_is_gone(client, login, organizer, asking):
    login(organizer)
    rows = [
        {"code": "tshirt", "label": "T-shirt size", "kind": "choice", "choices": "S\nM\nL", "ORDER": "1"},
        {"code": "diet", "label": "Dietary needs", "kind": "text", "ORDER": "2", "DELETE": "on"},
    ]

    client.post(reverse("organize-event-edit", args=[asking.pk]), _edit_data(asking, rows, initial=2))

    assert list(EventQuestion.objects.filter(event=asking).values_list("code", flat=True)) == ["tshirt"]


def test_a_new_question_never_takes_the_code_of_an_archived_one(client, login, organizer, asking):
    registration_create(event=asking, enrollment_no=StudentFactory().pk, answers={"tshirt": "S", "diet": "none"})
    event_update(event=asking, questions=ASKED[:1], actor=organizer)  # "diet" archived with its answer
    login(organizer)
    rows = [
        {"code": "tshirt", "label": "T-shirt size", "kind": "choice", "choices": "S\nM\nL", "ORDER": "1"},
        {"label": "Diet", "kind": "text", "ORDER": "2"},
    ]

    client.post(reverse("organize-event-edit", args=[asking.pk]), _edit_data(asking, rows, initial=1))

    assert [code for code, *_ in _asked(asking)] == ["tshirt", "diet-2"]
    assert EventQuestion.objects.get(event=asking, code="diet").archived


def test_changing_the_kind_of_an_answered_question_is_refused_next_to_it(client, login, organizer, asking):
    registration_create(event=asking, enrollment_no=StudentFactory().pk, answers={"tshirt": "M"})
    login(organizer)
    rows = [
        {"code": "tshirt", "label": "T-shirt size", "kind": "text", "ORDER": "1"},
        {"code": "diet", "label": "Dietary needs", "kind": "text", "ORDER": "2"},
    ]

    response = client.post(reverse("organize-event-edit", args=[asking.pk]), _edit_data(asking, rows, initial=2))

    assert response.status_code == 400
    errors = response.context["questions"].forms[0].errors
    assert errors["kind"] == ["People have answered this question: its kind cannot change."]
    assert EventQuestion.objects.get(event=asking, code="tshirt").kind == "choice"


def test_a_choice_question_without_options_is_refused_next_to_its_options(client, login, organizer, asking):
    login(organizer)
    rows = [
        {"code": "tshirt", "label": "T-shirt size", "kind": "choice", "choices": "", "ORDER": "1"},
        {"code": "diet", "label": "Dietary needs", "kind": "text", "ORDER": "2"},
    ]

    response = client.post(reverse("organize-event-edit", args=[asking.pk]), _edit_data(asking, rows, initial=2))

    assert response.status_code == 400
    assert response.context["questions"].forms[0].errors["choices"] == [
        "A choice question needs its options, none of them blank."
    ]
    assert "Some questions are not valid." in response.content.decode()
