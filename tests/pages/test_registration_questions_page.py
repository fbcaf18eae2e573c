"""The event page asks the event's questions with the register form and shows each refusal next to its field."""

import re

import pytest
from django.urls import reverse

from events.services import QuestionSpec, event_update
from registrations.models import Registration, Team
from registrations.selectors import registration_answers
from tests.factories import StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="langs", label="Languages you use", kind="multi_choice", choices=("Python", "C", "Rust")),
    QuestionSpec(code="laptop", label="Bringing a laptop?", kind="yes_no", required=True),
    QuestionSpec(code="age", label="Age", kind="number"),
    QuestionSpec(code="diet", label="Dietary needs", kind="text"),
]
GOOD = {
    "answers-tshirt": "M",
    "answers-langs": ["Rust", "Python"],
    "answers-laptop": "yes",
    "answers-age": "20",
    "answers-diet": "vegetarian",
}


@pytest.fixture
def asking(event, organizer):
    return event_update(event=event, questions=QUESTIONS, actor=organizer)


def _register(client, event, data):
    return client.post(reverse("event-detail", args=[event.pk]), {"action": "register", **data})


def _field_block(page: str, name: str) -> str:
    """The ``div.field`` holding the input named ``name``."""
    for block in re.findall(r'<div class="field[^"]*">.*?</div>\s*(?=<div class="field|</fieldset>)', page, re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


def test_the_register_form_asks_every_kind_of_question(client, asking, student, login):
    login(student.user)

    page = client.get(reverse("event-detail", args=[asking.pk])).content.decode()

    assert "The organizers ask" in page
    assert 'type="radio" name="answers-tshirt" value="M"' in page
    assert 'type="checkbox" name="answers-langs" value="Rust"' in page
    assert 'type="radio" name="answers-laptop" value="yes"' in page
    assert 'name="answers-age"' in page and 'inputmode="decimal"' in page
    assert '<textarea name="answers-diet"' in page
    assert "Dietary needs (optional)" in page and "T-shirt size (optional)" not in page


def test_registering_with_answers_stores_one_row_each(client, asking, student, login):
    login(student.user)

    response = _register(client, asking, GOOD)

    assert response.status_code == 302
    registration = Registration.objects.get(event=asking, student=student)
    assert registration_answers(registration) == {
        "tshirt": "M",
        "langs": ["Python", "Rust"],
        "laptop": True,
        "age": 20,
        "diet": "vegetarian",
    }


def test_a_missing_required_answer_is_shown_next_to_its_field(client, asking, student, login):
    login(student.user)

    response = _register(client, asking, {**GOOD, "answers-tshirt": ""})

    assert response.status_code == 400
    assert not Registration.objects.exists()
    block = _field_block(response.content.decode(), "answers-tshirt")
    assert "field-invalid" in block and "This question needs an answer." in block
    assert re.search(r'name="answers-laptop" value="yes"[^>]*checked', response.content.decode())  # kept


def test_a_number_that_is_not_one_is_shown_next_to_its_field(client, asking, student, login):
    login(student.user)

    response = _register(client, asking, {**GOOD, "answers-age": "twenty"})

    assert response.status_code == 400
    assert "The answer is a number." in _field_block(response.content.decode(), "answers-age")
    assert not Registration.objects.exists()


def test_an_option_the_question_does_not_offer_is_refused_next_to_its_field(client, asking, student, login):
    login(student.user)

    response = _register(client, asking, {**GOOD, "answers-tshirt": "XXL"})

    assert response.status_code == 400
    assert "field-invalid" in _field_block(response.content.decode(), "answers-tshirt")
    assert not Registration.objects.exists()


def test_a_team_leader_answers_with_the_team_form_and_a_member_when_accepting(client, organizer, login):
    event = TeamEventFactory(organizers=[organizer], team_size_min=2)
    event_update(event=event, questions=QUESTIONS[:1], actor=organizer)
    leader, member = StudentUserFactory(), StudentUserFactory()
    login(leader.user)
    url = reverse("event-detail", args=[event.pk])

    missing = client.post(url, {"action": "team", "team_name": "Pair", "members": member.pk})
    answered = client.post(url, {"action": "team", "team_name": "Pair", "members": member.pk, "answers-tshirt": "L"})

    assert missing.status_code == 400
    assert "This question needs an answer." in _field_block(missing.content.decode(), "answers-tshirt")
    assert answered.status_code == 302
    team = Team.objects.get(name="Pair")
    assert team.status == "forming"
    login(member.user)
    page = client.get(url).content.decode()
    assert "The organizers ask" in page  # under the invitation: accepting answers the questions
    unanswered = client.post(reverse("team-answer", args=[team.pk, "accept"]), follow=True)
    assert "answer the organizers&#x27; questions" in unanswered.content.decode()
    client.post(reverse("team-answer", args=[team.pk, "accept"]), {"answers-tshirt": "M"})
    assert registration_answers(Registration.objects.get(student=leader)) == {"tshirt": "L"}
    assert registration_answers(Registration.objects.get(student=member)) == {"tshirt": "M"}


def test_an_event_without_questions_keeps_its_one_button(client, event, student, login):
    login(student.user)

    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()
    response = _register(client, event, {})

    assert "The organizers ask" not in page
    assert response.status_code == 302 and Registration.objects.filter(student=student).exists()
