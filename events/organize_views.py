"""The organizer's pages under /organize/: a club, its events and its members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clubs.forms import ClubMemberForm
from clubs.models import Club
from clubs.selectors import club_get_visible, club_role_of, club_user_can_manage_members
from clubs.services import club_member_remove, club_member_set
from events.selectors import event_list_of_club
from eventsite.errors import DomainError, NotFound
from eventsite.forms import form_add_domain_error


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
