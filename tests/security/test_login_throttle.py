"""The HTML login page locks a username from an address after repeated wrong passwords."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db

RIGHT_PASSWORD = "correct-horse-battery"


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_up_to_the_limit(client, username: str, address: str = "10.0.0.1") -> list[int]:
    return [log_in(client, username, f"wrong-{n}", address).status_code for n in range(settings.LOGIN_FAILURE_LIMIT)]


def test_wrong_passwords_up_to_the_limit_show_the_form_again(client, student):
    assert fail_up_to_the_limit(client, student.enrollment_no) == [200] * settings.LOGIN_FAILURE_LIMIT
    assert "_auth_user_id" not in client.session


def test_after_the_limit_even_the_right_password_is_refused_with_429(client, student):
    fail_up_to_the_limit(client, student.enrollment_no)

    response = log_in(client, student.enrollment_no, RIGHT_PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_the_username_in_any_case_and_spacing(client, student):
    fail_up_to_the_limit(client, student.enrollment_no.lower())

    response = log_in(client, f"  {student.enrollment_no} ", RIGHT_PASSWORD)

    assert response.status_code == 429


def test_the_lock_holds_one_username_from_one_address_only(client, student):
    other = StudentUserFactory()
    fail_up_to_the_limit(client, student.enrollment_no, address="10.0.0.1")

    from_elsewhere = log_in(client, student.enrollment_no, RIGHT_PASSWORD, address="10.0.0.2")
    client.logout()
    someone_else = log_in(client, other.enrollment_no, RIGHT_PASSWORD, address="10.0.0.1")

    assert from_elsewhere.status_code == 302
    assert someone_else.status_code == 302


def test_a_successful_login_clears_the_failures(client, student):
    for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, student.enrollment_no, f"wrong-{n}")
    assert log_in(client, student.enrollment_no, RIGHT_PASSWORD).status_code == 302
    client.logout()

    statuses = fail_up_to_the_limit(client, student.enrollment_no)

    assert statuses == [200] * settings.LOGIN_FAILURE_LIMIT


def test_the_admin_login_locks_the_same_way(client, staff_user):
    def admin_log_in(password: str):
        data = {"username": staff_user.username, "password": password, "next": "/admin/"}
        return client.post("/admin/login/", data, REMOTE_ADDR="10.0.0.9")

    for n in range(settings.LOGIN_FAILURE_LIMIT):
        assert admin_log_in(f"wrong-{n}").status_code == 200

    refused = admin_log_in(RIGHT_PASSWORD)

    assert b"Too many failed attempts" in refused.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page
