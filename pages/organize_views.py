"""The organizer's pages under /organize/: a club, its events and members; an event's creation,
editing, publishing, approval, cancellation and audit trail."""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from clubs.forms import ClubMemberForm
from clubs.models import Club
from clubs.selectors import (
    club_get_visible,
    club_list_run_by,
    club_list_visible,
    club_role_of,
    club_user_can_manage_members,
)
from clubs.services import club_member_remove, club_member_set
from events.forms import EventCancelForm, EventForm, PosterForm, QuestionFormSet, SessionFormSet
from events.manage_nav import manage_context
from events.models import Event
from events.selectors import (
    event_audit_trail,
    event_get_organized,
    event_list_of_club,
    event_poster_of,
    event_question_codes,
    event_sessions,
    event_slug_propose,
)
from events.services import (
    QuestionSpec,
    SessionSpec,
    event_approve,
    event_cancel,
    event_create,
    event_poster_remove,
    event_poster_set,
    event_publish,
    event_questions,
    event_update,
)
from eventsite.errors import DomainError, NotFound, ValidationFailed
from eventsite.errors import PermissionDenied as DomainPermissionDenied
from eventsite.forms import form_add_domain_error
from registrations.models import ACTIVE_STATUSES, Registration


def _club_for(request: HttpRequest, club_id: str) -> Club:
    try:
        return club_get_visible(club_id, request.user)
    except NotFound:
        raise Http404("No such club.") from None


@login_required
@require_http_methods(["GET", "POST"])
def organize_club(request: HttpRequest, club_id: str) -> HttpResponse:
    """The club's events, and its members (owners and staff add members here)."""
    club = _club_for(request, club_id)
    can_manage = club_user_can_manage_members(club, request.user)
    form = ClubMemberForm()
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only the club's owners and staff add members.")
        form = ClubMemberForm(request.POST)
        if form.is_valid():
            try:
                membership = club_member_set(club=club, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, f"{membership.user.username} is now {membership.get_role_display().lower()}.")
                return redirect("organize-club", club_id=club.pk)
        status = 400
    context = {
        "club": club,
        "events": event_list_of_club(club),
        "role": club_role_of(club, request.user),
        "can_manage": can_manage,
        "form": form,
    }
    return render(request, "events/organize_club.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organize_club_member_remove(request: HttpRequest, club_id: str, username: str) -> HttpResponse:
    """Ask first, then take the member out (owners and staff; a member may leave)."""
    club = _club_for(request, club_id)
    leaving = username == request.user.get_username()
    if not (leaving or club_user_can_manage_members(club, request.user)):
        raise PermissionDenied("Only the club's owners and staff remove members.")
    membership = next((member for member in club.memberships.all() if member.user.username == username), None)
    if membership is None:
        raise Http404("No such member.")
    error = None
    if request.method == "POST":
        try:
            club_member_remove(club=club, username=username, actor=request.user)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, f"{username} is no longer a member of {club.name}.")
            return redirect("organize" if leaving else "organize-club", **({} if leaving else {"club_id": club.pk}))
    context = {"club": club, "membership": membership, "leaving": leaving, "error": error}
    return render(request, "events/organize_member_remove.html", context, status=409 if error else 200)


# An event's own pages: create, edit, publish, approve, cancel, and its audit trail.


def _session_initial(event: Event) -> list[dict]:
    return [
        {"code": session.code, "title": session.title, "starts_at": session.starts_at}
        for session in event_sessions(event)
    ]


def _code_from(title: str, used: set[str], fallback: str) -> str:
    """A code made from ``title`` that is not in ``used`` (then added to it)."""
    base = slugify(title or "")[:30].strip("-") or fallback
    code = base if base not in used else next(f"{base}-{n}" for n in range(2, 1000) if f"{base}-{n}" not in used)
    used.add(code)
    return code


def _session_specs(formset) -> list[SessionSpec]:
    """The filled rows; a new row's code is made from its title, unique within the event."""
    specs: list[SessionSpec] = []
    used: set[str] = {form.cleaned_data["code"] for form in formset.forms if form.cleaned_data.get("code")}
    for position, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data
        if not (data.get("title") or data.get("starts_at") or data.get("code")):
            continue
        code = data.get("code") or _code_from(data.get("title"), used, f"day-{position}")
        specs.append(SessionSpec(code=code, title=data.get("title") or "", starts_at=data.get("starts_at")))
    return specs


def _poster_context(event: Event | None) -> dict:
    poster = event_poster_of(event) if event is not None else None
    return {"poster": poster, "poster_url": poster.get_absolute_url() if poster else None}


def _question_initial(event: Event) -> list[dict]:
    return [
        {
            "code": spec.code,
            "label": spec.label,
            "kind": spec.kind,
            "choices": "\n".join(spec.choices),
            "required": spec.required,
            "ORDER": position,
        }
        for position, spec in enumerate(event_questions(event), start=1)
    ]


def _question_specs(formset, taken: set[str]) -> tuple[list[QuestionSpec], list]:
    """The questions in the order their positions give (removed and empty rows left out), and the
    form of each. A new question's code comes from its text, never one the event used before
    (an archived question keeps its code and its answers)."""
    used = set(taken)
    specs, forms = [], []
    for form in formset.ordered_forms:
        if form.is_blank():
            continue
        code = form.cleaned_data.get("code") or _code_from(form.cleaned_data["label"], used, "question")
        specs.append(
            QuestionSpec(
                code=code,
                label=form.cleaned_data["label"],
                kind=form.cleaned_data["kind"],
                choices=form.option_list(),
                required=form.cleaned_data["required"],
            )
        )
        forms.append(form)
    return specs, forms


_QUESTION_KEY = re.compile(r"^questions\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _form_add_event_error(form, question_forms: list, error: DomainError) -> None:
    """An error about the i-th question goes next to its field in that question's row; the rest to the event form."""
    rest = {}
    for key, messages_ in error.details.items():
        match = _QUESTION_KEY.match(key)
        if isinstance(error, ValidationFailed) and match and int(match["index"]) < len(question_forms):
            question_form = question_forms[int(match["index"])]
            field = match["field"] if match["field"] in ("label", "kind", "choices") else "label"
            for message in messages_:
                question_form.add_error(field, message)
        else:
            rest[key] = messages_
    if rest or not error.details:
        form_add_domain_error(form, type(error)(error.message, details=rest))
    elif not form.errors:
        form.add_error(None, error.message)


def _event_from_forms(
    request: HttpRequest, form, sessions, questions, service: Callable[..., Event], *, taken: set[str], **arguments
) -> Event | None:
    """What ``service`` (``event_create`` or ``event_update``) makes of the valid event form and its
    session and question rows; None when it refuses, its error then next to the field or the question
    it is about. A new question's code is none of ``taken``, the codes the event used before."""
    question_specs, question_forms = _question_specs(questions, taken=taken)
    try:
        return service(
            sessions=_session_specs(sessions),
            questions=question_specs,
            actor=request.user,
            **arguments,
            **form.service_fields(),
        )
    except DomainError as error:
        _form_add_event_error(form, question_forms, error)
        return None


def _event_form_page(request, *, form, sessions, questions, event=None, status=200) -> HttpResponse:
    context = {"form": form, "sessions": sessions, "questions": questions, "event": event, "poster_form": PosterForm()}
    context |= _poster_context(event)
    return render(request, "events/organize_event_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organize_event_new(request: HttpRequest) -> HttpResponse:
    """A new event of one of the user's clubs (staff: of any club, or none), saved as a draft."""
    clubs = list(club_list_visible(request.user)) if request.user.is_staff else club_list_run_by(request.user)
    if not clubs and not request.user.is_staff:
        raise PermissionDenied("Only a club's owners and organizers, and staff, create events.")
    form_options = {"clubs": clubs, "allow_no_club": request.user.is_staff}
    if request.method == "GET":
        form = EventForm(initial={"club": request.GET.get("club", "")}, **form_options)
        sessions, questions = SessionFormSet(prefix="sessions"), QuestionFormSet(prefix="questions")
        return _event_form_page(request, form=form, sessions=sessions, questions=questions)
    form = EventForm(request.POST, **form_options)
    sessions = SessionFormSet(request.POST, prefix="sessions")
    questions = QuestionFormSet(request.POST, prefix="questions")
    if form.is_valid() and sessions.is_valid() and questions.is_valid():
        event_id = form.cleaned_data["event_id"] or event_slug_propose(form.cleaned_data["title"])
        club = form.cleaned_data["club"] or None
        event = _event_from_forms(
            request, form, sessions, questions, event_create, taken=set(), event_id=event_id, club=club
        )
        if event is not None:
            messages.success(request, f"{event.title} is saved as a draft. Publish it when it is ready.")
            return redirect("organize-event", event_id=event.pk)
    return _event_form_page(request, form=form, sessions=sessions, questions=questions, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def organize_event_edit(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    if request.method == "GET":
        initial = EventForm.initial_for(event)
        initial["certificate_template"] = event.certificate_template_id
        form = EventForm(initial=initial, event=event)
        sessions = SessionFormSet(prefix="sessions", initial=_session_initial(event))
        questions = QuestionFormSet(prefix="questions", initial=_question_initial(event))
        return _event_form_page(request, form=form, sessions=sessions, questions=questions, event=event)
    form = EventForm(request.POST, event=event)
    sessions = SessionFormSet(request.POST, prefix="sessions", initial=_session_initial(event))
    questions = QuestionFormSet(request.POST, prefix="questions", initial=_question_initial(event))
    if form.is_valid() and sessions.is_valid() and questions.is_valid():
        saved = _event_from_forms(
            request, form, sessions, questions, event_update, taken=event_question_codes(event), event=event
        )
        if saved is not None:
            messages.success(request, f"{event.title} is saved.")
            return redirect("organize-event", event_id=event.pk)
    return _event_form_page(request, form=form, sessions=sessions, questions=questions, event=event, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def organize_event_poster(request: HttpRequest, event_id: str) -> HttpResponse:
    """Upload or replace the event's poster; removing it asks first (``?remove=1``, then a POST)."""
    event = event_get_organized(event_id, request.user)
    form = PosterForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "remove":
        if event_poster_remove(event=event, actor=request.user):
            messages.success(request, f"The poster of {event.title} is removed.")
        return redirect(reverse("organize-event-edit", args=[event.pk]) + "#poster")
    if request.method == "POST":
        form = PosterForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                event_poster_set(
                    event=event,
                    upload=form.cleaned_data["poster"],
                    alt_text=form.cleaned_data["alt_text"],
                    actor=request.user,
                )
            except DomainError as error:
                # The image errors say which upload they are about in details.field.
                form_add_domain_error(form, error, field_aliases={"field": "poster"})
            else:
                messages.success(request, f"The poster of {event.title} is saved. It shows on the event's page.")
                return redirect(reverse("organize-event-edit", args=[event.pk]) + "#poster")
        status = 400
    context = {
        **manage_context(event, "overview"),
        "poster_form": form,
        "confirm_remove": request.method == "GET" and request.GET.get("remove") == "1",
        **_poster_context(event),
    }
    return render(request, "events/organize_event_poster.html", context, status=status)


def _changes(entry) -> str:
    """``status draft → published, capacity 40 → 60`` from an audit row's before and after."""
    before, after = entry.before or {}, entry.after or {}

    def shown(value) -> str:
        return "none" if value is None else str(value)

    return ", ".join(
        f"{key} {shown(before[key])} → {shown(value)}" if key in before else f"{key} {shown(value)}"
        for key, value in sorted(after.items())  # jsonb keeps no key order
    )


@login_required
def organize_event(request: HttpRequest, event_id: str) -> HttpResponse:
    """The event's state, what its organizers can do next, and its audit trail."""
    event = event_get_organized(event_id, request.user)
    context = {
        **manage_context(event, "overview"),
        "trail": [(entry, _changes(entry)) for entry in event_audit_trail(event)],
        "approval_required": settings.EVENT_APPROVAL_REQUIRED and not request.user.is_staff,
    }
    return render(request, "events/organize_event.html", context)


@login_required
@require_http_methods(["POST"])
def organize_event_publish(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    try:
        event = event_publish(event=event, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if event.status == Event.Status.PENDING_APPROVAL:
            messages.info(request, f"{event.title} waits for staff to approve it; then everyone can see it.")
        else:
            messages.success(request, f"{event.title} is published: students can find it and register.")
    return redirect("organize-event", event_id=event.pk)


@login_required
@require_http_methods(["POST"])
def organize_event_approve(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    try:
        event = event_approve(event=event, actor=request.user)
    except DomainError as error:
        if isinstance(error, DomainPermissionDenied):
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, f"{event.title} is approved and published.")
    return redirect("organize-event", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organize_event_cancel(request: HttpRequest, event_id: str) -> HttpResponse:
    """Ask for a reason and a confirmation, then cancel the event for everyone."""
    event = event_get_organized(event_id, request.user)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event_cancel(event=event, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{event.title} is cancelled; everyone registered is being told.")
            return redirect("organize-event", event_id=event.pk)
    active = Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES).count()
    context = {**manage_context(event, "overview"), "form": form, "active": active}
    return render(request, "events/organize_event_cancel.html", context, status=400 if form.errors else 200)
