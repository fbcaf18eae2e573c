from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from clubs.models import Club
from events.models import Event
from registrations.models import Student
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentUserFactory, UserFactory

CLUB_ROLES = ("anonymous", "student", "other_club_member", "club_organizer", "club_owner", "staff")


@dataclass
class ClubCast:
    """A club, a published and a draft event of it, and a login for each role of the permission matrix."""

    club: Club
    other_club: Club
    event: Event
    draft: Event
    pending: Event
    student: Student
    other_club_member: User
    club_organizer: Student
    club_owner: User
    staff: User

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "student": self.student.user,
            "other_club_member": self.other_club_member,
            "club_organizer": self.club_organizer.user,
            "club_owner": self.club_owner,
            "staff": self.staff,
        }[role]


@pytest.fixture
def club_cast(db) -> ClubCast:
    owner = UserFactory(username="club-owner")
    student_organizer = StudentUserFactory()
    other_member = UserFactory(username="music-owner")
    club = ClubFactory(club_id="coding-club", name="Coding Club", owners=[owner], organizers=[student_organizer.user])
    other_club = ClubFactory(club_id="music-club", name="Music Club", owners=[other_member])
    return ClubCast(
        club=club,
        other_club=other_club,
        event=EventFactory(event_id="code-jam", club=club),
        draft=EventFactory(event_id="code-draft", club=club, status=Event.Status.DRAFT),
        pending=EventFactory(event_id="code-pending", club=club, status=Event.Status.PENDING_APPROVAL),
        student=StudentUserFactory(),
        other_club_member=other_member,
        club_organizer=student_organizer,
        club_owner=owner,
        staff=StaffFactory(),
    )
