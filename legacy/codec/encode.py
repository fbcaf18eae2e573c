"""Rows to the first legacy shape (records nested per registration), as the old system wrote it;
the exporter and the V1 API use it."""

from collections.abc import Iterable
from typing import Any

from legacy.codec.event import DEFAULT_SESSION
from legacy.codec.rows import (
    AttendanceRow,
    CertificateRow,
    EventRow,
    FeedbackRow,
    RegistrationRow,
    SessionRow,
    StudentData,
    TeamRow,
)
from legacy.codec.values import date_out, semester_from_year


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
