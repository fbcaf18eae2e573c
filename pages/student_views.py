"""The student's own pages across every event: my events (status, waitlist place, check-in QR code,
attendance, feedback, where they stand for a certificate) and the history."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certificates import eligibility
from certificates.selectors import HistoryEntry, student_history
from events.attendance_rules import RuleFacts, rule_of
from events.models import Event, EventSession
from pages.views import student_of
from registrations.models import CURRENT_STATUSES, RegistrationStatus, Student
from registrations.selectors import (
    student_sessions_by_event,
    student_teams_forming,
    team_invitations_of,
    waitlist_position,
)


@dataclass
class EventCard:
    """One event on "My events": the history entry plus what the page shows about it."""

    entry: HistoryEntry
    waitlist_position: int | None = None
    sessions: list[tuple[EventSession, bool]] = field(default_factory=list)

    @property
    def event(self) -> Event:
        return self.entry.event

    @property
    def registration(self):
        return self.entry.registration

    @property
    def rule(self) -> RuleFacts:
        return rule_of(self.event, sessions=[session for session, _ in self.sessions])

    @property
    def standing(self) -> eligibility.Eligibility:
        """Where the student stands against the event's attendance rule (no query: the card has the facts)."""
        return eligibility.evaluate(
            self.rule,
            confirmed=self.registration.status == RegistrationStatus.CONFIRMED,
            attended_sessions={session.pk for session, present in self.sessions if present},
            gave_feedback=self.entry.feedback_id is not None,
        )

    @property
    def can_give_feedback(self) -> bool:
        return (
            self.registration.status == RegistrationStatus.CONFIRMED
            and bool(self.entry.attendance_ids)
            and self.entry.feedback_id is None
        )


def _event_cards(student: Student, entries: list[HistoryEntry]) -> list[EventCard]:
    sessions = student_sessions_by_event(student, [entry.event.pk for entry in entries])
    return [
        EventCard(
            entry=entry,
            waitlist_position=waitlist_position(entry.registration),
            sessions=sessions.get(entry.event.pk, []),
        )
        for entry in entries
    ]


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    student = student_of(request.user)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    active = [entry for entry in student_history(student) if entry.registration.status in CURRENT_STATUSES]
    context = {
        "student": student,
        "cards": _event_cards(student, active),
        "invitations": team_invitations_of(student),
        "forming_teams": student_teams_forming(student),
    }
    return render(request, "registrations/my_events.html", context)


@login_required
def my_history(request: HttpRequest) -> HttpResponse:
    student = student_of(request.user)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    return render(request, "registrations/history.html", {"student": student, "entries": student_history(student)})
