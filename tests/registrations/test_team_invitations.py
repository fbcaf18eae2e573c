"""Teams formed by students: invitations, join codes, leaving, leaders; every transition of a team."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from events.models import Event, EventQuestion
from eventsite.errors import (
    AlreadyRegistered,
    EventFull,
    InvitationNotFound,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TeamLocked,
    TeamNameTaken,
    TeamSize,
    ValidationFailed,
)
from registrations.integrity import integrity_problems
from registrations.models import Notification, Registration, RegistrationAnswer, Team, TeamMembership
from registrations.notifications import deliver
from registrations.selectors import team_invitations_of, team_members
from registrations.services import registration_create, team_register
from registrations.teams import (
    team_cancel,
    team_create,
    team_invitation_accept,
    team_invitation_decline,
    team_invite,
    team_join_by_code,
    team_leader_transfer,
    team_leave,
    team_member_remove,
    team_register_or_create,
    team_rename,
)
from tests.factories import StudentFactory, StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


def states(team):
    return dict(TeamMembership.objects.filter(team=team).values_list("student_id", "state"))


def active(team):
    return dict(
        Registration.objects.filter(team=team, status__in=("confirmed", "waitlisted")).values_list(
            "student_id", "status"
        )
    )


def clean(event):
    assert integrity_problems([event.pk]) == []


def formed(event, size, name="Alpha"):
    """A forming team: a leader and ``size - 1`` invitees who have not answered yet."""
    leader, *invited = StudentUserFactory.create_batch(size)
    team = team_create(event=event, team_name=name, invite=[s.pk for s in invited], actor=leader.user)
    return team, leader, invited


@pytest.fixture
def hackathon(organizer):
    return TeamEventFactory(team_size_min=3, team_size_max=4, capacity=10, organizers=[organizer])


# Creating a team and inviting


def test_a_student_creates_a_forming_team_holding_no_seats(hackathon):
    team, leader, invited = formed(hackathon, 3)
    team.refresh_from_db()
    assert team.status == "forming" and team.leader_id == leader.pk
    assert len(team.join_code) == 8
    assert states(team) == {leader.pk: "leader", invited[0].pk: "pending", invited[1].pk: "pending"}
    assert active(team) == {}
    hackathon.refresh_from_db()
    assert hackathon.confirmed_count == 0
    assert dict(hackathon.team_registrations) == {}
    clean(hackathon)


def test_each_invitee_is_owed_an_invitation_email_and_sees_it(hackathon):
    team, _, invited = formed(hackathon, 3)
    owed = Notification.objects.filter(kind="team_invitation", object_id=team.pk)
    assert sorted(owed.values_list("student_id", flat=True)) == sorted(s.pk for s in invited)
    assert [m.team_id for m in team_invitations_of(invited[0])] == [team.pk]


def test_a_student_registering_a_team_through_the_common_entry_creates_it_forming(hackathon):
    leader, friend = StudentUserFactory.create_batch(2)
    team = team_register_or_create(
        event=hackathon, team_name="Alpha", leader=None, members=[friend.pk], actor=leader.user
    )
    assert team.status == "forming"
    assert states(team) == {leader.pk: "leader", friend.pk: "pending"}


def test_an_organizer_still_registers_a_whole_team_directly(hackathon, organizer):
    members = StudentFactory.create_batch(3)
    team = team_register_or_create(
        event=hackathon,
        team_name="Walk-ins",
        leader=members[0].pk,
        members=[m.pk for m in members[1:]],
        actor=organizer,
    )
    assert team.status == "confirmed"
    assert set(active(team).values()) == {"confirmed"}
    assert states(team) == {members[0].pk: "leader", members[1].pk: "accepted", members[2].pk: "accepted"}
    clean(hackathon)


def test_a_student_cannot_create_a_team_for_someone_else(hackathon):
    student, other = StudentUserFactory.create_batch(2)
    with pytest.raises(PermissionDenied):
        team_create(event=hackathon, team_name="Alpha", leader=other.pk, actor=student.user)


def test_anonymous_cannot_create_a_team(hackathon):
    with pytest.raises(NotAuthenticated):
        team_create(event=hackathon, team_name="Alpha", actor=AnonymousUser())


def test_a_forming_team_keeps_its_name_from_other_teams(hackathon):
    formed(hackathon, 2, name="Alpha")
    with pytest.raises(TeamNameTaken):
        formed(hackathon, 2, name=" alpha ")


def test_invitations_beyond_the_largest_team_are_refused(hackathon):
    with pytest.raises(TeamSize):
        formed(hackathon, 5)
    assert not Team.objects.exists()


def test_an_unknown_invitee_is_named(hackathon):
    leader = StudentUserFactory()
    with pytest.raises(NotFound) as refused:
        team_create(event=hackathon, team_name="A", invite=["22CSE99999"], actor=leader.user)
    assert refused.value.details["enrollment_nos"] == ["22CSE99999"]


def test_a_student_already_in_a_team_cannot_be_invited_or_lead_another(hackathon):
    team, leader, _ = formed(hackathon, 2)
    with pytest.raises(AlreadyRegistered):
        team_create(event=hackathon, team_name="B", invite=[leader.pk], actor=StudentUserFactory().user)
    with pytest.raises(AlreadyRegistered):
        team_create(event=hackathon, team_name="B", actor=leader.user)


def test_the_leader_invites_more_and_again_after_a_decline(hackathon):
    team, leader, invited = formed(hackathon, 2)
    team_invitation_decline(team=team, actor=invited[0].user)
    newcomer = StudentUserFactory()
    assert team_invite(team=team, enrollment_nos=[invited[0].pk, newcomer.pk], actor=leader.user) == [
        invited[0].pk,
        newcomer.pk,
    ]
    assert states(team)[invited[0].pk] == "pending"


def test_only_the_leader_or_an_organizer_invites(hackathon, organizer):
    team, _, invited = formed(hackathon, 2)
    with pytest.raises(PermissionDenied):
        team_invite(team=team, enrollment_nos=[StudentFactory().pk], actor=invited[0].user)
    assert team_invite(team=team, enrollment_nos=[StudentFactory().pk], actor=organizer)


# Accepting, declining, joining by code


def test_accepting_below_the_minimum_keeps_the_team_forming(hackathon):
    team, _, invited = formed(hackathon, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    team.refresh_from_db()
    assert team.status == "forming" and active(team) == {}
    assert states(team)[invited[0].pk] == "accepted"
    clean(hackathon)


def test_reaching_the_minimum_takes_every_seat_at_once(hackathon):
    team, leader, invited = formed(hackathon, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    team_invitation_accept(team=team, actor=invited[1].user)
    team.refresh_from_db()
    assert team.status == "confirmed"
    assert active(team) == {leader.pk: "confirmed", invited[0].pk: "confirmed", invited[1].pk: "confirmed"}
    hackathon.refresh_from_db()
    assert hackathon.confirmed_count == 3
    assert set(hackathon.team_registrations["Alpha"]) == {leader.pk, invited[0].pk, invited[1].pk}
    confirmations = Notification.objects.filter(kind="registration_confirmed")
    assert confirmations.count() == 3
    clean(hackathon)


def test_a_team_that_does_not_fit_is_waitlisted_whole(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=3, capacity=3, waitlist_enabled=True)
    team_register(event=event, team_name="First", leader=StudentFactory().pk, members=[StudentFactory().pk])
    team, _, invited = formed(event, 2)
    team_invitation_accept(team=team, actor=invited[0].user)
    team.refresh_from_db()
    assert team.status == "waitlisted"
    assert set(active(team).values()) == {"waitlisted"}
    assert Notification.objects.filter(kind="waitlist_joined").count() == 2
    clean(event)


def test_completing_a_team_when_full_without_a_waitlist_is_refused_and_the_invitation_stays(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=3, capacity=2, waitlist_enabled=False)
    team_register(event=event, team_name="First", leader=StudentFactory().pk, members=[StudentFactory().pk])
    team, _, invited = formed(event, 2)
    with pytest.raises(EventFull):
        team_invitation_accept(team=team, actor=invited[0].user)
    assert states(team)[invited[0].pk] == "pending"
    clean(event)


def test_a_later_member_of_a_confirmed_team_gets_a_seat_up_to_the_maximum(hackathon):
    team, leader, invited = formed(hackathon, 4)
    for student in invited:
        team_invitation_accept(team=team, actor=student.user)
    assert set(active(team).values()) == {"confirmed"} and len(active(team)) == 4
    with pytest.raises(TeamSize):
        team_join_by_code(event=hackathon, join_code=team.join_code, actor=StudentUserFactory().user)
    clean(hackathon)


def test_a_later_member_of_a_confirmed_team_is_refused_when_no_seat_is_left(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=4, capacity=2, waitlist_enabled=True)
    team, _, invited = formed(event, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    with pytest.raises(EventFull):
        team_invitation_accept(team=team, actor=invited[1].user)
    assert set(active(team).values()) == {"confirmed"} and len(active(team)) == 2
    clean(event)


def test_a_later_member_of_a_waitlisted_team_shares_its_waitlist_place(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=4, capacity=2, waitlist_enabled=True)
    team_register(event=event, team_name="First", leader=StudentFactory().pk, members=[StudentFactory().pk])
    team, _, invited = formed(event, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    team_invitation_accept(team=team, actor=invited[1].user)
    seqs = set(Registration.objects.filter(team=team).values_list("waitlist_seq", flat=True))
    assert len(seqs) == 1 and None not in seqs
    assert set(active(team).values()) == {"waitlisted"} and len(active(team)) == 3
    clean(event)


def test_accept_checks_and_keeps_the_members_answers(hackathon):
    EventQuestion.objects.create(event=hackathon, code="tshirt", label="T-shirt", kind="choice", choices=["S", "M"])
    team, _, invited = formed(hackathon, 2)
    with pytest.raises(ValidationFailed) as refused:
        team_invitation_accept(team=team, answers={"tshirt": "XXL"}, actor=invited[0].user)
    assert "answers.tshirt" in refused.value.details
    team_invitation_accept(team=team, answers={"tshirt": "M"}, actor=invited[0].user)
    team_join_by_code(
        event=hackathon, join_code=team.join_code, answers={"tshirt": "S"}, actor=StudentUserFactory().user
    )
    answers = RegistrationAnswer.objects.filter(registration__team=team, registration__student=invited[0])
    assert [a.value for a in answers] == ["M"]


def test_declining_leaves_the_team_as_it_was(hackathon):
    team, _, invited = formed(hackathon, 3)
    team_invitation_decline(team=team, actor=invited[0].user)
    assert states(team)[invited[0].pk] == "declined"
    assert team_invitations_of(invited[0]) == []
    with pytest.raises(InvitationNotFound):
        team_invitation_accept(team=team, actor=invited[0].user)


def test_nobody_accepts_or_declines_an_invitation_meant_for_someone_else(hackathon):
    team, _, invited = formed(hackathon, 3)
    stranger = StudentUserFactory()
    with pytest.raises(InvitationNotFound):
        team_invitation_accept(team=team, actor=stranger.user)
    with pytest.raises(PermissionDenied):
        team_invitation_accept(team=team, enrollment_no=invited[0].pk, actor=stranger.user)
    with pytest.raises(InvitationNotFound):
        team_invitation_decline(team=team, actor=stranger.user)


def test_accepting_a_second_team_is_refused(hackathon):
    first, _, invited = formed(hackathon, 3, name="First")
    other = StudentUserFactory()
    second = team_create(event=hackathon, team_name="Second", invite=[invited[0].pk], actor=other.user)
    team_invitation_accept(team=first, actor=invited[0].user)
    with pytest.raises(AlreadyRegistered):
        team_invitation_accept(team=second, actor=invited[0].user)
    assert states(second)[invited[0].pk] == "pending"


def test_joining_by_code_needs_the_right_code_of_this_event(hackathon):
    team, _, _ = formed(hackathon, 3)
    student = StudentUserFactory()
    with pytest.raises(InvitationNotFound):
        team_join_by_code(event=hackathon, join_code="WRONG123", actor=student.user)
    other_event = TeamEventFactory()
    with pytest.raises(InvitationNotFound):
        team_join_by_code(event=other_event, join_code=team.join_code, actor=student.user)
    joined = team_join_by_code(event=hackathon, join_code=f" {team.join_code.lower()} ", actor=student.user)
    assert joined.pk == team.pk and states(team)[student.pk] == "accepted"


def test_a_student_registered_in_another_team_cannot_join_by_code(hackathon):
    team, _, _ = formed(hackathon, 3)
    registered = StudentUserFactory()
    others = [s.pk for s in StudentFactory.create_batch(2)]
    team_register(event=hackathon, team_name="Other", leader=registered.pk, members=others)
    with pytest.raises(AlreadyRegistered):
        team_join_by_code(event=hackathon, join_code=team.join_code, actor=registered.user)


# Leaving, removing, handing over, renaming


def confirmed_team(event, size):
    team, leader, invited = formed(event, size)
    for student in invited:
        team_invitation_accept(team=team, actor=student.user)
    team.refresh_from_db()
    return team, leader, invited


def test_a_member_leaving_a_team_above_its_minimum_keeps_it_confirmed(hackathon):
    team, leader, invited = confirmed_team(hackathon, 4)
    result = team_leave(team=team, actor=invited[0].user)
    team.refresh_from_db()
    assert team.status == "confirmed"
    assert len(result.cancelled) == 1
    assert invited[0].pk not in active(team) and len(active(team)) == 3
    assert states(team)[invited[0].pk] == "left"
    hackathon.refresh_from_db()
    assert hackathon.confirmed_count == 3
    clean(hackathon)


def test_a_team_falling_below_its_minimum_goes_back_to_forming_and_frees_its_seats(organizer):
    event = TeamEventFactory(team_size_min=2, team_size_max=3, capacity=2, waitlist_enabled=True)
    team, leader, invited = confirmed_team(event, 2)
    waiting = StudentFactory()
    registered = team_register(event=event, team_name="Waiting", leader=waiting.pk, members=[StudentFactory().pk])
    assert registered.status == "waitlisted"
    result = team_leave(team=team, actor=invited[0].user)
    team.refresh_from_db()
    registered.refresh_from_db()
    assert team.status == "forming" and active(team) == {}
    assert registered.status == "confirmed"
    assert set(result.promoted) == set(active(registered))
    assert states(team) == {leader.pk: "leader", invited[0].pk: "left"}
    clean(event)


def test_the_leader_cannot_leave_without_handing_over(hackathon):
    team, leader, _ = confirmed_team(hackathon, 3)
    with pytest.raises(PermissionDenied):
        team_leave(team=team, actor=leader.user)


def test_a_student_outside_the_team_cannot_leave_it(hackathon):
    team, _, _ = confirmed_team(hackathon, 3)
    with pytest.raises(NotFound):
        team_leave(team=team, actor=StudentUserFactory().user)


def test_the_leader_removes_a_member_and_withdraws_an_invitation(hackathon):
    team, leader, invited = formed(hackathon, 4)
    team_invitation_accept(team=team, actor=invited[0].user)
    team_invitation_accept(team=team, actor=invited[1].user)
    team_member_remove(team=team, enrollment_no=invited[2].pk, actor=leader.user)
    assert team_invitations_of(invited[2]) == []
    result = team_member_remove(team=team, enrollment_no=invited[1].pk, actor=leader.user)
    team.refresh_from_db()
    assert team.status == "forming" and len(result.cancelled) == 3
    assert Notification.objects.filter(kind="registration_cancelled", student=invited[1]).exists()
    clean(hackathon)


def test_a_member_cannot_remove_another(hackathon):
    team, _, invited = confirmed_team(hackathon, 3)
    with pytest.raises(PermissionDenied):
        team_member_remove(team=team, enrollment_no=invited[1].pk, actor=invited[0].user)


def test_the_leader_hands_the_team_over_then_may_leave(hackathon):
    team, leader, invited = confirmed_team(hackathon, 4)
    team_leader_transfer(team=team, enrollment_no=invited[0].pk, actor=leader.user)
    team.refresh_from_db()
    assert team.leader_id == invited[0].pk
    assert states(team)[leader.pk] == "accepted" and states(team)[invited[0].pk] == "leader"
    team_leave(team=team, actor=leader.user)
    assert leader.pk not in active(team)
    clean(hackathon)


def test_leadership_goes_only_to_an_accepted_member(hackathon):
    team, leader, invited = formed(hackathon, 3)
    with pytest.raises(ValidationFailed):
        team_leader_transfer(team=team, enrollment_no=invited[0].pk, actor=leader.user)


def test_the_leader_renames_the_team_and_the_map_follows(hackathon):
    team, leader, _ = confirmed_team(hackathon, 3)
    formed(hackathon, 2, name="Taken")
    with pytest.raises(TeamNameTaken):
        team_rename(team=team, team_name="taken", actor=leader.user)
    team_rename(team=team, team_name="  Null   Pointers ", actor=leader.user)
    assert list(hackathon.team_registrations) == ["Null Pointers"]


# Cancelling and locking


def test_cancelling_a_forming_team_frees_its_members_and_ends_its_invitations(hackathon):
    team, leader, invited = formed(hackathon, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    team_cancel(team=team, actor=leader.user)
    team.refresh_from_db()
    assert team.status == "cancelled"
    assert team_invitations_of(invited[1]) == []
    assert formed(hackathon, 2, name="Alpha")  # the name and the members are free again
    team_create(event=hackathon, team_name="Again", actor=invited[0].user)


def test_cancelling_a_confirmed_team_cancels_every_member_and_frees_them(hackathon):
    team, leader, invited = confirmed_team(hackathon, 3)
    result = team_cancel(team=team, actor=leader.user)
    assert len(result.cancelled) == 3
    hackathon.refresh_from_db()
    assert hackathon.confirmed_count == 0
    team_create(event=hackathon, team_name="Fresh", actor=invited[0].user)
    clean(hackathon)


def test_a_member_cannot_cancel_the_team(hackathon):
    team, _, invited = formed(hackathon, 3)
    team_invitation_accept(team=team, actor=invited[0].user)
    with pytest.raises(PermissionDenied):
        team_cancel(team=team, actor=invited[0].user)


def test_after_registration_closes_a_team_only_can_be_cancelled(hackathon):
    team, leader, invited = confirmed_team(hackathon, 4)
    Event.objects.filter(pk=hackathon.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    for change in (
        lambda: team_leave(team=team, actor=invited[0].user),
        lambda: team_member_remove(team=team, enrollment_no=invited[0].pk, actor=leader.user),
        lambda: team_leader_transfer(team=team, enrollment_no=invited[0].pk, actor=leader.user),
        lambda: team_rename(team=team, team_name="Late", actor=leader.user),
        lambda: team_invite(team=team, enrollment_nos=[StudentFactory().pk], actor=leader.user),
    ):
        with pytest.raises(TeamLocked):
            change()
    assert len(team_cancel(team=team, actor=leader.user).cancelled) == 4


def test_members_are_listed_leader_first_with_their_state(hackathon):
    team, leader, invited = formed(hackathon, 4)
    team_invitation_accept(team=team, actor=invited[0].user)
    team_invitation_decline(team=team, actor=invited[1].user)
    listed = [(m.enrollment_no, m.state, m.registration_status) for m in team_members(team)]
    assert listed == [
        (leader.pk, "leader", None),
        (invited[0].pk, "accepted", None),
        (invited[2].pk, "pending", None),
        (invited[1].pk, "declined", None),
    ]


def test_an_individual_registration_elsewhere_does_not_block_a_team(hackathon):
    individual_event = TeamEventFactory(registration_mode=Event.Mode.INDIVIDUAL)
    student = StudentUserFactory()
    registration_create(event=individual_event, enrollment_no=student.pk)
    assert team_create(event=hackathon, team_name="Solo", actor=student.user).status == "forming"


# Emails


def sent_to(mailoutbox, student):
    return [message for message in mailoutbox if message.to == [student.email]]


def test_the_invitation_email_links_to_the_answer_and_the_completed_team_gets_its_confirmations(
    hackathon, mailoutbox, settings
):
    team, leader, invited = formed(hackathon, 3)
    deliver()
    (invitation,) = sent_to(mailoutbox, invited[0])
    assert invitation.subject == f"Join team Alpha: {hackathon.title}"
    assert f"{settings.SITE_URL}/events/{hackathon.pk}/#team" in invitation.body
    assert leader.full_name in invitation.body
    for student in invited:
        team_invitation_accept(team=team, actor=student.user)
    mailoutbox.clear()
    deliver()
    for student in (leader, *invited):
        (confirmation,) = sent_to(mailoutbox, student)
        assert confirmation.subject.startswith("Registration confirmed")
        assert 'as part of team "Alpha"' in confirmation.body


def test_members_left_in_a_team_gone_back_to_forming_are_told_it_forms_again(hackathon, mailoutbox):
    team, leader, invited = confirmed_team(hackathon, 3)
    deliver()
    mailoutbox.clear()
    team_leave(team=team, actor=invited[0].user)
    deliver()
    (told,) = sent_to(mailoutbox, leader)
    assert "it is forming again and holds no seats" in told.body
