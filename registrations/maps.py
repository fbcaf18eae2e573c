"""The enrollment-keyed maps of an event held by registrations (``events.maps``, registered from
``RegistrationsConfig.ready``)."""

from typing import Any

from django.db.models.functions import Lower

from events.maps import MISSING, RowMap, enrollment_key, id_per_student, register_map, team_name_key
from registrations.models import ACTIVE_STATUSES, Attendance, Feedback, Registration, RegistrationStatus


def registrations_map(event_pk: str) -> RowMap:
    """``{enrollment_no: registration_id}`` of confirmed registrations, in registration order."""
    confirmed = Registration.objects.filter(event_id=event_pk, status=RegistrationStatus.CONFIRMED)
    return id_per_student(confirmed, "registration_id", "registered_at", "registration_id")


def waitlist_map(event_pk: str) -> RowMap:
    """``{enrollment_no: registration_id}`` of waitlisted registrations, in waitlist order."""
    waiting = Registration.objects.filter(event_id=event_pk, status=RegistrationStatus.WAITLISTED)
    return id_per_student(waiting, "registration_id", "waitlist_seq", "registered_at", "registration_id")


def team_registrations_map(event_pk: str) -> RowMap:
    """``{team_name: {enrollment_no: registration_id}}`` of active teams, in team order."""
    members = Registration.objects.filter(event_id=event_pk, status__in=ACTIVE_STATUSES, team__isnull=False)

    def load_all() -> dict:
        teams: dict[str, dict[str, str]] = {}
        rows = members.order_by("team__created_at", "team_id", "registered_at", "registration_id").values_list(
            "team__name", "student_id", "registration_id"
        )
        for team_name, enrollment_no, registration_id in rows:
            teams.setdefault(team_name, {})[enrollment_no] = registration_id
        return teams

    def load_one(name: str) -> Any:
        rows = (
            members.alias(team_name_ci=Lower("team__name"))
            .filter(team_name_ci=name)
            .order_by("registered_at", "registration_id")
            .values_list("student_id", "registration_id")
        )
        found = dict(rows)
        return found or MISSING

    return RowMap(load_all, load_one, team_name_key)


def attendances_map(event_pk: str) -> RowMap:
    """``{enrollment_no: [attendance_id, ...]}`` in session order."""
    marks = Attendance.objects.filter(event_id=event_pk)
    order = ("session__position", "session_id", "marked_at", "attendance_id")

    def load_all() -> dict:
        found: dict[str, list[str]] = {}
        for enrollment_no, attendance_id in marks.order_by(*order).values_list("student_id", "attendance_id"):
            found.setdefault(enrollment_no, []).append(attendance_id)
        return found

    def load_one(enr: str) -> Any:
        ids = list(marks.filter(student_id=enr).order_by(*order).values_list("attendance_id", flat=True))
        return ids or MISSING

    return RowMap(load_all, load_one, enrollment_key)


def feedbacks_map(event_pk: str) -> RowMap:
    """``{enrollment_no: feedback_id}``."""
    given = Feedback.objects.filter(event_id=event_pk)
    return id_per_student(given, "feedback_id", "submitted_at", "feedback_id")


def register() -> None:
    register_map("registrations", registrations_map)
    register_map("waitlist", waitlist_map)
    register_map("team_registrations", team_registrations_map)
    register_map("attendances", attendances_map)
    register_map("feedbacks", feedbacks_map)
