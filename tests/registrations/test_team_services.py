from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from events.models import Event
from eventsite.errors import (
    AlreadyRegistered,
    EventFull,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RegistrationClosed,
    TeamNameTaken,
    TeamSize,
    ValidationFailed,
    WrongRegistrationMode,
)
from registrations.models import Registration, Team
from registrations.selectors import waitlist_position
from registrations.services import registration_cancel, registration_create, team_register, waitlist_promote
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


def _register(event, name, students, **kwargs):
    return team_register(
        event=event, team_name=name, leader=students[0].pk, members=[s.pk for s in students[1:]], **kwargs
    )


def test_team_register_confirms_every_member_with_their_own_checkin_code(team_event):
    members = StudentFactory.create_batch(3)

    team = _register(team_event, "Alpha", members)

    assert team.status == "confirmed"
    assert team.leader_id == members[0].pk
    registrations = list(Registration.objects.filter(team=team))
    assert {reg.student_id for reg in registrations} == {s.pk for s in members}
    assert {reg.status for reg in registrations} == {"confirmed"}
    assert len({reg.checkin_code for reg in registrations}) == 3
    assert dict(team_event.team_registrations) == {"Alpha": {reg.student_id: reg.pk for reg in registrations}}
    team_event.refresh_from_db()
    assert team_event.confirmed_count == 3


def test_team_register_accepts_members_that_repeat_the_leader(team_event):
    leader, member = StudentFactory.create_batch(2)
    team = team_register(
        event=team_event, team_name="Alpha", leader=leader.pk, members=[leader.pk.lower(), member.pk, f" {member.pk} "]
    )
    assert Registration.objects.filter(team=team).count() == 2


def test_team_register_normalizes_the_name(team_event):
    team = _register(team_event, "  Code   Crafters ", StudentFactory.create_batch(2))
    assert team.name == "Code Crafters"


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 101])
def test_team_register_refuses_a_missing_or_overlong_name(team_event, name):
    with pytest.raises(ValidationFailed) as error:
        team_register(event=team_event, team_name=name, leader=StudentFactory().pk, members=[StudentFactory().pk])
    assert "team_name" in error.value.details


def test_team_register_names_the_bad_member_field(team_event):
    with pytest.raises(ValidationFailed) as error:
        team_register(event=team_event, team_name="A", leader=StudentFactory().pk, members=["22CSE30001", "bad"])
    assert list(error.value.details) == ["members[1]"]


def test_team_register_refuses_an_individual_event():
    event = EventFactory()
    with pytest.raises(WrongRegistrationMode):
        _register(event, "Alpha", StudentFactory.create_batch(2))


@pytest.mark.parametrize("size", [1, 5])
def test_team_register_refuses_a_team_outside_the_allowed_sizes(team_event, size):
    with pytest.raises(TeamSize) as error:
        _register(team_event, "Alpha", StudentFactory.create_batch(size))
    assert error.value.details == {"min": 2, "max": 4, "size": size}
    assert not Team.objects.exists()


@pytest.mark.parametrize("size", [2, 4])
def test_team_register_accepts_the_smallest_and_largest_sizes(team_event, size):
    assert _register(team_event, "Alpha", StudentFactory.create_batch(size)).status == "confirmed"


def test_team_register_refuses_unknown_members_and_names_them(team_event):
    leader = StudentFactory()
    with pytest.raises(NotFound) as error:
        team_register(event=team_event, team_name="Alpha", leader=leader.pk, members=["22CSE99998", "22ECE99999"])
    assert error.value.details == {"what": "student", "enrollment_nos": ["22CSE99998", "22ECE99999"]}
    assert not Registration.objects.exists()


def test_team_register_refuses_a_member_already_registered_and_lists_them(team_event):
    first = StudentFactory.create_batch(2)
    _register(team_event, "Alpha", first)
    newcomer = StudentFactory()

    with pytest.raises(AlreadyRegistered) as error:
        _register(team_event, "Beta", [newcomer, first[1]])

    assert error.value.details == {"enrollment_nos": [first[1].pk]}
    assert not Registration.objects.filter(student=newcomer).exists()


def test_team_register_lists_every_member_already_registered(team_event):
    first = StudentFactory.create_batch(3)
    _register(team_event, "Alpha", first)
    with pytest.raises(AlreadyRegistered) as error:
        _register(team_event, "Beta", [StudentFactory(), first[2], first[0]])
    assert error.value.details["enrollment_nos"] == sorted([first[0].pk, first[2].pk])


@pytest.mark.parametrize("clash", ["alpha", " ALPHA ", "Alpha"])
def test_team_register_refuses_a_taken_name_whatever_its_case_and_spaces(team_event, clash):
    _register(team_event, "Alpha", StudentFactory.create_batch(2))
    with pytest.raises(TeamNameTaken) as error:
        _register(team_event, clash, StudentFactory.create_batch(2))
    assert error.value.code == "TEAM_NAME_TAKEN"


def test_the_name_of_a_cancelled_team_is_free_again(team_event):
    first = StudentFactory.create_batch(2)
    _register(team_event, "Alpha", first)
    registration_cancel(event=team_event, enrollment_no=first[0].pk)

    assert _register(team_event, "alpha", StudentFactory.create_batch(2)).status == "confirmed"


def test_the_same_team_name_is_fine_in_another_event(team_event):
    _register(team_event, "Alpha", StudentFactory.create_batch(2))
    assert _register(TeamEventFactory(), "Alpha", StudentFactory.create_batch(2))


def test_a_student_registered_alone_elsewhere_may_join_a_team_here(team_event):
    students = StudentFactory.create_batch(2)
    registration_create(event=EventFactory(), enrollment_no=students[0].pk)
    assert _register(team_event, "Alpha", students)


def test_a_team_that_does_not_fit_is_refused_whole_without_a_waitlist():
    event = TeamEventFactory(capacity=3)
    _register(event, "Alpha", StudentFactory.create_batch(2))
    with pytest.raises(EventFull):
        _register(event, "Beta", StudentFactory.create_batch(2))
    event.refresh_from_db()
    assert event.confirmed_count == 2
    assert set(event.team_registrations) == {"Alpha"}


def test_a_team_that_does_not_fit_is_waitlisted_whole_at_one_place():
    event = TeamEventFactory(capacity=3, waitlist_enabled=True)
    _register(event, "Alpha", StudentFactory.create_batch(2))

    team = _register(event, "Beta", StudentFactory.create_batch(3))

    assert team.status == "waitlisted"
    registrations = list(Registration.objects.filter(team=team))
    assert {reg.status for reg in registrations} == {"waitlisted"}
    assert {reg.checkin_code for reg in registrations} == {None}
    assert {waitlist_position(reg) for reg in registrations} == {1}
    loner = Registration.objects.filter(team=_register(event, "Gamma", StudentFactory.create_batch(2))).first()
    assert waitlist_position(loner) == 2


# Permissions


def test_a_student_cannot_register_a_whole_team_without_its_members_consent(team_event):
    leader = StudentUserFactory()
    with pytest.raises(PermissionDenied):
        _register(team_event, "Alpha", [leader, StudentFactory()], actor=leader.user)


def test_a_member_cannot_register_a_team_led_by_someone_else(team_event):
    member = StudentUserFactory()
    with pytest.raises(PermissionDenied):
        _register(team_event, "Alpha", [StudentFactory(), member], actor=member.user)


def test_an_organizer_registers_any_team(team_event, organizer):
    assert _register(team_event, "Alpha", StudentFactory.create_batch(2), actor=organizer)


def test_anonymous_cannot_register_a_team(team_event):
    with pytest.raises(NotAuthenticated):
        _register(team_event, "Alpha", StudentFactory.create_batch(2), actor=AnonymousUser())


# Cancelling a team


def test_the_leader_cancels_the_whole_team(team_event):
    leader = StudentUserFactory()
    members = [leader, *StudentFactory.create_batch(2)]
    team = _register(team_event, "Alpha", members)

    result = registration_cancel(event=team_event, enrollment_no=leader.pk, actor=leader.user)

    assert sorted(result.cancelled) == sorted(Registration.objects.filter(team=team).values_list("pk", flat=True))
    team.refresh_from_db()
    assert team.status == "cancelled"
    assert set(Registration.objects.filter(team=team).values_list("status", flat=True)) == {"cancelled"}
    assert dict(team_event.team_registrations) == {}
    team_event.refresh_from_db()
    assert team_event.confirmed_count == 0


def test_a_member_who_is_not_the_leader_cannot_cancel_the_team(team_event):
    member = StudentUserFactory()
    team = _register(team_event, "Alpha", [StudentFactory(), member])

    with pytest.raises(PermissionDenied):
        registration_cancel(event=team_event, enrollment_no=member.pk, actor=member.user)

    team.refresh_from_db()
    assert team.status == "confirmed"


def test_an_organizer_cancels_a_team_through_any_member(team_event, organizer):
    members = StudentFactory.create_batch(3)
    team = _register(team_event, "Alpha", members)

    result = registration_cancel(event=team_event, enrollment_no=members[2].pk, actor=organizer)

    assert len(result.cancelled) == 3
    team.refresh_from_db()
    assert team.status == "cancelled"


# The waitlist


def test_freed_seats_promote_a_whole_team_only_when_all_of_it_fits():
    event = TeamEventFactory(capacity=4, waitlist_enabled=True)
    pair, other_pair = StudentFactory.create_batch(2), StudentFactory.create_batch(2)
    _register(event, "Pair", pair)
    _register(event, "Other", other_pair)
    trio = StudentFactory.create_batch(3)
    waiting = _register(event, "Trio", trio)

    first = registration_cancel(event=event, enrollment_no=pair[0].pk)
    assert first.promoted == {}
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"

    second = registration_cancel(event=event, enrollment_no=other_pair[0].pk)
    assert set(second.promoted) == {s.pk for s in trio}
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert Registration.objects.filter(team=waiting, checkin_code__isnull=True).count() == 0


def test_a_team_that_does_not_fit_keeps_its_place_while_a_smaller_team_behind_it_takes_the_seats():
    event = TeamEventFactory(capacity=4, waitlist_enabled=True)
    first_pair = StudentFactory.create_batch(2)
    _register(event, "First", first_pair)
    _register(event, "Second", StudentFactory.create_batch(2))
    big = _register(event, "Big", StudentFactory.create_batch(4))
    small = _register(event, "Small", StudentFactory.create_batch(2))

    result = registration_cancel(event=event, enrollment_no=first_pair[0].pk)

    assert len(result.promoted) == 2
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.status == "confirmed"
    assert big.status == "waitlisted"
    assert waitlist_position(Registration.objects.filter(team=big).first()) == 1


def test_individuals_are_promoted_in_arrival_order():
    event = EventFactory(capacity=2, waitlist_enabled=True)
    holders = StudentFactory.create_batch(2)
    for holder in holders:
        registration_create(event=event, enrollment_no=holder.pk)
    waiting = [registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(3)]

    registration_cancel(event=event, enrollment_no=holders[0].pk)
    registration_cancel(event=event, enrollment_no=holders[1].pk)

    assert list(event.registrations) == [waiting[0].student_id, waiting[1].student_id]
    assert list(event.waitlist) == [waiting[2].student_id]


def test_waitlist_promote_with_no_free_seat_changes_nothing():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    event.refresh_from_db()
    assert waitlist_promote(event=event) == {}
    assert len(event.waitlist) == 1


def test_the_leader_cannot_cancel_the_team_once_the_event_has_started(team_event, organizer):
    leader = StudentUserFactory()
    team = _register(team_event, "Alpha", [leader, StudentFactory()])
    Event.objects.filter(pk=team_event.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(RegistrationClosed):
        registration_cancel(event=team_event, enrollment_no=leader.pk, actor=leader.user)

    team.refresh_from_db()
    assert team.status == "confirmed"
    assert len(registration_cancel(event=team_event, enrollment_no=leader.pk, actor=organizer).cancelled) == 2


def test_cancelling_a_waitlisted_team_frees_no_seat_and_promotes_nobody():
    event = TeamEventFactory(capacity=2, waitlist_enabled=True)
    _register(event, "Holders", StudentFactory.create_batch(2))
    first_waiting = StudentFactory.create_batch(2)
    _register(event, "First", first_waiting)
    last = _register(event, "Last", StudentFactory.create_batch(2))

    result = registration_cancel(event=event, enrollment_no=first_waiting[0].pk)

    assert result.promoted == {}
    assert waitlist_position(Registration.objects.filter(team=last).first()) == 1
    event.refresh_from_db()
    assert event.confirmed_count == 2
