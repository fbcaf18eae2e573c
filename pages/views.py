"""Event pages: the public list and detail (with registration), and the organizer pages of one
event: check-in, the roster's CSV export and certificates (the roster is in registrations.roster_views).

Organizer pages answer 404 for an event that does not exist and 403 for an event the user
does not organize; anonymous users are sent to the login page.
"""

from urllib.parse import urlencode

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

from analytics.roster_export import roster_csv_lines
from certificates.forms import CertificateBulkIssueForm, CertificateIssueForm
from certificates.selectors import certificate_counts, certificate_list_for_event
from certificates.services import certificate_issue, certificate_issue_all_eligible, certificate_issue_many
from clubs.models import Club
from clubs.selectors import club_list_visible
from events.attendance_rules import rule_of
from events.audience import audience_sentence
from events.calendars import google_calendar_url
from events.forms import CheckinForm, EventSearchForm
from events.manage_nav import manage_context
from events.models import Event
from events.selectors import (
    event_get_organized,
    event_get_visible_or_404,
    event_list_filter_choices,
    event_list_managed_by,
    event_list_published,
    event_poster_image,
    event_poster_of,
    event_questions_asked,
    event_session_current,
    event_sessions,
    event_user_is_organizer,
)
from eventsite.errors import DomainError, NotFound, ValidationFailed
from eventsite.forms import form_add_domain_error
from registrations.forms import ACCESS_CODE_INPUT_MAX, RegistrationAnswersForm, TeamJoinForm, TeamRegistrationForm
from registrations.models import CURRENT_STATUSES, RegistrationStatus, Student
from registrations.selectors import (
    attendance_count_for_session,
    registration_audience_refusal,
    student_event_record,
    team_panel,
    waitlist_position,
)
from registrations.services import attendance_mark, registration_cancel, registration_create
from registrations.teams import team_create

EVENTS_PER_PAGE = 20
CLUB_PAGE_EVENTS = 50
CERTIFICATES_PER_PAGE = 100


def student_of(user) -> Student | None:
    return getattr(user, "student", None) if user.is_authenticated else None


def home(request: HttpRequest) -> HttpResponse:
    open_events = list(event_list_published(status="open")[:6])
    return render(request, "home.html", {"open_events": open_events})


def event_list(request: HttpRequest) -> HttpResponse:
    choices = event_list_filter_choices()
    form = EventSearchForm(request.GET or None, clubs=choices["clubs"], departments=choices["departments"])
    filters = form.filters() if form.is_bound else {}
    events = event_list_published(**filters)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    tabs = [("", "All"), ("open", "Open"), ("upcoming", "Upcoming"), ("past", "Past")]
    others = {name: value for name, value in filters.items() if name != "status"}
    tab_links = [(value, label, urlencode(({"status": value} if value else {}) | others)) for value, label in tabs]
    context = {
        "form": form,
        "page": page,
        "status": filters.get("status", ""),
        "q": filters.get("q", ""),
        "tabs": tab_links,
        "filter_query": urlencode(filters),
        "filtered": bool(others),
    }
    return render(request, "events/list.html", context)


def club_page(request: HttpRequest, club_id: str) -> HttpResponse:
    """A club's public page: what it is, whom to write to, and its published events (coming ones first)."""
    club = Club.objects.filter(pk=club_id).first()
    if club is None:
        raise Http404("No such club.")
    events = list(event_list_published(club=club.pk)[:CLUB_PAGE_EVENTS])
    now = timezone.now()
    context = {
        "club": club,
        "coming": [event for event in events if event.ends_at > now],
        "past": [event for event in events if event.ends_at <= now],
    }
    return render(request, "events/club.html", context)


def _detail_context(
    request: HttpRequest,
    event: Event,
    team_form: TeamRegistrationForm | None = None,
    answers_form: RegistrationAnswersForm | None = None,
) -> dict:
    student = student_of(request.user)
    record = student_event_record(student, event) if student else None
    registration = record.registration if record else None
    current = registration is not None and registration.status in CURRENT_STATUSES
    share_url = settings.SITE_URL + reverse("event-detail", args=[event.pk])
    poster = event_poster_of(event)
    return {
        "event": event,
        "sessions": event_sessions(event),
        "student": student,
        "record": record,
        "registration": registration if current else None,
        "rejected": registration is not None and registration.status == RegistrationStatus.REJECTED,
        "access_code_max": ACCESS_CODE_INPUT_MAX,
        "waitlist_position": waitlist_position(registration) if current else None,
        "audience": audience_sentence(event),
        "audience_refusal": registration_audience_refusal(event, student),
        "registration_open": event.status == Event.Status.PUBLISHED and event.phase == Event.Phase.REGISTRATION_OPEN,
        "team_form": team_form or TeamRegistrationForm(access_code=event.access_code_required),
        "answers_form": answers_form or RegistrationAnswersForm(questions=event_questions_asked(event)),
        "join_form": TeamJoinForm(),
        "team_panel": team_panel(event, student) if student and event.is_team_event else None,
        "register_errors": [],
        "is_organizer": event_user_is_organizer(event, request.user),
        "share_url": share_url,
        "google_calendar_url": google_calendar_url(event, details_url=share_url),
        "poster": poster,
        "poster_url": poster.get_absolute_url() if poster else None,
        "poster_absolute_url": settings.SITE_URL + poster.get_absolute_url() if poster else None,
        "poster_alt": poster.alt_for(event) if poster else "",
        "contact_email": event.contact,
    }


@require_http_methods(["GET", "HEAD"])
def event_poster(request: HttpRequest, event_id: str, name: str) -> HttpResponse:
    """The poster's bytes: cached for ever under its fingerprint; an old address leads to the current one."""
    event = event_get_visible_or_404(event_id, request.user)
    poster = event_poster_image(event)
    if poster is None:
        raise Http404("This event has no poster.")
    if name != poster.filename:
        return redirect(poster.get_absolute_url())
    cache = "public, max-age=31536000, immutable" if event.is_public else "private, no-cache"
    etag = f'"{poster.digest}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(poster.image), content_type=poster.content_type)
        response["Content-Disposition"] = f'inline; filename="{event.pk}-poster.{poster.extension}"'
    response["ETag"] = etag
    response["Cache-Control"] = cache
    return response


@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    """The event, the student's place in it, and the forms to register or cancel."""
    event = event_get_visible_or_404(event_id, request.user)
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
    answers_form = RegistrationAnswersForm(request.POST, questions=event_questions_asked(event))
    access_code = request.POST.get("access_code", "")[:ACCESS_CODE_INPUT_MAX]
    if action == "team":
        return _team_register(request, event, student, answers_form)
    try:
        if action == "register":
            if not answers_form.is_valid():
                context = _detail_context(request, event, answers_form=answers_form)
                return render(request, "events/detail.html", context, status=400)
            registration = registration_create(
                event=event,
                enrollment_no=student.pk,
                answers=answers_form.answers(),
                access_code=access_code,
                actor=request.user,
            )
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, f"You are registered for {event.title}.")
            elif registration.status == RegistrationStatus.PENDING:
                messages.info(
                    request, "Your registration is waiting for the organizers' approval. We email you when they decide."
                )
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
    except ValidationFailed as error:
        form_add_domain_error(answers_form, error, field_aliases=answers_form.field_aliases)
        context = _detail_context(request, event, answers_form=answers_form)
        return render(request, "events/detail.html", context, status=error.http_status)
    except DomainError as error:
        context = _detail_context(request, event, answers_form=answers_form)
        context["register_errors"] = [error.message]
        context["access_code"] = access_code
        return render(request, "events/detail.html", context, status=error.http_status)
    return redirect("event-detail", event_id=event.pk)


def _team_register(
    request: HttpRequest, event: Event, student: Student, answers_form: RegistrationAnswersForm
) -> HttpResponse:
    form = TeamRegistrationForm(request.POST, access_code=event.access_code_required)
    if form.is_valid() and answers_form.is_valid():
        try:
            team = team_create(
                event=event,
                team_name=form.cleaned_data["team_name"],
                invite=form.cleaned_data["members"],
                answers=answers_form.answers(),
                access_code=form.cleaned_data.get("access_code"),
                actor=request.user,
            )
        except DomainError as error:
            if any(key.startswith("answers.") for key in error.details):
                form_add_domain_error(answers_form, error, field_aliases=answers_form.field_aliases)
            else:
                form_add_domain_error(form, error, field_aliases={"enrollment_nos": "members", "leader": "members"})
        else:
            messages.success(
                request, f"Team {team.name} is started. Your invitations are sent; share the join code with friends."
            )
            return redirect(reverse("event-detail", args=[event.pk]) + "#team")
    context = _detail_context(request, event, team_form=form, answers_form=answers_form)
    return render(request, "events/detail.html", context, status=400)


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
    return {
        "ok": True,
        "headline": "Checked in" if created else "Already checked in",
        "created": created,
        "name": attendance.student.full_name,
        "enrollment_no": attendance.student_id,
        "session": str(attendance.session),
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
        result = certificate_issue_all_eligible(event=event, actor=request.user, listing=False)
        messages.success(
            request,
            f"{result.created} new certificate{'s' if result.created != 1 else ''} issued; "
            f"{result.holders} students hold one; {result.not_issued} not eligible.",
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
