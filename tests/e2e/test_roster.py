"""A student organizer asks two questions on a club event that needs approval, a student answers them
when registering, and the organizer sees the answers on the roster, approves and acts from it: on a
phone and on a desk."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import Event, EventQuestion
from registrations.models import Attendance, Registration
from registrations.selectors import registration_answers
from registrations.services import registration_create
from tests.e2e.conftest import log_in
from tests.e2e.test_readme_screenshots import _keep as keep_for_readme
from tests.factories import ClubFactory, EventFactory, StudentUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _visible_in_width(page: Page, locator, width: int) -> None:
    """The element is on screen horizontally: nothing to scroll sideways for."""
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_questions_asked_answered_and_seen_on_the_roster_that_acts(new_context, shoot, width):
    organizer = StudentUserFactory(full_name="Olivia Organizer")
    ClubFactory(club_id="coding-club", name="Coding Club", organizers=[organizer.user])
    student = StudentUserFactory(full_name="Sam Student")
    starts = timezone.now() + timedelta(hours=1)  # check-in opens two hours before the start

    page = new_context(width=width, height=800).new_page()
    log_in(page, organizer.user.username)
    page.goto("/organize/events/new/?club=coding-club")
    page.get_by_label("Title").fill("Git Night")
    page.get_by_label("Starts", exact=True).first.fill(_local(starts))
    page.get_by_label("Ends").fill(_local(starts + timedelta(hours=3)))
    page.locator("#id_questions-0-label").fill("T-shirt size")
    expect(page.locator("#id_questions-0-choices")).to_be_hidden()  # a text answer has no options
    page.locator("#id_questions-0-kind").select_option("choice")
    page.locator("#id_questions-0-choices").fill("S\nM\nL")
    page.locator("#id_questions-0-required").check()
    page.locator("#id_questions-1-label").fill("Bringing a laptop?")
    page.locator("#id_questions-1-kind").select_option("yes_no")
    expect(page.locator("#id_questions-0-choices")).to_be_visible()
    expect(page.locator("#id_questions-1-choices")).to_be_hidden()  # options only for a choice
    page.get_by_label("Approve each registration before it takes a seat").check()
    shoot(page, f"{width}-01-questions-on-the-event-form")
    _fits(page, width)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("is published")).to_be_visible()
    event = Event.objects.get(pk="git-night")
    assert event.approval_required
    assert list(EventQuestion.objects.filter(event=event).values_list("code", "kind", "required")) == [
        ("t-shirt-size", "choice", True),
        ("bringing-a-laptop", "yes_no", False),
    ]

    student_page = new_context(width=width, height=800).new_page()
    log_in(student_page, student.user.username)
    student_page.goto("/events/git-night/")
    expect(student_page.get_by_text("The organizers ask")).to_be_visible()
    student_page.get_by_role("radio", name="Yes").check()
    student_page.get_by_role("button", name="Register").click()
    error = student_page.get_by_text("This question needs an answer.")
    expect(error).to_be_visible()
    _visible_in_width(student_page, error, width)
    shoot(student_page, f"{width}-02-answer-missing-next-to-its-field")
    _fits(student_page, width)
    expect(student_page.get_by_role("radio", name="Yes")).to_be_checked()  # what was answered stays
    student_page.get_by_role("radio", name="M", exact=True).check()
    student_page.get_by_role("button", name="Register").click()
    expect(student_page.get_by_text("waiting for the organizers' approval").first).to_be_visible()
    registration = Registration.objects.get(event=event, student=student)
    assert registration.status == "pending"
    assert registration_answers(registration) == {"t-shirt-size": "M", "bringing-a-laptop": True}

    page.goto("/events/git-night/manage/roster/")
    card = page.locator(f"#reg-{registration.pk}")
    expect(card.get_by_text("Awaiting approval")).to_be_visible()
    approve = card.get_by_role("button", name="Approve")
    _visible_in_width(page, approve, width)
    shot = shoot(page, f"{width}-03-roster-awaiting-approval-with-answers")
    if width == 375:
        keep_for_readme(shot, "roster-phone.png")
    _fits(page, width)
    approve.click()
    expect(page.get_by_text("Sam Student is approved and holds a seat")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    card = page.locator(f"#reg-{registration.pk}")
    expect(card.locator(".roster-name")).to_have_text("Sam Student")
    expect(card.locator("dd", has_text="M").first).to_be_visible()
    expect(card.get_by_text("T-shirt size")).to_be_visible()
    expect(card.locator("dd", has_text="yes")).to_be_visible()
    check_in = card.get_by_role("button", name="Check in")
    _visible_in_width(page, check_in, width)
    shoot(page, f"{width}-04-roster-approved")
    _fits(page, width)
    check_in.click()
    expect(page.get_by_text("Sam Student is checked in")).to_be_visible()
    assert Attendance.objects.filter(registration=registration).exists()
    expect(page.locator(f"#reg-{registration.pk}").get_by_text("typed by an organizer")).to_be_visible()

    page.locator(f"#reg-{registration.pk}").get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="Cancel this registration?")).to_be_visible()
    confirm = page.get_by_role("button", name="Cancel the registration")
    _visible_in_width(page, confirm, width)
    shoot(page, f"{width}-05-cancel-asks-first")
    _fits(page, width)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"  # asking changed nothing
    confirm.click()
    expect(page.get_by_text("The registration of Sam Student is cancelled")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    shoot(page, f"{width}-06-roster-after-cancel")
    _fits(page, width)


@pytest.mark.parametrize("width", [375, 1280])
def test_an_organizer_rejects_a_request_after_reading_who_is_turned_down(new_context, shoot, width):
    organizer = StudentUserFactory(full_name="Olivia Organizer")
    ClubFactory(club_id="coding-club", name="Coding Club", organizers=[organizer.user])
    event = EventFactory(event_id="ctf-night", title="CTF Night", club_id="coding-club", approval_required=True)
    asker = StudentUserFactory(full_name="Riya Request")
    registration = registration_create(event=event, enrollment_no=asker.pk, actor=asker.user)

    page = new_context(width=width, height=800).new_page()
    log_in(page, organizer.user.username)
    page.goto("/events/ctf-night/manage/roster/?status=pending")
    page.locator(f"#reg-{registration.pk}").get_by_role("link", name="Reject").click()
    expect(page.get_by_text("Riya Request", exact=False).first).to_be_visible()
    reject = page.get_by_role("button", name="Reject the registration")
    _visible_in_width(page, reject, width)
    page.get_by_label("Why (optional, kept in the event's audit trail)").fill("This round is for second-years.")
    shoot(page, f"{width}-reject-asks-first")
    _fits(page, width)
    reject.click()

    expect(page.get_by_text("The registration of Riya Request is rejected")).to_be_visible()
    assert page.url.endswith("/events/ctf-night/manage/roster/?status=pending")
    registration.refresh_from_db()
    assert registration.status == "rejected"
    shoot(page, f"{width}-roster-after-reject")
    _fits(page, width)
