"""The teams API: a team formed through invitations and a join code, members leaving, the error codes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from tests.api.helpers import error_of
from tests.factories import StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hackathon(organizer):
    return TeamEventFactory(team_size_min=3, team_size_max=4, capacity=20, organizers=[organizer])


def start(client_for, event, leader, invite):
    response = client_for(leader).post(
        f"/api/v2/register/team/{event.pk}", {"team_name": "Null Pointers", "members": [s.pk for s in invite]}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_team_forms_through_an_invitation_and_a_join_code_then_a_member_leaves(client_for, hackathon, organizer):
    leader, invited, friend, late = StudentUserFactory.create_batch(4)
    started = start(client_for, hackathon, leader, [invited])
    team_id = started["team_id"]

    accepted = client_for(invited).post(f"/api/v2/teams/{team_id}/accept", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "forming"
    joined = client_for(friend).post(
        f"/api/v2/teams/join/{hackathon.pk}", {"join_code": started["join_code"]}, format="json"
    )
    assert joined.status_code == 200
    shown = joined.json()
    assert shown["status"] == "confirmed"
    assert shown["members"] == {leader.pk: "leader", invited.pk: "accepted", friend.pk: "accepted"}
    assert set(shown["registrations"]) == {leader.pk, invited.pk, friend.pk}
    status = client_for(organizer).get(f"/api/v2/status/{hackathon.pk}").json()
    assert set(status["team_registrations"]["Null Pointers"]) == {leader.pk, invited.pk, friend.pk}

    client_for(late).post(f"/api/v2/teams/join/{hackathon.pk}", {"join_code": started["join_code"]}, format="json")
    left = client_for(friend).post(f"/api/v2/teams/{team_id}/leave", {}, format="json")
    assert left.status_code == 200
    assert left.json()["team"] is None  # who left no longer sees the team
    now = client_for(leader).get(f"/api/v2/teams/{team_id}").json()
    assert now["status"] == "confirmed"
    assert friend.pk not in now["members"]


def test_a_forming_teams_status_is_not_in_the_status_maps(client_for, hackathon, organizer):
    leader, invited = StudentUserFactory.create_batch(2)
    start(client_for, hackathon, leader, [invited])
    status = client_for(organizer).get(f"/api/v2/status/{hackathon.pk}").json()
    assert status["team_registrations"] == {}
    assert status["registrations"] == {}


def test_the_join_code_is_shown_to_members_only(client_for, hackathon, organizer):
    leader, invited = StudentUserFactory.create_batch(2)
    team_id = start(client_for, hackathon, leader, [invited])["team_id"]
    assert client_for(leader).get(f"/api/v2/teams/{team_id}").json()["join_code"]
    assert client_for(invited).get(f"/api/v2/teams/{team_id}").json()["join_code"] is None
    assert client_for(organizer).get(f"/api/v2/teams/{team_id}").json()["join_code"] is None


def test_a_stranger_cannot_see_a_team_nor_join_it_without_its_code(client_for, hackathon):
    leader, invited, stranger = StudentUserFactory.create_batch(3)
    team_id = start(client_for, hackathon, leader, [invited])["team_id"]
    seen = client_for(stranger).get(f"/api/v2/teams/{team_id}")
    assert seen.status_code == 404 and error_of(seen)["code"] == "NOT_FOUND"
    guessed = client_for(stranger).post(f"/api/v2/teams/join/{hackathon.pk}", {"join_code": "AAAAAAAA"}, format="json")
    assert guessed.status_code == 409 and error_of(guessed)["code"] == "INVITATION_NOT_FOUND"
    accepted = client_for(stranger).post(f"/api/v2/teams/{team_id}/accept", {}, format="json")
    assert error_of(accepted)["code"] == "INVITATION_NOT_FOUND"


def test_declining_is_seen_by_the_leader(client_for, hackathon):
    leader, invited = StudentUserFactory.create_batch(2)
    team_id = start(client_for, hackathon, leader, [invited])["team_id"]
    declined = client_for(invited).post(f"/api/v2/teams/{team_id}/decline", {}, format="json")
    assert declined.status_code == 200
    assert client_for(leader).get(f"/api/v2/teams/{team_id}").json()["members"][invited.pk] == "declined"


def test_the_leader_invites_renames_and_hands_over(client_for, hackathon):
    leader, invited, more = StudentUserFactory.create_batch(3)
    team_id = start(client_for, hackathon, leader, [invited])["team_id"]
    invite = client_for(leader).post(f"/api/v2/teams/{team_id}/invite", {"enrollment_nos": [more.pk]}, format="json")
    assert invite.json()["invited"] == [more.pk]
    renamed = client_for(leader).patch(f"/api/v2/teams/{team_id}", {"team_name": "Segfaults"}, format="json")
    assert renamed.json()["team_name"] == "Segfaults"
    client_for(invited).post(f"/api/v2/teams/{team_id}/accept", {}, format="json")
    moved = client_for(leader).post(f"/api/v2/teams/{team_id}/transfer", {"enrollment_no": invited.pk}, format="json")
    assert moved.json()["leader"] == invited.pk
    refused = client_for(leader).post(f"/api/v2/teams/{team_id}/remove", {"enrollment_no": more.pk}, format="json")
    assert refused.status_code == 403


def test_after_registration_closes_changes_are_team_locked_but_cancelling_works(client_for, hackathon):
    leader, invited, more = StudentUserFactory.create_batch(3)
    team_id = start(client_for, hackathon, leader, [invited, more])["team_id"]
    Event.objects.filter(pk=hackathon.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    locked = client_for(leader).patch(f"/api/v2/teams/{team_id}", {"team_name": "Late"}, format="json")
    assert locked.status_code == 409 and error_of(locked)["code"] == "TEAM_LOCKED"
    accept = client_for(invited).post(f"/api/v2/teams/{team_id}/accept", {}, format="json")
    assert error_of(accept)["code"] == "TEAM_LOCKED"
    cancelled = client_for(leader).post(f"/api/v2/teams/{team_id}/cancel", {}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["team"]["status"] == "cancelled"


def test_a_team_that_does_not_exist_is_not_found(client_for, hackathon):
    response = client_for(StudentUserFactory()).post("/api/v2/teams/TNOPE/accept", {}, format="json")
    assert response.status_code == 404 and error_of(response)["code"] == "NOT_FOUND"
