from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from clubs.models import Club, ClubMembership
from events.models import (
    Event,
    EventAuditEntry,
    EventPoster,
    EventQuestion,
    EventSession,
    registration_window_open_q,
)
from eventsite.errors import NotFound
from eventsite.errors import PermissionDenied as DomainPermissionDenied


def event_get(event_id: str) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound.of("event", event_id)
    return event


def event_list_published(
    *,
    status: str | None = None,
    q: str | None = None,
    club: str | None = None,
    department: str | None = None,
    now=None,
) -> QuerySet[Event]:
    """Published events, those still to come or under way first (soonest first), then past ones (latest
    first). ``status`` is ``open``, ``upcoming`` or ``past`` (every event is in exactly one); ``club``
    a club's slug; ``department`` the department its club belongs to (any case)."""
    now = now or timezone.now()
    events = Event.objects.filter(status=Event.Status.PUBLISHED)
    is_open = registration_window_open_q(now)
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
    if club:
        events = events.filter(club_id=club)
    if department:
        events = events.filter(club__department__iexact=department)
    past = Q(ends_at__lte=now)
    return events.select_related("club").order_by(
        Case(When(past, then=Value(1)), default=Value(0)),
        Case(When(~past, then=F("starts_at"))).asc(),
        Case(When(past, then=F("starts_at"))).desc(),
        "event_id",
    )


def event_list_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The clubs and departments that have published events, as choices of the list's filters."""
    clubs = Club.objects.filter(events__status=Event.Status.PUBLISHED).distinct().order_by("name", "club_id")
    departments = clubs.exclude(department="").order_by().values_list("department", flat=True).distinct()
    return {
        "clubs": [(club.pk, club.name) for club in clubs],
        "departments": [(code, code) for code in sorted({d.upper() for d in departments})],
    }


def organized_by_q(user: User) -> Q:
    """The events ``user`` organizes as a non-staff login: listed on the event, or an owner or
    organizer of its club. The one definition of "an event's organizers"; staff come on top."""
    listed = Event.organizers.through.objects.filter(user=user).values("event_id")
    clubs = ClubMembership.objects.filter(user=user).values("club_id")
    return Q(pk__in=listed) | Q(club__in=clubs)


def event_user_is_organizer(event: Event, user: User | AnonymousUser | None) -> bool:
    """Staff act as organizers of every event; others of the events that list them and of
    the events of the clubs they own or organize."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return Event.objects.filter(organized_by_q(user), pk=event.pk).exists()


def event_is_visible_to(event: Event, user: User | AnonymousUser | None) -> bool:
    """A published or cancelled event is everyone's to see; a draft, or one awaiting approval, only its
    organizers' and staff's."""
    return event.is_public or event_user_is_organizer(event, user)


def event_get_visible_or_404(event_id: str, user: User | AnonymousUser | None) -> Event:
    """The event behind a page anyone may open, with its club: 404 if there is none or ``user`` may not see it."""
    event = Event.objects.select_related("club").filter(pk=event_id).first()
    if event is None or not event_is_visible_to(event, user):
        raise Http404("No such event.")
    return event


def event_get_organized(event_id: str, user: User | AnonymousUser | None) -> Event:
    """The event behind an organizer page, with its club: 404 if there is none, 403 for anyone who does not
    organize it."""
    event = Event.objects.select_related("club").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    if not event_user_is_organizer(event, user):
        raise PermissionDenied("Only this event's organizers can open this page.")
    return event


def event_questions_asked(event: Event) -> list[EventQuestion]:
    """The questions the event asks at registration now, in order."""
    return list(EventQuestion.objects.filter(event=event, archived=False).order_by("position", "id"))


def event_question_codes(event: Event) -> set[str]:
    """Every code the event's questions use or used (archived ones keep theirs)."""
    return set(EventQuestion.objects.filter(event=event).values_list("code", flat=True))


def event_get_for_organizer(event_id: str, user: User | AnonymousUser | None) -> Event:
    """The event behind an organizer endpoint: NOT_FOUND if there is none, PERMISSION_DENIED for anyone
    who does not organize it."""
    event = event_get(event_id)
    if not event_user_is_organizer(event, user):
        raise DomainPermissionDenied("Only this event's organizers can see this.")
    return event


def event_list_managed_by(user: User) -> QuerySet[Event]:
    if user.is_staff:
        return Event.objects.all()
    return Event.objects.filter(organized_by_q(user))


def event_list_of_club(club: Club) -> QuerySet[Event]:
    """Every event of the club, drafts included (for its organizers), latest first."""
    return Event.objects.filter(club=club).order_by("-starts_at", "event_id")


def event_slug_propose(title: str) -> str:
    """A free slug made from the title: ``code-jam``, else ``code-jam-2`` and so on."""
    base = slugify(title)[:56].strip("-") or "event"
    taken = set(Event.objects.filter(pk__startswith=base).values_list("pk", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def event_audit_trail(event: Event, *, limit: int = 200) -> list[EventAuditEntry]:
    """The event's audit rows, latest first."""
    return list(EventAuditEntry.objects.filter(event=event).order_by("-at", "-id")[:limit])


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


def count_per_event(rows: QuerySet, *, distinct: str | None = None) -> Coalesce:
    """How many of ``rows`` (a queryset of rows with an ``event``) each annotated event has: one subquery."""
    counted = (
        rows.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count(distinct or "pk", distinct=distinct is not None))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# Names of the counts in API.md -> the attributes that hold them on an annotated event. The
# registered count is kept on the row; the apps that hold the other rows add theirs with
# ``register_count`` from their ``AppConfig.ready()``.
COUNT_ATTRIBUTES = {"registered": "confirmed_count"}
_count_expressions: dict[str, Callable[[], Expression]] = {}


def register_count(name: str, attribute: str, expression: Callable[[], Expression]) -> None:
    """``expression()`` counts the rows of each event (``count_per_event``) as ``attribute``."""
    COUNT_ATTRIBUTES[name] = attribute
    _count_expressions[attribute] = expression


def event_counts_annotate(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event's counts in the same query as the event (one subquery each), so lists stay flat.

    ``confirmed_count`` is kept on the row by the services; the others (``waitlisted_count``,
    ``teams_count``, ``attended_count``, ``feedbacks_count``, ``certificates_count``) are annotated.
    """
    return events.annotate(**{attribute: expression() for attribute, expression in _count_expressions.items()})


def event_counts_of(event: Event) -> dict[str, int]:
    """The counts of an event loaded through ``event_counts_annotate`` (no query)."""
    return {name: getattr(event, attribute) for name, attribute in COUNT_ATTRIBUTES.items()}


def event_counts(event: Event) -> dict[str, int]:
    """``{"registered", "waitlisted", "teams", "attended", "feedbacks", "certificates"}`` in one query."""
    row = event_counts_annotate(Event.objects.filter(pk=event.pk)).values(*COUNT_ATTRIBUTES.values()).first()
    if row is None:
        raise NotFound.of("event", event.pk)
    return {name: row[attribute] for name, attribute in COUNT_ATTRIBUTES.items()}


def event_details(events: QuerySet[Event]) -> QuerySet[Event]:
    """Events with their counts, sessions and organizers: a fixed number of queries for any page."""
    return (
        event_counts_annotate(events)
        .select_related("club", "poster")
        .defer("poster__image")
        .prefetch_related(
            Prefetch("sessions", queryset=EventSession.objects.order_by("position", "id")),
            Prefetch("organizers", queryset=User.objects.order_by("username").only("id", "username")),
            Prefetch("questions", queryset=EventQuestion.objects.filter(archived=False).order_by("position", "id")),
        )
    )


def event_get_visible(event_id: str, user: User | AnonymousUser | None) -> Event:
    """One event with its details; a draft (or one awaiting approval) exists only for its organizers and staff."""
    event = event_details(Event.objects.filter(pk=event_id)).first()
    if event is None or not event_is_visible_to(event, user):
        raise NotFound.of("event", event_id)
    return event


def event_poster_of(event: Event) -> EventPoster | None:
    """The event's poster without its bytes (for pages and JSON), or None."""
    return EventPoster.objects.defer("image").filter(event=event).first()


def event_poster_image(event: Event) -> EventPoster | None:
    """The event's poster with its bytes (to serve it), or None."""
    return EventPoster.objects.filter(event=event).first()
