"""The whole story in a real browser: sign up, register, check in, feedback, certificate, verification."""

import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from registrations.services import registration_create
from tests.e2e.conftest import PASSWORD, log_in
from tests.factories import EventFactory, StudentUserFactory, TeamEventFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_student_signs_up_registers_is_checked_in_gives_feedback_and_downloads_a_verified_certificate(
    new_context, shoot
):
    organizer = UserFactory(username="door-organizer")
    event = EventFactory(title="Robotics Hackathon 2026", organizers=[organizer], venue="Block C Lab 2")

    # A student signs up on a phone-sized screen.
    student_page = new_context(width=375, height=812).new_page()
    student_page.goto("/accounts/signup/")
    shoot(student_page, "01-signup")
    student_page.get_by_label("Enrollment number").fill("24cse31077")
    student_page.get_by_label("Full name").fill("José Ñúñez-Øberg")
    student_page.get_by_label("Email").fill("jose@college.example")
    student_page.get_by_label("Department").fill("CSE")
    student_page.get_by_label("Year of study").select_option("2")
    student_page.get_by_label("Password", exact=True).fill(PASSWORD)
    student_page.get_by_label("Password again").fill(PASSWORD)
    student_page.get_by_role("button", name="Create my account").click()

    # ... is asked to prove the address, follows the emailed link and finishes with the password.
    expect(student_page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(student_page, "01b-check-email")
    [message] = [message for message in mail.outbox if message.to == ["jose@college.example"]]
    [link] = re.findall(r"/accounts/signup/verify/\S+/", message.body)
    student_page.goto(link)  # the path: the email's address is SITE_URL, not this test server
    student_page.get_by_label("Password").fill(PASSWORD)
    student_page.get_by_role("button", name="Finish signing up").click()
    expect(student_page.get_by_role("heading", name="Your email is verified")).to_be_visible()
    expect(student_page.get_by_text("Welcome, José Ñúñez-Øberg")).to_be_visible()
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(student_page, "01c-verified")

    # ... finds the event and registers.
    student_page.get_by_role("link", name="Events", exact=True).click()
    student_page.get_by_label("Search events").fill("robotics")
    student_page.get_by_role("button", name="Search").click()
    shoot(student_page, "02-event-list")
    student_page.get_by_role("link", name="Robotics Hackathon 2026").click()
    student_page.get_by_role("button", name="Register").click()
    expect(student_page.get_by_text("You are registered for Robotics Hackathon 2026.")).to_be_visible()
    expect(student_page.get_by_role("img", name="Check-in QR code")).to_be_visible()
    checkin_code = student_page.locator(".checkin code").inner_text()
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(student_page, "03-registered-with-qr")

    # The organizer checks them in by code at the door; a second scan says so.
    door = new_context().new_page()
    log_in(door, organizer.username)
    door.goto(f"/events/{event.pk}/manage/checkin/")
    door.get_by_label("Check-in code or enrollment number").fill(checkin_code)
    door.keyboard.press("Enter")
    expect(door.locator(".answer-ok")).to_contain_text("Checked in")
    expect(door.locator(".answer-ok")).to_contain_text("José Ñúñez-Øberg")
    shoot(door, "04-checked-in")
    expect(door.get_by_label("Check-in code or enrollment number")).to_be_focused()
    door.keyboard.type(checkin_code)
    door.keyboard.press("Enter")
    expect(door.locator(".answer-ok")).to_contain_text("Already checked in")
    door.get_by_label("Check-in code or enrollment number").fill("NOTACODE")
    door.keyboard.press("Enter")
    expect(door.locator(".answer-bad")).to_contain_text("No registration has this check-in code.")
    shoot(door, "05-unknown-code")

    # The student sees the attendance and gives feedback.
    student_page.goto("/me/events/")
    expect(student_page.get_by_text("attended", exact=True)).to_be_visible()
    student_page.get_by_role("link", name="Give feedback").click()
    student_page.get_by_label("5 — excellent").check()
    student_page.get_by_label("Comments (optional)").fill("Très bien organisé!")
    shoot(student_page, "06-feedback")
    student_page.get_by_role("button", name="Send feedback").click()
    expect(student_page.get_by_text("Thank you for your feedback")).to_be_visible()

    # The organizer issues the certificate.
    door.goto(f"/events/{event.pk}/manage/certificates/")
    door.get_by_label("Enrollment number", exact=True).fill("24CSE31077")
    door.get_by_role("button", name="Issue certificate").click()
    expect(door.get_by_text("issued to José Ñúñez-Øberg")).to_be_visible()
    shoot(door, "07-certificate-issued")

    # The student downloads the PDF and it carries their name.
    student_page.goto("/me/events/")
    download_link = student_page.get_by_role("link", name="Download Certificate of Participation (PDF)")
    shoot(student_page, "08-my-events-with-certificate")
    response = student_page.context.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "José Ñúñez-Øberg" in text
    assert "Robotics Hackathon 2026" in text
    certificate_id = text.split("Certificate ID: ")[1].split()[0]

    # A visitor verifies it by typing the id.
    visitor = new_context().new_page()
    visitor.goto("/")
    visitor.get_by_role("link", name="Verify a certificate").first.click()
    visitor.get_by_label("Certificate ID").fill(certificate_id.lower())
    visitor.get_by_role("button", name="Verify").click()
    expect(visitor.locator(".verdict-ok")).to_contain_text("Valid certificate")
    expect(visitor.locator(".verdict-ok")).to_contain_text("José Ñúñez-Øberg")
    expect(visitor.locator(".verdict-ok")).to_contain_text("Robotics Hackathon 2026")
    expect(visitor.locator("main")).not_to_contain_text("24CSE31077")
    shoot(visitor, "09-verified")


def test_a_team_leader_starts_the_team_and_a_member_accepts_and_sees_the_team_and_code(new_context, shoot):
    event = TeamEventFactory(title="Design Sprint", team_size_min=2, team_size_max=3)
    leader, member = StudentUserFactory(), StudentUserFactory()

    leader_page = new_context().new_page()
    log_in(leader_page, leader.pk)
    leader_page.goto(f"/events/{event.pk}/")
    leader_page.get_by_label("Team name").fill("Pixel Owls")
    leader_page.get_by_label("Invite by enrollment number (optional)").fill("22XYZ00000")
    leader_page.get_by_role("button", name="Start the team").click()
    expect(leader_page.locator("#id_members_error")).to_contain_text("No student with enrollment number 22XYZ00000.")
    shoot(leader_page, "01-unknown-member")
    leader_page.get_by_label("Invite by enrollment number (optional)").fill(member.pk.lower())
    leader_page.get_by_role("button", name="Start the team").click()
    expect(leader_page.get_by_text("Team Pixel Owls is started.")).to_be_visible()
    shoot(leader_page, "02-team-started")

    member_page = new_context().new_page()
    log_in(member_page, member.pk)
    member_page.goto("/me/events/")
    member_page.locator(".invitations").get_by_role("button", name="Accept").click()
    expect(member_page.get_by_text("You are in team Pixel Owls.")).to_be_visible()
    member_page.goto("/me/events/")
    expect(member_page.get_by_text("team Pixel Owls")).to_be_visible()
    expect(member_page.get_by_role("img", name="Check-in QR code")).to_be_visible()
    shoot(member_page, "03-member-my-events")


def test_a_waitlisted_student_is_promoted_when_a_seat_frees(new_context, shoot):
    event = EventFactory(title="Chess Masterclass", capacity=1, waitlist_enabled=True)
    holder, waiting = StudentUserFactory(), StudentUserFactory()
    registration_create(event=event, enrollment_no=holder.pk)

    waiting_page = new_context().new_page()
    log_in(waiting_page, waiting.pk)
    waiting_page.goto(f"/events/{event.pk}/")
    waiting_page.get_by_role("button", name="Register for the waitlist").click()
    expect(waiting_page.locator(".message-info")).to_contain_text("you are on the waitlist, place 1")
    waiting_page.goto("/me/events/")
    expect(waiting_page.get_by_text("Waitlisted, place 1")).to_be_visible()
    shoot(waiting_page, "01-waitlisted")

    holder_page = new_context().new_page()
    log_in(holder_page, holder.pk)
    holder_page.goto(f"/events/{event.pk}/")
    holder_page.get_by_text("Cancel my registration", exact=True).click()
    expect(holder_page.get_by_text("Your seat goes to the next student on the waitlist")).to_be_visible()
    holder_page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(holder_page.get_by_text("Your registration for Chess Masterclass is cancelled.")).to_be_visible()

    waiting_page.reload()
    expect(waiting_page.get_by_text("Registered", exact=True)).to_be_visible()
    expect(waiting_page.get_by_role("img", name="Check-in QR code")).to_be_visible()
    shoot(waiting_page, "02-promoted")


@pytest.fixture
def organizer_and_event():
    organizer = UserFactory(username="roster-organizer")
    event = EventFactory(title="Photography Walk", organizers=[organizer], sessions=["morning", "evening"])
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    return organizer, event, student


def test_keyboard_only_skip_link_and_visible_focus(new_context):
    EventFactory(title="Open Mic")
    page = new_context().new_page()
    page.goto("/events/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate("el => getComputedStyle(el).top") != "-48px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused_outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused_outline == "solid"


def test_every_field_has_a_label_and_no_page_scrolls_sideways_at_375px(new_context, organizer_and_event):
    organizer, event, student = organizer_and_event
    anonymous = new_context(width=375, height=700).new_page()
    pages = {
        anonymous: [
            "/",
            "/events/",
            f"/events/{event.pk}/",
            "/accounts/signup/",
            "/accounts/login/",
            "/accounts/password_reset/",
            "/accounts/signup/check-email/",
            "/accounts/signup/send-again/",
            "/accounts/signup/verify/no-longer-valid/",
            "/certificates/verify/",
        ]
    }
    student_page = new_context(width=375, height=700).new_page()
    log_in(student_page, student.pk)
    pages[student_page] = [f"/events/{event.pk}/", "/me/events/", "/me/history/", f"/events/{event.pk}/feedback/"]
    door = new_context(width=375, height=700).new_page()
    log_in(door, organizer.username)
    pages[door] = [
        "/organize/",
        f"/events/{event.pk}/manage/checkin/",
        f"/events/{event.pk}/manage/roster/",
        f"/events/{event.pk}/manage/certificates/",
    ]
    for page, paths in pages.items():
        for path in paths:
            page.goto(path)
            unlabelled = page.evaluate(
                """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                      .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
                      .map(el => el.name)"""
            )
            assert unlabelled == [], f"{path}: {unlabelled}"
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                      .filter(el => el.getBoundingClientRect().right > 376 && !el.closest('.table-wrap table'))
                      .map(el => el.tagName + '.' + el.className)"""
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, (path, wide)
            assert page.locator("h1").count() == 1, path


@pytest.mark.parametrize("width", [375, 1280])
def test_signup_link_pages_wrong_password_expired_link_and_send_again(new_context, shoot, width):
    from registrations.services import student_signup

    student = student_signup(
        enrollment_no="24CSE31078", full_name="Meera Iyer", email="meera@college.example", password=PASSWORD
    )
    [link] = re.findall(r"/accounts/signup/verify/\S+/", mail.outbox[-1].body)
    page = new_context(width=width, height=800).new_page()

    page.goto(link)
    expect(page.get_by_text(student.enrollment_no)).to_be_visible()
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Finish signing up").click()
    expect(page.get_by_text("This is not the password chosen at sign-up.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"{width}-wrong-password")

    page.goto(link[:-4] + "x/")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.get_by_label("Enrollment number").fill(student.enrollment_no.lower())
    page.get_by_role("button", name="Send a new link").click()
    expect(page.get_by_role("status")).to_contain_text("a new link is on its way")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"{width}-sent-again")
