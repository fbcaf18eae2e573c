"""The event page and list: add to calendar, a share link with Open Graph tags, a full event's waitlist."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from events.calendars import google_calendar_url
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_the_google_calendar_link_carries_the_event():
    event = EventFactory.build(
        title="Robotics & AI",
        venue="Lab 3",
        description="Bring a laptop.",
        starts_at=datetime(2026, 12, 5, 4, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
    )

    url = google_calendar_url(event, details_url="https://events.college.example/events/x/")

    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Robotics & AI"],
        "dates": ["20261205T043000Z/20261205T080000Z"],
        "details": ["Bring a laptop.\n\nhttps://events.college.example/events/x/"],
        "location": ["Lab 3"],
    }


def test_the_event_page_offers_the_calendar_and_a_share_link_with_open_graph_tags(client, settings):
    settings.SITE_URL = "https://events.college.example"
    event = EventFactory(title='Quiz "Night" <live>', description="Teams of two.\nPrizes.")

    page = client.get(f"/events/{event.pk}/").text

    share = f"https://events.college.example/events/{event.pk}/"
    assert f'<meta property="og:url" content="{share}">' in page
    assert '<meta property="og:title" content="Quiz &quot;Night&quot; &lt;live&gt;">' in page
    assert f'value="{share}" readonly' in page
    assert f'href="/events/{event.pk}.ics"' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page


def test_a_draft_or_cancelled_event_offers_no_calendar(client, organizer):
    event = EventFactory(status="cancelled")

    assert "Calendar file (.ics)" not in client.get(f"/events/{event.pk}/").text


def test_the_list_says_full_join_the_waitlist_instead_of_no_seats_left(client):
    full = EventFactory(title="Full talk", capacity=1, waitlist_enabled=True)
    registration_create(event=full, enrollment_no=StudentFactory().pk)
    closed = EventFactory(title="Full workshop", capacity=1)
    registration_create(event=closed, enrollment_no=StudentFactory().pk)
    EventFactory(title="Open talk", capacity=5)

    page = client.get("/events/").text

    assert "Full: join the waitlist" in page
    assert "0 of 1 seats left" not in page
    assert "5 of 5 seats left" in page
    assert page.count('class="badge badge-bad">Full<') == 1
