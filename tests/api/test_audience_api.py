"""Who may register, through the API: the event's fields, the access codes endpoint, the refusals' codes."""

import pytest

from registrations.models import AccessCode
from tests.api.helpers import error_of
from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db


def test_organizers_set_the_audience_and_everyone_reads_it(client_for, organizer, event):
    body = {"eligible_departments": ["cse", " ECE", "CSE"], "eligible_years": [4, 3], "approval_required": True}
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    shown = client_for(None).get(f"/api/v2/events/{event.pk}/").json()
    assert shown["eligible_departments"] == ["CSE", "ECE"] and shown["eligible_years"] == [3, 4]
    assert shown["approval_required"] is True and shown["access_code_required"] is False
    assert shown["audience"] == "This event is for CSE and ECE students in years 3 and 4."


@pytest.mark.parametrize(
    "body",
    [{"eligible_departments": ["C$E"]}, {"eligible_years": [7]}, {"eligible_departments": "CSE"}],
)
def test_a_malformed_audience_is_a_validation_error(client_for, organizer, event, body):
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", body, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    assert set(error_of(response)["details"]) == set(body)


def test_a_student_outside_the_audience_gets_audience_restricted(client_for, organizer, event):
    client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"eligible_departments": ["ECE"]}, format="json")
    student = StudentUserFactory(department="CSE")
    response = client_for(student).post(f"/api/v2/register/individual/{event.pk}", {}, format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "AUDIENCE_RESTRICTED"
    assert error["message"].startswith("This event is for ECE students.")


def test_organizers_generate_codes_and_see_their_use(client_for, organizer, event):
    client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"access_code_required": True}, format="json")
    made = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/access-codes", {"count": 3, "max_uses": 1}, format="json"
    )
    assert made.status_code == 201
    codes = made.json()["codes"]
    assert len(set(codes)) == 3
    student = StudentUserFactory()
    registered = client_for(student).post(
        f"/api/v2/register/individual/{event.pk}", {"access_code": codes[0].lower()}, format="json"
    )
    assert registered.status_code == 201 and registered.json()["status"] == "confirmed"
    listed = client_for(organizer).get(f"/api/v2/events/{event.pk}/access-codes").json()
    assert {row["code"]: (row["uses"], row["uses_left"]) for row in listed} == {
        codes[0]: (1, 0),
        codes[1]: (0, 1),
        codes[2]: (0, 1),
    }


def test_a_used_up_code_is_access_code_invalid(client_for, organizer, event):
    client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"access_code_required": True}, format="json")
    AccessCode.objects.create(event=event, code="ABCD2345", max_uses=1, uses=1)
    response = client_for(StudentUserFactory()).post(
        f"/api/v2/register/individual/{event.pk}", {"access_code": "ABCD2345"}, format="json"
    )
    assert response.status_code == 409 and error_of(response)["code"] == "ACCESS_CODE_INVALID"


@pytest.mark.parametrize("body", [{}, {"count": 0, "max_uses": 1}, {"count": 2, "max_uses": "many"}])
def test_a_malformed_code_request_is_a_validation_error(client_for, organizer, event, body):
    response = client_for(organizer).post(f"/api/v2/events/{event.pk}/access-codes", body, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
