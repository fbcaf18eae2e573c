"""The README's screenshots of the event page and the check-in page, from factory-built data.

Every run saves them under artifacts/screenshots/; `UPDATE_README_SCREENSHOTS=1 make e2e`
also refreshes docs/screenshots/event.png and checkin.png.
"""

import os
import shutil
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events.models import EventSession
from registrations.services import registration_create
from tests.e2e.conftest import ROOT, log_in
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = ROOT / "docs" / "screenshots"
MAX_BYTES = 200 * 1024


def _hackathon(organizer):
    event = EventFactory(
        event_id="hackfest-2026",
        title="HackFest 2026",
        venue="Central Library, Seminar Hall 2",
        description="Thirty-six hours of building with mentors from industry. Bring your laptop and your team's ideas.",
        capacity=120,
        waitlist_enabled=True,
        organizers=[organizer],
        sessions=["day-1", "day-2"],
    )
    for position, title in enumerate(["Day 1: kick-off and build", "Day 2: demos and awards"]):
        EventSession.objects.filter(event=event, position=position).update(
            title=title, starts_at=event.starts_at + timedelta(days=position)
        )
    return event


def _keep(path, name: str) -> None:
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / name)


def test_readme_screenshots_of_the_event_page_and_the_checkin_page(new_context, shoot):
    organizer = UserFactory(username="organizer")
    event = _hackathon(organizer)
    student = StudentUserFactory(full_name="Ananya Krishnan")
    for other in StudentFactory.create_batch(37):
        registration_create(event=event, enrollment_no=other.pk)
    registration_create(event=event, enrollment_no=student.pk)
    checked = StudentFactory(full_name="Rohan Gupta")
    registration = registration_create(event=event, enrollment_no=checked.pk)

    student_page = new_context(width=1000, height=900).new_page()
    log_in(student_page, student.pk)
    student_page.goto(f"/events/{event.pk}/")
    expect(student_page.get_by_role("img", name="Check-in QR code")).to_be_visible()
    _keep(shoot(student_page, "event"), "event.png")

    door = new_context(width=1000, height=560).new_page()
    log_in(door, organizer.username)
    door.goto(f"/events/{event.pk}/manage/checkin/")
    door.get_by_label("Check-in code or enrollment number").fill(registration.checkin_code)
    door.keyboard.press("Enter")
    expect(door.locator(".answer-ok")).to_contain_text("Rohan Gupta")
    _keep(shoot(door, "checkin"), "checkin.png")
