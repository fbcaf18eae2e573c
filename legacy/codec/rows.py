"""The rows a legacy event decodes to (and encodes from), and the problems met on the way."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(slots=True)
class Problem:
    path: str
    code: str
    message: str


@dataclass
class Problems:
    """What one document could not give (``dropped``) and what breaks today's rules (``warnings``)."""

    dropped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def drop(self, path: str, code: str, message: str) -> None:
        self.dropped.append(Problem(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, message))


class StudentData(NamedTuple):
    enrollment_no: str
    full_name: str = ""
    email: str = ""
    department: str = ""
    year: int | None = None
    phone: str = ""

    FIELDS = ("full_name", "email", "department", "year", "phone")


class EventRow(NamedTuple):
    event_id: str
    title: str
    description: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None
    registration_mode: str
    team_size_min: int
    team_size_max: int
    waitlist_enabled: bool
    min_sessions_for_certificate: int
    certificate_requires_feedback: bool
    status: str


class SessionRow(NamedTuple):
    code: str
    title: str
    position: int


class TeamRow(NamedTuple):
    team_id: str
    name: str
    leader_id: str
    status: str
    created_at: datetime


class RegistrationRow(NamedTuple):
    registration_id: str
    student_id: str
    team_id: str | None
    status: str
    checkin_code: str | None
    waitlist_seq: int | None
    registered_at: datetime
    cancelled_at: datetime | None


class AttendanceRow(NamedTuple):
    attendance_id: str
    student_id: str
    registration_id: str
    session_code: str
    marked_at: datetime
    marked_by: str


class FeedbackRow(NamedTuple):
    feedback_id: str
    student_id: str
    registration_id: str | None
    rating: int | None
    comments: str
    submitted_at: datetime


class CertificateRow(NamedTuple):
    certificate_id: str
    student_id: str
    registration_id: str | None
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str


@dataclass
class LegacyEvent:
    """One legacy event as rows, plus what could not be taken and what breaks today's rules."""

    event: EventRow
    sessions: list[SessionRow]
    organizers: list[str]
    teams: list[TeamRow]
    registrations: list[RegistrationRow]
    attendances: list[AttendanceRow]
    feedbacks: list[FeedbackRow]
    certificates: list[CertificateRow]
    students: list[tuple[StudentData, datetime, str]]  # (copy, registered_at, registration_id)
    dropped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class EventDropped(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem
