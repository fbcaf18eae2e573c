"""Every write to events: creation, updates, sessions, cancellation."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Min, Q

from certificates.models import Certificate
from events.models import REMINDER_OFFSET_MAX_MINUTES, REMINDER_OFFSETS_MAX, Event, EventSession
from events.selectors import event_user_is_organizer
from eventsite.errors import AlreadyExists, NotFound, PermissionDenied, ValidationFailed
from registrations.models import ACTIVE_STATUSES, Registration, Team

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
    "reminder_offsets_minutes",
)


@dataclass(frozen=True)
class SessionSpec:
    code: str
    title: str = ""
    starts_at: datetime | None = None


def _validate_event(event: Event) -> None:
    errors: dict[str, list[str]] = {}
    if event.ends_at < event.starts_at:
        errors["ends_at"] = ["The event cannot end before it starts."]
    if (
        event.registration_opens_at
        and event.registration_closes_at
        and event.registration_closes_at <= event.registration_opens_at
    ):
        errors["registration_closes_at"] = ["Registration must close after it opens."]
    if event.team_size_min < 1:
        errors["team_size_min"] = ["A team has at least one member."]
    if event.team_size_max < event.team_size_min:
        errors["team_size_max"] = ["The largest team size cannot be below the smallest."]
    if event.registration_mode == Event.Mode.INDIVIDUAL and (event.team_size_min, event.team_size_max) != (1, 1):
        errors["registration_mode"] = ["An individual event has no team sizes (set both to 1)."]
    if event.capacity is not None and event.capacity < 0:
        errors["capacity"] = ["Capacity cannot be negative."]
    offsets_problem = reminder_offsets_problem(event.reminder_offsets_minutes)
    if offsets_problem:
        errors["reminder_offsets_minutes"] = [offsets_problem]
    if errors:
        raise ValidationFailed("The event is not valid.", details=errors)


def reminder_offsets_problem(offsets: object) -> str | None:
    """What is wrong with a list of reminder offsets (minutes before the start), or None."""
    if not isinstance(offsets, list) or not all(type(o) is int for o in offsets):
        return "A list of whole minutes before the start, e.g. [1440, 60]."
    if len(offsets) > REMINDER_OFFSETS_MAX:
        return f"At most {REMINDER_OFFSETS_MAX} reminders."
    if any(not 1 <= o <= REMINDER_OFFSET_MAX_MINUTES for o in offsets):
        return f"Each reminder is 1 to {REMINDER_OFFSET_MAX_MINUTES} minutes (28 days) before the start."
    if len(set(offsets)) != len(offsets):
        return "Each reminder time once."
    return None


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

    Nobody loses a seat, a team or a certificate because the event was edited afterwards.
    """
    errors: dict[str, list[str]] = {}
    if "capacity" in changed and event.capacity is not None and event.capacity < event.confirmed_count:
        errors["capacity"] = [f"{event.confirmed_count} students are already confirmed; the capacity cannot be lower."]
    if "registration_mode" in changed:
        registered_otherwise = (
            Q(team__isnull=False) if event.registration_mode == Event.Mode.INDIVIDUAL else Q(team=None)
        )
        if Registration.objects.filter(registered_otherwise, event=event, status__in=ACTIVE_STATUSES).exists():
            errors["registration_mode"] = ["Students are registered in the other mode; cancel them first."]
    if changed & {"team_size_min", "team_size_max"}:
        sizes = (
            Team.objects.filter(event=event, status__in=ACTIVE_STATUSES)
            .annotate(size=Count("registrations", filter=Q(registrations__status__in=ACTIVE_STATUSES)))
            .aggregate(smallest=Min("size"), largest=Max("size"))
        )
        if sizes["smallest"] is not None and sizes["smallest"] < event.team_size_min:
            errors["team_size_min"] = [f"A registered team has only {sizes['smallest']} members."]
        if sizes["largest"] is not None and sizes["largest"] > event.team_size_max:
            errors["team_size_max"] = [f"A registered team has {sizes['largest']} members."]
    tightened = changed & {"min_sessions_for_certificate", "certificate_requires_feedback"}
    if tightened and Certificate.objects.filter(event=event, revoked_at__isnull=True).exists():
        before = Event.objects.filter(pk=event.pk).values(*tightened).get()
        stricter = "Certificates were already issued under the current rules; they cannot be made stricter."
        if event.min_sessions_for_certificate > before.get(
            "min_sessions_for_certificate", event.min_sessions_for_certificate
        ):
            errors["min_sessions_for_certificate"] = [stricter]
        if event.certificate_requires_feedback and not before.get("certificate_requires_feedback", True):
            errors["certificate_requires_feedback"] = [stricter]
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
    from registrations.services import waitlist_promote

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
    if "capacity" in fields:
        waitlist_promote(event=locked)
    return locked


@transaction.atomic
def event_cancel(*, event: Event, actor: User | None = None) -> Event:
    """Cancel the event and tell every active registrant; cancelling again tells no one twice."""
    from registrations import notifications

    locked = Event.objects.select_for_update(no_key=True).get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        return locked
    notifications.event_cancelled(locked)
    locked.status = Event.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked
