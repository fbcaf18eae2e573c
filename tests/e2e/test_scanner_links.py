"""Volunteer links in Chromium: the organizer creates one, a phone with no login opens it and checks a
student in by typing the code, the organizer revokes it, and the phone stops at its next request."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registrations.models import Attendance
from registrations.services import registration_create
from tests.e2e.conftest import log_in
from tests.factories import EventFactory, StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "volunteer-links.png"


def test_a_volunteer_link_is_created_scanned_with_and_revoked(new_context, shoot):
    organizer = UserFactory(username="link-organizer")
    event = EventFactory(organizers=[organizer], title="Robotics Talk")
    first, second = (
        registration_create(event=event, enrollment_no=StudentFactory(full_name=name).pk)
        for name in ("Diya Nair", "Kabir Mehta")
    )

    desk = new_context(1280, 900).new_page()
    log_in(desk, "link-organizer")
    desk.goto(f"/organize/events/{event.pk}/")
    desk.get_by_role("link", name="Volunteer links").click()
    desk.get_by_label("Who holds it").fill("Gate 2")
    desk.get_by_role("button", name="Create the link").click()
    expect(desk.get_by_text("Link “Gate 2” is ready")).to_be_visible()
    expect(desk.locator("svg.link-qr")).to_be_visible()
    url = desk.get_by_label("Or send the address").input_value()
    assert "/scan/" in url
    shoot(desk, "links-1280")
    desk.set_viewport_size({"width": 375, "height": 740})
    box = desk.locator("svg.link-qr").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    picture = shoot(desk, "links-375")
    if os.environ.get("UPDATE_README_SCREENSHOTS"):
        shutil.copyfile(picture, README_SCREENSHOT)

    phone = new_context(375, 740).new_page()
    phone.goto(url)
    expect(phone.locator("#door-expected")).to_have_text("2")
    phone.locator("#door-code").fill(first.checkin_code)
    phone.locator("#door-code").press("Enter")
    expect(phone.locator("#door-headline")).to_have_text("Checked in")
    expect(phone.locator("#door-name")).to_have_text("Diya Nair")
    shoot(phone, "volunteer-375")
    phone.locator("#door-answer").click()

    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.get_by_role("link", name="Revoke…").click()
    expect(desk.get_by_role("heading", name="Revoke “Gate 2”?")).to_be_visible()
    shoot(desk, "revoke-1280")
    desk.get_by_role("button", name="Revoke the link").click()
    expect(desk.get_by_text("Revoked", exact=False).first).to_be_visible()

    phone.locator("#door-code").fill(second.checkin_code)
    phone.locator("#door-code").press("Enter")
    expect(phone.locator("#door-headline")).to_have_text("This link no longer works")
    shoot(phone, "volunteer-stopped-375")

    attendances = Attendance.objects.filter(event=event)
    assert [(a.student_id, a.scanner_link.label) for a in attendances] == [(first.student_id, "Gate 2")]


def test_the_scanner_page_at_1280_px(new_context, shoot):
    organizer = UserFactory(username="wide-organizer")
    event = EventFactory(organizers=[organizer], title="Robotics Talk")
    registration = registration_create(event=event, enrollment_no=StudentFactory(full_name="Meera Iyer").pk)
    page = new_context(1280, 900).new_page()
    log_in(page, "wide-organizer")

    page.goto(f"/events/{event.pk}/scan/")
    expect(page.locator("#door-expected")).to_have_text("1")
    expect(page.locator("#door-code")).to_be_in_viewport()
    expect(page.get_by_role("link", name="← Organizer pages")).to_be_visible()
    shoot(page, "scanner-1280")

    page.locator("#door-code").fill(registration.checkin_code)
    page.locator("#door-code").press("Enter")
    expect(page.locator("#door-name")).to_have_text("Meera Iyer")
    answer = page.locator("#door-answer").bounding_box()
    assert (answer["width"], answer["height"]) == (1280, 900)
    shoot(page, "scanner-answer-1280")
    expect(page.locator("#door-answer")).to_be_hidden(timeout=3_000)
    expect(page.locator("#door-code")).to_be_focused()
