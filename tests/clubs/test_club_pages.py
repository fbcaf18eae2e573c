import pytest
from django.urls import reverse

from clubs.models import ClubMembership

pytestmark = pytest.mark.django_db


def test_organize_lists_the_users_clubs_and_the_clubs_events(client, club_cast, login):
    login(club_cast.club_organizer.user)
    response = client.get(reverse("organize"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Coding Club" in body and "you are organizer" in body
    assert "Music Club" not in body
    assert "code-jam" in body and "code-draft" in body


def test_the_club_page_shows_drafts_and_members(client, club_cast, login):
    login(club_cast.club_organizer.user)
    body = client.get(reverse("organize-club", args=["coding-club"])).content.decode()
    assert club_cast.draft.title in body and club_cast.event.title in body
    assert "club-owner" in body and club_cast.club_organizer.user.username in body
    assert "Add a member" not in body


def test_an_owner_adds_a_member_from_the_club_page(client, club_cast, login):
    login(club_cast.club_owner)
    response = client.post(
        reverse("organize-club", args=["coding-club"]),
        {"username": club_cast.student.user.username, "role": "organizer"},
        follow=True,
    )
    assert f"{club_cast.student.user.username} is now organizer" in response.content.decode()
    assert ClubMembership.objects.get(user=club_cast.student.user).role == "organizer"


def test_an_unknown_username_is_shown_next_to_the_field(client, club_cast, login):
    login(club_cast.club_owner)
    response = client.post(reverse("organize-club", args=["coding-club"]), {"username": "nobody", "role": "owner"})
    assert response.status_code == 400
    assert "No user &#x27;nobody&#x27;." in response.content.decode()


def test_removing_a_member_asks_first_then_removes(client, club_cast, login):
    login(club_cast.club_owner)
    url = reverse("organize-club-member-remove", args=["coding-club", club_cast.club_organizer.user.username])
    asked = client.get(url)
    assert asked.status_code == 200
    assert ClubMembership.objects.filter(user=club_cast.club_organizer.user).exists()

    removed = client.post(url, follow=True)
    assert "is no longer a member of Coding Club" in removed.content.decode()
    assert not ClubMembership.objects.filter(user=club_cast.club_organizer.user).exists()


def test_the_last_owner_is_told_why_they_cannot_leave(client, club_cast, login):
    login(club_cast.club_owner)
    url = reverse("organize-club-member-remove", args=["coding-club", "club-owner"])
    response = client.post(url)
    assert response.status_code == 409
    assert "keeps at least one owner" in response.content.decode()
    assert ClubMembership.objects.filter(user=club_cast.club_owner).exists()


def test_a_club_member_sees_the_organize_link(client, club_cast, login):
    login(club_cast.club_organizer.user)
    assert 'href="/organize/"' in client.get("/").content.decode()
