import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from legacy.exporter import event_document
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_create,
    registration_reject,
    team_register,
)
from tests.factories import StudentFactory, StudentUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_writes_the_nested_shape_from_the_rows(migrate, sample_path, tmp_path):
    migrate(sample_path)
    out = tmp_path / "out.jsonl"

    call_command("export_legacy_events", str(out), "--event", "HACK24", stdout=StringIO())

    (document,) = [json.loads(line) for line in out.read_text().splitlines()]
    original = json.loads(sample_path.read_text().splitlines()[1])
    assert document["event_id"] == "HACK24" and document["event_type"] == "team"
    assert set(document["registrations"]) == set(original["registrations"])
    team = document["registrations"]["REG000TEAM"]
    assert team["student_data"] == {**original["registrations"]["REG000TEAM"]["student_data"]}
    assert team["team_data"]["team_name"] == "Byte Busters"
    assert {m["enrollment_no"] for m in team["team_data"]["team_members"]} == {"22IT30012", "24EEE30011"}
    assert team["feedback"]["rating"] == 4
    assert team["certificate"] == {
        "certificate_id": "CERT_REG000TEAM",
        "issued_at": {"$date": "2024-03-06T00:00:00Z"},
        "revoked": False,
        "revoked_at": None,
        "revoked_reason": None,
    }
    assert team["attendance"][0]["attendance_id"] == "ATT_REG000TEAM_0"


def test_export_refuses_an_unknown_event(tmp_path):
    with pytest.raises(CommandError, match="No event NOPE"):
        call_command("export_legacy_events", str(tmp_path / "out.jsonl"), "--event", "NOPE", stdout=StringIO())


def test_events_made_in_the_new_system_exported_and_imported_back_are_left_as_they_are(
    event, team_event, migrate, tmp_path
):
    solo = StudentFactory()
    registration = registration_create(event=event, enrollment_no=solo.pk)
    attendance_mark(event=event, checkin_code=registration.checkin_code)
    feedback_submit(event=event, enrollment_no=solo.pk, rating=5, comments="Loved it")
    people = StudentFactory.create_batch(3)
    team_register(event=team_event, team_name="Alpha", leader=people[0].pk, members=[p.pk for p in people])
    before = {e.pk: event_document(e) for e in (event, team_event)}
    out = tmp_path / "out.jsonl"
    call_command("export_legacy_events", str(out), stdout=StringIO())

    report, _ = migrate(out)

    # The migration did not create them: ID_TAKEN, nothing of them written (the round trip
    # into an empty database is tests/legacy/test_round_trip.py).
    assert sorted((d["event_id"], d["code"]) for d in report["dropped"]) == [
        (event.pk, "ID_TAKEN"),
        (team_event.pk, "ID_TAKEN"),
    ]
    assert report["counts"]["registrations"] == {"created": 0, "updated": 0, "unchanged": 0, "dropped": 0}
    assert {e.pk: event_document(e) for e in (event, team_event)} == before


def test_registrations_awaiting_approval_or_rejected_stay_out_of_the_legacy_document(event, organizer):
    event.approval_required = True
    event.save()
    waiting, turned_down, seated = StudentFactory.create_batch(3)
    registration_create(event=event, enrollment_no=waiting.pk)
    registration_reject(registration=registration_create(event=event, enrollment_no=turned_down.pk), actor=organizer)
    registration_create(event=event, enrollment_no=seated.pk, actor=organizer)

    document = json.dumps(event_document(event))

    assert seated.pk in document and waiting.pk not in document and turned_down.pk not in document


def test_v1_event_gives_organizers_the_legacy_document_with_deprecation_headers(api_client, event, organizer):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    api_client.force_authenticate(organizer)

    response = api_client.get(f"/api/v1/events/{event.pk}")

    assert response.status_code == 200
    assert response.json()["registrations"][registration.pk]["status"] == "confirmed"
    assert response.json() == json.loads(json.dumps(event_document(event)))
    assert response["Deprecation"] == "true"
    assert response["Link"] == f'</api/v2/status/{event.pk}>; rel="successor-version"'


def test_v1_event_is_open_to_staff_by_token(api_client, event, staff_user):
    token = Token.objects.create(user=staff_user)
    response = api_client.get(f"/api/v1/events/{event.pk}", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["event_id"] == event.pk


def test_v1_event_refuses_anonymous_with_401(api_client, event):
    response = api_client.get(f"/api/v1/events/{event.pk}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_v1_event_refuses_a_student_with_403(api_client, event):
    api_client.force_authenticate(StudentUserFactory().user)
    response = api_client.get(f"/api/v1/events/{event.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_v1_event_refuses_an_organizer_of_another_event_with_403(api_client, event):
    api_client.force_authenticate(UserFactory())
    assert api_client.get(f"/api/v1/events/{event.pk}").status_code == 403


def test_v1_unknown_event_is_404_in_the_error_body(api_client, staff_user):
    api_client.force_authenticate(staff_user)
    response = api_client.get("/api/v1/events/nope")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "No event 'nope' was found.",
        "details": {"what": "event", "key": "nope"},
    }


def test_v1_event_reads_in_a_fixed_number_of_queries(api_client, event, organizer, django_assert_max_num_queries):
    for student in StudentFactory.create_batch(20):
        registration_create(event=event, enrollment_no=student.pk)
    api_client.force_authenticate(organizer)
    with django_assert_max_num_queries(12):
        assert api_client.get(f"/api/v1/events/{event.pk}").status_code == 200


def test_export_takes_several_events_after_one_flag(migrate, sample_path, tmp_path):
    migrate(sample_path)
    out = tmp_path / "out.jsonl"

    call_command("export_legacy_events", str(out), "--event", "HACK24", "TECHFEST24", stdout=StringIO())

    assert sorted(json.loads(line)["event_id"] for line in out.read_text().splitlines()) == ["HACK24", "TECHFEST24"]
