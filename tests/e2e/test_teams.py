"""A team formed as students expect: the leader invites two friends, one accepts, one joins by code,
the team is confirmed, one leaves after confirming, and the team is still confirmed."""

import pytest
from playwright.sync_api import Page, expect

from registrations.models import Team
from tests.e2e.conftest import log_in
from tests.factories import StudentUserFactory, TeamEventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_a_leader_invites_two_friends_one_accepts_one_joins_by_code_and_one_leaves(new_context, shoot, width):
    event = TeamEventFactory(title="Hackathon 2026", team_size_min=2, team_size_max=4, capacity=40)
    leader, accepting, joining = StudentUserFactory.create_batch(3)

    def person(student) -> Page:
        page = new_context(width=width, height=900).new_page()
        log_in(page, student.pk)
        return page

    # The leader starts the team and invites two friends.
    leader_page = person(leader)
    leader_page.goto(f"/events/{event.pk}/")
    leader_page.get_by_label("Team name").fill("Null Pointers")
    leader_page.get_by_label("Invite by enrollment number (optional)").fill(f"{accepting.pk}, {joining.pk.lower()}")
    leader_page.get_by_role("button", name="Start the team").click()
    expect(leader_page.get_by_text("Team Null Pointers is started.")).to_be_visible()
    panel = leader_page.locator("#team")
    expect(panel).to_contain_text("Forming")
    expect(panel.locator(".team-members li")).to_have_count(3)
    expect(panel).to_contain_text("Invited")
    join_code = leader_page.locator(".join-code code").inner_text()
    assert join_code == Team.objects.get(name="Null Pointers").join_code
    assert_fits(leader_page, width)
    shoot(leader_page, f"{width}-01-team-forming")

    # One friend finds the invitation on their events page and accepts: the team reaches its minimum.
    accepting_page = person(accepting)
    accepting_page.goto("/me/events/")
    invitation = accepting_page.locator(".invitations li")
    expect(invitation).to_contain_text("Null Pointers")
    assert_fits(accepting_page, width)
    shoot(accepting_page, f"{width}-02-invitation")
    invitation.get_by_role("button", name="Accept").click()
    expect(accepting_page.get_by_text("You are in team Null Pointers.")).to_be_visible()
    expect(accepting_page.locator("#team")).to_contain_text("Confirmed")
    expect(accepting_page.get_by_role("img", name="Check-in QR code")).to_be_visible()
    shoot(accepting_page, f"{width}-03-accepted-confirmed")

    # The other joins with the code the leader shared.
    joining_page = person(joining)
    joining_page.goto(f"/events/{event.pk}/")
    joining_page.get_by_label("Join code").fill(join_code.lower())
    joining_page.get_by_role("button", name="Join the team").click()
    expect(joining_page.get_by_text("You joined team Null Pointers.")).to_be_visible()
    expect(joining_page.locator("#team")).to_contain_text("Confirmed")
    assert set(event.team_registrations["Null Pointers"]) == {leader.pk, accepting.pk, joining.pk}
    shoot(joining_page, f"{width}-04-joined-by-code")

    # One member leaves, after a confirmation that says what happens.
    accepting_page.goto(f"/events/{event.pk}/")
    accepting_page.get_by_role("link", name="Leave the team…").click()
    expect(accepting_page.get_by_role("heading", name="Leave team Null Pointers?")).to_be_visible()
    expect(accepting_page.get_by_text("your seat goes to the waitlist")).to_be_visible()
    assert_fits(accepting_page, width)
    shoot(accepting_page, f"{width}-05-leave-confirmation")
    accepting_page.get_by_role("button", name="Leave the team", exact=True).click()
    expect(accepting_page.get_by_text("You left team Null Pointers.")).to_be_visible()

    # Still above the minimum: the team stays confirmed with the two who remain.
    leader_page.reload()
    panel = leader_page.locator("#team")
    expect(panel).to_contain_text("Confirmed")
    expect(panel.locator(".team-members li")).to_have_count(2)
    expect(panel).not_to_contain_text(accepting.full_name)
    assert set(event.team_registrations["Null Pointers"]) == {leader.pk, joining.pk}
    assert_fits(leader_page, width)
    shoot(leader_page, f"{width}-06-still-confirmed")

    # The leader's tools fit the phone too.
    panel.get_by_text("Manage the team").click()
    expect(panel.get_by_label("Hand leadership to")).to_be_visible()
    assert_fits(leader_page, width)
    shoot(leader_page, f"{width}-07-leader-tools")
