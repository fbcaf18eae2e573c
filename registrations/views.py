"""Student pages: sign up, my events (status, waitlist place, check-in QR code, attendance,
feedback, certificates), the feedback form and the history across every event."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from certificates import eligibility
from events.models import Event, EventSession
from events.selectors import event_user_is_organizer
from eventsite.errors import DomainError
from eventsite.forms import form_add_domain_error
from registrations.forms import FeedbackForm, LoginForm, SignupForm
from registrations.models import RegistrationStatus, Student
from registrations.selectors import (
    HistoryEntry,
    feedback_of,
    student_event_record,
    student_history,
    student_sessions_by_event,
    waitlist_position,
)
from registrations.services import feedback_submit, student_signup


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("my-events")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            student = student_signup(
                enrollment_no=data["enrollment_no"],
                full_name=data["full_name"],
                email=data["email"],
                department=data["department"],
                year=data["year"],
                password=data["password"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            login(request, student.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {student.full_name}. Your username is {student.enrollment_no}.")
            return redirect(_safe_next(request, "my-events"))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "registration/signup.html", {"form": form, "next": _safe_next(request, "")}, status=status)


def _student_or_none(request: HttpRequest) -> Student | None:
    return getattr(request.user, "student", None)


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
    def rule(self) -> eligibility.RuleFacts:
        return eligibility.rule_of(self.event, sessions=[session for session, _ in self.sessions])

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
    student = _student_or_none(request)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    active = [entry for entry in student_history(student) if entry.registration.is_active]
    return render(request, "registrations/my_events.html", {"student": student, "cards": _event_cards(student, active)})


@login_required
def my_history(request: HttpRequest) -> HttpResponse:
    student = _student_or_none(request)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    return render(request, "registrations/history.html", {"student": student, "entries": student_history(student)})


@login_required
@require_http_methods(["GET", "POST"])
def event_feedback(request: HttpRequest, event_id: str) -> HttpResponse:
    event = Event.objects.filter(pk=event_id).first()
    if event is None or (not event.is_public and not event_user_is_organizer(event, request.user)):
        raise Http404("No such event.")
    student = _student_or_none(request)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    given = feedback_of(student, event)
    record = student_event_record(student, event)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and given is None and form.is_valid():
        try:
            feedback_submit(
                event=event,
                enrollment_no=student.pk,
                rating=form.cleaned_data["rating"],
                comments=form.cleaned_data["comments"],
                actor=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Thank you for your feedback on {event.title}.")
            return redirect("my-events")
    status = 400 if form.is_bound and form.errors else 200
    context = {"event": event, "form": form, "given": given, "record": record}
    return render(request, "registrations/feedback.html", context, status=status)


class SiteLoginView(LoginView):
    """Django's login page with LoginForm (the lock-out's answer is made 429 by its middleware)."""

    authentication_form = LoginForm
