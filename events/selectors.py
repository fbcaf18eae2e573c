from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from events.models import Event, EventSession
from eventsite.errors import NotFound


def event_get(event_id: str) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound.of("event", event_id)
    return event


def event_list_published(*, status: str | None = None, q: str | None = None, now=None) -> QuerySet[Event]:
    """Published events; ``status`` is ``open``, ``upcoming`` or ``past`` (every event is in exactly one)."""
    now = now or timezone.now()
    events = Event.objects.filter(status=Event.Status.PUBLISHED)
    is_open = (Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now)) & (
        Q(registration_closes_at__gt=now) | Q(registration_closes_at__isnull=True, starts_at__gt=now)
    )
    if status == "open":
        events = events.filter(is_open)
    elif status == "upcoming":
        events = events.filter(ends_at__gt=now).exclude(is_open)
    elif status == "past":
        events = events.filter(ends_at__lte=now)
    if q:
        events = events.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(venue__icontains=q) | Q(event_id__icontains=q)
        )
    return events.order_by("starts_at", "event_id")


def event_user_is_organizer(event: Event, user: User | AnonymousUser | None) -> bool:
    """Staff act as organizers of every event; others only of the events that list them."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return event.organizers.filter(pk=user.pk).exists()


def event_list_managed_by(user: User) -> QuerySet[Event]:
    if user.is_staff:
        return Event.objects.all()
    return Event.objects.filter(organizers=user)


def event_sessions(event: Event) -> list[EventSession]:
    return list(event.sessions.order_by("position", "id"))


def event_session_current(event: Event, now=None) -> EventSession:
    """The session under way now: the latest that has started, else the first."""
    now = now or timezone.now()
    sessions = event_sessions(event)
    if not sessions:
        raise NotFound.of("session")
    started = [session for session in sessions if session.starts_at and session.starts_at <= now]
    return started[-1] if started else sessions[0]
