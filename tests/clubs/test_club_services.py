from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.models import Club, ClubMembership
from clubs.services import club_create, club_member_remove, club_member_set, club_update
from events.models import Event
from events.selectors import event_list_managed_by, event_user_is_organizer
from events.services import event_create, event_update
from eventsite.errors import AlreadyExists, NotFound, PermissionDenied, ValidationFailed
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def roles(club: Club) -> dict[str, str]:
    return dict(ClubMembership.objects.filter(club=club).values_list("user__username", "role"))


def event_fields() -> dict:
    starts = timezone.now() + timedelta(days=10)
    return {"title": "Code Jam", "starts_at": starts, "ends_at": starts + timedelta(hours=6)}


# Clubs and members


def test_staff_create_a_club_with_its_owners():
    owner = UserFactory(username="asha")
    club = club_create(club_id="coding-club", name=" Coding Club ", kind="club", owners=["asha"], actor=StaffFactory())
    assert (club.pk, club.name, club.kind) == ("coding-club", "Coding Club", "club")
    assert roles(club) == {owner.username: "owner"}


def test_only_staff_create_clubs():
    with pytest.raises(PermissionDenied):
        club_create(club_id="coding-club", name="Coding Club", actor=UserFactory())
    assert not Club.objects.exists()


def test_club_create_refuses_a_taken_slug_and_unknown_owners():
    ClubFactory(club_id="coding-club")
    with pytest.raises(AlreadyExists):
        club_create(club_id="coding-club", name="Again")
    with pytest.raises(ValidationFailed) as refused:
        club_create(club_id="robotics", name="Robotics", owners=["nobody"])
    assert list(refused.value.details) == ["owners"]
    assert not Club.objects.filter(pk="robotics").exists()


def test_club_create_refuses_a_blank_name_and_an_unknown_kind():
    with pytest.raises(ValidationFailed) as refused:
        club_create(club_id="robotics", name="  ", kind="society")
    assert set(refused.value.details) == {"name", "kind"}


def test_an_owner_renames_the_club_but_an_organizer_cannot():
    owner, organizer = UserFactory(), UserFactory()
    club = ClubFactory(owners=[owner], organizers=[organizer])
    assert club_update(club=club, name="Renamed", kind="committee", actor=owner).name == "Renamed"
    with pytest.raises(PermissionDenied):
        club_update(club=club, name="Mine", actor=organizer)
    club.refresh_from_db()
    assert (club.name, club.kind) == ("Renamed", "committee")


def test_an_owner_adds_a_student_organizer_and_changes_roles():
    owner, student = UserFactory(), StudentUserFactory()
    club = ClubFactory(owners=[owner])
    club_member_set(club=club, username=student.user.username, role="organizer", actor=owner)
    assert roles(club)[student.user.username] == "organizer"
    club_member_set(club=club, username=student.user.username, role="owner", actor=owner)
    assert roles(club) == {owner.username: "owner", student.user.username: "owner"}


def test_an_organizer_cannot_add_members():
    organizer = UserFactory()
    club = ClubFactory(owners=[UserFactory()], organizers=[organizer])
    with pytest.raises(PermissionDenied):
        club_member_set(club=club, username=UserFactory().username, role="organizer", actor=organizer)
    assert len(roles(club)) == 2


def test_member_set_refuses_unknown_users_and_roles():
    club = ClubFactory()
    with pytest.raises(ValidationFailed) as unknown_user:
        club_member_set(club=club, username="nobody", role="organizer")
    with pytest.raises(ValidationFailed) as unknown_role:
        club_member_set(club=club, username=UserFactory().username, role="president")
    assert list(unknown_user.value.details) == ["username"]
    assert list(unknown_role.value.details) == ["role"]
    assert roles(club) == {}


def test_the_last_owner_can_be_neither_demoted_nor_removed():
    owner = UserFactory()
    club = ClubFactory(owners=[owner])
    with pytest.raises(ValidationFailed):
        club_member_set(club=club, username=owner.username, role="organizer", actor=owner)
    with pytest.raises(ValidationFailed):
        club_member_remove(club=club, username=owner.username, actor=owner)
    assert roles(club) == {owner.username: "owner"}


def test_an_owner_steps_down_once_another_owner_is_named():
    first, second = UserFactory(), UserFactory()
    club = ClubFactory(owners=[first])
    club_member_set(club=club, username=second.username, role="owner", actor=first)
    club_member_remove(club=club, username=first.username, actor=first)
    assert roles(club) == {second.username: "owner"}


def test_a_member_may_leave_but_not_remove_others():
    owner, organizer, other = UserFactory(), UserFactory(), UserFactory()
    club = ClubFactory(owners=[owner], organizers=[organizer, other])
    with pytest.raises(PermissionDenied):
        club_member_remove(club=club, username=other.username, actor=organizer)
    club_member_remove(club=club, username=organizer.username, actor=organizer)
    assert roles(club) == {owner.username: "owner", other.username: "organizer"}


def test_removing_someone_who_is_not_a_member_is_not_found():
    club = ClubFactory()
    with pytest.raises(NotFound):
        club_member_remove(club=club, username=UserFactory().username)


# One answer to "who organizes this event"


def test_an_events_organizers_are_its_listed_organizers_and_its_clubs_members():
    listed, owner, organizer, other_club_member, student = (UserFactory() for _ in range(5))
    club = ClubFactory(owners=[owner], organizers=[organizer])
    ClubFactory(owners=[other_club_member])
    event = EventFactory(club=club, organizers=[listed])

    assert [event_user_is_organizer(event, user) for user in (listed, owner, organizer)] == [True, True, True]
    assert [event_user_is_organizer(event, user) for user in (other_club_member, student, None)] == [False] * 3
    assert event_user_is_organizer(event, StaffFactory())


def test_leaving_the_club_ends_organizing_its_events():
    owner, organizer = UserFactory(), UserFactory()
    club = ClubFactory(owners=[owner], organizers=[organizer])
    event = EventFactory(club=club)
    club_member_remove(club=club, username=organizer.username, actor=owner)
    assert not event_user_is_organizer(event, organizer)


def test_the_managed_events_are_the_listed_ones_and_the_clubs_each_once():
    user = UserFactory()
    club = ClubFactory(organizers=[user])
    listed = EventFactory(organizers=[user])
    both = EventFactory(club=club, organizers=[user])
    of_club = EventFactory(club=club)
    EventFactory()
    assert sorted(event_list_managed_by(user).values_list("pk", flat=True)) == sorted([listed.pk, both.pk, of_club.pk])


# Creating a club's events


def test_a_club_organizer_creates_a_draft_of_the_clubs_event():
    student = StudentUserFactory()
    club = ClubFactory(organizers=[student.user])
    event = event_create(event_id="code-jam", club=club.pk, actor=student.user, **event_fields())
    assert (event.status, event.club_id) == (Event.Status.DRAFT, club.pk)
    assert event_user_is_organizer(event, student.user)


def test_a_club_organizer_cannot_create_it_published_nor_list_organizers():
    user = UserFactory()
    club = ClubFactory(organizers=[user])
    with pytest.raises(ValidationFailed) as published:
        event_create(event_id="code-jam", club=club.pk, actor=user, status="published", **event_fields())
    with pytest.raises(PermissionDenied):
        event_create(event_id="code-jam", club=club.pk, actor=user, organizers=[user.username], **event_fields())
    assert list(published.value.details) == ["status"]
    assert not Event.objects.exists()


def test_only_members_of_the_named_club_create_its_events():
    outsider = UserFactory()
    ClubFactory(owners=[outsider])
    club = ClubFactory(owners=[UserFactory()])
    with pytest.raises(PermissionDenied):
        event_create(event_id="code-jam", club=club.pk, actor=outsider, **event_fields())
    with pytest.raises(PermissionDenied):
        event_create(event_id="code-jam", actor=outsider, **event_fields())
    assert not Event.objects.exists()


def test_an_unknown_club_is_a_validation_error():
    with pytest.raises(ValidationFailed) as refused:
        event_create(event_id="code-jam", club="no-club", actor=StaffFactory(), **event_fields())
    assert list(refused.value.details) == ["club"]


def test_staff_create_a_published_club_event_and_only_staff_move_it_to_another_club():
    organizer = UserFactory()
    club, other = ClubFactory(organizers=[organizer]), ClubFactory()
    event = event_create(event_id="code-jam", club=club.pk, status="published", actor=StaffFactory(), **event_fields())
    with pytest.raises(PermissionDenied):
        event_update(event=event, club=other.pk, actor=organizer)
    event_update(event=event, venue="Lab 3", actor=organizer)
    event.refresh_from_db()
    assert (event.status, event.club_id, event.venue) == ("published", club.pk, "Lab 3")
