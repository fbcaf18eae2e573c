"""Registrations and participation records as read, before the event's fields resolve them into rows."""

from dataclasses import dataclass
from datetime import datetime

from legacy.codec.rows import Problems, StudentData
from legacy.codec.values import parse_date


@dataclass(slots=True)
class RegistrationDraft:
    where: str | tuple
    legacy_id: str | None
    student: StudentData
    status: str
    registered_at: datetime | None
    cancelled_at: datetime | None
    team_key: str | None = None
    team_name: str = ""
    is_leader: bool = False
    member_of: str | None = None  # shape 2: the team registration id named by a team member
    checkin_code: str | None = None  # written by our own exporter; legacy data has none

    @property
    def path(self) -> str:
        return joined(self.where)

    registration_id: str = ""
    kept: bool = True


def joined(where: str | tuple) -> str:
    """A path kept as (base, suffix) pieces, the base shared by every record under it."""
    return where if isinstance(where, str) else joined(where[0]) + where[1]


@dataclass(slots=True)
class ParticipationDraft:
    kind: str  # "attendance", "feedback", "certificate"
    where: str | tuple[str, str]  # the path, or (the registration's path, a shared suffix): a big event has many
    record_id: str | None
    enrollment_no: str
    registration: RegistrationDraft | None
    registration_hint: str | None = None
    session: str | None = None
    moment: datetime | None = None
    marked_by: str = ""
    rating: int | None = None
    comments: str = ""
    revoked_at: datetime | None = None
    revoked_reason: str = ""

    @property
    def path(self) -> str:
        return joined(self.where)


def reported_date(problems: Problems, value, where: str | tuple, suffix: str = "") -> datetime | None:
    """A date, or None; a value that is not a date is reported (``where`` + ``suffix`` name the field,
    joined only when there is a problem to report)."""
    if value is None:
        return None
    moment = parse_date(value)
    if moment is None:
        problems.drop(joined(where) + suffix, "INVALID_DATE", f"{value!r} is not a date.")
    return moment
