"""Issue 12, finding 3: a sign-up proves its email address before its login works."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from registrations.models import Notification, Student
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/api/v2/auth/signup/"
TOKEN_URL = "/api/v2/auth/token/"
PASSWORD = "a-long-pass-phrase"
LIMIT = 10  # AUTH_THROTTLE_RATE's default: 10/min


def _signup_body(**changes) -> dict:
    return {
        "enrollment_no": "23ECE10042",
        "full_name": "Meera Iyer",
        "email": "meera@college.example",
        "department": "ECE",
        "year": 2,
        "password": PASSWORD,
        **changes,
    }


def _sign_up(api_client, capture, **changes):
    with capture(execute=True):
        response = api_client.post(SIGNUP_URL, _signup_body(**changes), format="json")
    return response


def _link_in(message) -> str:
    [link] = re.findall(r"https?://\S+/accounts/signup/verify/\S+/", message.body)
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _page_text(response, *, hide: str) -> str:
    """The page with what legitimately differs between two answers taken out: the echoed input and the CSRF token."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(hide, "INPUT")


def _token_answer(api_client, username: str, password: str):
    response = api_client.post(TOKEN_URL, {"username": username, "password": password}, format="json")
    return response.status_code, response.json()


def test_signup_login_is_refused_until_the_email_is_verified_exactly_as_a_wrong_password(
    api_client, django_capture_on_commit_callbacks
):
    response = _sign_up(api_client, django_capture_on_commit_callbacks)

    assert response.status_code == 201
    assert response.json()["verification_sent"] is True
    pending = _token_answer(api_client, "23ECE10042", PASSWORD)
    wrong = _token_answer(api_client, "23ECE10042", "not-the-password")
    nobody = _token_answer(api_client, "23ECE99999", PASSWORD)
    assert pending == wrong == nobody
    assert pending[0] == 400
    assert "token" not in pending[1]


def test_signup_sends_one_link_through_the_outbox_and_the_link_with_the_password_finishes_it(
    api_client, client, django_capture_on_commit_callbacks
):
    _sign_up(api_client, django_capture_on_commit_callbacks)

    [notification] = Notification.objects.filter(kind=Notification.Kind.SIGNUP_VERIFICATION)
    assert notification.state == Notification.State.SENT
    [message] = mail.outbox
    assert message.to == ["meera@college.example"]
    link = _link_in(message)
    page = client.get(link)
    assert page.status_code == 200
    assert "23ECE10042" in page.content.decode()

    finished = client.post(link, {"password": PASSWORD})

    assert finished.status_code == 200
    assert "Your email is verified" in finished.content.decode()
    assert finished.context["user"].username == "23ECE10042"
    assert User.objects.get(username="23ECE10042").is_active
    status, body = _token_answer(api_client, "23ECE10042", PASSWORD)
    assert status == 200 and body["enrollment_no"] == "23ECE10042"


def test_the_link_works_once(api_client, client, django_capture_on_commit_callbacks):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])
    assert client.post(link, {"password": PASSWORD}).status_code == 200
    client.logout()

    again = client.get(link)

    assert again.status_code == 400
    assert "This link no longer works" in again.content.decode()
    assert client.post(link, {"password": PASSWORD}).status_code == 400


def test_the_link_expires(api_client, client, settings, django_capture_on_commit_callbacks):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])
    settings.SIGNUP_VERIFICATION_MAX_AGE = -1  # every link is now older than the limit

    response = client.post(link, {"password": PASSWORD})

    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()
    assert not User.objects.get(username="23ECE10042").is_active


def test_a_tampered_link_is_refused(api_client, client, django_capture_on_commit_callbacks):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])

    assert client.get(link[:-3] + "x/").status_code == 400
    assert client.get("/accounts/signup/verify/not-a-token/").status_code == 400


def test_the_link_needs_the_password_chosen_at_signup(api_client, client, django_capture_on_commit_callbacks):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])

    response = client.post(link, {"password": "somebody-elses-guess"})

    assert response.status_code == 400
    assert "not the password chosen at sign-up" in response.content.decode()
    assert not User.objects.get(username="23ECE10042").is_active
    assert response.context["user"].is_anonymous


def test_a_stranger_cannot_claim_an_imported_student_and_the_owner_still_can(
    api_client, client, django_capture_on_commit_callbacks
):
    imported = StudentFactory(enrollment_no="22CSE30001", email="ravi@college.example")
    intruder = _sign_up(
        api_client, django_capture_on_commit_callbacks, enrollment_no="22CSE30001", email="ravi@college.example"
    )
    assert intruder.status_code == 201
    assert _token_answer(api_client, "22CSE30001", PASSWORD)[0] == 400
    intruders_link = _link_in(mail.outbox[0])

    # The owner, who holds the mailbox but not the intruder's password, signs up with their own.
    owner = _sign_up(
        api_client,
        django_capture_on_commit_callbacks,
        enrollment_no="22CSE30001",
        email="ravi@college.example",
        password="the-owners-own-phrase",
    )
    assert owner.status_code == 201
    assert client.post(intruders_link, {"password": PASSWORD}).status_code == 400
    assert client.post(_link_in(mail.outbox[1]), {"password": "the-owners-own-phrase"}).status_code == 200

    imported.refresh_from_db()
    assert imported.user.is_active and imported.user.check_password("the-owners-own-phrase")
    assert _token_answer(api_client, "22CSE30001", PASSWORD)[0] == 400
    assert _token_answer(api_client, "22CSE30001", "the-owners-own-phrase")[0] == 200


def test_an_imported_student_is_told_to_use_the_college_email_on_file(api_client):
    StudentFactory(enrollment_no="22CSE30001", email="ravi@college.example")

    response = api_client.post(
        SIGNUP_URL, _signup_body(enrollment_no="22CSE30001", email="ravi.personal@mail.example"), format="json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "ALREADY_EXISTS"
    assert "college email address" in error["message"]
    assert "ravi@college.example" not in response.content.decode()
    assert not User.objects.filter(username="22CSE30001").exists()


def test_a_verified_login_is_never_replaced_by_a_new_signup(api_client, client, django_capture_on_commit_callbacks):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    client.post(_link_in(mail.outbox[0]), {"password": PASSWORD})

    again = api_client.post(SIGNUP_URL, _signup_body(password="another-long-phrase"), format="json")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ALREADY_EXISTS"
    assert User.objects.get(username="23ECE10042").check_password(PASSWORD)


def test_signup_email_domains_limit_who_may_sign_up(api_client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["college.example"]

    outside = api_client.post(SIGNUP_URL, _signup_body(email="meera@mail.example"), format="json")
    inside = api_client.post(SIGNUP_URL, _signup_body(email="Meera@College.example"), format="json")

    assert outside.status_code == 400
    assert outside.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "@college.example" in outside.json()["error"]["details"]["email"][0]
    assert inside.status_code == 201
    assert Student.objects.filter(pk="23ECE10042").count() == 1


def test_without_email_verification_the_login_works_at_once(api_client, settings, django_capture_on_commit_callbacks):
    settings.SIGNUP_EMAIL_VERIFICATION = False

    response = _sign_up(api_client, django_capture_on_commit_callbacks)

    assert response.json()["verification_sent"] is False
    assert _token_answer(api_client, "23ECE10042", PASSWORD)[0] == 200
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_login_page_answers_a_pending_signup_exactly_as_a_wrong_password(api_client, client):
    api_client.post(SIGNUP_URL, _signup_body(), format="json")

    def page_for(username: str, password: str) -> tuple[int, str]:
        response = client.post(reverse("login"), {"username": username, "password": password})
        return response.status_code, _page_text(response, hide=username)

    pending = page_for("23ECE10042", PASSWORD)
    wrong = page_for("23ECE10042", "not-the-password")
    nobody = page_for("23ECE99999", PASSWORD)
    assert pending == wrong == nobody
    assert pending[0] == 200
    assert "Please enter a correct username and password" in pending[1]


def test_signup_page_sends_the_student_to_check_their_email(client, django_capture_on_commit_callbacks):
    form = {
        **_signup_body(),
        "password_again": PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), form, follow=True)

    assert response.redirect_chain == [(reverse("signup-check-email"), 302)]
    assert "Check your email" in response.content.decode()
    assert "meera@college.example" in response.content.decode()
    assert response.context["user"].is_anonymous
    assert [message.to for message in mail.outbox] == [["meera@college.example"]]


def test_send_again_answers_the_same_for_anyone_and_sends_only_to_a_pending_signup(
    api_client, client, student, django_capture_on_commit_callbacks
):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    def send_again(enrollment_no: str) -> tuple[int, str]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("signup-resend"), {"enrollment_no": enrollment_no})
        return response.status_code, _page_text(response, hide=enrollment_no)

    answers = [send_again(enrollment_no) for enrollment_no in ("23ECE10042", student.pk, "23ECE99999")]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200
    assert [message.to for message in mail.outbox] == [["meera@college.example"]]


def test_send_again_gives_a_working_link_and_using_one_retires_the_others(
    api_client, client, django_capture_on_commit_callbacks
):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    first = _link_in(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup-resend"), {"enrollment_no": "23ece10042"})
    second = _link_in(mail.outbox[1])

    assert client.post(second, {"password": PASSWORD}).status_code == 200
    client.logout()
    assert client.get(first).status_code == 400


def test_signup_page_is_throttled_per_address(client):
    form = {**_signup_body(enrollment_no="bad"), "password_again": PASSWORD}
    answers = [client.post(reverse("signup"), form).status_code for _ in range(LIMIT + 2)]

    assert answers[:LIMIT] == [400] * LIMIT
    assert answers[LIMIT:] == [429, 429]
    refused = client.post(reverse("signup"), form)
    assert int(refused["Retry-After"]) > 0
    assert "Too many attempts" in refused.content.decode()


def test_api_signups_and_the_signup_page_share_one_allowance(api_client, client):
    for _ in range(LIMIT):
        api_client.post(SIGNUP_URL, _signup_body(enrollment_no="bad"), format="json")

    form = {**_signup_body(), "password_again": PASSWORD}
    assert client.post(reverse("signup"), form).status_code == 429
    assert not Student.objects.exists()


def test_wrong_passwords_on_the_link_count_towards_the_one_lock_out(
    api_client, client, settings, django_capture_on_commit_callbacks
):
    _sign_up(api_client, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])

    answers = [client.post(link, {"password": f"guess-{n}"}).status_code for n in range(settings.LOGIN_FAILURE_LIMIT)]
    locked = client.post(link, {"password": PASSWORD})

    # The failure that reaches the limit is already answered as locked, as on the login page.
    assert answers == [400] * (settings.LOGIN_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed attempts" in locked.content.decode()
    assert not User.objects.get(username="23ECE10042").is_active
