"""Hostile bodies over real HTTP: oversize, deeply nested, not JSON. Clear 4xx JSON errors, never a 5xx."""

import http.client
import json
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from registrations.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def post(live_server, path: str, body: bytes, headers: dict[str, str] | None = None):
    address = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    except (ConnectionResetError, BrokenPipeError):
        # The server may answer and close before the whole oversize body is sent.
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def error_code(content_type: str, body: bytes) -> str:
    assert content_type.startswith("application/json"), (content_type, body[:200])
    return json.loads(body)["error"]["code"]


@pytest.fixture
def student_token(student):
    return {"Authorization": f"Token {Token.objects.create(user=student.user).key}"}


def test_oversize_registration_body_is_refused_with_413(live_server, event, student, student_token):
    body = json.dumps({"enrollment_no": student.enrollment_no, "padding": "x" * (2 * 1024 * 1024)}).encode()

    status, content_type, answer = post(live_server, f"/api/v2/register/individual/{event.pk}", body, student_token)

    assert status == 413
    assert error_code(content_type, answer) == "PAYLOAD_TOO_LARGE"
    assert not Registration.objects.exists()


def test_oversize_anonymous_token_request_is_refused_with_413(live_server):
    body = json.dumps({"username": "x" * (2 * 1024 * 1024), "password": "p"}).encode()

    status, content_type, answer = post(live_server, "/api/v2/auth/token/", body)

    assert status == 413
    assert error_code(content_type, answer) == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_validation_error(live_server, event, student_token, depth):
    body = ("[" * depth + "]" * depth).encode()

    status, content_type, answer = post(live_server, f"/api/v2/register/individual/{event.pk}", body, student_token)

    assert status == 400
    assert error_code(content_type, answer) == "VALIDATION_ERROR"


def test_deeply_nested_object_in_a_field_is_a_validation_error(live_server, event, student_token):
    nested = '{"a":' * 50_000 + "1" + "}" * 50_000
    body = f'{{"enrollment_no": {nested}}}'.encode()

    status, content_type, answer = post(live_server, f"/api/v2/register/individual/{event.pk}", body, student_token)

    assert status == 400
    assert error_code(content_type, answer) == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe not utf-8", b"{not json", b"[]", b"42", b'"22CSE30001"', b"null", b'{"enrollment_no": NaN}'],
    ids=["bad-utf8", "broken", "array", "number", "string", "null", "nan"],
)
def test_malformed_registration_bodies_get_a_clear_4xx(live_server, event, student_token, body):
    status, content_type, answer = post(live_server, f"/api/v2/register/individual/{event.pk}", body, student_token)

    assert 400 <= status < 500
    assert error_code(content_type, answer)
    assert Registration.objects.filter(status="confirmed").count() <= 1


@pytest.mark.parametrize(
    "path",
    ["/api/v2/auth/token/", "/api/v2/auth/signup/", "/api/v2/register/team/{event}", "/api/v2/attendance/mark/{event}"],
)
def test_nested_and_broken_bodies_never_cause_a_5xx_anywhere(live_server, event, student_token, path):
    for body in [("[" * 100_000 + "]" * 100_000).encode(), b"\xff", b'{"members": ' + b"[" * 5000 + b"]" * 5000 + b"}"]:
        status, content_type, answer = post(live_server, path.format(event=event.pk), body, student_token)

        assert 400 <= status < 500, (path, status, answer[:200])
        assert error_code(content_type, answer)
