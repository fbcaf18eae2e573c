"""The one codec between the legacy MongoDB documents and the new rows.

``EventDecoder`` turns one legacy event document (either shape of LEGACY_FORMAT.md,
or both mixed) into plain row records, reporting every record it cannot take with
the path inside the document, a stable code and a message; it never touches the
database, so the same document always gives the same rows. ``event_to_legacy``
writes the first (nested) shape back from rows; the exporter and the V1 API use it.

History is taken as it was: the rules for new actions are not applied here, what
breaks them is reported as a warning. Only what the schema cannot hold is dropped,
always the smallest unit (a bad rating drops that feedback, not its registration).
"""

import base64
import hashlib
import hmac
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.text import slugify

from certificates.eligibility import RuleFacts, SessionFact, evaluate
from eventsite import ids

DEFAULT_SESSION = "main"
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")
EVENT_STATUSES = {"draft": "draft", "published": "published", "completed": "published", "cancelled": "cancelled"}
ATTENDED_STATUSES = ("present", "physical_only", "virtual_only")
CALENDAR_TOKEN_LENGTH = 26  # 130 bits, as a fresh token carries
CHECKIN_CODE_LENGTH = 13
MAX_INTEGER = 2_147_483_647  # what every database stores in an integer column
MAX_SMALL_INTEGER = 32_767
DERIVED_ID_CHARS = 16
_EVENT_ID = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Extended JSON and plain values


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def college_zone() -> ZoneInfo:
    return _zone(settings.TIME_ZONE)


def parse_date(value: Any) -> datetime | None:
    """An aware datetime from an ISO string, epoch milliseconds or a datetime; None if it is none of those.

    Dates without a zone are in the college's time zone (``settings.TIME_ZONE``)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        # Fast path for the common forms ("...Z", "+05:30", naive): nothing to clean up first.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = _parse_date_text(value)
            if moment is None:
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=college_zone())
    return moment


def _parse_date_text(value: str) -> datetime | None:
    """The slow path of ``parse_date``: surrounding blanks, a lower-case "z"."""
    text = value.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def extended_json_hook(obj: dict) -> Any:
    """Unwrap MongoDB Extended JSON (relaxed or canonical) as the decoder builds each object."""
    if len(obj) != 1:
        return obj
    ((key, value),) = obj.items()
    if key == "$date":  # by far the most common wrapper: checked first
        return parse_date(value) or obj
    if not key.startswith("$"):
        return obj
    try:
        if key in ("$numberInt", "$numberLong"):
            return int(value)
        if key in ("$numberDouble", "$numberDecimal"):
            number = float(value)
            return int(number) if number.is_integer() else number
    except (TypeError, ValueError):
        return obj
    if key == "$oid" and isinstance(value, str):
        return value
    return obj


def _text(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return str(value)


def _shared(value: str) -> str:
    """One copy of short values repeated on every record (sessions, departments, "ok")."""
    return sys.intern(value) if len(value) <= 32 else value


def _integer(value: Any) -> int | None:
    """A whole number from an int, an integral float or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, int):
        return bool(value)
    return default


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def date_out(moment: datetime | None) -> dict | None:
    return {"$date": iso(moment)} if moment is not None else None


def derive_id(prefix: str, *parts: str) -> str:
    """A stable id for a legacy record that has none: the same legacy data, the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return prefix + _base32(digest, DERIVED_ID_CHARS)


def checkin_code_for(registration_id: str, secret: bytes | None = None) -> str:
    """A check-in code that reruns reproduce but nobody can compute without the SECRET_KEY."""
    key = secret if secret is not None else settings.SECRET_KEY.encode()
    digest = hmac.digest(key, b"legacy-checkin:" + registration_id.encode(), "sha256")
    return _base32(digest, CHECKIN_CODE_LENGTH)


def calendar_token_for(enrollment_no: str, secret: bytes | None = None) -> str:
    """An imported student's calendar-feed secret: reruns reproduce it, nobody can compute it without SECRET_KEY."""
    key = secret if secret is not None else settings.SECRET_KEY.encode()
    digest = hmac.digest(key, b"legacy-calendar:" + enrollment_no.encode(), "sha256")
    return _base32(digest, CALENDAR_TOKEN_LENGTH)


# base64's RFC 4648 base32 reads five-bit groups in the same order; only the letters differ.
_RFC4648_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ids.ALPHABET.encode())


def _base32(digest: bytes, length: int) -> str:
    """The first ``length`` five-bit groups of ``digest`` in Crockford's alphabet."""
    return base64.b32encode(digest[: (length * 5 + 7) // 8])[:length].translate(_RFC4648_TO_CROCKFORD).decode()


@lru_cache(maxsize=4)
def _pattern(source: str) -> re.Pattern:
    return re.compile(source)


def _checkin_code(value: Any) -> str | None:
    if isinstance(value, str) and 8 <= len(value) <= 16 and all(char in ids.ALPHABET for char in value):
        return value
    return None


def enrollment_clean(raw: Any, pattern: re.Pattern | None = None) -> tuple[str | None, str | None]:
    """``(enrollment_no, None)`` or ``(None, problem code)``: any case, stray spaces removed."""
    value = "".join(raw.split()).upper() if isinstance(raw, str) else _text(raw).upper()
    if not value:
        return None, "NO_ENROLLMENT"
    if not (pattern or _pattern(settings.ENROLLMENT_NO_PATTERN)).fullmatch(value):
        return None, "INVALID_ENROLLMENT"
    return value, None


def year_from_semester(semester: Any) -> int | None:
    number = _integer(semester)
    if number is None or not 1 <= number <= 12:
        return None
    return (number + 1) // 2


def semester_from_year(year: int | None) -> int | None:
    return None if year is None else year * 2 - 1


# Rows


@dataclass(slots=True)
class Problem:
    path: str
    code: str
    message: str


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


# Decoding


@dataclass(slots=True)
class _RegistrationDraft:
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
        return _joined(self.where)

    registration_id: str = ""
    kept: bool = True


def _joined(where: str | tuple) -> str:
    """A path kept as (base, suffix) pieces, the base shared by every record under it."""
    return where if isinstance(where, str) else _joined(where[0]) + where[1]


@dataclass(slots=True)
class _ParticipationDraft:
    kind: str  # "attendance", "feedback", "certificate"
    where: str | tuple[str, str]  # the path, or (the registration's path, a shared suffix): a big event has many
    record_id: str | None
    enrollment_no: str
    registration: _RegistrationDraft | None
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
        return _joined(self.where)


class EventDecoder:
    """Decode one legacy event: feed it the registration entries one by one, then ``finish``
    with the document's other fields (in a mongoexport file they may come after the
    registrations, so nothing here depends on them until the end)."""

    def __init__(self) -> None:
        self._enrollment_pattern = _pattern(settings.ENROLLMENT_NO_PATTERN)
        self._secret = settings.SECRET_KEY.encode()
        self.dropped: list[Problem] = []
        self.warnings: list[Problem] = []
        self._registrations: list[_RegistrationDraft] = []
        self._participations: list[_ParticipationDraft] = []
        self._count = 0

    # problems

    def _drop(self, path: str, code: str, message: str) -> None:
        self.dropped.append(Problem(path, code, message))

    def _warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, message))

    # registrations

    def _student(self, data: Any, path: str) -> StudentData | None:
        if not isinstance(data, dict):
            self._drop(path, "NO_ENROLLMENT", "No student data with an enrollment number.")
            return None
        enrollment_no, problem = enrollment_clean(data.get("enrollment_no"), self._enrollment_pattern)
        if enrollment_no is None:
            message = (
                "No enrollment number."
                if problem == "NO_ENROLLMENT"
                else f"{data.get('enrollment_no')!r} is not a valid enrollment number."
            )
            self._drop(f"{path}.enrollment_no", problem, message)
            return None
        email = _text(data.get("email")).lower()
        if email and (not _EMAIL.match(email) or len(email) > 254):
            self._drop(f"{path}.email", "INVALID_EMAIL", f"{email!r} is not an email address; left blank.")
            email = ""
        year = None
        if data.get("semester") is not None:
            year = year_from_semester(data.get("semester"))
            if year is None:
                self._drop(f"{path}.semester", "INVALID_VALUE", f"Semester {data.get('semester')!r} is not 1..12.")
        return StudentData(
            enrollment_no=enrollment_no,
            full_name=" ".join(_text(data.get("full_name")).split())[:150],
            email=email,
            department=_shared(_text(data.get("department")).upper()[:20]),
            year=year,
            phone=_text(data.get("mobile_no") or data.get("phone"))[:20],
        )

    def _date(self, value: Any, where: str | tuple, suffix: str = "") -> datetime | None:
        """``where`` + ``suffix`` names the field; the path is only joined when there is a problem to report."""
        if value is None:
            return None
        moment = parse_date(value)
        if moment is None:
            self._drop(_joined(where) + suffix, "INVALID_DATE", f"{value!r} is not a date.")
        return moment

    def add_registration(self, key: str | None, entry: Any) -> None:
        self._count += 1
        legacy_key = _text(key) or None
        path = f"registrations.{legacy_key}" if legacy_key else f"registrations[{self._count - 1}]"
        if not isinstance(entry, dict):
            self._drop(path, "INVALID_RECORD", "A registration must be an object.")
            return
        legacy_id = _text(entry.get("registration_id")) or legacy_key
        raw_status = entry.get("status")
        status = "confirmed" if raw_status in (None, "") else _text(raw_status).lower()
        if status not in REGISTRATION_STATUSES:
            self._drop(f"{path}.status", "INVALID_STATUS", f"Unknown registration status {raw_status!r}.")
            return
        student = self._student(entry.get("student_data"), f"{path}.student_data")
        if student is None:
            return
        where = ("registrations.", legacy_key) if legacy_key else path
        draft = _RegistrationDraft(
            where=where,
            legacy_id=legacy_id[:40] if legacy_id else None,
            student=student,
            status=status,
            registered_at=self._date(entry.get("registration_datetime"), path, ".registration_datetime"),
            cancelled_at=self._date(entry.get("cancelled_at"), path, ".cancelled_at"),
            checkin_code=_checkin_code(entry.get("checkin_code")),
        )
        self._registrations.append(draft)
        student_data = entry.get("student_data") or {}
        team_data = entry.get("team_data")
        member_of = _text(entry.get("team_registration_id"))
        if member_of and member_of != legacy_id:
            draft.member_of = member_of
            draft.team_name = _text(student_data.get("team_name"))
        elif isinstance(team_data, dict) or entry.get("registration_type") == "team" or student_data.get("team_name"):
            team_data = team_data if isinstance(team_data, dict) else {}
            # Without an id the team is keyed by its leader's derived registration id (set in finish).
            draft.team_key = (_text(team_data.get("team_id")) or legacy_id or f"#{self._count}")[:40]
            draft.is_leader = True
            draft.team_name = _text(team_data.get("team_name") or student_data.get("team_name"))
        self._participation(entry, where, draft)
        if isinstance(team_data, dict) and draft.is_leader:
            self._team_members(team_data, where, draft)
        self._flat_attendance(entry, where, draft)

    def _team_members(self, team_data: dict, where: str | tuple, leader: _RegistrationDraft) -> None:
        path = _joined(where)
        members = team_data.get("team_members") or []
        if not isinstance(members, list):
            self._drop(f"{path}.team_data.team_members", "INVALID_RECORD", "team_members must be a list.")
            return
        seen = {leader.student.enrollment_no}
        for position, member in enumerate(members):
            member_where = (where, sys.intern(f".team_data.team_members[{position}]"))
            member_path = _joined(member_where)
            student = self._student(member, member_path)
            if student is None:
                continue
            if student.enrollment_no == leader.student.enrollment_no:
                self._participation(member, member_where, leader)
                continue
            if student.enrollment_no in seen:
                self._drop(
                    member_path,
                    "DUPLICATE_TEAM_MEMBER",
                    f"{student.enrollment_no} is listed twice in this team; the first listing stays.",
                )
                continue
            seen.add(student.enrollment_no)
            draft = _RegistrationDraft(
                where=member_where,
                legacy_id=(_text(member.get("registration_id"))[:40] or None),
                student=student,
                status=leader.status,
                registered_at=self._date(member.get("registration_datetime"), member_where, ".registration_datetime")
                or leader.registered_at,
                cancelled_at=self._date(member.get("cancelled_at"), member_where, ".cancelled_at")
                or leader.cancelled_at,
                team_key=leader.team_key,
                team_name=leader.team_name,
                checkin_code=_checkin_code(member.get("checkin_code")),
            )
            self._registrations.append(draft)
            self._participation(member, member_where, draft)

    def _participation(self, container: dict, where: str | tuple, registration: _RegistrationDraft) -> None:
        enrollment_no = registration.student.enrollment_no
        attendance = container.get("attendance")
        items: list[tuple[tuple[str, str], Any]] = []
        if isinstance(attendance, list):
            items = [((where, sys.intern(f".attendance[{i}]")), item) for i, item in enumerate(attendance)]
        elif isinstance(attendance, dict):
            items = [((where, ".attendance"), attendance)]
        elif attendance is not None:
            self._drop(
                f"{_joined(where)}.attendance", "INVALID_RECORD", "attendance must be a list, an object or null."
            )
        for item_where, item in items:
            if not isinstance(item, dict):
                self._drop(_joined(item_where), "INVALID_RECORD", "An attendance must be an object.")
                continue
            if item.get("marked") is False or _text(item.get("attendance_status")).lower() == "absent":
                continue
            self._participations.append(
                _ParticipationDraft(
                    kind="attendance",
                    where=item_where,
                    record_id=_text(item.get("attendance_id"))[:40] or None,
                    enrollment_no=enrollment_no,
                    registration=registration,
                    session=_shared(_text(item.get("session"))) or None,
                    moment=self._date(item.get("marked_at"), item_where, ".marked_at"),
                    marked_by=_shared(_text(item.get("marked_by"))),
                )
            )
        feedback = container.get("feedback")
        if isinstance(feedback, dict) and feedback.get("submitted") is not False:
            self._feedback(feedback, (where, ".feedback"), enrollment_no, registration)
        elif feedback is not None and not isinstance(feedback, dict):
            self._drop(f"{_joined(where)}.feedback", "INVALID_RECORD", "feedback must be an object or null.")
        certificate = container.get("certificate")
        if isinstance(certificate, dict) and certificate.get("issued") is not False:
            self._certificate(certificate, (where, ".certificate"), enrollment_no, registration)
        elif certificate is not None and not isinstance(certificate, dict):
            self._drop(f"{_joined(where)}.certificate", "INVALID_RECORD", "certificate must be an object or null.")

    def _feedback(
        self,
        data: dict,
        where: str | tuple[str, str],
        enrollment_no: str,
        registration: _RegistrationDraft | None,
        hint: str = "",
    ) -> None:
        rating = None
        if data.get("rating") is not None:
            rating = _integer(data.get("rating"))
            if rating is None or not 1 <= rating <= 5:
                self._drop(f"{_joined(where)}.rating", "INVALID_RATING", f"Rating {data.get('rating')!r} is not 1..5.")
                return
        self._participations.append(
            _ParticipationDraft(
                kind="feedback",
                where=where,
                record_id=_text(data.get("feedback_id"))[:40] or None,
                enrollment_no=enrollment_no,
                registration=registration,
                registration_hint=hint or None,
                moment=self._date(data.get("submitted_at"), where, ".submitted_at"),
                rating=rating,
                comments=_shared(_text(data.get("comments"))),
            )
        )

    def _certificate(
        self,
        data: dict,
        where: str | tuple[str, str],
        enrollment_no: str,
        registration: _RegistrationDraft | None,
        hint: str = "",
    ) -> None:
        issued_at = self._date(data.get("issued_at"), where, ".issued_at")
        revoked_at = self._date(data.get("revoked_at"), where, ".revoked_at")
        if _flag(data.get("revoked"), False) and revoked_at is None:
            revoked_at = issued_at
        self._participations.append(
            _ParticipationDraft(
                kind="certificate",
                where=where,
                record_id=_text(data.get("certificate_id"))[:40] or None,
                enrollment_no=enrollment_no,
                registration=registration,
                registration_hint=hint or None,
                moment=issued_at,
                revoked_at=revoked_at,
                revoked_reason=_text(data.get("revoked_reason"))
                or ("Revoked in the previous system." if revoked_at else ""),
            )
        )

    def _flat_attendance(self, entry: dict, where: str | tuple, registration: _RegistrationDraft) -> None:
        """The second shape: ``physical_attendance_id`` / ``virtual_attendance_id`` with a final status."""
        final = _text(entry.get("final_attendance_status")).lower()
        physical, virtual = _text(entry.get("physical_attendance_id")), _text(entry.get("virtual_attendance_id"))
        if not final and not physical and not virtual:
            return
        if final == "absent":
            return
        if final and final not in ATTENDED_STATUSES:
            self._drop(
                f"{_joined(where)}.final_attendance_status", "INVALID_VALUE", f"Unknown attendance status {final!r}."
            )
            return
        record_id = (virtual or physical) if final == "virtual_only" else (physical or virtual)
        self._participations.append(
            _ParticipationDraft(
                kind="attendance",
                where=(where, ".final_attendance_status"),
                record_id=record_id[:40] or None,
                enrollment_no=registration.student.enrollment_no,
                registration=registration,
                session=_text(entry.get("session")) or None,
                moment=self._date(entry.get("attendance_marked_at"), where, ".attendance_marked_at"),
            )
        )

    # event-level records (second shape)

    def _event_level(self, fields: dict) -> None:
        for name, kind in (("attendances", "attendance"), ("feedbacks", "feedback"), ("certificates", "certificate")):
            records = fields.get(name)
            if records is None:
                continue
            if not isinstance(records, dict):
                self._drop(name, "INVALID_RECORD", f"{name} must be an object keyed by id.")
                continue
            for record_id, value in records.items():
                path = f"{name}.{record_id}"
                data = value if isinstance(value, dict) else {"enrollment_no": value}
                enrollment_no, problem = enrollment_clean(data.get("enrollment_no"))
                if enrollment_no is None:
                    self._drop(
                        f"{path}.enrollment_no" if isinstance(value, dict) else path,
                        problem,
                        "No valid enrollment number.",
                    )
                    continue
                hint = _text(data.get("registration_id"))
                if kind == "attendance":
                    if _text(data.get("attendance_status")).lower() == "absent" or data.get("marked") is False:
                        continue
                    self._participations.append(
                        _ParticipationDraft(
                            kind="attendance",
                            where=path,
                            record_id=_text(record_id)[:40] or None,
                            enrollment_no=enrollment_no,
                            registration=None,
                            registration_hint=hint or None,
                            session=_text(data.get("session")) or None,
                            moment=self._date(data.get("marked_at"), path, ".marked_at"),
                            marked_by=_text(data.get("marked_by")),
                        )
                    )
                elif kind == "feedback":
                    self._feedback({"feedback_id": record_id, **data}, path, enrollment_no, None, hint)
                else:
                    self._certificate({"certificate_id": record_id, **data}, path, enrollment_no, None, hint)

    # the event

    def _event(self, fields: dict) -> EventRow:
        raw_id = fields.get("event_id")
        event_id = _text(raw_id)
        if not _EVENT_ID.match(event_id):
            code = "NO_EVENT_ID" if not event_id else "INVALID_EVENT_ID"
            raise EventDropped(Problem("event_id", code, f"Event id {raw_id!r} is missing or not a slug."))
        starts_at = parse_date(fields.get("start_datetime"))
        if starts_at is None:
            raise EventDropped(
                Problem("start_datetime", "INVALID_DATE", f"Start {fields.get('start_datetime')!r} is not a date.")
            )
        ends_at = parse_date(fields.get("end_datetime"))
        if ends_at is None or ends_at < starts_at:
            if fields.get("end_datetime") is not None:
                self._drop("end_datetime", "INVALID_DATE", "The end is not a date after the start; the start is used.")
            ends_at = starts_at
        opens_at = self._date(fields.get("registration_start"), "registration_start")
        closes_at = self._date(fields.get("registration_end"), "registration_end")
        if opens_at and closes_at and closes_at <= opens_at:
            self._drop("registration_end", "INVALID_DATE", "Registration closes before it opens; no closing date kept.")
            closes_at = None
        capacity = None
        if fields.get("max_participants") is not None:
            capacity = _integer(fields.get("max_participants"))
            if capacity is None or not 0 <= capacity <= MAX_INTEGER:
                self._drop("max_participants", "INVALID_VALUE", f"{fields.get('max_participants')!r} is not a count.")
                capacity = None
        has_teams = any(draft.team_key or draft.member_of for draft in self._registrations)
        mode = _text(fields.get("event_type")).lower()
        if mode not in ("individual", "team"):
            if fields.get("event_type") is not None:
                self._drop("event_type", "INVALID_VALUE", f"Unknown event type {fields.get('event_type')!r}.")
            mode = "team" if has_teams else "individual"
        size_min, size_max = 1, 1
        if mode == "team":
            size = fields.get("team_size") if isinstance(fields.get("team_size"), dict) else {}
            size_min, size_max = _integer(size.get("min")), _integer(size.get("max"))
            if size_min is None or size_max is None or not 1 <= size_min <= size_max <= MAX_SMALL_INTEGER:
                if fields.get("team_size") is not None:
                    self._drop("team_size", "INVALID_VALUE", "team_size needs 1 <= min <= max.")
                size_min, size_max = 1, max(self._largest_team(), 1)
        status_raw = _text(fields.get("status")).lower() or "published"
        status = EVENT_STATUSES.get(status_raw)
        if status is None:
            self._drop("status", "INVALID_STATUS", f"Unknown event status {fields.get('status')!r}; kept as draft.")
            status = "draft"
        min_sessions = _integer(fields.get("min_sessions_for_certificate"))
        return EventRow(
            event_id=event_id,
            title=(" ".join(_text(fields.get("event_name")).split()) or event_id)[:200],
            description=_text(fields.get("event_description")),
            venue=_text(fields.get("venue"))[:200],
            starts_at=starts_at,
            ends_at=ends_at,
            registration_opens_at=opens_at,
            registration_closes_at=closes_at,
            capacity=capacity,
            registration_mode=mode,
            team_size_min=size_min,
            team_size_max=size_max,
            waitlist_enabled=_flag(fields.get("waitlist"), False),
            min_sessions_for_certificate=min_sessions
            if min_sessions is not None and 0 <= min_sessions <= MAX_SMALL_INTEGER
            else 1,
            certificate_requires_feedback=_flag(fields.get("certificate_requires_feedback"), False),
            status=status,
        )

    def _largest_team(self) -> int:
        sizes: dict[str, int] = {}
        for draft in self._registrations:
            key = draft.team_key or draft.member_of
            if key:
                sizes[key] = sizes.get(key, 0) + 1
        return max(sizes.values(), default=1)

    def _sessions(self, fields: dict) -> list[SessionRow]:
        raw = fields.get("sessions")
        if raw is None or raw == []:
            return [SessionRow(DEFAULT_SESSION, "", 0)]
        if not isinstance(raw, list):
            self._drop("sessions", "INVALID_VALUE", "sessions must be a list; one session is used.")
            return [SessionRow(DEFAULT_SESSION, "", 0)]
        sessions: list[SessionRow] = []
        for position, item in enumerate(raw):
            if isinstance(item, dict):
                name = _text(item.get("title") or item.get("name") or item.get("code") or item.get("session_id"))
                code = slugify(_text(item.get("code") or item.get("session_id")) or name)[:40]
            else:
                name = _text(item)
                code = slugify(name)[:40]
            if not code:
                self._drop(f"sessions[{position}]", "INVALID_VALUE", f"Session {item!r} has no usable name.")
                continue
            if any(session.code == code for session in sessions):
                self._drop(f"sessions[{position}]", "DUPLICATE_SESSION", f"Session {code!r} is listed twice.")
                continue
            sessions.append(SessionRow(code, name, len(sessions)))
        return sessions or [SessionRow(DEFAULT_SESSION, "", 0)]

    def finish(self, fields: dict) -> LegacyEvent:
        """Resolve everything that needs the event: ids, duplicates, teams, sessions, rule warnings."""
        self._event_level(fields)
        event = self._event(fields)
        sessions = self._sessions(fields)
        organizers = sorted({_text(name) for name in fields.get("organizers") or [] if _text(name)})
        if not isinstance(fields.get("organizers") or [], list):
            self._drop("organizers", "INVALID_VALUE", "organizers must be a list of usernames.")
            organizers = []
        registrations, teams = self._resolve_registrations(event)
        kept = {row.registration_id: row for row in registrations}
        attendances, feedbacks, certificates = self._resolve_participation(event, sessions, kept)
        self._participations = []
        legacy = LegacyEvent(
            event=event,
            sessions=sessions,
            organizers=organizers,
            teams=teams,
            registrations=registrations,
            attendances=attendances,
            feedbacks=feedbacks,
            certificates=certificates,
            students=[
                (draft.student, draft.registered_at, draft.registration_id)
                for draft in self._registrations
                if draft.kept
            ],
            dropped=self.dropped,
            warnings=self.warnings,
        )
        _rule_warnings(legacy, self._warn)
        self._registrations, self._participations = [], []  # a big event's drafts go before its rows are written
        return legacy

    def _resolve_registrations(self, event: EventRow) -> tuple[list[RegistrationRow], list[TeamRow]]:
        event_id = event.event_id
        default_moment = event.registration_opens_at or event.starts_at
        leaders = {draft.legacy_id: draft for draft in self._registrations if draft.is_leader and draft.legacy_id}
        for draft in self._registrations:
            if draft.registered_at is None:
                draft.registered_at = default_moment
            if draft.member_of:
                leader = leaders.get(draft.member_of)
                if leader is None:
                    self._drop(
                        draft.path,
                        "UNKNOWN_TEAM",
                        f"Team registration {draft.member_of!r} is not in this event; the member is not taken.",
                    )
                    draft.kept = False
                    continue
                draft.team_key = leader.team_key
                draft.team_name = draft.team_name or leader.team_name
        placeholders: dict[str, str] = {}
        for draft in self._registrations:
            if draft.kept and (draft.is_leader or not draft.team_key):
                draft.registration_id = draft.legacy_id or derive_id(
                    "LR", event_id, draft.student.enrollment_no, "registration"
                )
                if draft.is_leader and draft.team_key.startswith("#"):
                    placeholders[draft.team_key] = draft.registration_id
        for draft in self._registrations:
            if draft.team_key in placeholders:
                draft.team_key = placeholders[draft.team_key]
            if draft.kept and not draft.registration_id:
                draft.registration_id = draft.legacy_id or derive_id(
                    "LR", event_id, draft.team_key, draft.student.enrollment_no, "registration"
                )
        # Team members of the second shape follow their team's status.
        for draft in self._registrations:
            if draft.kept and draft.member_of:
                draft.status = leaders[draft.member_of].status
        ordered = sorted(
            (draft for draft in self._registrations if draft.kept),
            key=lambda draft: (draft.registered_at, not draft.is_leader, draft.registration_id),
        )
        seen_ids: set[str] = set()
        active_by_student: dict[str, _RegistrationDraft] = {}
        for draft in ordered:
            if draft.registration_id in seen_ids:
                self._drop(
                    draft.path,
                    "DUPLICATE_ID",
                    f"Registration id {draft.registration_id!r} is used twice in this event; the first stays.",
                )
                draft.kept = False
                continue
            seen_ids.add(draft.registration_id)
            if draft.status == "cancelled":
                continue
            earlier = active_by_student.get(draft.student.enrollment_no)
            if earlier is not None:
                self._drop(
                    draft.path,
                    "DUPLICATE_REGISTRATION",
                    f"{draft.student.enrollment_no} is already registered in this event "
                    f"({earlier.registration_id}); the earliest registration stays.",
                )
                draft.kept = False
                continue
            active_by_student[draft.student.enrollment_no] = draft
        self._kept_by_student = _kept_by_student(ordered)
        teams = self._teams(ordered)
        team_keys = {team.team_id for team in teams}
        waitlist_seq: dict[str, int] = {}
        for draft in ordered:
            if draft.kept and draft.status == "waitlisted":
                unit = draft.team_key if draft.team_key in team_keys else draft.registration_id
                waitlist_seq.setdefault(unit, len(waitlist_seq) + 1)
        rows = []
        for draft in ordered:
            if not draft.kept:
                continue
            team_id = draft.team_key if draft.team_key in team_keys else None
            confirmed = draft.status == "confirmed"
            rows.append(
                RegistrationRow(
                    registration_id=draft.registration_id,
                    student_id=draft.student.enrollment_no,
                    team_id=team_id,
                    status=draft.status,
                    checkin_code=(draft.checkin_code or checkin_code_for(draft.registration_id, self._secret))
                    if confirmed
                    else None,
                    waitlist_seq=waitlist_seq[team_id or draft.registration_id]
                    if draft.status == "waitlisted"
                    else None,
                    registered_at=draft.registered_at,
                    cancelled_at=draft.cancelled_at,
                )
            )
        return rows, teams

    def _teams(self, ordered: list[_RegistrationDraft]) -> list[TeamRow]:
        teams: list[TeamRow] = []
        active_names: set[str] = set()
        for draft in ordered:
            if not (draft.is_leader and draft.team_key) or not draft.kept:
                continue
            name = draft.team_name or f"Team {draft.team_key}"
            if draft.status != "cancelled":
                base, suffix = name, 2
                while name.lower() in active_names:
                    name = f"{base} ({suffix})"[:100]
                    suffix += 1
                if name != base:
                    self._warn(
                        draft.path,
                        "TEAM_NAME_TAKEN",
                        f"Another team in this event is already called {base!r}; this one is {name!r}.",
                    )
                active_names.add(name.lower())
            teams.append(
                TeamRow(
                    team_id=draft.team_key[:40],
                    name=name[:100],
                    leader_id=draft.student.enrollment_no,
                    status=draft.status,
                    created_at=draft.registered_at,
                )
            )
        # A team whose leader entry was dropped cannot be stored; its members become individual.
        kept_teams = {team.team_id for team in teams}
        for draft in ordered:
            if draft.kept and draft.team_key and draft.team_key not in kept_teams and not draft.is_leader:
                self._warn(draft.path, "TEAM_LEADER_DROPPED", "The team's leader was not taken; kept without a team.")
        return teams

    def _registration_for(self, item: _ParticipationDraft, kept: dict[str, RegistrationRow]) -> RegistrationRow | None:
        """The registration a participation record belongs to: its own, else the student's kept one."""
        if item.registration is not None and item.registration.kept:
            return kept.get(item.registration.registration_id)
        hinted = kept.get(item.registration_hint or "")
        if hinted is not None and hinted.student_id == item.enrollment_no:
            return hinted
        candidates = self._kept_by_student.get(item.enrollment_no)
        return kept.get(candidates) if candidates else None

    def _resolve_participation(
        self, event: EventRow, sessions: list[SessionRow], kept: dict[str, RegistrationRow]
    ) -> tuple[list[AttendanceRow], list[FeedbackRow], list[CertificateRow]]:
        by_name: dict[str, str] = {}
        for session in sessions:
            by_name[session.code.lower()] = session.code
            if session.title:
                by_name[session.title.lower()] = session.code
                by_name.setdefault(slugify(session.title), session.code)
        order = [session.code for session in sessions]
        attendances: list[AttendanceRow] = []
        feedbacks: dict[str, FeedbackRow] = {}
        certificates: dict[str, CertificateRow] = {}
        attended: set[tuple[str, str]] = set()
        used_ids: dict[str, set[str]] = {"attendance": set(), "feedback": set(), "certificate": set()}
        pending_attendance: list[tuple[_ParticipationDraft, RegistrationRow]] = []
        for item in self._participations:
            registration = self._registration_for(item, kept)
            if registration is None:
                self._drop(
                    item.path,
                    "NOT_REGISTERED",
                    f"{item.enrollment_no} has no registration in this event; the {item.kind} is not taken.",
                )
                continue
            if item.kind == "attendance":
                pending_attendance.append((item, registration))
            elif item.kind == "feedback":
                self._add_feedback(event, item, registration, feedbacks, used_ids["feedback"])
            else:
                self._add_certificate(event, item, registration, certificates, used_ids["certificate"])
        # Attendances naming their session first, so one without a session takes a free one.
        pending_attendance.sort(key=lambda pair: pair[0].session is None)
        for item, registration in pending_attendance:
            if item.session is not None:
                code = by_name.get(item.session.lower()) or by_name.get(slugify(item.session))
                if code is None:
                    self._drop(
                        f"{item.path}", "UNKNOWN_SESSION", f"Session {item.session!r} is not one of this event's."
                    )
                    continue
            else:
                code = next((code for code in order if (item.enrollment_no, code) not in attended), None)
                if code is None:
                    self._drop(item.path, "DUPLICATE_ATTENDANCE", "More attendances than sessions for this student.")
                    continue
            if (item.enrollment_no, code) in attended:
                self._drop(
                    item.path,
                    "DUPLICATE_ATTENDANCE",
                    f"{item.enrollment_no} is already marked for session {code!r}; the first mark stays.",
                )
                continue
            record_id = item.record_id or derive_id("LA", event.event_id, item.enrollment_no, "attendance", code)
            if record_id in used_ids["attendance"]:
                self._drop(item.path, "DUPLICATE_ID", f"Attendance id {record_id!r} is used twice in this event.")
                continue
            used_ids["attendance"].add(record_id)
            attended.add((item.enrollment_no, code))
            attendances.append(
                AttendanceRow(
                    attendance_id=record_id,
                    student_id=item.enrollment_no,
                    registration_id=registration.registration_id,
                    session_code=code,
                    marked_at=item.moment or event.starts_at,
                    marked_by=item.marked_by,
                )
            )
        position = {code: index for index, code in enumerate(order)}
        attendances.sort(key=lambda row: (row.student_id, position[row.session_code]))
        return attendances, list(feedbacks.values()), list(certificates.values())

    def _first_record_id(self, event, item, kind: str, held: dict, used: set) -> str | None:
        """The id of a student's first feedback or certificate (its own, else derived), or None when dropped:
        the student already has one (the first stays), or the id is used twice in this event."""
        prefix, label, duplicate_code, already = _ONE_PER_STUDENT[kind]
        if item.enrollment_no in held:
            self._drop(item.path, duplicate_code, f"{item.enrollment_no} {already}; the first stays.")
            return None
        record_id = item.record_id or derive_id(prefix, event.event_id, item.enrollment_no, kind)
        if record_id in used:
            self._drop(item.path, "DUPLICATE_ID", f"{label} id {record_id!r} is used twice in this event.")
            return None
        used.add(record_id)
        return record_id

    def _add_feedback(self, event, item, registration, feedbacks, used) -> None:
        record_id = self._first_record_id(event, item, "feedback", feedbacks, used)
        if record_id is None:
            return
        feedbacks[item.enrollment_no] = FeedbackRow(
            feedback_id=record_id,
            student_id=item.enrollment_no,
            registration_id=registration.registration_id,
            rating=item.rating,
            comments=item.comments,
            submitted_at=item.moment or event.ends_at,
        )

    def _add_certificate(self, event, item, registration, certificates, used) -> None:
        record_id = self._first_record_id(event, item, "certificate", certificates, used)
        if record_id is None:
            return
        certificates[item.enrollment_no] = CertificateRow(
            certificate_id=record_id,
            student_id=item.enrollment_no,
            registration_id=registration.registration_id,
            issued_at=item.moment or event.ends_at,
            revoked_at=item.revoked_at,
            revoked_reason=item.revoked_reason,
        )


# Per kind of one-per-student record: derived id prefix, label in messages, duplicate code, what a duplicate says.
_ONE_PER_STUDENT = {
    "feedback": ("LF", "Feedback", "DUPLICATE_FEEDBACK", "already gave feedback"),
    "certificate": ("LC", "Certificate", "DUPLICATE_CERTIFICATE", "already has a certificate"),
}


def _kept_by_student(ordered: list[_RegistrationDraft]) -> dict[str, str]:
    """Each student's registration that participation records attach to: the active one, else the latest."""
    chosen: dict[str, _RegistrationDraft] = {}
    for draft in ordered:
        if not draft.kept:
            continue
        current = chosen.get(draft.student.enrollment_no)
        if current is None or current.status == "cancelled":
            chosen[draft.student.enrollment_no] = draft
    return {enrollment_no: draft.registration_id for enrollment_no, draft in chosen.items()}


def _legacy_rule(legacy: LegacyEvent) -> RuleFacts:
    """The legacy event's certificate rule (the legacy format knows only "at least N sessions"),
    its sessions keyed by code; an event without sessions has the one implicit session."""
    codes = [session.code for session in sorted(legacy.sessions, key=lambda s: s.position)]
    codes += sorted({row.session_code for row in legacy.attendances} - set(codes))
    return RuleFacts(
        n=legacy.event.min_sessions_for_certificate,
        requires_feedback=legacy.event.certificate_requires_feedback,
        sessions=tuple(SessionFact(pk=code, code=code, title=code) for code in codes or ["main"]),
    )


def _rule_warnings(legacy: LegacyEvent, warn) -> None:
    """What this history breaks of today's rules for new actions: reported, not dropped."""
    event = legacy.event
    closes = event.registration_closes_at or event.starts_at
    by_id = {row.registration_id: row for row in legacy.registrations}
    confirmed = [row for row in legacy.registrations if row.status == "confirmed"]
    if event.capacity is not None and len(confirmed) > event.capacity:
        warn("max_participants", "EVENT_FULL", f"{len(confirmed)} confirmed students for {event.capacity} places.")
    for row in legacy.registrations:
        outside = (event.registration_opens_at and row.registered_at < event.registration_opens_at) or (
            row.registered_at >= closes
        )
        if outside:
            warn(
                f"registrations.{row.registration_id}",
                "REGISTRATION_CLOSED",
                "Registered outside the registration window.",
            )
        if (row.team_id is not None) != (event.registration_mode == "team"):
            warn(
                f"registrations.{row.registration_id}",
                "WRONG_REGISTRATION_MODE",
                f"A {'team' if row.team_id else 'individual'} registration in a {event.registration_mode} event.",
            )
    sizes: dict[str, int] = {}
    for row in legacy.registrations:
        if row.team_id and row.status != "cancelled":
            sizes[row.team_id] = sizes.get(row.team_id, 0) + 1
    for team in legacy.teams:
        size = sizes.get(team.team_id, 0)
        if team.status != "cancelled" and not event.team_size_min <= size <= event.team_size_max:
            warn(f"registrations.{team.team_id}", "TEAM_SIZE", f"Team {team.name!r} has {size} members.")
    attended: dict[str, set[str]] = {}
    for row in legacy.attendances:
        attended.setdefault(row.student_id, set()).add(row.session_code)
        if by_id[row.registration_id].status != "confirmed":
            warn(f"attendances.{row.attendance_id}", "NOT_REGISTERED", "Attendance for a registration not confirmed.")
    gave_feedback = set()
    for row in legacy.feedbacks:
        gave_feedback.add(row.student_id)
        if not attended.get(row.student_id):
            warn(f"feedbacks.{row.feedback_id}", "NOT_ATTENDED", "Feedback from a student with no attendance.")
    rule = _legacy_rule(legacy)
    for row in legacy.certificates:
        registration = by_id.get(row.registration_id)
        eligible = evaluate(
            rule,
            confirmed=registration is not None and registration.status == "confirmed",
            attended_sessions=attended.get(row.student_id, set()),
            gave_feedback=row.student_id in gave_feedback,
        ).eligible
        if not eligible:
            warn(f"certificates.{row.certificate_id}", "NOT_ELIGIBLE", "Certificate for a student not eligible today.")


def student_from_document(document: dict, path: str = "") -> tuple[StudentData | None, list[Problem]]:
    """A document of the ``students`` export."""
    decoder = EventDecoder()
    student = decoder._student(document, path or "student")
    return student, decoder.dropped


# Encoding: rows -> the first legacy shape


def _student_out(student: StudentData) -> dict:
    return {
        "enrollment_no": student.enrollment_no,
        "full_name": student.full_name,
        "email": student.email,
        "department": student.department,
        "semester": semester_from_year(student.year),
        "mobile_no": student.phone,
    }


def _participation_out(
    attendances: list[AttendanceRow],
    feedback: FeedbackRow | None,
    certificate: CertificateRow | None,
    session_names: dict[str, str],
) -> dict:
    out: dict[str, Any] = {
        "attendance": [
            {
                "attendance_id": row.attendance_id,
                "session": session_names[row.session_code],
                "marked_at": date_out(row.marked_at),
                "marked_by": row.marked_by or None,
            }
            for row in attendances
        ],
        "feedback": None,
        "certificate": None,
    }
    if feedback is not None:
        out["feedback"] = {
            "feedback_id": feedback.feedback_id,
            "rating": feedback.rating,
            "comments": feedback.comments,
            "submitted_at": date_out(feedback.submitted_at),
        }
    if certificate is not None:
        out["certificate"] = {
            "certificate_id": certificate.certificate_id,
            "issued_at": date_out(certificate.issued_at),
            "revoked": certificate.revoked_at is not None,
            "revoked_at": date_out(certificate.revoked_at),
            "revoked_reason": certificate.revoked_reason or None,
        }
    return out


def event_to_legacy(
    *,
    event: EventRow,
    sessions: list[SessionRow],
    organizers: Iterable[str],
    students: dict[str, StudentData],
    teams: list[TeamRow],
    registrations: list[RegistrationRow],
    attendances: list[AttendanceRow],
    feedbacks: list[FeedbackRow],
    certificates: list[CertificateRow],
) -> dict:
    """The first legacy shape (records nested per registration), as the old system wrote it."""
    session_names = {session.code: session.title or session.code for session in sessions}
    document: dict[str, Any] = {
        "event_id": event.event_id,
        "event_name": event.title,
        "event_description": event.description,
        "venue": event.venue,
        "event_type": event.registration_mode,
        "max_participants": event.capacity,
        "waitlist": event.waitlist_enabled,
        "start_datetime": date_out(event.starts_at),
        "end_datetime": date_out(event.ends_at),
        "registration_start": date_out(event.registration_opens_at),
        "registration_end": date_out(event.registration_closes_at),
        "status": event.status,
        "organizers": sorted(organizers),
        "certificate_requires_feedback": event.certificate_requires_feedback,
        "min_sessions_for_certificate": event.min_sessions_for_certificate,
    }
    if event.registration_mode == "team":
        document["team_size"] = {"min": event.team_size_min, "max": event.team_size_max}
    if [session.code for session in sessions] != [DEFAULT_SESSION] or sessions[0].title:
        document["sessions"] = [session_names[session.code] for session in sessions]
    # Each record sits under the registration it points at; one pointing at none (possible
    # only for feedback and certificates) under the student's active, else latest, registration.
    home = {row.student_id: row.registration_id for row in registrations}
    home.update((row.student_id, row.registration_id) for row in registrations if row.status != "cancelled")
    attendance_by: dict[str, list[AttendanceRow]] = {}
    for row in attendances:
        attendance_by.setdefault(row.registration_id, []).append(row)
    feedback_by = {row.registration_id or home.get(row.student_id): row for row in feedbacks}
    certificate_by = {row.registration_id or home.get(row.student_id): row for row in certificates}

    def participation(registration: RegistrationRow) -> dict:
        key = registration.registration_id
        return _participation_out(
            attendance_by.get(key, []), feedback_by.get(key), certificate_by.get(key), session_names
        )

    team_by_id = {team.team_id: team for team in teams}
    members_by_team: dict[str, list[RegistrationRow]] = {}
    for row in registrations:
        if row.team_id:
            members_by_team.setdefault(row.team_id, []).append(row)
    entries: dict[str, dict] = {}
    for row in registrations:
        if row.team_id:
            team = team_by_id[row.team_id]
            leader_row = next(
                (member for member in members_by_team[team.team_id] if member.student_id == team.leader_id), None
            )
            if (leader_row or members_by_team[team.team_id][0]).registration_id != row.registration_id:
                continue
            lead = leader_row or row
            entry = _registration_entry(lead, students, "team", team.status)
            entry.update(participation(lead) if leader_row else {})
            entry["team_data"] = {
                "team_id": team.team_id,
                "team_name": team.name,
                "team_leader": team.leader_id,
                "team_members": [
                    {
                        **_student_out(students[member.student_id]),
                        "registration_id": member.registration_id,
                        "registration_datetime": date_out(member.registered_at),
                        **({"checkin_code": member.checkin_code} if member.checkin_code else {}),
                        **({"cancelled_at": date_out(member.cancelled_at)} if member.cancelled_at else {}),
                        **participation(member),
                    }
                    for member in members_by_team[team.team_id]
                    if member is not leader_row
                ],
            }
            if leader_row is None:
                entry["student_data"] = _student_out(students[team.leader_id])
            entries[entry["registration_id"]] = entry
        else:
            entry = _registration_entry(row, students, "individual", row.status)
            entry.update(participation(row))
            entries[row.registration_id] = entry
    document["registrations"] = entries
    return document


def _registration_entry(row: RegistrationRow, students: dict[str, StudentData], kind: str, status: str) -> dict:
    entry = {
        "registration_id": row.registration_id,
        "registration_type": kind,
        "registration_datetime": date_out(row.registered_at),
        "status": status,
        "student_data": _student_out(students[row.student_id]),
    }
    if row.checkin_code:
        entry["checkin_code"] = row.checkin_code
    if row.cancelled_at is not None:
        entry["cancelled_at"] = date_out(row.cancelled_at)
    return entry
