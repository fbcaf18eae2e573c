"""The new rows written back in the first legacy shape (nested per registration).

``event_document`` serves the exporter and the V1 API: a fixed number of queries per
event, whatever its size.
"""

import json
from collections.abc import Iterable
from pathlib import Path

from certificates.models import Certificate
from events.attendance_rules import rule_of
from events.models import Event
from legacy.codec.encode import event_to_legacy
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
from registrations.models import Attendance, Feedback, Registration, RegistrationStatus, Student, Team

LEGACY_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)

_EVENT_FIELDS = EventRow._fields


def _students(enrollment_nos: set[str]) -> dict[str, StudentData]:
    students: dict[str, StudentData] = {}
    ordered = sorted(enrollment_nos)
    for start in range(0, len(ordered), 5000):
        rows = Student.objects.filter(pk__in=ordered[start : start + 5000]).values_list(
            "enrollment_no", *StudentData.FIELDS
        )
        students.update((row[0], StudentData(*row)) for row in rows)
    return students


def event_document(event: Event) -> dict:
    """One event as the legacy system stored it."""
    sessions = [
        SessionRow(code, title, position)
        for code, title, position in event.sessions.order_by("position", "id").values_list("code", "title", "position")
    ]
    # The legacy shape knows confirmed, waitlisted and cancelled: a request awaiting approval, or one
    # rejected, held no place, so it is not part of the document.
    registrations = [
        RegistrationRow(*row)
        for row in Registration.objects.filter(event=event, status__in=LEGACY_STATUSES)
        .order_by("registered_at", "registration_id")
        .values_list(*RegistrationRow._fields)
    ]
    teams = [
        TeamRow(*row)
        for row in Team.objects.filter(event=event, status__in=LEGACY_STATUSES).values_list(
            "team_id", "name", "leader_id", "status", "created_at"
        )
    ]
    attendances = [
        AttendanceRow(*row[:5], marked_by=row[5] or "")
        for row in Attendance.objects.filter(event=event)
        .order_by("session__position", "session_id", "marked_at", "attendance_id")
        .values_list(
            "attendance_id", "student_id", "registration_id", "session__code", "marked_at", "marked_by__username"
        )
    ]
    feedbacks = [
        FeedbackRow(*row)
        for row in Feedback.objects.filter(event=event)
        .order_by("submitted_at", "feedback_id")
        .values_list("feedback_id", "student_id", "registration_id", "rating", "comments", "submitted_at")
    ]
    certificates = [
        CertificateRow(*row)
        for row in Certificate.objects.filter(event=event, kind=Certificate.Kind.PARTICIPATION)
        .order_by("issued_at", "certificate_id")
        .values_list("certificate_id", "student_id", "registration_id", "issued_at", "revoked_at", "revoked_reason")
    ]
    enrollment_nos = {row.student_id for row in registrations} | {team.leader_id for team in teams}
    fields = {name: getattr(event, name) for name in _EVENT_FIELDS}
    if event.attendance_rule_kind != Event.AttendanceRule.MIN_SESSIONS:
        # The legacy shape knows only "at least N sessions": another rule goes out as the number it needs now.
        fields["min_sessions_for_certificate"] = rule_of(event).required
    return event_to_legacy(
        event=EventRow(**fields),
        sessions=sessions,
        organizers=event.organizers.values_list("username", flat=True),
        students=_students(enrollment_nos),
        teams=teams,
        registrations=registrations,
        attendances=attendances,
        feedbacks=feedbacks,
        certificates=certificates,
    )


def export_events(out: Path | str, *, event_ids: Iterable[str] | None = None) -> int:
    """Write the events (all, or those named) as JSONL, one event at a time; returns how many."""
    events = Event.objects.order_by("starts_at", "event_id")
    if event_ids:
        events = events.filter(pk__in=list(event_ids))
    written = 0
    with open(out, "w", encoding="utf-8") as stream:
        for event in events.iterator(chunk_size=100):
            stream.write(json.dumps(event_document(event), ensure_ascii=False, separators=(",", ":")))
            stream.write("\n")
            written += 1
    return written
