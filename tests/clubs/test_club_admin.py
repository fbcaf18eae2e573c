import pytest
from django.urls import reverse

from clubs.models import Club, ClubMembership
from tests.factories import ClubFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_data(rows: list[tuple[int | None, int, str]], *, initial: int = 0, delete: set[int] = frozenset()) -> dict:
    data = {"memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": str(initial)}
    for index, (membership_id, user_id, role) in enumerate(rows):
        data |= {f"memberships-{index}-user": str(user_id), f"memberships-{index}-role": role}
        if membership_id:
            data[f"memberships-{index}-id"] = str(membership_id)
        if index in delete:
            data[f"memberships-{index}-DELETE"] = "on"
    return data


def test_adding_a_club_with_an_owner_in_the_admin_goes_through_the_services(admin_client):
    owner = UserFactory(username="asha")
    response = admin_client.post(
        reverse("admin:clubs_club_add"),
        {"club_id": "coding-club", "name": "Coding Club", "kind": "club"} | members_data([(None, owner.pk, "owner")]),
    )
    assert response.status_code == 302
    club = Club.objects.get(pk="coding-club")
    assert list(club.memberships.values_list("user__username", "role")) == [("asha", "owner")]


def test_deleting_the_last_owner_in_the_admin_shows_the_rule(admin_client):
    owner = UserFactory()
    club = ClubFactory(owners=[owner])
    membership = ClubMembership.objects.get(club=club)
    response = admin_client.post(
        reverse("admin:clubs_club_change", args=[club.pk]),
        {"name": club.name, "kind": club.kind}
        | members_data([(membership.pk, owner.pk, "owner")], initial=1, delete={0}),
    )
    assert response.status_code == 200
    assert "keeps at least one owner" in str(response.context["adminform"].form.errors)
    assert ClubMembership.objects.filter(pk=membership.pk).exists()


def test_the_admin_changelist_of_clubs_opens(admin_client):
    ClubFactory.create_batch(3)
    assert admin_client.get(reverse("admin:clubs_club_changelist")).status_code == 200
