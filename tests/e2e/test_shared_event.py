"""A student opens a shared event link, adds the event to their calendar, asks to hear when registration opens."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from comms.models import OpeningAlert
from tests.factories import EventFactory, StudentUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_shared_link_leads_to_the_calendar_and_to_an_alert_when_registration_opens(new_context, shoot, width):
    now = timezone.now()
    event = EventFactory(
        event_id="cultural-fest-2026",
        title="Cultural Fest 2026",
        venue="Open Air Theatre",
        description="Music, dance and drama from every department.",
        registration_opens_at=now + timedelta(days=3),
        registration_closes_at=now + timedelta(days=10),
        starts_at=now + timedelta(days=12),
        ends_at=now + timedelta(days=12, hours=6),
    )
    student = StudentUserFactory()
    page = new_context(width=width, height=900).new_page()

    # The link a friend shared, with what a chat app's preview reads.
    page.goto(f"/events/{event.pk}/")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", "Cultural Fest 2026")
    expect(page.locator('meta[property="og:url"]')).to_have_attribute(
        "content", f"{settings.SITE_URL}/events/{event.pk}/"
    )
    expect(page.get_by_label("Share this event")).to_have_value(f"{settings.SITE_URL}/events/{event.pk}/")
    shoot(page, f"{width}-01-shared-link")

    # Add to calendar: the .ics file, and the Google Calendar link filled in.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Calendar file (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{event.pk}.ics"
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert "SUMMARY:Cultural Fest 2026" in ics and "LOCATION:Open Air Theatre" in ics
    google = page.get_by_role("link", name="Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
    assert "text=Cultural+Fest+2026" in google and "location=Open+Air+Theatre" in google

    # Registration has not opened: log in, come back, ask to be told.
    page.get_by_role("link", name="Log in").last.click()
    log_in_here = page.url
    assert "next=" in log_in_here
    page.get_by_label("Username").fill(student.pk)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Cultural Fest 2026")).to_be_visible()
    page.get_by_role("button", name="Tell me when registration opens").click()
    expect(page.get_by_text(f"We will email {student.email} once, when registration opens.")).to_be_visible()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    shoot(page, f"{width}-02-told-when-it-opens")

    assert OpeningAlert.objects.filter(event=event, student=student).exists()
