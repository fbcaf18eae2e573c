"""The door's API: scanner links, the check-in roster and batches of scans."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from door.selectors import checkin_code_hash
from registrations.models import Attendance, CheckinScan, Registration, ScannerLink
from registrations.services import registration_create, scanner_link_token_hash
from tests.factories import EventFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def door_event(organizer):
    """An event whose session starts in an hour: check-in is open."""
    return EventFactory(organizers=[organizer])


def _registered(event, n=1):
    students = StudentFactory.create_batch(n)
    return [registration_create(event=event, enrollment_no=s.pk) for s in students]


def _link(client_for, organizer, event, **body):
    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/scanner-links", {"label": "Gate 2", **body}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _scanner(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Scanner {token}")
    return client


def _scan(scan_id, registration, at=None, **fields):
    return {
        "scan_id": scan_id,
        "checkin_code": registration.checkin_code,
        "scanned_at": (at or timezone.now()).isoformat(),
        **fields,
    }


# Scanner links


def test_an_organizer_creates_a_link_whose_token_is_stored_only_hashed(client_for, organizer, door_event):
    body = _link(client_for, organizer, door_event)

    link = ScannerLink.objects.get()
    assert body["link_id"] == link.pk and body["label"] == "Gate 2" and body["active"] is True
    assert body["url"].endswith(f"/scan/{body['token']}/")
    assert link.token_hash == scanner_link_token_hash(body["token"]) != body["token"]
    assert body["token"] not in json.dumps(list(ScannerLink.objects.values()), default=str)


def test_the_list_shows_links_without_their_tokens(client_for, organizer, door_event):
    body = _link(client_for, organizer, door_event)

    listed = client_for(organizer).get(f"/api/v2/events/{door_event.pk}/scanner-links").json()

    assert [link["link_id"] for link in listed] == [body["link_id"]]
    assert "token" not in listed[0] and body["token"] not in json.dumps(listed)


def test_only_the_events_organizers_manage_its_links(client_for, door_event, student):
    other = EventFactory()
    stranger = UserFactory(username="stranger")
    for client in (client_for(student), client_for(stranger)):
        assert client.post(f"/api/v2/events/{door_event.pk}/scanner-links", {"label": "x"}).status_code == 403
        assert client.get(f"/api/v2/events/{door_event.pk}/scanner-links").status_code == 403
    assert client_for().get(f"/api/v2/events/{other.pk}/scanner-links").status_code == 401


def test_a_link_in_the_past_or_without_a_label_is_refused(client_for, organizer, door_event):
    client = client_for(organizer)
    past = client.post(
        f"/api/v2/events/{door_event.pk}/scanner-links",
        {"label": "Gate", "expires_at": (timezone.now() - timedelta(minutes=1)).isoformat()},
        format="json",
    )
    blank = client.post(f"/api/v2/events/{door_event.pk}/scanner-links", {"label": "  "}, format="json")

    assert past.status_code == 400 and past.json()["error"]["code"] == "VALIDATION_ERROR"
    assert blank.status_code == 400
    assert not ScannerLink.objects.exists()


def test_a_link_reads_the_roster_and_marks_attendance_of_its_event(client_for, organizer, door_event):
    [registration] = _registered(door_event)
    scanner = _scanner(_link(client_for, organizer, door_event)["token"])

    roster = scanner.get(f"/api/v2/events/{door_event.pk}/checkin-roster")
    marked = scanner.post(
        f"/api/v2/attendance/mark/{door_event.pk}", {"checkin_code": registration.checkin_code}, format="json"
    )

    assert roster.status_code == 200 and marked.status_code == 201
    attendance = Attendance.objects.get()
    assert (attendance.method, attendance.marked_by, attendance.scanner_link_id) == (
        "scan",
        None,
        marked.json()["marked_by"][5:],
    )
    assert marked.json()["marked_by"].startswith("link:")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v2/events/"),
        ("get", "/api/v2/events/{event}/"),
        ("get", "/api/v2/status/{event}"),
        ("get", "/api/v2/analytics/{event}"),
        ("get", "/api/v2/events/{event}/scanner-links"),
        ("post", "/api/v2/events/{event}/scanner-links"),
        ("post", "/api/v2/register/individual/{event}"),
        ("post", "/api/v2/certificate/issue/{event}"),
        ("post", "/api/v2/feedback/submit/{event}"),
        ("get", "/api/v2/students/"),
        ("get", "/api/v2/events/{other}/checkin-roster"),
        ("post", "/api/v2/attendance/batch/{other}"),
        ("post", "/api/v2/attendance/mark/{other}"),
    ],
)
def test_a_link_gets_403_everywhere_else(client_for, organizer, door_event, method, path):
    other = EventFactory(organizers=[organizer])
    scanner = _scanner(_link(client_for, organizer, door_event)["token"])

    response = getattr(scanner, method)(path.format(event=door_event.pk, other=other.pk), {}, format="json")

    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_every_other_endpoint_of_the_schema_refuses_a_link(client_for, organizer, door_event):
    token = _link(client_for, organizer, door_event)["token"]
    scanner = _scanner(token)
    schema = client_for(organizer).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    allowed = {
        "/api/v2/events/{event_id}/checkin-roster",
        "/api/v2/attendance/batch/{event_id}",
        "/api/v2/attendance/mark/{event_id}",
    }
    checked = 0
    for path, operations in schema["paths"].items():
        if path in allowed:
            continue
        concrete = path
        for name in (
            "event_id",
            "enrollment_no",
            "certificate_id",
            "club_id",
            "username",
            "link_id",
            "registration_id",
            "team_id",
            "template_id",
        ):
            concrete = concrete.replace("{" + name + "}", door_event.pk if name == "event_id" else "X1")
        for method in operations:
            if method not in ("get", "post", "patch", "delete", "put"):
                continue
            response = getattr(scanner, method)(concrete, {}, format="json")
            assert response.status_code == 403, (method, concrete, response.status_code)
            checked += 1
    assert checked > 20


def test_a_revoked_link_is_401_link_revoked_at_its_next_request(client_for, organizer, door_event):
    body = _link(client_for, organizer, door_event)
    scanner = _scanner(body["token"])
    assert scanner.get(f"/api/v2/events/{door_event.pk}/checkin-roster").status_code == 200

    revoked = client_for(organizer).delete(f"/api/v2/events/{door_event.pk}/scanner-links/{body['link_id']}")
    after = scanner.get(f"/api/v2/events/{door_event.pk}/checkin-roster")

    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert after.status_code == 401 and after.json()["error"]["code"] == "LINK_REVOKED"


def test_an_expired_link_is_401_link_revoked(client_for, organizer, door_event):
    body = _link(client_for, organizer, door_event, expires_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    ScannerLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _scanner(body["token"]).post(f"/api/v2/attendance/batch/{door_event.pk}", {"scans": []}, format="json")

    assert response.status_code == 401 and response.json()["error"]["code"] == "LINK_REVOKED"


def test_an_unknown_scanner_token_is_401(door_event):
    response = _scanner("not-a-token").get(f"/api/v2/events/{door_event.pk}/checkin-roster")

    assert response.status_code == 401 and response.json()["error"]["code"] == "NOT_AUTHENTICATED"


# The check-in roster


def test_the_roster_gives_names_teams_marks_and_hashes_but_never_a_code(client_for, organizer, door_event):
    registrations = _registered(door_event, 3)
    Registration.objects.filter(pk=registrations[2].pk).update(status="cancelled", checkin_code=None)
    client_for(organizer).post(
        f"/api/v2/attendance/mark/{door_event.pk}", {"checkin_code": registrations[0].checkin_code}, format="json"
    )

    response = client_for(organizer).get(f"/api/v2/events/{door_event.pk}/checkin-roster?session=main")

    body = response.json()
    assert response.status_code == 200
    assert (body["expected"], body["checked_in"], body["session"]["code"]) == (2, 1, "main")
    by_number = {row["enrollment_no"]: row for row in body["registrants"]}
    assert set(by_number) == {registrations[0].student_id, registrations[1].student_id}
    assert by_number[registrations[0].student_id]["marked"] is True
    for registration in registrations[:2]:
        row = by_number[registration.student_id]
        assert row["code_hash"] == checkin_code_hash(body["hash_key"], registration.checkin_code)
        assert row["full_name"] == registration.student.full_name
    text = response.content.decode()
    for registration in registrations[:2]:
        assert registration.checkin_code not in text
        assert registration.checkin_code.lower() not in text


def test_the_roster_costs_the_same_queries_for_ten_or_a_hundred(client_for, organizer, door_event):
    client = client_for(organizer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v2/events/{door_event.pk}/checkin-roster").status_code == 200
        return len(captured)

    _registered(door_event, 10)
    few = queries()
    _registered(door_event, 90)
    assert queries() == few


def test_the_roster_of_an_unknown_session_is_404(client_for, organizer, door_event):
    response = client_for(organizer).get(f"/api/v2/events/{door_event.pk}/checkin-roster?session=nope")
    assert response.status_code == 404


def test_a_student_cannot_read_the_roster(client_for, student, door_event):
    assert client_for(student).get(f"/api/v2/events/{door_event.pk}/checkin-roster").status_code == 403


# Batches


def test_a_batch_marks_each_scan_offline_and_says_what_happened(client_for, organizer, door_event):
    first, second, waiting = _registered(door_event, 3)
    Registration.objects.filter(pk=waiting.pk).update(status="waitlisted", checkin_code=None)
    scans = [
        _scan("s1", first),
        _scan("s2", first),
        {"scan_id": "s3", "enrollment_no": second.student_id.lower(), "scanned_at": timezone.now().isoformat()},
        {"scan_id": "s4", "checkin_code": "NOSUCHCODE", "scanned_at": timezone.now().isoformat()},
        {"scan_id": "s5", "enrollment_no": waiting.student_id, "scanned_at": timezone.now().isoformat()},
    ]

    response = client_for(organizer).post(f"/api/v2/attendance/batch/{door_event.pk}", {"scans": scans}, format="json")

    results = response.json()["results"]
    assert response.status_code == 200
    assert [(r["scan_id"], r["status"], r["code"]) for r in results] == [
        ("s1", "marked", None),
        ("s2", "already_marked", None),
        ("s3", "marked", None),
        ("s4", "refused", "NOT_FOUND"),
        ("s5", "refused", "NOT_REGISTERED"),
    ]
    assert results[0]["attendance_id"] == results[1]["attendance_id"]
    attendances = Attendance.objects.order_by("student_id")
    assert {(a.student_id, a.method, a.marked_by.username) for a in attendances} == {
        (first.student_id, "offline", "organizer"),
        (second.student_id, "offline", "organizer"),
    }


def test_the_same_scan_sent_again_gives_the_same_result_and_writes_nothing(client_for, organizer, door_event):
    [registration] = _registered(door_event)
    client = client_for(organizer)
    scans = [
        _scan("phone-a-1", registration),
        {"scan_id": "phone-a-2", "checkin_code": "BAD", "scanned_at": timezone.now().isoformat()},
    ]

    first = client.post(f"/api/v2/attendance/batch/{door_event.pk}", {"scans": scans}, format="json").json()
    again = client.post(f"/api/v2/attendance/batch/{door_event.pk}", {"scans": scans}, format="json").json()

    assert again == first
    assert Attendance.objects.count() == 1 and CheckinScan.objects.count() == 2


def test_two_phones_scanning_the_same_student_offline_count_them_once(client_for, organizer, door_event):
    [registration] = _registered(door_event)
    phone_a = _scanner(_link(client_for, organizer, door_event)["token"])
    phone_b = _scanner(_link(client_for, organizer, door_event, label="Gate 3")["token"])

    a = phone_a.post(
        f"/api/v2/attendance/batch/{door_event.pk}", {"scans": [_scan("a-1", registration)]}, format="json"
    )
    b = phone_b.post(
        f"/api/v2/attendance/batch/{door_event.pk}", {"scans": [_scan("b-1", registration)]}, format="json"
    )

    assert a.json()["results"][0]["status"] == "marked"
    assert b.json()["results"][0]["status"] == "already_marked"
    assert Attendance.objects.get().scanner_link_id is not None
    assert Attendance.objects.count() == 1


def test_each_scan_is_judged_at_its_scanned_at(client_for, organizer):
    event = EventFactory(organizers=[organizer], starts_at=timezone.now() - timedelta(days=2))
    early, on_time = _registered(event, 2)
    starts = event.sessions.get().starts_at
    scans = [
        _scan("before", early, at=starts - timedelta(hours=3)),
        _scan("during", on_time, at=starts + timedelta(minutes=5)),
    ]

    results = (
        client_for(organizer)
        .post(f"/api/v2/attendance/batch/{event.pk}", {"scans": scans}, format="json")
        .json()["results"]
    )

    assert [(r["status"], r["code"]) for r in results] == [("refused", "CHECKIN_NOT_OPEN"), ("marked", None)]
    assert Attendance.objects.get().marked_at == starts + timedelta(minutes=5)


def test_a_scan_dated_in_the_future_is_judged_now(client_for, organizer):
    event = EventFactory(organizers=[organizer], starts_at=timezone.now() + timedelta(days=3))
    [registration] = _registered(event)
    in_window = event.sessions.get().starts_at

    [result] = (
        client_for(organizer)
        .post(
            f"/api/v2/attendance/batch/{event.pk}",
            {"scans": [_scan("future", registration, at=in_window)]},
            format="json",
        )
        .json()["results"]
    )

    assert (result["status"], result["code"]) == ("refused", "CHECKIN_NOT_OPEN")
    assert not Attendance.objects.exists()


def test_a_malformed_batch_is_400(client_for, organizer, door_event):
    client = client_for(organizer)
    no_identity = client.post(
        f"/api/v2/attendance/batch/{door_event.pk}",
        {"scans": [{"scan_id": "x", "scanned_at": timezone.now().isoformat()}]},
        format="json",
    )
    too_many = client.post(
        f"/api/v2/attendance/batch/{door_event.pk}",
        {
            "scans": [
                {"scan_id": str(i), "checkin_code": "A", "scanned_at": timezone.now().isoformat()} for i in range(1001)
            ]
        },
        format="json",
    )

    assert no_identity.status_code == 400 and too_many.status_code == 400
    assert not CheckinScan.objects.exists()


def test_a_batch_costs_the_same_queries_for_five_or_fifty_scans(client_for, organizer, door_event):
    client = client_for(organizer)

    def queries(registrations, prefix):
        scans = [_scan(f"{prefix}{i}", r) for i, r in enumerate(registrations)]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"/api/v2/attendance/batch/{door_event.pk}", {"scans": scans}, format="json")
        assert all(r["status"] == "marked" for r in response.json()["results"])
        return len(captured)

    assert queries(_registered(door_event, 5), "a") == queries(_registered(door_event, 50), "b")


def test_the_door_is_in_the_openapi_schema(client_for, organizer):
    paths = client_for(organizer).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v2/events/{event_id}/scanner-links"])
    assert "delete" in paths["/api/v2/events/{event_id}/scanner-links/{link_id}"]
    assert "get" in paths["/api/v2/events/{event_id}/checkin-roster"]
    assert "post" in paths["/api/v2/attendance/batch/{event_id}"]
