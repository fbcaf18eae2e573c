"""Event pages: the public list and detail (with registration), and the organizer pages of one
event: check-in, roster (with CSV export) and certificates.

Organizer pages answer 404 for an event that does not exist and 403 for an event the user
does not organize; anonymous users are sent to the login page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from analytics.exports import roster_registrations, roster_rows
from analytics.roster_export import roster_csv_lines
from certificates.forms import CertificateBulkIssueForm, CertificateIssueForm
from certificates.selectors import certificate_counts, certificate_list_for_event
from certificates.services import certificate_issue, certificate_issue_all_eligible, certificate_issue_many
from clubs.selectors import club_list_visible
from events.attendance_rules import rule_of
from events.calendars import google_calendar_url
from events.forms import CheckinForm, EventSearchForm, RosterSearchForm
from events.manage_nav import manage_context
from events.models import Event
from events.selectors import (
    event_get_organized,
    event_list_managed_by,
    event_list_published,
    event_session_current,
    event_sessions,
    event_user_is_organizer,
)
from eventsite.errors import DomainError, NotFound, ValidationFailed
from eventsite.forms import form_add_domain_error
from registrations.forms import TeamRegistrationForm
from registrations.models import RegistrationStatus, Student
from registrations.selectors import (
    attendance_count_for_session,
    attendance_marks,
    student_event_record,
    waitlist_position,
)
from registrations.services import attendance_mark, registration_cancel, registration_create, team_register

EVENTS_PER_PAGE = 20
ROSTER_PER_PAGE = 50
CERTIFICATES_PER_PAGE = 100


def student_of(user) -> Student | None:
    return getattr(user, "student", None) if user.is_authenticated else None


def _event_visible(event_id: str, user) -> Event:
    """A published or cancelled event for everyone; a draft or one awaiting approval only for its organizers."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or (not event.is_public and not event_user_is_organizer(event, user)):
        raise Http404("No such event.")
    return event


def home(request: HttpRequest) -> HttpResponse:
    open_events = list(event_list_published(status="open")[:6])
    return render(request, "home.html", {"open_events": open_events})


def event_list(request: HttpRequest) -> HttpResponse:
    form = EventSearchForm(request.GET or None)
    status = q = ""
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    events = event_list_published(status=status or None, q=q or None)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    tabs = [("", "All"), ("open", "Open"), ("upcoming", "Upcoming"), ("past", "Past")]
    return render(request, "events/list.html", {"form": form, "page": page, "status": status, "q": q, "tabs": tabs})


def _detail_context(request: HttpRequest, event: Event, team_form: TeamRegistrationForm | None = None) -> dict:
    student = student_of(request.user)
    record = student_event_record(student, event) if student else None
    registration = record.registration if record else None
    active = registration is not None and registration.is_active
    return {
        "event": event,
        "sessions": event_sessions(event),
        "student": student,
        "record": record,
        "registration": registration if active else None,
        "waitlist_position": waitlist_position(registration) if active else None,
        "registration_open": event.status == Event.Status.PUBLISHED and event.phase == Event.Phase.REGISTRATION_OPEN,
        "team_form": team_form or TeamRegistrationForm(),
        "register_errors": [],
        "is_organizer": event_user_is_organizer(event, request.user),
        "share_url": settings.SITE_URL + reverse("event-detail", args=[event.pk]),
        "google_calendar_url": google_calendar_url(
            event, details_url=settings.SITE_URL + reverse("event-detail", args=[event.pk])
        ),
    }


@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    """The event, the student's place in it, and the forms to register or cancel."""
    event = _event_visible(event_id, request.user)
    if request.method == "GET":
        return render(request, "events/detail.html", _detail_context(request, event))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    student = student_of(request.user)
    action = request.POST.get("action")
    if student is None:
        context = _detail_context(request, event)
        context["register_errors"] = ["Only students can register. This account is not linked to a student."]
        return render(request, "events/detail.html", context, status=403)
    if action == "team":
        return _team_register(request, event, student)
    try:
        if action == "register":
            registration = registration_create(event=event, enrollment_no=student.pk, actor=request.user)
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, f"You are registered for {event.title}.")
            else:
                messages.info(
                    request,
                    f"{event.title} is full: you are on the waitlist, place {waitlist_position(registration)}.",
                )
        elif action == "cancel":
            registration_cancel(event=event, enrollment_no=student.pk, actor=request.user)
            messages.success(request, f"Your registration for {event.title} is cancelled.")
        else:
            context = _detail_context(request, event)
            context["register_errors"] = ["Choose what to do: register or cancel."]
            return render(request, "events/detail.html", context, status=400)
    except DomainError as error:
        context = _detail_context(request, event)
        context["register_errors"] = [error.message]
        return render(request, "events/detail.html", context, status=error.http_status)
    return redirect("event-detail", event_id=event.pk)


def _team_register(request: HttpRequest, event: Event, student: Student) -> HttpResponse:
    form = TeamRegistrationForm(request.POST)
    if form.is_valid():
        try:
            team = team_register(
                event=event,
                team_name=form.cleaned_data["team_name"],
                leader=student.pk,
                members=form.cleaned_data["members"],
                actor=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form, error, field_aliases={"enrollment_nos": "members", "leader": "members"})
        else:
            if team.status == RegistrationStatus.CONFIRMED:
                messages.success(request, f"Team {team.name} is registered for {event.title}.")
            else:
                messages.info(request, f"{event.title} is full: team {team.name} is on the waitlist.")
            return redirect("event-detail", event_id=event.pk)
    return render(request, "events/detail.html", _detail_context(request, event, team_form=form), status=400)


@login_required
def organize(request: HttpRequest) -> HttpResponse:
    events = event_list_managed_by(request.user).order_by("-starts_at", "event_id")
    clubs = list(club_list_visible(request.user))
    if not request.user.is_staff and not clubs and not events.exists():
        raise PermissionDenied("You organize no events.")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/organize.html", {"page": page, "clubs": clubs})


def _checkin_answer(event: Event, value: str, session_code: str, actor) -> dict:
    """Check in by check-in code, or by enrollment number when no registration has that code."""
    try:
        attendance, created = attendance_mark(event=event, checkin_code=value, session=session_code, actor=actor)
    except NotFound as not_a_code:
        try:
            attendance, created = attendance_mark(event=event, enrollment_no=value, session=session_code, actor=actor)
        except ValidationFailed:
            raise not_a_code from None
    session = attendance.session
    return {
        "ok": True,
        "headline": "Checked in" if created else "Already checked in",
        "created": created,
        "name": attendance.student.full_name,
        "enrollment_no": attendance.student_id,
        "session": session.title or session.code,
        "marked_at": attendance.marked_at,
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_checkin(request: HttpRequest, event_id: str) -> HttpResponse:
    """The door: type or scan a code, see a large green or red answer, scan the next one."""
    event = event_get_organized(event_id, request.user)
    sessions = event_sessions(event)
    answer = None
    if request.method == "POST":
        form = CheckinForm(request.POST, sessions=sessions)
        if form.is_valid():
            session_code = form.cleaned_data["session"]
            try:
                answer = _checkin_answer(event, form.cleaned_data["code"], session_code, request.user)
            except DomainError as error:
                answer = {"ok": False, "headline": "Not checked in", "message": error.message}
            form = CheckinForm(sessions=sessions, initial={"session": session_code})
        else:
            message = "Type or scan a code first." if "code" in form.errors else "Choose one of the sessions."
            answer = {"ok": False, "headline": "Not checked in", "message": message}
    else:
        current = event_session_current(event, timezone.now()) if sessions else None
        form = CheckinForm(sessions=sessions, initial={"session": current.code if current else None})
    known = {session.code for session in sessions}
    chosen = form["session"].value()
    session_code = chosen if chosen in known else (sessions[0].code if sessions else None)
    checked_in = attendance_count_for_session(event, session_code)
    context = manage_context(event, "checkin") | {
        "form": form,
        "answer": answer,
        "checked_in": checked_in,
        "confirmed": event.confirmed_count,
    }
    return render(request, "events/checkin.html", context)


@login_required
def event_roster(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    form = RosterSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    sessions = event_sessions(event)
    enrollment_nos = roster_registrations(event, q=q).values_list("student_id", flat=True)
    page = Paginator(enrollment_nos, ROSTER_PER_PAGE).get_page(request.GET.get("page"))
    marks = attendance_marks(event, list(page.object_list))
    rows = [
        (row, [marks.get((row["enrollment_no"], session.pk)) for session in sessions])
        for row in roster_rows(event, sessions=sessions, enrollment_nos=list(page.object_list))
    ]
    context = manage_context(event, "roster") | {
        "form": form,
        "q": q,
        "page": page,
        "rows": rows,
        "sessions": sessions,
    }
    return render(request, "events/roster.html", context)


@login_required
def event_roster_csv(request: HttpRequest, event_id: str) -> StreamingHttpResponse:
    event = event_get_organized(event_id, request.user)
    response = StreamingHttpResponse(roster_csv_lines(event), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.pk}-roster.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def event_certificates(request: HttpRequest, event_id: str) -> HttpResponse:
    """Issue one student's certificate (any kind), one kind to a list, or every eligible student's
    participation certificate, and list those issued."""
    event = event_get_organized(event_id, request.user)
    form = CertificateIssueForm()
    bulk_form = CertificateBulkIssueForm(prefix="bulk")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "all":
        result = certificate_issue_all_eligible(event=event, actor=request.user)
        messages.success(
            request,
            f"{result.created} new certificate{'s' if result.created != 1 else ''} issued; "
            f"{len(result.issued)} students hold one; {len(result.skipped)} not eligible.",
        )
        return redirect("event-certificates", event_id=event.pk)
    if action == "many":
        bulk_form = CertificateBulkIssueForm(request.POST, prefix="bulk")
        if bulk_form.is_valid():
            try:
                result = certificate_issue_many(
                    event=event,
                    enrollment_nos=bulk_form.cleaned_data["enrollment_nos"],
                    kind=bulk_form.cleaned_data["kind"],
                    title=bulk_form.cleaned_data["title"],
                    actor=request.user,
                )
            except DomainError as error:
                form_add_domain_error(bulk_form, error)
            else:
                skipped = ", ".join(f"{enr} ({code})" for enr, code in result.skipped.items())
                messages.success(
                    request,
                    f"{result.created} new certificate{'s' if result.created != 1 else ''} issued; "
                    f"{len(result.issued)} students hold one of this kind."
                    + (f" Not issued: {skipped}." if skipped else ""),
                )
                return redirect("event-certificates", event_id=event.pk)
    elif request.method == "POST":
        form = CertificateIssueForm(request.POST)
        if form.is_valid():
            try:
                certificate, created = certificate_issue(
                    event=event,
                    enrollment_no=form.cleaned_data["enrollment_no"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    actor=request.user,
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                student = certificate.student
                if created:
                    messages.success(
                        request, f"Certificate {certificate.pk} issued to {student.full_name} ({certificate.heading})."
                    )
                else:
                    messages.info(request, f"{student.full_name} already holds certificate {certificate.pk}.")
                return redirect("event-certificates", event_id=event.pk)
    page = Paginator(certificate_list_for_event(event), CERTIFICATES_PER_PAGE).get_page(request.GET.get("page"))
    context = manage_context(event, "certificates") | {
        "form": form,
        "bulk_form": bulk_form,
        "page": page,
        "counts": certificate_counts(event),
        "rule": rule_of(event),
    }
    status = 400 if (form.is_bound and form.errors) or (bulk_form.is_bound and bulk_form.errors) else 200
    return render(request, "events/certificates.html", context, status=status)
