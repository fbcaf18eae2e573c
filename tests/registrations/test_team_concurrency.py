"""Teams under simultaneous requests, with real threads, on SQLite and PostgreSQL alike."""

from collections import Counter

import pytest

from registrations.integrity import integrity_problems
from registrations.models import Registration, Team, TeamMembership
from registrations.services import registration_cancel, team_register
from registrations.teams import team_create, team_invitation_accept, team_leave
from tests.factories import StudentFactory, TeamEventFactory
from tests.registrations.test_concurrency import _codes, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def forming(event, name, invite):
    leader = StudentFactory()
    return team_create(event=event, team_name=name, leader=leader.pk, invite=[s.pk for s in invite])


def test_a_student_accepting_two_teams_at_once_joins_at_most_one():
    event = TeamEventFactory(team_size_min=3, team_size_max=4, capacity=100)
    students = StudentFactory.create_batch(6)
    firsts = [forming(event, f"First {i}", [s]) for i, s in enumerate(students)]
    seconds = [forming(event, f"Second {i}", [s]) for i, s in enumerate(students)]

    calls = []
    for student, first, second in zip(students, firsts, seconds, strict=True):
        calls.append(lambda s=student, t=first: team_invitation_accept(team=t, enrollment_no=s.pk))
        calls.append(lambda s=student, t=second: team_invitation_accept(team=t, enrollment_no=s.pk))
    outcomes = run_together(calls)

    assert _codes(outcomes) == {"ok": 6, "ALREADY_REGISTERED": 6}
    joined = Counter(TeamMembership.objects.filter(event=event, state="accepted").values_list("student_id", flat=True))
    assert joined == Counter({s.pk: 1 for s in students})
    assert integrity_problems([event.pk]) == []


@pytest.mark.parametrize("round_", range(3))
def test_the_last_seats_go_to_one_completing_team_and_the_other_waits_whole(round_):
    event = TeamEventFactory(team_size_min=2, team_size_max=3, capacity=4, waitlist_enabled=True)
    seated = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Seated", leader=seated[0].pk, members=[seated[1].pk])
    invited = StudentFactory.create_batch(2)
    teams = [forming(event, f"Team {i}", [student]) for i, student in enumerate(invited)]

    outcomes = run_together(
        [
            lambda t=team, s=student: team_invitation_accept(team=t, enrollment_no=s.pk)
            for team, student in zip(teams, invited, strict=True)
        ]
    )

    assert _codes(outcomes) == {"ok": 2}
    statuses = sorted(Team.objects.filter(pk__in=[t.pk for t in teams]).values_list("status", flat=True))
    assert statuses == ["confirmed", "waitlisted"]
    for team in teams:
        assert len(set(Registration.objects.filter(team=team).values_list("status", flat=True))) == 1
    event.refresh_from_db()
    assert event.confirmed_count == 4
    assert integrity_problems([event.pk]) == []


def test_without_a_waitlist_the_team_that_does_not_fit_is_refused_and_keeps_forming():
    event = TeamEventFactory(team_size_min=2, team_size_max=3, capacity=2, waitlist_enabled=False)
    invited = StudentFactory.create_batch(2)
    teams = [forming(event, f"Team {i}", [student]) for i, student in enumerate(invited)]

    outcomes = run_together(
        [
            lambda t=team, s=student: team_invitation_accept(team=t, enrollment_no=s.pk)
            for team, student in zip(teams, invited, strict=True)
        ]
    )

    assert _codes(outcomes) == {"ok": 1, "EVENT_FULL": 1}
    statuses = sorted(Team.objects.filter(pk__in=[t.pk for t in teams]).values_list("status", flat=True))
    assert statuses == ["confirmed", "forming"]
    assert integrity_problems([event.pk]) == []


def seated_team(event, name, size):
    members = StudentFactory.create_batch(size)
    team = team_register(event=event, team_name=name, leader=members[0].pk, members=[m.pk for m in members[1:]])
    return team, members


@pytest.mark.parametrize("round_", range(3))
def test_members_leaving_while_the_waitlist_is_promoted_leave_the_integrity_checks_clean(round_):
    event = TeamEventFactory(team_size_min=2, team_size_max=4, capacity=7, waitlist_enabled=True)
    cancelled, cancelled_members = seated_team(event, "Cancelled", 2)
    shrinking, shrinking_members = seated_team(event, "Shrinking", 3)
    dissolving, dissolving_members = seated_team(event, "Dissolving", 2)
    waiting, waiting_members = seated_team(event, "Waiting", 3)
    falling, falling_members = seated_team(event, "Falling", 2)
    assert waiting.status == "waitlisted" and falling.status == "waitlisted"

    outcomes = run_together(
        [
            # The leader cancels: two seats free and the waitlist is promoted ...
            lambda: registration_cancel(event=event, enrollment_no=cancelled_members[0].pk),
            # ... while members leave teams that hold seats and teams that wait.
            lambda: team_leave(team=shrinking, enrollment_no=shrinking_members[2].pk),
            lambda: team_leave(team=dissolving, enrollment_no=dissolving_members[1].pk),
            lambda: team_leave(team=waiting, enrollment_no=waiting_members[2].pk),
            lambda: team_leave(team=falling, enrollment_no=falling_members[1].pk),
        ]
    )

    assert _codes(outcomes) == {"ok": 5}
    assert integrity_problems([event.pk]) == []
    dissolving.refresh_from_db()
    falling.refresh_from_db()
    assert dissolving.status == "forming" and falling.status == "forming"
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # 7 seats: Shrinking 2 + Waiting 2 now fit
    event.refresh_from_db()
    assert event.confirmed_count == 4
