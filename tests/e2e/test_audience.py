"""Who may register, in Chromium at a phone's 375 px and a desktop's 1280 px: the sentence before trying,
the access code, the request awaiting approval, and the organizer's form and codes page."""

import pytest
from playwright.sync_api import expect

from events.models import Event
from registrations.models import AccessCode, Registration
from tests.e2e.conftest import log_in
from tests.factories import EventFactory, StudentUserFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 1280)


def _fits(page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_student_outside_the_audience_reads_why_before_trying(new_context, shoot, width):
    event = EventFactory(title="Final-year project expo", eligible_departments=["CSE", "ECE"], eligible_years=[4])
    student = StudentUserFactory(department="ME", year=2)
    page = new_context(width=width, height=900).new_page()
    log_in(page, student.pk)
    page.goto(f"/events/{event.pk}/")
    refusal = page.locator("#audience-refusal")
    expect(refusal).to_have_text(
        "This event is for CSE and ECE students in year 4. "
        "You cannot register: your department is ME and you are in year 2."
    )
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    _fits(page)
    shoot(page, f"restricted-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_student_registers_with_an_access_code_after_a_wrong_one(new_context, shoot, width):
    event = EventFactory(title="Alumni mentoring evening", access_code_required=True)
    AccessCode.objects.create(event=event, code="MENTOR26", max_uses=1)
    student = StudentUserFactory()
    page = new_context(width=width, height=900).new_page()
    log_in(page, student.pk)
    page.goto(f"/events/{event.pk}/")
    page.get_by_label("Access code").fill("MENTOR25")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("This access code is not valid for this event")
    _fits(page)
    shoot(page, f"wrong-code-{width}")
    page.get_by_label("Access code").fill("mentor26")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("p.status-good")).to_have_text("You are registered.")
    assert Registration.objects.get(event=event, student=student).status == "confirmed"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_request_waits_for_approval_on_the_students_page(new_context, shoot, width):
    event = EventFactory(title="Research internship talk", approval_required=True, capacity=30)
    student = StudentUserFactory()
    page = new_context(width=width, height=900).new_page()
    log_in(page, student.pk)
    page.goto(f"/events/{event.pk}/")
    expect(page.get_by_text("The organizers approve each registration.")).to_be_visible()
    page.get_by_role("button", name="Ask to register").click()
    expect(page.get_by_text("is waiting for the organizers' approval").first).to_be_visible()
    expect(page.get_by_text("Withdraw my request", exact=True)).to_be_visible()
    _fits(page)
    shoot(page, f"pending-{width}")
    assert Registration.objects.get(event=event, student=student).status == "pending"


@pytest.mark.parametrize("width", WIDTHS)
def test_an_organizer_sets_the_audience_and_makes_codes(new_context, shoot, width):
    organizer = UserFactory(username="organizer")
    event = EventFactory(title="Robotics workshop", organizers=[organizer], status=Event.Status.DRAFT)
    page = new_context(width=width, height=900).new_page()
    log_in(page, organizer.username)
    page.goto(f"/organize/events/{event.pk}/edit/")
    page.get_by_label("Only these departments").fill("ece, eee")
    page.get_by_label("Year 3").check()
    page.get_by_label("By invitation").check()
    _fits(page)
    shoot(page, f"event-form-{width}")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("is saved")).to_be_visible()
    page.get_by_role("link", name="Access codes").click()
    page.get_by_label("How many codes").fill("4")
    page.get_by_role("button", name="Make codes").click()
    expect(page.get_by_text("4 new codes")).to_be_visible()
    _fits(page)
    shoot(page, f"codes-{width}")
    event.refresh_from_db()
    assert event.eligible_departments == ["ECE", "EEE"] and event.eligible_years == [3]
    assert AccessCode.objects.filter(event=event).count() == 4
