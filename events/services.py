"""Every write to events: creation, updates, sessions, cancellation."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from events import hooks
from events.models import Event, EventSession
from events.selectors import event_user_is_organizer
from eventsite.errors import AlreadyExists, NotFound, PermissionDenied, ValidationFailed

EVENT_FIELDS = (
    "title",
    "description",
    "venue",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "registration_mode",
    "team_size_min",
    "team_size_max",
    "waitlist_enabled",
    "min_sessions_for_certificate",
    "certificate_requires_feedback",
    "status",
)


@dataclass(frozen=True)
class SessionSpec:
    code: str
    title: str = ""
    starts_at: datetime | None = None


def _validate_event(event: Event) -> None:
    """The event's database constraints, then the rules no constraint states."""
    errors = event.constraint_errors()
    if event.registration_mode == Event.Mode.INDIVIDUAL and (event.team_size_min, event.team_size_max) != (1, 1):
        errors["registration_mode"] = ["An individual event has no team sizes (set both to 1)."]
    if event.capacity is not None and event.capacity < 0:
        errors["capacity"] = ["Capacity cannot be negative."]
    if errors:
        raise ValidationFailed("The event is not valid.", details=errors)


def _organizer_users(usernames: list[str]) -> list[User]:
    users = list(User.objects.filter(username__in=usernames))
    missing = sorted(set(usernames) - {user.username for user in users})
    if missing:
        raise ValidationFailed(
            "Unknown organizer usernames.", details={"organizers": [f"No user {name!r}." for name in missing]}
        )
    return users


def _ensure_staff(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only staff can do this.")


def _sessions_replace(event: Event, sessions: list[SessionSpec]) -> None:
    codes = [spec.code for spec in sessions]
    if len(set(codes)) != len(codes):
        raise ValidationFailed.for_field("sessions", "Session codes must be unique within an event.")
    existing = {session.code: session for session in event.sessions.all()}
    stale = [session for code, session in existing.items() if code not in codes]
    used = [session.code for session in stale if session.attendance_set.exists()]
    if used:
        raise ValidationFailed.for_field("sessions", f"Sessions with attendance cannot be removed: {', '.join(used)}.")
    EventSession.objects.filter(pk__in=[session.pk for session in stale]).delete()
    for position, spec in enumerate(sessions):
        session = existing.get(spec.code) or EventSession(event=event, code=spec.code)
        session.title, session.starts_at, session.position = spec.title, spec.starts_at, position
        session.save()


def _sessions_ensure_default(event: Event) -> None:
    """An event with no explicit sessions has one implicit session."""
    if not event.sessions.exists():
        EventSession.objects.create(event=event, code=EventSession.DEFAULT_CODE, title="", starts_at=event.starts_at)


@transaction.atomic
def event_create(
    *,
    event_id: str,
    sessions: list[SessionSpec] | None = None,
    organizers: list[str] | None = None,
    actor: User | None = None,
    **fields: Any,
) -> Event:
    _ensure_staff(actor)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    if Event.objects.filter(pk=event_id).exists():
        raise AlreadyExists(f"An event {event_id!r} already exists.", details={"event_id": event_id})
    event = Event(event_id=event_id, **fields)
    _validate_event(event)
    event.save()
    if sessions:
        _sessions_replace(event, sessions)
    _sessions_ensure_default(event)
    if organizers:
        event.organizers.set(_organizer_users(organizers))
    return event


def _ensure_fits_registrations(event: Event, *, changed: set[str]) -> None:
    """Refuse changes that would make what was already accepted break the event's rules.

    Nobody loses a seat, a team or a certificate because the event was edited afterwards: the
    seats are checked here, the registrations and certificates by their apps (``events.hooks``).
    """
    errors: dict[str, list[str]] = {}
    if "capacity" in changed and event.capacity is not None and event.capacity < event.confirmed_count:
        errors["capacity"] = [f"{event.confirmed_count} students are already confirmed; the capacity cannot be lower."]
    for conflicts in hooks.change_conflicts:
        errors.update(conflicts(event, changed))
    if errors:
        raise ValidationFailed("The change does not fit the registrations already made.", details=errors)


@transaction.atomic
def event_update(
    *,
    event: Event,
    sessions: list[SessionSpec] | None = None,
    organizers: list[str] | None = None,
    actor: User | None = None,
    **fields: Any,
) -> Event:
    """Change an event: its organizers or staff (the organizer list itself: staff only).

    Raising the capacity promotes the waitlist.
    """
    if organizers is not None:
        _ensure_staff(actor)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    locked = Event.objects.select_for_update(no_key=True).filter(pk=event.pk).first()
    if locked is None:
        raise NotFound.of("event", event.pk)
    if actor is not None and not event_user_is_organizer(locked, actor):
        raise PermissionDenied("Only this event's organizers can change it.")
    for name, value in fields.items():
        setattr(locked, name, value)
    _validate_event(locked)
    _ensure_fits_registrations(locked, changed=set(fields))
    locked.save()
    if sessions is not None:
        _sessions_replace(locked, sessions)
        _sessions_ensure_default(locked)
    if organizers is not None:
        locked.organizers.set(_organizer_users(organizers))
    for react in hooks.changed:
        react(locked, set(fields))
    return locked


@transaction.atomic
def event_cancel(*, event: Event, actor: User | None = None) -> Event:
    """Cancel the event and tell every active registrant; cancelling again tells no one twice."""
    locked = Event.objects.select_for_update(no_key=True).get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        return locked
    for react in hooks.cancelling:
        react(locked)
    locked.status = Event.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked
