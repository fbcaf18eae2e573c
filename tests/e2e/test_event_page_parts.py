"""The event page's poster, club and contact, the list's filters and the club page, in Chromium at
375 px and 1280 px; and an organizer uploading a poster on the edit page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clubs.services import club_create
from events.services import event_poster_set
from tests.e2e.conftest import log_in
from tests.factories import EventFactory, StaffFactory, UserFactory
from tests.images import photo_with_gps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _club_and_events():
    staff = StaffFactory(username="staff-for-clubs")
    acm = club_create(
        club_id="acm", name="ACM Chapter", department="CSE", contact_email="acm@college.example", actor=staff
    )
    robotics = club_create(club_id="robotics", name="Robotics Club", department="ECE", actor=staff)
    organizer = UserFactory(username="poster-organizer")
    soon = timezone.now() + timedelta(days=2)
    hack = EventFactory(
        event_id="hack-night",
        title="Hack Night",
        club=acm,
        organizers=[organizer],
        starts_at=soon,
        ends_at=soon + timedelta(hours=6),
        registration_closes_at=soon - timedelta(hours=1),
    )
    EventFactory(title="Bot Wars", club=robotics)
    past = timezone.now() - timedelta(days=20)
    EventFactory(
        title="Hack Night 2025",
        club=acm,
        starts_at=past,
        ends_at=past + timedelta(hours=4),
        registration_opens_at=past - timedelta(days=9),
        registration_closes_at=past - timedelta(days=1),
    )
    return hack, organizer


@pytest.mark.parametrize("width", [375, 1280])
def test_a_student_sees_the_poster_club_and_contact_and_reaches_the_club_page(new_context, shoot, width):
    hack, organizer = _club_and_events()
    event_poster_set(event=hack, upload=photo_with_gps(size=(1200, 1600)), alt_text="A laptop", actor=organizer)
    page = new_context(width, 800).new_page()

    page.goto("/events/")
    page.get_by_label("Club").select_option("acm")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Hack Night", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Bot Wars")).to_have_count(0)
    shoot(page, f"list-{width}")

    page.get_by_role("link", name="Hack Night", exact=True).click()
    poster = page.get_by_role("img", name="A laptop")
    expect(poster).to_be_visible()
    box = poster.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] <= 0.45 * 800 + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.get_by_role("link", name="acm@college.example")).to_have_attribute("href", "mailto:acm@college.example")
    assert page.locator('meta[property="og:image"]').get_attribute("content").endswith(".jpg")
    shoot(page, f"event-{width}")

    page.get_by_role("link", name="ACM Chapter").click()
    expect(page.get_by_role("heading", name="ACM Chapter")).to_be_visible()
    expect(page.get_by_role("link", name="Hack Night 2025")).to_be_visible()
    shoot(page, f"club-{width}")


def test_an_organizer_uploads_a_poster_on_the_edit_page_and_removes_it_after_asking(new_context, shoot, tmp_path):
    hack, _ = _club_and_events()
    photo = tmp_path / "poster.jpg"
    photo.write_bytes(photo_with_gps(size=(900, 1200)))
    page = new_context(375, 740).new_page()
    log_in(page, "poster-organizer")

    page.goto(f"/organize/events/{hack.pk}/edit/")
    page.get_by_label("Poster image").set_input_files(str(photo))
    page.get_by_label("What the poster shows").fill("A laptop and pizza")
    page.get_by_role("button", name="Upload the poster").click()
    expect(page.get_by_text("The poster of Hack Night is saved")).to_be_visible()
    expect(page.get_by_role("img", name="A laptop and pizza")).to_be_visible()
    shoot(page, "edit-375")

    page.get_by_role("link", name="Remove the poster", exact=True).click()
    expect(page.get_by_role("heading", name="Remove the poster?")).to_be_visible()
    shoot(page, "remove-375")
    page.get_by_role("button", name="Yes, remove the poster").click()
    expect(page.get_by_text("The poster of Hack Night is removed.")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, "edit-1280")
