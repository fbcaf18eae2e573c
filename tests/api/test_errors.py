"""Every error code of API.md, produced through HTTP, in the contract's error body."""

import json
import socket

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import RequestFactory
from rest_framework.throttling import ScopedRateThrottle

from certificates.services import certificate_issue
from events.models import Event
from eventsite import errors
from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
from tests.api.helpers import error_of
from tests.factories import EventFactory, PastEventFactory, StudentFactory

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict):
    return client.post(url, body, format="json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = error_of(response)
    assert error["code"] == code
    return error


# 400


def test_invalid_fields_are_listed_with_their_messages(client_for, event, student):
    response = post(client_for(student), f"/api/v2/feedback/submit/{event.pk}", {"rating": 9, "comments": 3 * [1]})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"rating", "comments"}
    assert all(isinstance(message, str) for messages in error["details"].values() for message in messages)


def test_a_rule_about_a_field_names_that_field(client_for, organizer, event):
    response = post(client_for(organizer), f"/api/v2/register/individual/{event.pk}", {"enrollment_no": "nobody!"})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["enrollment_no"]


def test_malformed_json_is_a_validation_error(client_for, event, student):
    response = client_for(student).post(
        f"/api/v2/register/individual/{event.pk}", data='{"enrollment_no": ', content_type="application/json"
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"]["non_field_errors"]


def test_a_body_that_is_not_an_object_is_a_validation_error(client_for, event, student):
    response = client_for(student).post(
        f"/api/v2/register/individual/{event.pk}", data="[1, 2]", content_type="application/json"
    )

    assert_error(response, 400, "VALIDATION_ERROR")


def test_a_body_that_is_not_json_is_refused_in_the_same_shape(client_for, event, student):
    response = client_for(student).post(
        f"/api/v2/register/individual/{event.pk}", data="enrollment_no=1", content_type="text/plain"
    )

    assert_error(response, 415, "VALIDATION_ERROR")


def test_bad_credentials_are_a_validation_error(client_for, student):
    response = post(client_for(), "/api/v2/auth/token/", {"username": student.pk, "password": "wrong"})

    assert_error(response, 400, "VALIDATION_ERROR")


# 401, 403


def test_no_login_is_not_authenticated_with_a_challenge(client_for, event):
    response = client_for().get(f"/api/v2/status/{event.pk}")

    assert_error(response, 401, "NOT_AUTHENTICATED")
    assert response["WWW-Authenticate"].startswith("Token")


def test_an_unknown_token_is_not_authenticated_even_on_a_public_endpoint(client_for):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    assert_error(client.get("/api/v2/events/"), 401, "NOT_AUTHENTICATED")


def test_acting_for_another_student_is_permission_denied(client_for, event, student):
    other = StudentFactory()

    response = post(client_for(student), f"/api/v2/register/individual/{event.pk}", {"enrollment_no": other.pk})

    assert_error(response, 403, "PERMISSION_DENIED")


# 404


def test_an_unknown_event_is_not_found_and_says_what(client_for, student):
    response = post(client_for(student), "/api/v2/register/individual/no-such-event", {})

    error = assert_error(response, 404, "NOT_FOUND")
    assert error["details"] == {"what": "event", "key": "no-such-event"}


def test_an_unknown_student_is_not_found_and_says_what(client_for, organizer, event):
    response = client_for(organizer).get(f"/api/v2/lookup/enrollment/21ME99999/event/{event.pk}")

    assert assert_error(response, 404, "NOT_FOUND")["details"]["what"] == "student"


def test_an_unknown_certificate_is_not_found_and_says_what(client_for):
    response = client_for().get("/api/v2/certificates/C0000000000000000/verify")

    assert assert_error(response, 404, "NOT_FOUND")["details"]["what"] == "certificate"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/"),
        ("get", "/api/v2/no-such-thing/"),
        ("post", "/api/v2/register/individual/"),
        ("get", "/api/v2/events"),
        ("delete", "/api/v3/events/"),
        ("get", "/api/v2/certificates/not%20an%20id/verify"),
    ],
)
def test_unknown_paths_under_api_are_json_not_found(client_for, method, path):
    response = getattr(client_for(), method)(path, HTTP_ACCEPT="text/html")

    assert_error(response, 404, "NOT_FOUND")


def test_unknown_paths_elsewhere_keep_the_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_page_past_the_end_is_not_found(client_for, event):
    assert_error(client_for().get("/api/v2/events/?page=9"), 404, "NOT_FOUND")


# 405, 406


def test_an_unsupported_method_is_json_with_allow(client_for, staff_user, event):
    response = client_for(staff_user).delete(f"/api/v2/events/{event.pk}/")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


def test_a_browser_asking_for_html_still_gets_json(client_for, event):
    response = client_for().get("/api/v2/events/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


# 409


def test_signup_with_a_taken_enrollment_number_already_exists(client_for, student):
    body = {
        "enrollment_no": student.pk,
        "full_name": "Someone Else",
        "email": "someone.else@college.example",
        "password": "a-long-pass-phrase",
    }

    assert_error(post(client_for(), "/api/v2/auth/signup/", body), 409, "ALREADY_EXISTS")


def test_creating_an_event_with_a_taken_id_already_exists(client_for, staff_user, event):
    body = {"event_id": event.pk, "title": "Again", "starts_at": "2027-01-01T10:00Z", "ends_at": "2027-01-01T12:00Z"}

    assert_error(post(client_for(staff_user), "/api/v2/events/", body), 409, "ALREADY_EXISTS")


def test_registering_twice_is_already_registered(client_for, event, student):
    registration_create(event=event, enrollment_no=student.pk)

    response = post(client_for(student), f"/api/v2/register/individual/{event.pk}", {})

    assert assert_error(response, 409, "ALREADY_REGISTERED")["details"]["enrollment_nos"] == [student.pk]


def test_a_team_with_a_registered_member_lists_them(client_for, organizer, team_event):
    taken = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="First", leader=taken[0].pk, members=[taken[1].pk])

    response = post(
        client_for(organizer),
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": "Second", "leader": StudentFactory().pk, "members": [taken[0].pk, taken[1].pk]},
    )

    assert assert_error(response, 409, "ALREADY_REGISTERED")["details"]["enrollment_nos"] == sorted(
        [taken[0].pk, taken[1].pk]
    )


def test_a_taken_team_name_is_refused_whatever_its_case(client_for, organizer, team_event):
    first = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="Alpha", leader=first[0].pk, members=[first[1].pk])
    second = StudentFactory.create_batch(2)

    response = post(
        client_for(organizer),
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": " ALPHA ", "leader": second[0].pk, "members": [second[1].pk]},
    )

    assert_error(response, 409, "TEAM_NAME_TAKEN")


def test_a_full_event_without_waitlist_is_event_full(client_for, organizer):
    event = EventFactory(capacity=1, organizers=[organizer])
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    response = post(
        client_for(organizer), f"/api/v2/register/individual/{event.pk}", {"enrollment_no": StudentFactory().pk}
    )

    assert_error(response, 409, "EVENT_FULL")


def test_registering_after_the_window_is_registration_closed(client_for, student):
    event = PastEventFactory()

    assert_error(post(client_for(student), f"/api/v2/register/individual/{event.pk}", {}), 409, "REGISTRATION_CLOSED")


def test_registering_alone_for_a_team_event_is_the_wrong_mode(client_for, student, team_event):
    response = post(client_for(student), f"/api/v2/register/individual/{team_event.pk}", {})

    assert_error(response, 409, "WRONG_REGISTRATION_MODE")


def test_a_team_too_small_is_refused_with_the_sizes(client_for, organizer, student, team_event):
    body = {"team_name": "Solo", "leader": student.pk, "members": []}
    response = post(client_for(organizer), f"/api/v2/register/team/{team_event.pk}", body)

    assert assert_error(response, 409, "TEAM_SIZE")["details"] == {"min": 2, "max": 4, "size": 1}


def test_cancelling_without_a_registration_is_not_registered(client_for, event, student):
    assert_error(post(client_for(student), f"/api/v2/register/cancel/{event.pk}", {}), 409, "NOT_REGISTERED")


def test_feedback_before_attending_is_not_attended(client_for, event, student):
    registration_create(event=event, enrollment_no=student.pk)

    response = post(client_for(student), f"/api/v2/feedback/submit/{event.pk}", {"rating": 5})

    assert_error(response, 409, "NOT_ATTENDED")


def test_a_second_feedback_is_refused(client_for, event, student):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    feedback_submit(event=event, enrollment_no=student.pk, rating=4)

    response = post(client_for(student), f"/api/v2/feedback/submit/{event.pk}", {"rating": 5})

    assert_error(response, 409, "FEEDBACK_ALREADY_SUBMITTED")


def test_a_certificate_for_a_student_who_did_not_attend_is_not_eligible(client_for, organizer, event, student):
    registration_create(event=event, enrollment_no=student.pk)

    response = post(client_for(organizer), f"/api/v2/certificate/issue/{event.pk}", {"enrollment_no": student.pk})

    assert assert_error(response, 409, "NOT_ELIGIBLE")["details"]["reason"] == "not_enough_sessions"


def test_a_revoked_certificate_is_not_issued_again(client_for, organizer, event, student):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    certificate_issue(event=event, enrollment_no=student.pk)
    client = client_for(organizer)
    post(client, f"/api/v2/certificate/revoke/{event.pk}", {"enrollment_no": student.pk, "reason": "Proxy"})

    response = post(client, f"/api/v2/certificate/issue/{event.pk}", {"enrollment_no": student.pk})

    assert assert_error(response, 409, "NOT_ELIGIBLE")["details"]["reason"] == "revoked"


def test_registering_for_a_cancelled_event_says_it_is_cancelled(client_for, event, student):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)

    response = post(client_for(student), f"/api/v2/register/individual/{event.pk}", {})

    assert_error(response, 409, "EVENT_CANCELLED")


# 413, 429, 500, 503


def test_a_body_over_the_upload_limit_is_payload_too_large(client_for, settings, event, student):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"enrollment_no": student.pk, "padding": "x" * 2000})

    response = client_for(student).post(
        f"/api/v2/register/individual/{event.pk}", data=body, content_type="application/json"
    )

    assert assert_error(response, 413, "PAYLOAD_TOO_LARGE")["details"] == {"max_bytes": 1000}
    assert not event.registrations


@pytest.mark.parametrize("path", ["/api/v2/auth/token/", "/api/v2/auth/signup/"])
def test_password_guessing_is_throttled(client_for, path):
    allowed, _ = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["auth"])
    client = client_for()
    # A different username each time: this is the per-address throttle, not the per-username lock-out.
    guesses = [{"username": f"22CSE3{n:04d}", "password": "guess"} for n in range(allowed + 1)]

    answers = [post(client, path, guess).status_code for guess in guesses[:-1]]
    response = post(client, path, guesses[-1])

    assert set(answers) == {400}
    error = assert_error(response, 429, "THROTTLED")
    assert int(response["Retry-After"]) >= 1
    assert error["details"]["retry_after"] == int(response["Retry-After"])


def test_a_server_error_under_api_is_json_and_elsewhere_html():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        under_api = errors.server_error(RequestFactory().get("/api/v2/events/"))
        elsewhere = errors.server_error(RequestFactory().get("/events/"))

    assert under_api.status_code == 500
    assert json.loads(under_api.content)["error"]["code"] == "INTERNAL_ERROR"
    assert elsewhere.status_code == 500 and elsewhere["Content-Type"].startswith("text/html")


def _port_nothing_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_database():
    """The default database swapped for a PostgreSQL server that is not there."""
    original = connections["default"]
    settings_dict = {
        **original.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "events",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_port_nothing_listens_on()),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    }
    connections["default"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    yield
    connections["default"] = original


@pytest.mark.parametrize("authenticated", [False, True])
def test_an_unreachable_database_is_unavailable_with_retry_after(client_for, student, authenticated, request):
    client = client_for(student if authenticated else None)
    request.getfixturevalue("unreachable_database")

    response = client.get("/api/v2/events/")

    assert_error(response, 503, "UNAVAILABLE")
    assert int(response["Retry-After"]) > 0


def test_an_unreachable_database_during_a_write_is_unavailable(client_for, event, student, request):
    client = client_for(student)
    request.getfixturevalue("unreachable_database")

    response = post(client, f"/api/v2/register/individual/{event.pk}", {})

    assert_error(response, 503, "UNAVAILABLE")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/a%00b",
        "/api/v2/events/a%00b/",
        "/api/v2/events/?q=a%00b",
        "/api/v2/students/?q=a%00b",
        "/api/v2/students/a%00b/",
        "/api/v2/lookup/enrollment/a%00b/event/a%00b",
        "/api/v2/certificates/a%00/verify",
    ],
)
def test_a_nul_character_in_a_path_or_query_is_a_client_error(client_for, staff_user, path):
    """PostgreSQL refuses NUL in text: it must be turned away before any query."""
    response = client_for(staff_user).get(path)

    assert response.status_code in (400, 404)
    error_of(response)


def test_a_nul_character_in_a_body_is_a_validation_error(client_for, staff_user, event):
    response = post(
        client_for(staff_user), f"/api/v2/register/individual/{event.pk}", {"enrollment_no": "22CSE\x0030001"}
    )

    assert_error(response, 400, "VALIDATION_ERROR")
