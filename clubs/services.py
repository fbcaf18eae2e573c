"""Every write to clubs: creation, renaming, and who is a member in which role."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from clubs.models import Club, ClubMembership
from clubs.selectors import club_user_can_manage_members
from eventsite.errors import AlreadyExists, NotFound, PermissionDenied, ValidationFailed
from eventsite.text import single_line_text, text_errors

DEPARTMENT_MAX_LENGTH = Club._meta.get_field("department").max_length


def _ensure_staff(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only staff can create clubs.")


def _ensure_manager(club: Club, actor: User | None) -> None:
    if actor is not None and not club_user_can_manage_members(club, actor):
        raise PermissionDenied("Only the club's owners and staff can do this.")


def _user_named(username: str, *, field: str = "username") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed.for_field(field, f"No user {username!r}.")
    return user


def _validate_club(*, name: str, kind: str, department: str = "", contact_email: str = "") -> None:
    errors: dict[str, list[str]] = text_errors(
        {"name": (name, single_line_text), "department": (department, single_line_text)}
    )
    if not name.strip():
        errors["name"] = ["Give the club a name."]
    if kind not in Club.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Club.Kind.values)}."]
    if len(department) > DEPARTMENT_MAX_LENGTH:
        errors["department"] = [f"A department is written in at most {DEPARTMENT_MAX_LENGTH} characters, e.g. CSE."]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError as error:
            errors["contact_email"] = list(error.messages)
    if errors:
        raise ValidationFailed("The club is not valid.", details=errors)


@transaction.atomic
def club_create(
    *,
    club_id: str,
    name: str,
    kind: str = Club.Kind.CLUB,
    department: str = "",
    contact_email: str = "",
    owners: list[str] | None = None,
    actor: User | None = None,
) -> Club:
    """A new club (staff); ``owners`` are usernames that will manage its members."""
    _ensure_staff(actor)
    department, contact_email = department.strip().upper(), contact_email.strip()
    _validate_club(name=name, kind=kind, department=department, contact_email=contact_email)
    owner_users = [_user_named(username, field="owners") for username in dict.fromkeys(owners or [])]
    if Club.objects.filter(pk=club_id).exists():
        raise AlreadyExists(f"A club {club_id!r} already exists.", details={"club_id": club_id})
    try:
        with transaction.atomic():
            club = Club.objects.create(
                club_id=club_id, name=name.strip(), kind=kind, department=department, contact_email=contact_email
            )
    except IntegrityError:
        raise AlreadyExists(f"A club {club_id!r} already exists.", details={"club_id": club_id}) from None
    ClubMembership.objects.bulk_create(
        [ClubMembership(club=club, user=user, role=ClubMembership.Role.OWNER) for user in owner_users]
    )
    return club


@transaction.atomic
def club_update(
    *,
    club: Club,
    name: str | None = None,
    kind: str | None = None,
    department: str | None = None,
    contact_email: str | None = None,
    actor: User | None = None,
) -> Club:
    """Rename a club, change its kind, department or contact address (its owners and staff)."""
    _ensure_manager(club, actor)
    locked = Club.objects.select_for_update().filter(pk=club.pk).first()
    if locked is None:
        raise NotFound.of("club", club.pk)
    locked.name = locked.name if name is None else name.strip()
    locked.kind = locked.kind if kind is None else kind
    locked.department = locked.department if department is None else department.strip().upper()
    locked.contact_email = locked.contact_email if contact_email is None else contact_email.strip()
    _validate_club(name=locked.name, kind=locked.kind, department=locked.department, contact_email=locked.contact_email)
    locked.save(update_fields=["name", "kind", "department", "contact_email"])
    return locked


def _ensure_an_owner_stays(club: Club, leaving: User) -> None:
    others = ClubMembership.objects.filter(club=club, role=ClubMembership.Role.OWNER).exclude(user=leaving)
    if not others.exists():
        raise ValidationFailed.for_field("role", "A club keeps at least one owner: name another owner first.")


@transaction.atomic
def club_member_set(*, club: Club, username: str, role: str, actor: User | None = None) -> ClubMembership:
    """Make ``username`` a member with ``role``, or change the role of a member (owners and staff)."""
    _ensure_manager(club, actor)
    if role not in ClubMembership.Role.values:
        raise ValidationFailed.for_field("role", f"Choose one of: {', '.join(ClubMembership.Role.values)}.")
    user = _user_named(username)
    # The club's row lock serializes membership changes, so "at least one owner" holds under races.
    Club.objects.select_for_update().filter(pk=club.pk).first()
    membership = ClubMembership.objects.filter(club=club, user=user).first()
    if membership is None:
        return ClubMembership.objects.create(club=club, user=user, role=role)
    if membership.role == ClubMembership.Role.OWNER and role != ClubMembership.Role.OWNER:
        _ensure_an_owner_stays(club, user)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def club_member_remove(*, club: Club, username: str, actor: User | None = None) -> None:
    """Take ``username`` out of the club (owners and staff; a member may leave); the last owner stays."""
    if actor is None or actor.username != username:
        _ensure_manager(club, actor)
    Club.objects.select_for_update().filter(pk=club.pk).first()
    membership = ClubMembership.objects.filter(club=club, user__username=username).select_related("user").first()
    if membership is None:
        raise NotFound.of("member", username)
    if membership.role == ClubMembership.Role.OWNER:
        _ensure_an_owner_stays(club, membership.user)
    membership.delete()
