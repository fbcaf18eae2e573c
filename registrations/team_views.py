"""Team pages: join a team with a code, answer invitations, and the leader's and members'
actions. The event page shows the team (``selectors.team_panel``); its forms post here. Leaving,
removing a member and cancelling the team ask for a confirmation first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from events.selectors import event_get_visible_or_404, event_questions_asked
from eventsite.errors import DomainError, NotFound, ValidationFailed
from eventsite.forms import form_add_domain_error
from registrations.forms import RegistrationAnswersForm, TeamJoinForm, TeamRegistrationForm
from registrations.models import Student, TeamStatus
from registrations.selectors import team_get_visible, team_members
from registrations.teams import (
    team_cancel,
    team_invitation_accept,
    team_invitation_decline,
    team_invite,
    team_join_by_code,
    team_leader_transfer,
    team_leave,
    team_member_remove,
    team_rename,
)


def _event_page(event_id: str) -> str:
    return reverse("event-detail", args=[event_id]) + "#team"


def _student(request: HttpRequest) -> Student | None:
    return getattr(request.user, "student", None)


def _visible_team(request: HttpRequest, team_id: str):
    try:
        return team_get_visible(request.user, team_id)
    except NotFound:
        raise Http404("No such team.") from None


def _seat_message(team) -> str:
    if team.status == TeamStatus.CONFIRMED:
        return f"Team {team.name} is complete and confirmed: every member has a seat."
    if team.status == TeamStatus.WAITLISTED:
        return f"Team {team.name} is complete; the event is full, so the whole team is on the waitlist."
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def team_join(request: HttpRequest, event_id: str) -> HttpResponse:
    """Join a team of the event with the code a member shared."""
    event = event_get_visible_or_404(event_id, request.user)
    if _student(request) is None:
        return render(request, "registrations/not_a_student.html", status=403)
    form = TeamJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_join_by_code(event=event, join_code=form.cleaned_data["join_code"], actor=request.user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"You joined team {team.name}.")
            if team.status != TeamStatus.FORMING:
                messages.info(request, _seat_message(team))
            return redirect(_event_page(event.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "registrations/team_join.html", {"event": event, "form": form}, status=status)


@login_required
@require_POST
def team_answer(request: HttpRequest, team_id: str, answer: str) -> HttpResponse:
    """Accept or decline an invitation; back to the event page."""
    if answer not in ("accept", "decline"):
        raise Http404("No such answer.")
    team = _visible_team(request, team_id)
    try:
        if answer == "accept":
            answers_form = RegistrationAnswersForm(request.POST, questions=event_questions_asked(team.event))
            answers = answers_form.answers() if answers_form.fields and answers_form.is_valid() else None
            team = team_invitation_accept(team=team, answers=answers, actor=request.user)
            team.refresh_from_db()
            messages.success(request, f"You are in team {team.name}.")
            if team.status != TeamStatus.FORMING:
                messages.info(request, _seat_message(team))
        else:
            team_invitation_decline(team=team, actor=request.user)
            messages.info(request, f"You declined the invitation to team {team.name}.")
    except ValidationFailed as error:
        if any(key.startswith("answers") for key in error.details):
            messages.error(request, "To accept, answer the organizers' questions under the invitation below.")
        else:
            messages.error(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_event_page(team.event_id))


@login_required
@require_POST
def team_manage(request: HttpRequest, team_id: str, action: str) -> HttpResponse:
    """The leader's changes that need no confirmation: invite, rename, hand over."""
    team = _visible_team(request, team_id)
    try:
        if action == "invite":
            numbers = TeamRegistrationForm.split_members(request.POST.get("members", ""))
            invited = team_invite(team=team, enrollment_nos=numbers, actor=request.user)
            messages.success(request, f"Invited {', '.join(invited)}." if invited else "They are already invited.")
        elif action == "rename":
            team = team_rename(team=team, team_name=request.POST.get("team_name", ""), actor=request.user)
            messages.success(request, f"The team is now called {team.name}.")
        elif action == "transfer":
            team = team_leader_transfer(
                team=team, enrollment_no=request.POST.get("enrollment_no", ""), actor=request.user
            )
            messages.success(request, f"{team.leader_id} leads the team now.")
        else:
            raise Http404("No such action.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_event_page(team.event_id))


CONFIRMATIONS = {
    "leave": ("Leave team {team}?", "Leave the team"),
    "remove": ("Remove {member} from team {team}?", "Remove from the team"),
    "cancel": ("Cancel team {team}?", "Cancel the team"),
}


@login_required
@require_http_methods(["GET", "POST"])
def team_confirm(request: HttpRequest, team_id: str, action: str) -> HttpResponse:
    """Leave, remove a member, cancel the team: a page that says what will happen, then the change."""
    if action not in CONFIRMATIONS:
        raise Http404("No such action.")
    team = _visible_team(request, team_id)
    member_no = request.GET.get("member") or request.POST.get("enrollment_no") or ""
    members = {member.enrollment_no: member for member in team_members(team)}
    member = members.get(member_no.strip().upper())
    if action == "remove" and member is None:
        raise Http404("No such member.")
    if request.method == "POST":
        try:
            if action == "leave":
                team_leave(team=team, actor=request.user)
                messages.success(request, f"You left team {team.name}.")
            elif action == "remove":
                team_member_remove(team=team, enrollment_no=member.enrollment_no, actor=request.user)
                messages.success(request, f"{member.full_name} is no longer in team {team.name}.")
            else:
                team_cancel(team=team, actor=request.user)
                messages.success(request, f"Team {team.name} is cancelled.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(_event_page(team.event_id))
    title, button = CONFIRMATIONS[action]
    in_team = sum(1 for m in members.values() if m.state in ("leader", "accepted"))
    context = {
        "team": team,
        "event": team.event,
        "action": action,
        "member": member,
        "title": title.format(team=team.name, member=member.full_name if member else ""),
        "button": button,
        "in_team": in_team,
        "falls_below": in_team - 1 < team.event.team_size_min and team.status != TeamStatus.FORMING,
    }
    return render(request, "registrations/team_confirm.html", context)
