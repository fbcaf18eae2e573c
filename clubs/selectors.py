"""Reads of clubs, limited to what the asking user may see."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet

from clubs.models import Club, ClubMembership
from eventsite.errors import NotFound, ValidationFailed


def club_members_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=ClubMembership.objects.select_related("user")
        .only("club_id", "role", "user__username")
        .order_by("-role", "user__username"),
    )


def club_list_visible(user: User | AnonymousUser | None) -> QuerySet[Club]:
    """Staff see every club; others the clubs they belong to."""
    if user is None or not user.is_authenticated:
        return Club.objects.none()
    clubs = Club.objects.all() if user.is_staff else Club.objects.filter(memberships__user=user)
    return clubs.prefetch_related(club_members_prefetch()).order_by("name", "club_id")


def club_get(club_id: str) -> Club:
    """One club with its members, whoever asks (for answers to those who just acted on it)."""
    club = Club.objects.prefetch_related(club_members_prefetch()).filter(pk=club_id).first()
    if club is None:
        raise NotFound.of("club", club_id)
    return club


def club_named(club_id: str | None, *, field: str = "club") -> Club | None:
    """The club a request body names in ``field`` (None: no club); an unknown one is that field's error."""
    if club_id is None:
        return None
    club = Club.objects.filter(pk=club_id).first()
    if club is None:
        raise ValidationFailed.for_field(field, f"No club {club_id!r}.")
    return club


def club_get_visible(club_id: str, user: User | AnonymousUser | None) -> Club:
    """One club with its members; a club the user does not belong to does not exist for them."""
    club = club_list_visible(user).filter(pk=club_id).first()
    if club is None:
        raise NotFound.of("club", club_id)
    return club


def club_list_run_by(user: User) -> list[Club]:
    """The clubs whose events ``user`` runs (owner or organizer), whoever they are."""
    return list(Club.objects.filter(memberships__user=user).order_by("name", "club_id"))


def club_list_owned_by(user: User) -> QuerySet[Club]:
    """The clubs ``user`` owns (they manage its members and design its certificate templates)."""
    return Club.objects.filter(memberships__user=user, memberships__role=ClubMembership.Role.OWNER)


def club_role_of(club: Club, user: User | AnonymousUser | None) -> str | None:
    """The user's role in the club (``owner`` or ``organizer``), or None."""
    if user is None or not user.is_authenticated:
        return None
    return ClubMembership.objects.filter(club=club, user=user).values_list("role", flat=True).first()


def club_user_can_manage_members(club: Club, user: User | AnonymousUser | None) -> bool:
    """Staff and the club's owners add and remove members."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or club_role_of(club, user) == ClubMembership.Role.OWNER


def club_user_runs_events(club: Club | None, user: User | AnonymousUser | None) -> bool:
    """Staff, and the club's owners and organizers, run (create and manage) the club's events."""
    if club is None or user is None or not user.is_authenticated:
        return False
    return user.is_staff or club_role_of(club, user) is not None
