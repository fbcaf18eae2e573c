from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from events.models import Event
from registrations.models import Student
from tests.factories import EventFactory, StaffFactory, StudentUserFactory, UserFactory


@dataclass
class Cast:
    """One event and a login for each of the six roles of API.md, seen from ``student``."""

    event: Event
    student: Student
    other_student: Student
    organizer: User
    other_organizer: User
    staff: User

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "self": self.student.user,
            "other_student": self.other_student.user,
            "organizer": self.organizer,
            "other_organizer": self.other_organizer,
            "staff": self.staff,
        }[role]


@pytest.fixture
def cast(db) -> Cast:
    organizer = UserFactory(username="event-organizer")
    other_organizer = UserFactory(username="other-organizer")
    EventFactory(event_id="other-event", organizers=[other_organizer])
    return Cast(
        event=EventFactory(event_id="hackfest-2026", organizers=[organizer]),
        student=StudentUserFactory(),
        other_student=StudentUserFactory(),
        organizer=organizer,
        other_organizer=other_organizer,
        staff=StaffFactory(),
    )
