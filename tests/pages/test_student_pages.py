import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from registrations.models import Feedback, Student
from registrations.services import attendance_mark, registration_create, team_register
from tests.factories import EventFactory, PastEventFactory, StudentFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "enrollment_no": " 23ece40012 ",
    "full_name": "Zoë Ângela D'Souza",
    "email": "zoe@college.example",
    "department": "ece",
    "year": "2",
    "password": "a-long-enough-passphrase",
    "password_again": "a-long-enough-passphrase",
}


def test_signup_creates_the_student_and_logs_them_in_without_email_verification(client, settings):
    settings.SIGNUP_EMAIL_VERIFICATION = False
    response = client.post(reverse("signup"), SIGNUP, follow=True)
    student = Student.objects.get(pk="23ECE40012")
    assert student.full_name == "Zoë Ângela D'Souza"
    assert student.user.username == "23ECE40012"
    assert response.context["user"] == student.user
    assert "Welcome, Zoë Ângela D&#x27;Souza" in response.content.decode()


def test_signup_with_a_taken_enrollment_number_says_so_next_to_the_field(client):
    StudentFactory(enrollment_no="23ECE40012", email="someone@college.example")
    response = client.post(reverse("signup"), SIGNUP)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_enrollment_no_error"' in page
    assert "already registered" in page
    assert not User.objects.filter(username="23ECE40012").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"enrollment_no": "hello"}, "enrollment_no", "is not a valid enrollment number"),
        ({"password": "123", "password_again": "123"}, "password", "too short"),
        ({"password_again": "different-passphrase"}, "password_again", "The two passwords differ."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"year": "9"}, "year", "Select a valid choice."),
    ],
)
def test_signup_errors_are_shown_next_to_their_fields(client, changes, field, message):
    response = client.post(reverse("signup"), SIGNUP | changes)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert not Student.objects.exists()


def test_signup_redirects_to_a_safe_next_only(client, settings):
    settings.SIGNUP_EMAIL_VERIFICATION = False
    response = client.post(reverse("signup"), SIGNUP | {"next": "https://evil.example/"})
    assert response["Location"] == reverse("my-events")


def test_login_page_and_password_reset_sends_an_email(client, student):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": student.email}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_log_in_and_out(client, student):
    response = client.post(reverse("login"), {"username": student.pk, "password": "correct-horse-battery"})
    assert response.status_code == 302
    response = client.post(reverse("logout"), follow=True)
    assert response.context["user"].is_anonymous


def test_my_events_needs_a_login(client):
    response = client.get(reverse("my-events"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_events_shows_status_qr_attendance_and_waitlist_place(client, student, login):
    confirmed_event = EventFactory(title="Confirmed Event", sessions=["day-1", "day-2"])
    registration = registration_create(event=confirmed_event, enrollment_no=student.pk)
    attendance_mark(event=confirmed_event, enrollment_no=student.pk, session="day-1")
    full_event = EventFactory(title="Full Event", capacity=1, waitlist_enabled=True)
    registration_create(event=full_event, enrollment_no=StudentFactory().pk)
    registration_create(event=full_event, enrollment_no=student.pk)
    login(student.user)

    page = client.get(reverse("my-events")).content.decode()

    assert "Confirmed Event" in page and "Full Event" in page
    assert registration.checkin_code in page
    assert "Waitlisted, place 1" in page
    assert 'day-1: <span class="yes">attended</span>' in page
    assert 'day-2: <span class="no">not yet</span>' in page
    assert reverse("event-feedback", args=[confirmed_event.pk]) in page


def test_my_events_for_a_non_student_account_is_403(client, organizer, login):
    login(organizer)
    assert client.get(reverse("my-events")).status_code == 403


def test_history_lists_every_event_including_cancelled_and_team_ones(client, student, login):
    past = PastEventFactory(title="Past Quiz")
    from tests.factories import RegistrationFactory

    RegistrationFactory(event=past, student=student, status="cancelled", checkin_code=None)
    team_event = EventFactory(title="Team Jam", registration_mode="team", team_size_min=2, team_size_max=3)
    team_register(event=team_event, team_name="Owls", leader=student.pk, members=[StudentFactory().pk])
    login(student.user)
    page = client.get(reverse("my-history")).content.decode()
    assert "Past Quiz" in page and "Cancelled" in page
    assert "Team Jam" in page and "(team Owls)" in page


def test_feedback_before_attending_shows_the_reason(client, event, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    login(student.user)
    response = client.post(reverse("event-feedback", args=[event.pk]), {"rating": "5", "comments": "Great"})
    assert response.status_code == 400
    assert "has not attended" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_after_attending_is_saved_once(client, event, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    login(student.user)
    response = client.post(reverse("event-feedback", args=[event.pk]), {"rating": "4", "comments": "Loved it"})
    assert response.status_code == 302
    again = client.get(reverse("event-feedback", args=[event.pk])).content.decode()
    assert "You gave this event 4 out of 5" in again
    assert Feedback.objects.get(event=event, student=student).comments == "Loved it"


def test_feedback_with_a_bad_rating_is_a_form_error(client, event, student, login):
    login(student.user)
    response = client.post(reverse("event-feedback", args=[event.pk]), {"rating": "11"})
    assert response.status_code == 400
    assert 'id="id_rating_error"' in response.content.decode()


def test_feedback_for_an_unknown_event_is_404(client, student, login):
    login(student.user)
    assert client.get(reverse("event-feedback", args=["nope"])).status_code == 404


def test_password_reset_link_sets_a_new_password(client, student):
    import re

    client.post(reverse("password_reset"), {"email": student.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase-2026", "new_password2": "a-fresh-passphrase-2026"},
        follow=True,
    )
    assert "Password saved" in response.content.decode()
    student.user.refresh_from_db()
    assert student.user.check_password("a-fresh-passphrase-2026")
