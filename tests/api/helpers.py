"""The cast of roles and the assertions shared by the API tests."""

from dataclasses import dataclass

from django.contrib.auth.models import User

from events.models import Event
from registrations.models import Student

ROLES = ("anonymous", "self", "other_student", "organizer", "other_organizer", "staff")


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


def error_of(response) -> dict:
    """The contract's error body, checked for its shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]
