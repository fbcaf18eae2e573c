"""What legacy history breaks of today's rules for new actions: reported as warnings, never dropped."""

from collections import Counter
from collections.abc import Callable

from certificates.eligibility import evaluate
from events.attendance_rules import RuleFacts, SessionFact
from events.models import Event
from legacy.codec.rows import LegacyEvent

Warn = Callable[[str, str, str], None]  # (path, code, message)


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


def rule_warnings(legacy: LegacyEvent, warn: Warn) -> None:
    """What this history breaks of today's rules for new actions: reported, not dropped."""
    by_id = {row.registration_id: row for row in legacy.registrations}
    _capacity(legacy, warn)
    _registration_window_and_mode(legacy, warn)
    _team_sizes(legacy, warn)
    attended = _attendance(legacy, by_id, warn)
    gave_feedback = _feedback(legacy, attended, warn)
    _certificates(legacy, by_id, attended, gave_feedback, warn)


def _capacity(legacy: LegacyEvent, warn: Warn) -> None:
    event = legacy.event
    confirmed = sum(1 for row in legacy.registrations if row.status == "confirmed")
    if not Event(capacity=event.capacity).capacity_holds(confirmed):
        warn("max_participants", "EVENT_FULL", f"{confirmed} confirmed students for {event.capacity} places.")


def _registration_window_and_mode(legacy: LegacyEvent, warn: Warn) -> None:
    event = Event(**legacy.event._asdict())  # unsaved: only to ask today's rules
    for row in legacy.registrations:
        path = f"registrations.{row.registration_id}"
        if not event.registration_window_open_at(row.registered_at):
            warn(path, "REGISTRATION_CLOSED", "Registered outside the registration window.")
        if (row.team_id is not None) != (event.registration_mode == "team"):
            kind = "team" if row.team_id else "individual"
            warn(path, "WRONG_REGISTRATION_MODE", f"A {kind} registration in a {event.registration_mode} event.")


def _team_sizes(legacy: LegacyEvent, warn: Warn) -> None:
    event = legacy.event
    sizes = Counter(row.team_id for row in legacy.registrations if row.team_id and row.status != "cancelled")
    for team in legacy.teams:
        size = sizes[team.team_id]
        if team.status != "cancelled" and not event.team_size_min <= size <= event.team_size_max:
            warn(f"registrations.{team.team_id}", "TEAM_SIZE", f"Team {team.name!r} has {size} members.")


def _attendance(legacy: LegacyEvent, by_id: dict, warn: Warn) -> dict[str, set[str]]:
    """Each student's attended session codes; an attendance on a registration not confirmed is reported."""
    attended: dict[str, set[str]] = {}
    for row in legacy.attendances:
        attended.setdefault(row.student_id, set()).add(row.session_code)
        if by_id[row.registration_id].status != "confirmed":
            warn(f"attendances.{row.attendance_id}", "NOT_REGISTERED", "Attendance for a registration not confirmed.")
    return attended


def _feedback(legacy: LegacyEvent, attended: dict[str, set[str]], warn: Warn) -> set[str]:
    """The students who gave feedback; feedback without attendance is reported."""
    for row in legacy.feedbacks:
        if not attended.get(row.student_id):
            warn(f"feedbacks.{row.feedback_id}", "NOT_ATTENDED", "Feedback from a student with no attendance.")
    return {row.student_id for row in legacy.feedbacks}


def _certificates(legacy: LegacyEvent, by_id: dict, attended: dict, gave_feedback: set[str], warn: Warn) -> None:
    """A certificate the canonical eligibility rule would not give today is reported."""
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
