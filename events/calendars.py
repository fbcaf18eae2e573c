"""iCalendar files: one event, or the events a student holds a place at.

Times are written in UTC (``...Z``) so every calendar client places them right
whatever its own time zone. The UID is stable per event, so a subscribed feed
updates an event in place (new venue, new time, cancellation) instead of
duplicating it. Stored text goes through ``printable``: a title holding a line break or a
control character (stored before the validator refused them) cannot break a calendar line.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from events.models import Event
from eventsite.text import printable

PRODID = "-//College Events//Calendar//EN"


def _uid(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "college-events"
    return f"{event.pk}@{host}"


def _vevent(event: Event, *, status: str, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", _uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at.astimezone(UTC))
    vevent.add("dtend", event.ends_at.astimezone(UTC))
    vevent.add("summary", printable(event.title))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    if event.venue:
        vevent.add("location", printable(event.venue))
    if event.description:
        vevent.add("description", printable(event.description, multiline=True))
    vevent.add("status", status)
    return vevent


def _status(event: Event, registration_status: str | None = None) -> str:
    if event.status == Event.Status.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if registration_status == "waitlisted" else "CONFIRMED"


def _calendar(name: str, events: Iterable[tuple[Event, str]]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", printable(name))
    stamp = timezone.now().astimezone(UTC)
    for event, status in events:
        calendar.add_component(_vevent(event, status=status, stamp=stamp))
    return calendar.to_ical()


def event_ics(event: Event) -> bytes:
    return _calendar(event.title, [(event, _status(event))])


def student_feed_ics(full_name: str, entries: Iterable[tuple[Event, str]]) -> bytes:
    """``entries`` are ``(event, registration_status)`` of the student's active registrations."""
    return _calendar(f"{full_name}: college events", [(event, _status(event, status)) for event, status in entries])


def google_calendar_url(event: Event, *, details_url: str = "") -> str:
    """A link that opens Google Calendar's "new event" form filled in with this event."""
    stamp = "%Y%m%dT%H%M%SZ"
    dates = f"{event.starts_at.astimezone(UTC).strftime(stamp)}/{event.ends_at.astimezone(UTC).strftime(stamp)}"
    details = "\n\n".join(part for part in (event.description[:1000], details_url) if part)
    query = {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": details, "location": event.venue}
    return "https://calendar.google.com/calendar/render?" + urlencode({k: v for k, v in query.items() if v})
