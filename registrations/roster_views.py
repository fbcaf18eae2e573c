"""The acting roster: an event's registrations with their check-ins and answers, and what an
organizer does from it (approve or reject, check in, give a waitlisted student a seat, cancel;
rejecting and cancelling after a confirmation).

Every action calls the registration services; a refusal comes back as a message on the roster.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from events.manage_nav import manage_context
from events.models import Event
from events.selectors import event_get_organized, event_sessions
from eventsite.errors import DomainError
from eventsite.forms import form_add_domain_error
from registrations.forms import RosterFilterForm, RosterRejectForm
from registrations.models import ACTIVE_STATUSES, Registration, RegistrationAnswer, RegistrationStatus
from registrations.selectors import (
    event_teams_forming,
    registration_status_counts,
    roster_questions,
    roster_registrations,
    roster_rows_of,
    waitlist_position,
)
from registrations.services import (
    attendance_mark,
    registration_approve,
    registration_cancel,
    registration_promote,
    registration_reject,
)

ROSTER_PER_PAGE = 50
FILTER_KEYS = ("q", "status", "session", "page")


def _back_to_roster(event: Event, query: str) -> str:
    """The roster URL with the filters and page the organizer came from, and nothing else."""
    kept = {key: value for key, value in QueryDict(query).items() if key in FILTER_KEYS and value}
    url = reverse("event-roster", args=[event.pk])
    return f"{url}?{urlencode(kept)}" if kept else url


def _registration_in(event: Event, registration_id: str) -> Registration | None:
    """The event's registration with that id, with its student and team (who the messages name), or None."""
    return Registration.objects.select_related("student", "team").filter(event=event, pk=registration_id).first()


def _roster_action(request: HttpRequest, event_id: str, registration_id: str) -> tuple[Event, Registration, str, str]:
    """What a roster confirmation page (cancel, reject) works on: the organizer's event, its registration
    with who it is (404 for any other), the roster query it carries along (the form's hidden field, else
    the link's) and the roster URL to go back to."""
    event = event_get_organized(event_id, request.user)
    registration = _registration_in(event, registration_id)
    if registration is None:
        raise Http404("No such registration.")
    back_query = request.POST.get("back") or request.GET.get("back", "")
    return event, registration, back_query, _back_to_roster(event, back_query)


def _confirm_context(event: Event, registration: Registration, back: str, back_query: str, **affected) -> dict:
    """A roster confirmation page's context: the registration and, for a team's, the team's rows the
    action reaches (``affected``: a filter of their status)."""
    team = registration.team
    team_members = list(team.registrations.select_related("student").filter(**affected)) if team else []
    return manage_context(event, "roster") | {
        "registration": registration,
        "team_members": team_members,
        "back": back,
        "back_query": back_query,
    }


def _who(registration: Registration) -> str:
    """How a roster message names a registration: its team, else its student."""
    return f"team {registration.team.name}" if registration.team else registration.student.full_name


@login_required
def event_roster(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    sessions = event_sessions(event)
    form = RosterFilterForm(request.GET or None, sessions=sessions, statuses=RegistrationStatus.choices)
    filters = {}
    if form.is_bound:
        form.is_valid()  # a filter that is not one of its choices is left out; the others still apply
        filters = form.cleaned_data
    session = next((s for s in sessions if s.code == filters.get("session")), None)
    registrations = roster_registrations(
        event=event, actor=request.user, q=filters.get("q"), status=filters.get("status"), session=session
    )
    page = Paginator(registrations, ROSTER_PER_PAGE).get_page(request.GET.get("page"))
    questions = roster_questions(event)
    rows = [
        (
            row,
            [(session, row.checkins.get(session.code)) for session in sessions],
            [(question, RegistrationAnswer.as_text(row.answers.get(question.code))) for question in questions],
            event.seats_missing(row.group_size),
        )
        for row in roster_rows_of(event, list(page.object_list))
    ]
    counts = registration_status_counts(event)
    query = {key: filters.get(key) for key in ("q", "status", "session") if filters.get(key)}
    context = manage_context(event, "roster") | {
        "form": form,
        "page": page,
        "rows": rows,
        "sessions": sessions,
        "questions": questions,
        "extra_query": urlencode(query),
        "back": urlencode(query | ({"page": page.number} if page.number > 1 else {})),
        "waitlisted": counts.get(RegistrationStatus.WAITLISTED, 0),
        "pending": counts.get(RegistrationStatus.PENDING, 0),
        "forming_teams": event_teams_forming(event) if event.is_team_event else [],
    }
    return render(request, "registrations/roster.html", context)


@login_required
@require_POST
def event_roster_act(request: HttpRequest, event_id: str) -> HttpResponse:
    """One action on one registration from the roster: ``checkin`` (with ``session``), ``approve``, or
    ``promote`` (with ``add_seats=1`` when the organizer chose to add the seats it needs)."""
    event = event_get_organized(event_id, request.user)
    back = _back_to_roster(event, request.POST.get("back", ""))
    registration = _registration_in(event, request.POST.get("registration", ""))
    if registration is None:
        messages.error(request, "That registration is not in this event's roster any more. Reload and try again.")
        return redirect(back)
    student = registration.student
    action = request.POST.get("action")
    try:
        if action == "checkin":
            attendance, created = attendance_mark(
                event=event, enrollment_no=student.pk, session=request.POST.get("session") or None, actor=request.user
            )
            session_name = str(attendance.session)
            if created:
                messages.success(request, f"{student.full_name} is checked in to {session_name}.")
            else:
                messages.info(request, f"{student.full_name} was already checked in to {session_name}.")
        elif action == "approve":
            approved = registration_approve(registration=registration, actor=request.user)
            if approved.status == RegistrationStatus.CONFIRMED:
                messages.success(request, f"{student.full_name} is approved and holds a seat; they are emailed.")
            else:
                messages.info(
                    request,
                    f"{student.full_name} is approved; no seat is free, so they wait at place "
                    f"{waitlist_position(approved)} of the waitlist. They are emailed.",
                )
        elif action == "promote":
            promoted = registration_promote(
                event=event,
                registration_id=registration.pk,
                add_seats=request.POST.get("add_seats") == "1",
                actor=request.user,
            )
            if registration.team_id:
                seated = f"Team {registration.team.name} ({len(promoted)} students) now holds its seats"
            else:
                seated = f"{student.full_name} now holds a seat"
            messages.success(request, f"{seated}; they are emailed.")
        else:
            messages.error(request, "Choose an action from the roster.")
    except DomainError as error:
        messages.error(request, f"{student.full_name}: {error.message}")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def event_roster_cancel(request: HttpRequest, event_id: str, registration_id: str) -> HttpResponse:
    """Say who loses their place (a whole team) and ask; the POST of this page's button cancels."""
    event, registration, back_query, back = _roster_action(request, event_id, registration_id)
    error = None
    if request.method == "POST":
        try:
            result = registration_cancel(event=event, enrollment_no=registration.student_id, actor=request.user)
        except DomainError as refused:
            error = refused.message
        else:
            who = _who(registration)
            promoted = len(result.promoted)
            moved_up = f" {promoted} from the waitlist now hold a seat." if promoted else ""
            messages.success(request, f"The registration of {who} is cancelled; they are emailed.{moved_up}")
            return redirect(back)
    context = _confirm_context(event, registration, back, back_query, status__in=ACTIVE_STATUSES)
    context["error"] = error
    return render(request, "registrations/roster_cancel.html", context, status=409 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_roster_reject(request: HttpRequest, event_id: str, registration_id: str) -> HttpResponse:
    """Say who is turned down (a whole team), take an optional reason for the audit trail, then reject."""
    event, registration, back_query, back = _roster_action(request, event_id, registration_id)
    form = RosterRejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration_reject(registration=registration, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            who = _who(registration)
            messages.success(request, f"The registration of {who} is rejected; they are emailed.")
            return redirect(back)
    context = _confirm_context(event, registration, back, back_query, status=RegistrationStatus.PENDING)
    context["form"] = form
    return render(request, "registrations/roster_reject.html", context, status=400 if form.errors else 200)
