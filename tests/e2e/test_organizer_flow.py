"""A student who runs a club creates an event on a phone, publishes it, and a student registers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, EventAuditEntry
from tests.e2e.conftest import log_in
from tests.factories import ClubFactory, StudentUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_student_organizer_creates_and_publishes_a_club_event_and_a_student_registers(new_context, shoot, width):
    organizer = StudentUserFactory()
    ClubFactory(club_id="coding-club", name="Coding Club", organizers=[organizer.user])
    student = StudentUserFactory()
    starts = timezone.now() + timedelta(days=10)

    page = new_context(width=width, height=800).new_page()
    log_in(page, organizer.user.username)
    page.goto("/organize/")
    page.get_by_role("link", name="Coding Club").click()
    shoot(page, f"{width}-00-club")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title").fill("Intro to Git Workshop")
    expect(page.get_by_label("Web address")).to_have_attribute("placeholder", "intro-to-git-workshop")
    page.get_by_label("Starts", exact=True).first.fill(_local(starts))
    page.get_by_label("Ends").fill(_local(starts + timedelta(hours=3)))
    page.get_by_label("Seats", exact=True).fill("30")
    shoot(page, f"{width}-01-new-event-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("is published")).to_be_visible()
    shoot(page, f"{width}-02-published-with-trail")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    event = Event.objects.get(pk="intro-to-git-workshop")
    assert (event.status, event.club_id, event.capacity) == ("published", "coding-club", 30)
    assert list(EventAuditEntry.objects.filter(event=event).order_by("at", "id").values_list("action", flat=True)) == [
        "created",
        "published",
    ]

    student_page = new_context(width=width, height=800).new_page()
    log_in(student_page, student.user.username)
    student_page.goto("/events/intro-to-git-workshop/")
    student_page.get_by_role("button", name="Register").click()
    expect(student_page.get_by_text("You are registered for Intro to Git Workshop.")).to_be_visible()
