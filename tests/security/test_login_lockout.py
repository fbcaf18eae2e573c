"""One lock-out per username on every way in: the login page, the admin login and the API token.

The lock counts the username as the login matches it (NFKC, trimmed, any case), from any
address, and answers a username that does not exist exactly like one that does.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories import StaffFactory, StudentUserFactory

pytestmark = pytest.mark.django_db

RIGHT_PASSWORD = "correct-horse-battery"
TOKEN_URL = "/api/v2/auth/token/"
LOCKED = b"Too many failed attempts for this username"


def page_login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def admin_login(client, username: str, password: str, address: str = "10.0.0.1"):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", data, REMOTE_ADDR=address)


def token_login(api_client, username: str, password: str, address: str = "10.0.0.1"):
    return api_client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def fail(way, client, username: str, times: int, **extra) -> list[int]:
    return [way(client, username, f"wrong-{n}", **extra).status_code for n in range(times)]


def test_wrong_passwords_below_the_limit_show_the_form_again(client, student):
    assert fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT - 1) == [200] * (
        settings.LOGIN_FAILURE_LIMIT - 1
    )
    assert "_auth_user_id" not in client.session


def test_at_the_limit_even_the_right_password_is_refused_with_429_and_a_sentence(client, student):
    statuses = fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT)

    response = page_login(client, student.enrollment_no, RIGHT_PASSWORD)

    assert statuses[-1] == 429
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW
    assert LOCKED in response.content
    assert "_auth_user_id" not in client.session


def test_guesses_from_many_addresses_lock_the_username(client, student):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        page_login(client, student.enrollment_no, f"wrong-{n}", address=f"198.51.100.{n}")

    response = page_login(client, student.enrollment_no, RIGHT_PASSWORD, address="203.0.113.9")

    assert response.status_code == 429


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(api_client, student):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        api_client.post(
            TOKEN_URL,
            {"username": student.enrollment_no, "password": f"wrong-{n}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    assert token_login(api_client, student.enrollment_no, RIGHT_PASSWORD).status_code == 429


def test_the_lock_is_one_for_the_page_the_admin_and_the_api(client, api_client):
    staff = StaffFactory()
    half = settings.LOGIN_FAILURE_LIMIT // 2
    fail(page_login, client, staff.username, half)
    fail(token_login, api_client, staff.username, settings.LOGIN_FAILURE_LIMIT - half - 1)
    fail(admin_login, client, staff.username, 1)

    by_page = page_login(client, staff.username, RIGHT_PASSWORD)
    by_admin = admin_login(client, staff.username, RIGHT_PASSWORD)
    by_token = token_login(api_client, staff.username, RIGHT_PASSWORD)

    assert by_page.status_code == 429
    assert by_admin.status_code == 429
    assert LOCKED in by_admin.content
    assert client.get("/admin/").status_code == 302  # still sent to the login page
    assert by_token.status_code == 429
    error = by_token.json()["error"]
    assert error["code"] == "THROTTLED"
    assert "Too many failed attempts for this username" in error["message"]
    assert int(by_token["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW
    assert "token" not in by_token.json()


@pytest.mark.parametrize(
    "variant",
    ["２２ECE30107", "22ece30107", " 22ECE30107 ", "２２ｅｃｅ３０１０７"],
)
def test_the_lock_key_is_the_username_as_the_login_reads_it(client, api_client, variant):
    StudentUserFactory(enrollment_no="22ECE30107")
    fail(page_login, client, "22ECE30107", settings.LOGIN_FAILURE_LIMIT)

    assert page_login(client, variant, RIGHT_PASSWORD).status_code == 429
    assert token_login(api_client, variant, RIGHT_PASSWORD).status_code == 429


def test_variants_count_towards_one_lock(client):
    student = StudentUserFactory(enrollment_no="22ECE30107")
    variants = ["２２ECE30107", "22ece30107", "22ECE30107 ", "２２ｅｃｅ３０１０７", "22Ece30107"]
    for n, variant in enumerate(variants[: settings.LOGIN_FAILURE_LIMIT]):
        page_login(client, variant, f"wrong-{n}")

    assert page_login(client, student.enrollment_no, RIGHT_PASSWORD).status_code == 429


def test_one_api_attempt_counts_once(api_client, student):
    # The token endpoint tries the username as typed and upper-cased; that is still one attempt.
    statuses = fail(token_login, api_client, student.enrollment_no.lower(), settings.LOGIN_FAILURE_LIMIT - 1)

    assert statuses == [400] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert token_login(api_client, student.enrollment_no, RIGHT_PASSWORD).status_code == 200


def test_a_username_that_does_not_exist_is_locked_the_same_way(client, api_client, student):
    fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT)
    fail(page_login, client, "99XYZ99999", settings.LOGIN_FAILURE_LIMIT)

    real_page = page_login(client, student.enrollment_no, "anything")
    ghost_page = page_login(client, "99XYZ99999", "anything")
    real_token = token_login(api_client, student.enrollment_no, "anything")
    ghost_token = token_login(api_client, "99XYZ99999", "anything")

    assert real_page.status_code == ghost_page.status_code == 429
    assert LOCKED in real_page.content
    assert LOCKED in ghost_page.content
    assert real_token.status_code == ghost_token.status_code == 429
    assert real_token.json() == ghost_token.json()


def test_other_usernames_are_not_locked(client, student):
    other = StudentUserFactory()
    fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT)

    assert page_login(client, other.enrollment_no, RIGHT_PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures(client, student):
    fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT - 1)
    assert page_login(client, student.enrollment_no, RIGHT_PASSWORD).status_code == 302
    client.logout()

    statuses = fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT - 1)

    assert statuses == [200] * (settings.LOGIN_FAILURE_LIMIT - 1)


def test_the_lock_ends_after_the_window(client, student, settings):
    fail(page_login, client, student.enrollment_no, settings.LOGIN_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2000))

    assert page_login(client, student.enrollment_no, RIGHT_PASSWORD).status_code == 302


@pytest.mark.parametrize("typed", ["22ece30107", "２２ECE30107", " 22ECE30107"])
def test_the_page_and_the_api_read_the_username_alike(client, api_client, typed):
    StudentUserFactory(enrollment_no="22ECE30107")

    assert page_login(client, typed, RIGHT_PASSWORD).status_code == 302
    assert token_login(api_client, typed, RIGHT_PASSWORD).json()["username"] == "22ECE30107"


@pytest.mark.parametrize("username", ["x" * 5000, "Ā" * 151])
def test_a_name_longer_than_any_username_is_answered_and_locked_like_any_other(client, api_client, username):
    statuses = fail(page_login, client, username, settings.LOGIN_FAILURE_LIMIT)

    assert statuses == [200] * (settings.LOGIN_FAILURE_LIMIT - 1) + [429]
    assert token_login(api_client, username, "anything").status_code == 400  # the API refuses it as too long


def test_a_name_with_a_nul_is_refused_before_any_login_is_tried(client, api_client):
    assert fail(page_login, client, "A\x00B", settings.LOGIN_FAILURE_LIMIT + 1) == [200] * (
        settings.LOGIN_FAILURE_LIMIT + 1
    )
    assert token_login(api_client, "A\x00B", "anything").status_code == 400
    assert not AccessAttempt.objects.exists()
