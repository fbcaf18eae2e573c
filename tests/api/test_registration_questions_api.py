"""Registration questions through the API: written with the event, answered in registration bodies, read back."""

import pytest

from events.models import EventQuestion
from registrations.models import Registration, RegistrationAnswer
from tests.api.helpers import error_of
from tests.factories import StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"code": "tshirt", "label": "T-shirt size", "kind": "choice", "choices": ["S", "M", "L"], "required": True},
    {"code": "diet", "label": "Dietary needs", "kind": "text", "choices": [], "required": False},
    {"code": "laptop", "label": "Bringing a laptop?", "kind": "yes_no", "choices": [], "required": True},
]


@pytest.fixture
def asking(client_for, organizer, event):
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"questions": QUESTIONS}, format="json")
    assert response.status_code == 200, response.json()
    return event


def test_an_organizer_writes_questions_and_everyone_reads_them_in_order(asking, client_for):
    assert client_for(None).get(f"/api/v2/events/{asking.pk}/").json()["questions"] == QUESTIONS


def test_kind_choices_and_required_have_defaults(client_for, organizer, event):
    body = {"questions": [{"code": "note", "label": "Anything else?"}]}
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", body, format="json")
    assert response.json()["questions"] == [
        {"code": "note", "label": "Anything else?", "kind": "text", "choices": [], "required": False}
    ]


def test_a_club_event_is_created_with_its_questions(client_for, staff_user):
    body = {
        "event_id": "ctf-night",
        "title": "CTF Night",
        "starts_at": "2030-03-01T18:00:00+05:30",
        "ends_at": "2030-03-01T23:00:00+05:30",
        "questions": QUESTIONS[:1],
    }
    response = client_for(staff_user).post("/api/v2/events/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["questions"] == QUESTIONS[:1]


def test_a_malformed_question_is_a_validation_error_naming_it(client_for, organizer, event):
    body = {"questions": [QUESTIONS[0], {"code": "size", "label": "Size", "kind": "choice", "choices": []}]}
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]) == ["questions[1].choices"]
    assert not EventQuestion.objects.filter(event=event).exists()


def test_an_unknown_kind_is_a_validation_error(client_for, organizer, event):
    body = {"questions": [{"code": "size", "label": "Size", "kind": "colour"}]}
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("role", ["student", "other_organizer"])
def test_only_organizers_write_questions(client_for, event, role, other_organizer):
    user = StudentUserFactory().user if role == "student" else other_organizer
    response = client_for(user).patch(f"/api/v2/events/{event.pk}/", {"questions": QUESTIONS}, format="json")
    assert response.status_code == 403
    assert not EventQuestion.objects.filter(event=event).exists()


def test_a_student_registers_with_answers_and_the_lookup_shows_them(asking, client_for):
    student = StudentUserFactory()
    answers = {"tshirt": "L", "laptop": False}
    response = client_for(student).post(f"/api/v2/register/individual/{asking.pk}", {"answers": answers}, format="json")
    assert response.status_code == 201, response.json()
    assert RegistrationAnswer.objects.filter(registration_id=response.json()["registration_id"]).count() == 2
    lookup = client_for(student).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{asking.pk}")
    assert lookup.json()["answers"] == answers


def test_a_missing_required_and_a_malformed_answer_are_reported_per_code(asking, client_for):
    student = StudentUserFactory()
    body = {"answers": {"tshirt": "XXL", "diet": 3}}
    response = client_for(student).post(f"/api/v2/register/individual/{asking.pk}", body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]) == {"answers.tshirt", "answers.diet", "answers.laptop"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())
    assert not Registration.objects.filter(event=asking).exists()
    lookup = client_for(student).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{asking.pk}")
    assert lookup.json()["status"] is None


def test_answers_that_are_not_an_object_are_a_validation_error(asking, client_for):
    student = StudentUserFactory()
    response = client_for(student).post(f"/api/v2/register/individual/{asking.pk}", {"answers": ["L"]}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["answers"]


def test_an_organizer_registering_a_student_gives_their_answers(asking, client_for, organizer):
    student = StudentUserFactory()
    body = {"enrollment_no": student.pk, "answers": {"tshirt": "S", "laptop": "yes"}}
    response = client_for(organizer).post(f"/api/v2/register/individual/{asking.pk}", body, format="json")
    assert response.status_code == 201
    lookup = client_for(organizer).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{asking.pk}")
    assert lookup.json()["answers"] == {"tshirt": "S", "laptop": True}


def test_a_team_registration_takes_the_leaders_answers(client_for, organizer):
    event = TeamEventFactory(organizers=[organizer])
    client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"questions": QUESTIONS[:1]}, format="json")
    leader, member = StudentUserFactory(), StudentUserFactory()
    missing = client_for(leader).post(
        f"/api/v2/register/team/{event.pk}", {"team_name": "Owls", "members": [member.pk]}, format="json"
    )
    assert missing.status_code == 400
    assert list(error_of(missing)["details"]) == ["answers.tshirt"]
    body = {"team_name": "Owls", "members": [member.pk], "answers": {"tshirt": "M"}}
    response = client_for(leader).post(f"/api/v2/register/team/{event.pk}", body, format="json")
    assert response.status_code == 201, response.json()
    team_id = response.json()["team_id"]
    unanswered = client_for(member).post(f"/api/v2/teams/{team_id}/accept", {}, format="json")
    assert list(error_of(unanswered)["details"]) == ["answers.tshirt"]
    accepted = client_for(member).post(f"/api/v2/teams/{team_id}/accept", {"answers": {"tshirt": "L"}}, format="json")
    assert accepted.json()["status"] == "confirmed"
    lookup = client_for(leader).get(f"/api/v2/lookup/enrollment/{leader.pk}/event/{event.pk}")
    assert lookup.json()["answers"] == {"tshirt": "M"}
    lookup = client_for(member).get(f"/api/v2/lookup/enrollment/{member.pk}/event/{event.pk}")
    assert lookup.json()["answers"] == {"tshirt": "L"}


def test_removing_an_answered_question_keeps_the_answer_in_the_lookup(asking, client_for, organizer):
    student = StudentUserFactory()
    client_for(student).post(
        f"/api/v2/register/individual/{asking.pk}",
        {"answers": {"tshirt": "M", "laptop": True, "diet": "vegan"}},
        format="json",
    )
    response = client_for(organizer).patch(f"/api/v2/events/{asking.pk}/", {"questions": QUESTIONS[:1]}, format="json")
    assert response.json()["questions"] == QUESTIONS[:1]
    lookup = client_for(organizer).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{asking.pk}")
    assert lookup.json()["answers"] == {"tshirt": "M", "diet": "vegan", "laptop": True}
