"""What a phone at the door reads: the check-in roster of one session."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from events.models import Event, EventSession
from events.selectors import event_sessions, event_user_is_organizer
from eventsite import ids
from eventsite.errors import NotAuthenticated, NotFound, PermissionDenied
from registrations.models import Attendance, Registration, RegistrationStatus, ScannerLink
from registrations.services import attendance_window, scanner_link_token_hash

CODE_HASH_LENGTH = 32  # hex digits: 128 bits of HMAC-SHA256


def checkin_hash_key(event: Event) -> str:
    """The key of the event's code hashes, handed to its door with the roster (derived, never stored)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"door-roster:{event.pk}".encode(), hashlib.sha256).hexdigest()


def checkin_code_hash(key: str, code: str) -> str:
    """What the phone computes from a scanned code (Web Crypto HMAC-SHA256, hex, truncated)."""
    digest = hmac.new(key.encode(), ids.typed_code_normalize(code).encode(), hashlib.sha256).hexdigest()
    return digest[:CODE_HASH_LENGTH]


def door_actor_link(actor: User | AnonymousUser | None) -> ScannerLink | None:
    return getattr(actor, "scanner_link", None)


def ensure_door_access(event: Event, actor: User | AnonymousUser | None) -> None:
    """Its organizers and its scanner links open an event's door."""
    link = door_actor_link(actor)
    if link is not None:
        if link.event_id != event.pk:
            raise PermissionDenied("This scanner link is for another event.")
        return
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers can open its door.")


@dataclass(frozen=True)
class RosterRow:
    enrollment_no: str
    full_name: str
    team_name: str
    marked: bool
    code_hash: str


@dataclass(frozen=True)
class CheckinRoster:
    event: Event
    session: EventSession
    sessions: list[EventSession]
    opens_at: datetime
    closes_at: datetime
    hash_key: str
    registrants: list[RosterRow]

    @property
    def expected(self) -> int:
        return len(self.registrants)

    @property
    def checked_in(self) -> int:
        return sum(row.marked for row in self.registrants)


def checkin_roster(*, event: Event, session_code: str | None, actor) -> CheckinRoster:
    """Every confirmed registrant with whether they are in for the session and the keyed hash of
    their check-in code (never the code): four queries, whatever the size of the event."""
    ensure_door_access(event, actor)
    sessions = event_sessions(event)
    if session_code:
        session = next((s for s in sessions if s.code == session_code), None)
        if session is None:
            raise NotFound.of("session", session_code)
    elif sessions:
        now = timezone.now()
        started = [s for s in sessions if s.starts_at and s.starts_at <= now]
        session = started[-1] if started else sessions[0]
    else:
        raise NotFound.of("session")
    key = checkin_hash_key(event)
    marked = set(Attendance.objects.filter(session=session).values_list("student_id", flat=True))
    rows = (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .order_by("student__full_name", "student_id")
        .values_list("student_id", "student__full_name", "team__name", "checkin_code")
    )
    registrants = [
        RosterRow(enr, name, team or "", enr in marked, checkin_code_hash(key, code or ""))
        for enr, name, team, code in rows
    ]
    opens, closes = attendance_window(event=event, session=session, is_last=session.pk == sessions[-1].pk)
    return CheckinRoster(event, session, sessions, opens, closes, key, registrants)


def scanner_link_list(*, event: Event, actor) -> list[ScannerLink]:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if door_actor_link(actor) is not None or not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers see its scanner links.")
    return list(ScannerLink.objects.filter(event=event).select_related("created_by").order_by("-created_at"))


def scanner_link_for_token(token: str) -> ScannerLink | None:
    return ScannerLink.objects.select_related("event").filter(token_hash=scanner_link_token_hash(token)).first()
