"""Password guessing is throttled: the token endpoint answers 429 THROTTLED after its limit."""

import pytest

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v2/auth/token/"
LIMIT = 10  # AUTH_THROTTLE_RATE's default: 10/min


def test_token_endpoint_throttles_repeated_guesses(api_client, student):
    answers = [
        api_client.post(TOKEN_URL, {"username": student.enrollment_no, "password": f"guess-{n}"}, format="json")
        for n in range(LIMIT + 5)
    ]

    statuses = [answer.status_code for answer in answers]
    assert statuses[:LIMIT] == [400] * LIMIT
    assert set(statuses[LIMIT:]) == {429}
    throttled = answers[-1]
    assert throttled.json()["error"]["code"] == "THROTTLED"
    assert int(throttled["Retry-After"]) > 0


def test_throttled_client_cannot_log_in_even_with_the_right_password(api_client, student):
    for n in range(LIMIT):
        api_client.post(TOKEN_URL, {"username": student.enrollment_no, "password": f"guess-{n}"}, format="json")

    answer = api_client.post(
        TOKEN_URL, {"username": student.enrollment_no, "password": "correct-horse-battery"}, format="json"
    )

    assert answer.status_code == 429
    assert "token" not in answer.json()


def test_token_endpoint_gives_a_token_before_the_limit(api_client, student):
    answer = api_client.post(
        TOKEN_URL, {"username": student.enrollment_no, "password": "correct-horse-battery"}, format="json"
    )

    assert answer.status_code == 200
    assert answer.json()["token"]
