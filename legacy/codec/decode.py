"""One legacy event document (either shape of LEGACY_FORMAT.md, or both mixed) to rows.

Feed ``EventDecoder`` the registration entries one by one, then ``finish`` with the
document's other fields: entries are read into drafts here, the event's fields give its
row (``event``), the drafts are resolved into rows (``resolve``) and the history is checked
against today's rules (``rules``). Nothing here touches the database, so the same document
always gives the same rows; every record that cannot be taken is reported with its path
inside the document, a stable code and a message, and only the smallest unit is dropped.
"""

import sys
from datetime import datetime
from typing import Any

from django.conf import settings

from legacy.codec.drafts import ParticipationDraft, RegistrationDraft, joined, reported_date
from legacy.codec.event import event_row, session_rows
from legacy.codec.resolve import resolve_participation, resolve_registrations
from legacy.codec.rows import LegacyEvent, Problem, Problems, StudentData
from legacy.codec.rules import rule_warnings
from legacy.codec.values import (
    checkin_code_or_none,
    clean_text,
    compiled,
    enrollment_clean,
    flag,
    integer,
    record_id_or_none,
    shared,
    year_from_semester,
)
from registrations.models import Student

REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")
ATTENDED_STATUSES = ("present", "physical_only", "virtual_only")


class EventDecoder:
    """Decode one legacy event: feed it the registration entries one by one, then ``finish``
    with the document's other fields (in a mongoexport file they may come after the
    registrations, so nothing here depends on them until the end)."""

    def __init__(self) -> None:
        self._enrollment_pattern = compiled(settings.ENROLLMENT_NO_PATTERN)
        self._secret = settings.SECRET_KEY.encode()
        self.problems = Problems()
        self._registrations: list[RegistrationDraft] = []
        self._participations: list[ParticipationDraft] = []
        self._count = 0

    # problems

    @property
    def dropped(self) -> list[Problem]:
        return self.problems.dropped

    # registrations

    def _student(self, data: Any, path: str) -> StudentData | None:
        if not isinstance(data, dict):
            self.problems.drop(path, "NO_ENROLLMENT", "No student data with an enrollment number.")
            return None
        enrollment_no, problem = enrollment_clean(data.get("enrollment_no"), self._enrollment_pattern)
        if enrollment_no is None:
            message = (
                "No enrollment number."
                if problem == "NO_ENROLLMENT"
                else f"{data.get('enrollment_no')!r} is not a valid enrollment number."
            )
            self.problems.drop(f"{path}.enrollment_no", problem, message)
            return None
        email = clean_text(data.get("email")).lower()
        if email and not Student.email_is_valid(email):
            self.problems.drop(f"{path}.email", "INVALID_EMAIL", f"{email!r} is not an email address; left blank.")
            email = ""
        year = None
        if data.get("semester") is not None:
            year = year_from_semester(data.get("semester"))
            if year is None:
                self.problems.drop(
                    f"{path}.semester", "INVALID_VALUE", f"Semester {data.get('semester')!r} is not 1..12."
                )
        return StudentData(
            enrollment_no=enrollment_no,
            full_name=" ".join(clean_text(data.get("full_name")).split())[:150],
            email=email,
            department=shared(clean_text(data.get("department")).upper()[:20]),
            year=year,
            phone=clean_text(data.get("mobile_no") or data.get("phone"))[:20],
        )

    def _date(self, value: Any, where: str | tuple, suffix: str = "") -> datetime | None:
        return reported_date(self.problems, value, where, suffix)

    def add_registration(self, key: str | None, entry: Any) -> None:
        self._count += 1
        legacy_key = clean_text(key) or None
        path = f"registrations.{legacy_key}" if legacy_key else f"registrations[{self._count - 1}]"
        if not isinstance(entry, dict):
            self.problems.drop(path, "INVALID_RECORD", "A registration must be an object.")
            return
        legacy_id = clean_text(entry.get("registration_id")) or legacy_key
        raw_status = entry.get("status")
        status = "confirmed" if raw_status in (None, "") else clean_text(raw_status).lower()
        if status not in REGISTRATION_STATUSES:
            self.problems.drop(f"{path}.status", "INVALID_STATUS", f"Unknown registration status {raw_status!r}.")
            return
        student = self._student(entry.get("student_data"), f"{path}.student_data")
        if student is None:
            return
        where = ("registrations.", legacy_key) if legacy_key else path
        draft = RegistrationDraft(
            where=where,
            legacy_id=record_id_or_none(legacy_id),
            student=student,
            status=status,
            registered_at=self._date(entry.get("registration_datetime"), path, ".registration_datetime"),
            cancelled_at=self._date(entry.get("cancelled_at"), path, ".cancelled_at"),
            checkin_code=checkin_code_or_none(entry.get("checkin_code")),
        )
        self._registrations.append(draft)
        student_data = entry.get("student_data") or {}
        team_data = entry.get("team_data")
        member_of = clean_text(entry.get("team_registration_id"))
        if member_of and member_of != legacy_id:
            draft.member_of = member_of
            draft.team_name = clean_text(student_data.get("team_name"))
        elif isinstance(team_data, dict) or entry.get("registration_type") == "team" or student_data.get("team_name"):
            team_data = team_data if isinstance(team_data, dict) else {}
            # Without an id the team is keyed by its leader's derived registration id (set in finish).
            draft.team_key = (clean_text(team_data.get("team_id")) or legacy_id or f"#{self._count}")[:40]
            draft.is_leader = True
            draft.team_name = clean_text(team_data.get("team_name") or student_data.get("team_name"))
        self._participation(entry, where, draft)
        if isinstance(team_data, dict) and draft.is_leader:
            self._team_members(team_data, where, draft)
        self._flat_attendance(entry, where, draft)

    def _team_members(self, team_data: dict, where: str | tuple, leader: RegistrationDraft) -> None:
        path = joined(where)
        members = team_data.get("team_members") or []
        if not isinstance(members, list):
            self.problems.drop(f"{path}.team_data.team_members", "INVALID_RECORD", "team_members must be a list.")
            return
        seen = {leader.student.enrollment_no}
        for position, member in enumerate(members):
            member_where = (where, sys.intern(f".team_data.team_members[{position}]"))
            member_path = joined(member_where)
            student = self._student(member, member_path)
            if student is None:
                continue
            if student.enrollment_no == leader.student.enrollment_no:
                self._participation(member, member_where, leader)
                continue
            if student.enrollment_no in seen:
                self.problems.drop(
                    member_path,
                    "DUPLICATE_TEAM_MEMBER",
                    f"{student.enrollment_no} is listed twice in this team; the first listing stays.",
                )
                continue
            seen.add(student.enrollment_no)
            draft = RegistrationDraft(
                where=member_where,
                legacy_id=record_id_or_none(member.get("registration_id")),
                student=student,
                status=leader.status,
                registered_at=self._date(member.get("registration_datetime"), member_where, ".registration_datetime")
                or leader.registered_at,
                cancelled_at=self._date(member.get("cancelled_at"), member_where, ".cancelled_at")
                or leader.cancelled_at,
                team_key=leader.team_key,
                team_name=leader.team_name,
                checkin_code=checkin_code_or_none(member.get("checkin_code")),
            )
            self._registrations.append(draft)
            self._participation(member, member_where, draft)

    def _participation(self, container: dict, where: str | tuple, registration: RegistrationDraft) -> None:
        enrollment_no = registration.student.enrollment_no
        attendance = container.get("attendance")
        items: list[tuple[tuple[str, str], Any]] = []
        if isinstance(attendance, list):
            items = [((where, sys.intern(f".attendance[{i}]")), item) for i, item in enumerate(attendance)]
        elif isinstance(attendance, dict):
            items = [((where, ".attendance"), attendance)]
        elif attendance is not None:
            self.problems.drop(
                f"{joined(where)}.attendance", "INVALID_RECORD", "attendance must be a list, an object or null."
            )
        for item_where, item in items:
            if not isinstance(item, dict):
                self.problems.drop(joined(item_where), "INVALID_RECORD", "An attendance must be an object.")
                continue
            self._record("attendance", item, item_where, enrollment_no, registration)
        feedback = container.get("feedback")
        if isinstance(feedback, dict) and feedback.get("submitted") is not False:
            self._record("feedback", feedback, (where, ".feedback"), enrollment_no, registration)
        elif feedback is not None and not isinstance(feedback, dict):
            self.problems.drop(f"{joined(where)}.feedback", "INVALID_RECORD", "feedback must be an object or null.")
        certificate = container.get("certificate")
        if isinstance(certificate, dict) and certificate.get("issued") is not False:
            self._record("certificate", certificate, (where, ".certificate"), enrollment_no, registration)
        elif certificate is not None and not isinstance(certificate, dict):
            self.problems.drop(
                f"{joined(where)}.certificate", "INVALID_RECORD", "certificate must be an object or null."
            )

    def _record(
        self,
        kind: str,
        data: dict,
        where: str | tuple[str, str],
        enrollment_no: str,
        registration: RegistrationDraft | None,
        hint: str = "",
    ) -> None:
        """A student's attendance, feedback or certificate (``kind``), unless it is left out: its own id when
        it has one (``<kind>_id``), and the registration it belongs to, or for an event-level record the
        registration id it names."""
        if kind == "attendance":
            facts = self._attendance_facts(data, where)
        elif kind == "feedback":
            facts = self._feedback_facts(data, where)
        else:
            facts = self._certificate_facts(data, where)
        if facts is None:
            return
        self._participations.append(
            ParticipationDraft(
                kind=kind,
                where=where,
                record_id=record_id_or_none(data.get(f"{kind}_id")),
                enrollment_no=enrollment_no,
                registration=registration,
                registration_hint=hint or None,
                **facts,
            )
        )

    def _attendance_facts(self, data: dict, where: str | tuple[str, str]) -> dict | None:
        """None for a student marked absent."""
        if data.get("marked") is False or clean_text(data.get("attendance_status")).lower() == "absent":
            return None
        return {
            "session": shared(clean_text(data.get("session"))) or None,
            "moment": self._date(data.get("marked_at"), where, ".marked_at"),
            "marked_by": shared(clean_text(data.get("marked_by"))),
        }

    def _feedback_facts(self, data: dict, where: str | tuple[str, str]) -> dict | None:
        """None (reported) for a rating that is not 1 to 5."""
        rating = None
        if data.get("rating") is not None:
            rating = integer(data.get("rating"))
            if rating is None or not 1 <= rating <= 5:
                self.problems.drop(
                    f"{joined(where)}.rating", "INVALID_RATING", f"Rating {data.get('rating')!r} is not 1..5."
                )
                return None
        return {
            "moment": self._date(data.get("submitted_at"), where, ".submitted_at"),
            "rating": rating,
            "comments": shared(clean_text(data.get("comments"))),
        }

    def _certificate_facts(self, data: dict, where: str | tuple[str, str]) -> dict:
        issued_at = self._date(data.get("issued_at"), where, ".issued_at")
        revoked_at = self._date(data.get("revoked_at"), where, ".revoked_at")
        if flag(data.get("revoked"), False) and revoked_at is None:
            revoked_at = issued_at
        return {
            "moment": issued_at,
            "revoked_at": revoked_at,
            "revoked_reason": clean_text(data.get("revoked_reason"))
            or ("Revoked in the previous system." if revoked_at else ""),
        }

    def _flat_attendance(self, entry: dict, where: str | tuple, registration: RegistrationDraft) -> None:
        """The second shape: ``physical_attendance_id`` / ``virtual_attendance_id`` with a final status."""
        final = clean_text(entry.get("final_attendance_status")).lower()
        physical, virtual = (
            clean_text(entry.get("physical_attendance_id")),
            clean_text(entry.get("virtual_attendance_id")),
        )
        if not final and not physical and not virtual:
            return
        if final == "absent":
            return
        if final and final not in ATTENDED_STATUSES:
            self.problems.drop(
                f"{joined(where)}.final_attendance_status", "INVALID_VALUE", f"Unknown attendance status {final!r}."
            )
            return
        record_id = (virtual or physical) if final == "virtual_only" else (physical or virtual)
        self._participations.append(
            ParticipationDraft(
                kind="attendance",
                where=(where, ".final_attendance_status"),
                record_id=record_id_or_none(record_id),
                enrollment_no=registration.student.enrollment_no,
                registration=registration,
                session=clean_text(entry.get("session")) or None,
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
                self.problems.drop(name, "INVALID_RECORD", f"{name} must be an object keyed by id.")
                continue
            for record_id, value in records.items():
                path = f"{name}.{record_id}"
                data = value if isinstance(value, dict) else {"enrollment_no": value}
                enrollment_no, problem = enrollment_clean(data.get("enrollment_no"))
                if enrollment_no is None:
                    self.problems.drop(
                        f"{path}.enrollment_no" if isinstance(value, dict) else path,
                        problem,
                        "No valid enrollment number.",
                    )
                    continue
                hint = clean_text(data.get("registration_id"))
                if kind == "attendance":
                    self._record(kind, {**data, "attendance_id": record_id}, path, enrollment_no, None, hint)
                elif kind == "feedback":
                    self._record(kind, {"feedback_id": record_id, **data}, path, enrollment_no, None, hint)
                else:
                    self._record(kind, {"certificate_id": record_id, **data}, path, enrollment_no, None, hint)

    # the event

    def finish(self, fields: dict) -> LegacyEvent:
        """Resolve everything that needs the event: ids, duplicates, teams, sessions, rule warnings."""
        self._event_level(fields)
        event = event_row(fields, self._registrations, self.problems)
        sessions = session_rows(fields, self.problems)
        organizers = sorted({clean_text(name) for name in fields.get("organizers") or [] if clean_text(name)})
        if not isinstance(fields.get("organizers") or [], list):
            self.problems.drop("organizers", "INVALID_VALUE", "organizers must be a list of usernames.")
            organizers = []
        registrations, teams, kept_by_student = resolve_registrations(
            self._registrations, event, self.problems, self._secret
        )
        kept = {row.registration_id: row for row in registrations}
        attendances, feedbacks, certificates = resolve_participation(
            self._participations, event, sessions, kept, kept_by_student, self.problems
        )
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
            dropped=self.problems.dropped,
            warnings=self.problems.warnings,
        )
        rule_warnings(legacy, self.problems.warn)
        self._registrations, self._participations = [], []  # a big event's drafts go before its rows are written
        return legacy


def student_from_document(document: dict, path: str = "") -> tuple[StudentData | None, list[Problem]]:
    """A document of the ``students`` export."""
    decoder = EventDecoder()
    student = decoder._student(document, path or "student")
    return student, decoder.dropped
