import pytest

from clubs.models import ClubMembership
from events.models import Event
from tests.api.helpers import error_of
from tests.factories import ClubFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_create_a_club_and_get_it_back_with_its_owners(client_for):
    UserFactory(username="asha")
    response = client_for(StaffFactory()).post(
        "/api/v2/clubs/",
        {"club_id": "coding-club", "name": "Coding Club", "kind": "club", "owners": ["asha"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "club_id": "coding-club",
        "name": "Coding Club",
        "kind": "club",
        "department": "",
        "contact_email": "",
        "members": [{"username": "asha", "role": "owner"}],
    }


def test_creating_a_taken_club_is_already_exists(client_for):
    ClubFactory(club_id="coding-club")
    response = client_for(StaffFactory()).post("/api/v2/clubs/", {"club_id": "coding-club", "name": "X"}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "ALREADY_EXISTS"


def test_bad_club_input_is_a_validation_error_per_field(client_for):
    response = client_for(StaffFactory()).post(
        "/api/v2/clubs/", {"club_id": "not a slug", "kind": "society"}, format="json"
    )
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"club_id", "name", "kind"}


def test_an_owner_adds_a_member_then_changes_the_role(client_for):
    owner, member = UserFactory(username="owner"), UserFactory(username="ravi")
    ClubFactory(club_id="coding-club", owners=[owner])
    client = client_for(owner)

    added = client.post("/api/v2/clubs/coding-club/members", {"username": "ravi", "role": "organizer"}, format="json")
    changed = client.post("/api/v2/clubs/coding-club/members", {"username": "ravi", "role": "owner"}, format="json")

    assert added.status_code == 201
    assert added.json()["members"] == [
        {"username": "owner", "role": "owner"},
        {"username": "ravi", "role": "organizer"},
    ]
    assert changed.status_code == 200
    assert ClubMembership.objects.get(user=member).role == "owner"


def test_adding_an_unknown_user_names_the_field(client_for):
    owner = UserFactory()
    ClubFactory(club_id="coding-club", owners=[owner])
    response = client_for(owner).post(
        "/api/v2/clubs/coding-club/members", {"username": "nobody", "role": "organizer"}, format="json"
    )
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["username"]


def test_removing_the_last_owner_is_refused_and_keeps_them(client_for):
    owner = UserFactory(username="owner")
    ClubFactory(club_id="coding-club", owners=[owner])
    response = client_for(owner).delete("/api/v2/clubs/coding-club/members/owner")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["role"]
    assert ClubMembership.objects.filter(user=owner).exists()


def test_removing_a_member_answers_with_the_club_without_them(client_for):
    owner, member = UserFactory(username="owner"), UserFactory(username="ravi")
    ClubFactory(club_id="coding-club", owners=[owner], organizers=[member])
    response = client_for(owner).delete("/api/v2/clubs/coding-club/members/ravi")
    assert response.status_code == 200
    assert response.json()["members"] == [{"username": "owner", "role": "owner"}]


def test_removing_someone_who_is_not_a_member_is_not_found(client_for):
    owner = UserFactory()
    ClubFactory(club_id="coding-club", owners=[owner])
    response = client_for(owner).delete("/api/v2/clubs/coding-club/members/nobody")
    assert response.status_code == 404
    assert error_of(response)["details"]["what"] == "member"


def test_a_club_organizer_creates_a_draft_that_the_public_list_does_not_show(client_for, club_cast):
    body = {
        "event_id": "code-jam-2",
        "title": "Code Jam 2",
        "starts_at": "2027-01-01T10:00:00Z",
        "ends_at": "2027-01-01T18:00:00Z",
        "club": "coding-club",
    }
    response = client_for(club_cast.club_organizer).post("/api/v2/events/", body, format="json")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["club"], response.json()["organizers"]) == (
        "draft",
        "coding-club",
        [],
    )
    listed = client_for(None).get("/api/v2/events/").json()["results"]
    assert "code-jam-2" not in [event["event_id"] for event in listed]
    assert Event.objects.get(pk="code-jam-2").club_id == "coding-club"


def test_a_club_organizer_cannot_create_a_published_event(client_for, club_cast):
    body = {
        "event_id": "code-jam-2",
        "title": "Code Jam 2",
        "starts_at": "2027-01-01T10:00:00Z",
        "ends_at": "2027-01-01T18:00:00Z",
        "club": "coding-club",
        "status": "published",
    }
    response = client_for(club_cast.club_organizer).post("/api/v2/events/", body, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["status"]
    assert not Event.objects.filter(pk="code-jam-2").exists()


def test_moving_an_event_to_another_club_is_for_staff(client_for, club_cast):
    refused = client_for(club_cast.club_owner).patch("/api/v2/events/code-jam/", {"club": "music-club"}, format="json")
    moved = client_for(club_cast.staff).patch("/api/v2/events/code-jam/", {"club": "music-club"}, format="json")
    assert refused.status_code == 403
    assert moved.status_code == 200
    assert moved.json()["club"] == "music-club"
