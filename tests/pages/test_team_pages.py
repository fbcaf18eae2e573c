"""Team pages: invitations on the events page, the team on the event page, confirmations, permissions."""

import pytest
from django.urls import reverse

from registrations.models import TeamMembership
from registrations.teams import team_create, team_invitation_accept
from tests.factories import StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hackathon(organizer):
    return TeamEventFactory(team_size_min=2, team_size_max=4, capacity=20, organizers=[organizer])


def test_an_invitation_shows_on_my_events_and_accepting_it_completes_the_team(client, login, hackathon):
    leader, invited = StudentUserFactory.create_batch(2)
    team = team_create(event=hackathon, team_name="Owls", invite=[invited.pk], actor=leader.user)
    login(invited.user)
    page = client.get(reverse("my-events")).content.decode()
    assert "invites you to team <strong>Owls</strong>" in page
    response = client.post(reverse("team-answer", args=[team.pk, "accept"]), follow=True)
    page = response.content.decode()
    assert "You are in team Owls." in page
    assert "complete and confirmed" in page
    assert set(hackathon.team_registrations["Owls"]) == {leader.pk, invited.pk}


def test_the_event_page_shows_members_their_states_and_the_join_code_to_members(client, login, hackathon):
    leader, invited = StudentUserFactory.create_batch(2)
    team = team_create(event=hackathon, team_name="Owls", invite=[invited.pk], actor=leader.user)
    login(leader.user)
    page = client.get(reverse("event-detail", args=[hackathon.pk])).content.decode()
    assert invited.full_name in page and "Invited" in page and "Leader" in page
    assert team.join_code in page
    login(invited.user)
    page = client.get(reverse("event-detail", args=[hackathon.pk])).content.decode()
    assert "invites you to team <strong>Owls</strong>" in page
    assert team.join_code not in page


def test_a_stranger_sees_no_team_and_cannot_act_on_it(client, login, hackathon):
    leader, invited, stranger = StudentUserFactory.create_batch(3)
    team = team_create(event=hackathon, team_name="Owls", invite=[invited.pk], actor=leader.user)
    login(stranger.user)
    page = client.get(reverse("event-detail", args=[hackathon.pk])).content.decode()
    assert "Owls" not in page and team.join_code not in page
    assert client.post(reverse("team-answer", args=[team.pk, "accept"])).status_code == 404
    assert client.get(reverse("team-confirm", args=[team.pk, "leave"])).status_code == 404
    wrong = client.post(reverse("team-join", args=[hackathon.pk]), {"join_code": "ZZZZZZZZ"})
    assert wrong.status_code == 400
    assert "No team of this event has this join code." in wrong.content.decode()
    joined = client.post(reverse("team-join", args=[hackathon.pk]), {"join_code": team.join_code}, follow=True)
    assert "You joined team Owls." in joined.content.decode()


def test_leaving_asks_for_a_confirmation_that_says_the_team_goes_back_to_forming(client, login, hackathon):
    leader, member = StudentUserFactory.create_batch(2)
    team = team_create(event=hackathon, team_name="Owls", invite=[member.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    login(member.user)
    confirm = client.get(reverse("team-confirm", args=[team.pk, "leave"]))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Leave team Owls?" in page and "goes back to forming" in page
    assert TeamMembership.objects.get(team=team, student=member).state == "accepted"
    response = client.post(reverse("team-confirm", args=[team.pk, "leave"]), follow=True)
    assert "You left team Owls." in response.content.decode()
    team.refresh_from_db()
    assert team.status == "forming"
    assert dict(hackathon.team_registrations) == {}


def test_the_leader_removes_a_member_after_confirming(client, login, hackathon):
    leader, member, other = StudentUserFactory.create_batch(3)
    team = team_create(event=hackathon, team_name="Owls", invite=[member.pk, other.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    team_invitation_accept(team=team, actor=other.user)
    login(leader.user)
    url = reverse("team-confirm", args=[team.pk, "remove"])
    assert f"Remove {member.full_name} from team Owls?" in client.get(url, {"member": member.pk}).content.decode()
    client.post(url, {"enrollment_no": member.pk})
    assert set(hackathon.team_registrations["Owls"]) == {leader.pk, other.pk}


def test_a_member_cannot_remove_another(client, login, hackathon):
    leader, member, other = StudentUserFactory.create_batch(3)
    team = team_create(event=hackathon, team_name="Owls", invite=[member.pk, other.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    team_invitation_accept(team=team, actor=other.user)
    login(member.user)
    response = client.post(reverse("team-confirm", args=[team.pk, "remove"]), {"enrollment_no": other.pk}, follow=True)
    assert "Only this event&#x27;s organizers can do this." in response.content.decode()
    assert set(hackathon.team_registrations["Owls"]) == {leader.pk, member.pk, other.pk}


def test_organizers_see_registered_team_members_and_teams_still_forming_on_the_roster(client, login, hackathon):
    leader, member, other_leader, invited = StudentUserFactory.create_batch(4)
    seated = team_create(event=hackathon, team_name="Seated", invite=[member.pk], actor=leader.user)
    team_invitation_accept(team=seated, actor=member.user)
    team_create(event=hackathon, team_name="Still Forming", invite=[invited.pk], actor=other_leader.user)
    login(hackathon.organizers.first())
    page = client.get(reverse("event-roster", args=[hackathon.pk])).content.decode()
    assert page.count("Seated") >= 2  # each member's row names the team
    forming = page[page.index("Teams still forming") :]
    assert "Still Forming" in forming and invited.full_name in forming and "Invited" in forming
    assert leader.full_name not in forming


def test_my_events_names_the_teams_still_forming_i_am_in(client, login, hackathon):
    leader, invited = StudentUserFactory.create_batch(2)
    team_create(event=hackathon, team_name="Owls", invite=[invited.pk], actor=leader.user)
    login(leader.user)
    page = client.get(reverse("my-events")).content.decode()
    assert "Teams forming" in page and "<strong>Owls</strong>" in page
    assert "You are not registered for any event" not in page
