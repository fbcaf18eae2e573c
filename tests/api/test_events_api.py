from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from certificates.services import certificate_issue
from events.models import Event
from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
from tests.api.helpers import error_of
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    PastEventFactory,
    RegistrationFactory,
    StudentFactory,
    TeamEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EVENT_FIELDS = {
    "event_id",
    "title",
    "description",
    "venue",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "registration_mode",
    "team_size_min",
    "team_size_max",
    "waitlist_enabled",
    "sessions",
    "min_sessions_for_certificate",
    "attendance_rule",
    "certificate_requires_feedback",
    "status",
    "phase",
    "organizers",
    "club",
    "counts",
    "questions",
    "reminder_offsets_minutes",
    "certificate_template",
    "contact_email",
    "contact",
    "poster",
    "eligible_departments",
    "eligible_years",
    "access_code_required",
    "approval_required",
    "audience",
}
COUNT_FIELDS = {"registered", "waitlisted", "teams", "attended", "feedbacks", "certificates"}


def iso(value) -> str:
    return timezone.localtime(value).isoformat()


def test_event_list_shows_published_events_field_by_field(client_for, organizer):
    event = EventFactory(
        event_id="hackfest-2026", capacity=2, waitlist_enabled=True, sessions=["day-1", "day-2"], organizers=[organizer]
    )
    students = StudentFactory.create_batch(3)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
    EventFactory(status=Event.Status.DRAFT)

    response = client_for().get("/api/v2/events/")

    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert (page["count"], page["next"], page["previous"]) == (1, None, None)
    [shown] = page["results"]
    assert set(shown) == EVENT_FIELDS
    assert shown["event_id"] == "hackfest-2026"
    assert shown["title"] == event.title
    assert shown["description"] == event.description
    assert shown["venue"] == event.venue
    assert shown["starts_at"] == iso(event.starts_at)
    assert shown["ends_at"] == iso(event.ends_at)
    assert shown["registration_opens_at"] == iso(event.registration_opens_at)
    assert shown["registration_closes_at"] == iso(event.registration_closes_at)
    assert shown["capacity"] == 2
    assert shown["registration_mode"] == "individual"
    assert (shown["team_size_min"], shown["team_size_max"]) == (1, 1)
    assert shown["waitlist_enabled"] is True
    assert [session["code"] for session in shown["sessions"]] == ["day-1", "day-2"]
    assert set(shown["sessions"][0]) == {"code", "title", "starts_at"}
    assert shown["sessions"][1]["starts_at"] == iso(event.starts_at + timedelta(days=1))
    assert shown["min_sessions_for_certificate"] == 1
    assert shown["certificate_requires_feedback"] is False
    assert shown["status"] == "published"
    assert shown["phase"] == "registration_open"
    assert shown["organizers"] == ["organizer"]
    assert shown["counts"] == {
        "registered": 2,
        "waitlisted": 1,
        "teams": 0,
        "attended": 0,
        "feedbacks": 0,
        "certificates": 0,
    }


def test_event_list_counts_every_kind_of_record(client_for):
    event = TeamEventFactory(starts_at=timezone.now() + timedelta(days=7))
    members = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Alpha", leader=members[0].pk, members=[members[1].pk])
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(hours=2), starts_at=timezone.now() - timedelta(hours=1)
    )
    event.sessions.update(starts_at=timezone.now() - timedelta(hours=1))
    event.refresh_from_db()
    attendance_mark(event=event, enrollment_no=members[0].pk)
    feedback_submit(event=event, enrollment_no=members[0].pk, rating=4)

    [shown] = client_for().get("/api/v2/events/").json()["results"]

    assert shown["counts"] == {
        "registered": 2,
        "waitlisted": 0,
        "teams": 1,
        "attended": 1,
        "feedbacks": 1,
        "certificates": 0,
    }
    assert shown["phase"] == "ongoing"


def test_event_list_filters_by_words_and_status(client_for):
    EventFactory(event_id="hackfest-2026", title="HackFest")
    EventFactory(
        event_id="quiz-night",
        title="Quiz Night",
        registration_opens_at=timezone.now() + timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=2),
    )
    PastEventFactory(event_id="orientation", title="Orientation")
    client = client_for()

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v2/events/{query}")
        assert response.status_code == 200
        return [event["event_id"] for event in response.json()["results"]]

    assert ids("?q=hack") == ["hackfest-2026"]
    assert ids("?status=open") == ["hackfest-2026"]
    assert ids("?status=upcoming") == ["quiz-night"]
    assert ids("?status=past") == ["orientation"]
    assert ids("?q=night&status=open") == []


def test_event_list_pages(client_for):
    EventFactory.create_batch(5)

    first = client_for().get("/api/v2/events/?page_size=2").json()
    last = client_for().get("/api/v2/events/?page_size=2&page=3").json()

    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["next"].endswith("/api/v2/events/?page=2&page_size=2")
    assert first["previous"] is None
    assert len(last["results"]) == 1 and last["next"] is None


def test_event_list_refuses_an_unknown_status_filter(client_for):
    response = client_for().get("/api/v2/events/?status=someday")

    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"status"}


def test_event_list_refuses_a_search_longer_than_the_schema_allows(client_for):
    response = client_for().get("/api/v2/events/", {"q": "\U0001f600" * 2_000})

    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"q"}


def test_staff_create_an_event_with_sessions_and_organizers(client_for, staff_user):
    UserFactory(username="asha")
    body = {
        "event_id": "robotics-cup",
        "title": "Robotics Cup",
        "starts_at": "2027-02-01T10:00:00+05:30",
        "ends_at": "2027-02-02T18:00:00+05:30",
        "registration_mode": "team",
        "team_size_min": 2,
        "team_size_max": 4,
        "capacity": 40,
        "sessions": [{"code": "day-1", "title": "Day 1"}, {"code": "day-2", "starts_at": "2027-02-02T10:00:00+05:30"}],
        "organizers": ["asha"],
        "status": "published",
    }

    response = client_for(staff_user).post("/api/v2/events/", body, format="json")

    assert response.status_code == 201
    shown = response.json()
    assert set(shown) == EVENT_FIELDS
    assert shown["event_id"] == "robotics-cup"
    assert shown["starts_at"] == "2027-02-01T10:00:00+05:30"
    assert shown["sessions"] == [
        {"code": "day-1", "title": "Day 1", "starts_at": None},
        {"code": "day-2", "title": "", "starts_at": "2027-02-02T10:00:00+05:30"},
    ]
    assert shown["organizers"] == ["asha"]
    assert shown["counts"] == dict.fromkeys(COUNT_FIELDS, 0)
    event = Event.objects.get(pk="robotics-cup")
    assert (event.registration_mode, event.team_size_max, event.capacity) == ("team", 4, 40)
    assert list(event.organizers.values_list("username", flat=True)) == ["asha"]


def test_event_create_reports_every_invalid_field(client_for, staff_user):
    body = {"event_id": "not a slug", "title": "", "starts_at": "yesterday", "ends_at": "1066-10-14T09:00:00Z"}

    response = client_for(staff_user).post("/api/v2/events/", body, format="json")

    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"event_id", "title", "starts_at", "ends_at"}


def test_event_detail_is_public_for_a_published_event(client_for, event):
    response = client_for().get(f"/api/v2/events/{event.pk}/")

    assert response.status_code == 200
    assert set(response.json()) == EVENT_FIELDS
    assert response.json()["event_id"] == event.pk


def test_a_draft_event_exists_only_for_its_organizers(client_for, organizer, student):
    draft = EventFactory(status=Event.Status.DRAFT, organizers=[organizer])

    assert client_for(student).get(f"/api/v2/events/{draft.pk}/").status_code == 404
    assert client_for(organizer).get(f"/api/v2/events/{draft.pk}/").status_code == 200


def test_an_organizer_patches_their_event_and_raising_capacity_promotes_the_waitlist(client_for, organizer):
    event = EventFactory(capacity=1, waitlist_enabled=True, organizers=[organizer])
    first, second = StudentFactory.create_batch(2)
    registration_create(event=event, enrollment_no=first.pk)
    waiting = registration_create(event=event, enrollment_no=second.pk)

    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"capacity": 2, "venue": "Hall B"}, format="json"
    )

    assert response.status_code == 200
    shown = response.json()
    assert (shown["capacity"], shown["venue"]) == (2, "Hall B")
    assert shown["counts"]["registered"] == 2 and shown["counts"]["waitlisted"] == 0
    assert dict(event.registrations)[second.pk] == waiting.registration_id


def test_only_staff_change_an_events_organizers(client_for, organizer, event):
    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"organizers": []}, format="json")

    assert response.status_code == 403
    assert list(event.organizers.all()) == [organizer]


def test_status_gives_the_six_maps_and_counts(client_for, organizer):
    event = TeamEventFactory(capacity=2, waitlist_enabled=True, organizers=[organizer])
    alpha = StudentFactory.create_batch(2)
    beta = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Alpha", leader=alpha[0].pk, members=[alpha[1].pk])
    team_register(event=event, team_name="Beta", leader=beta[0].pk, members=[beta[1].pk])

    response = client_for(organizer).get(f"/api/v2/status/{event.pk}")

    assert response.status_code == 200
    shown = response.json()
    assert set(shown) == {
        "event_id",
        "registrations",
        "waitlist",
        "team_registrations",
        "attendances",
        "feedbacks",
        "certificates",
        "counts",
    }
    assert shown["event_id"] == event.pk
    assert shown["registrations"] == dict(event.registrations)
    assert shown["waitlist"] == dict(event.waitlist)
    assert set(shown["waitlist"]) == {beta[0].pk, beta[1].pk}
    assert shown["team_registrations"] == {
        "Alpha": dict(event.team_registrations["Alpha"]),
        "Beta": dict(event.team_registrations["Beta"]),
    }
    assert shown["attendances"] == {} and shown["feedbacks"] == {} and shown["certificates"] == {}
    assert shown["counts"] == {
        "registered": 2,
        "waitlisted": 2,
        "teams": 2,
        "attended": 0,
        "feedbacks": 0,
        "certificates": 0,
    }


def test_analytics_gives_figures_in_the_contracts_shape(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    late_evening_utc = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)  # 2 January in Asia/Kolkata
    cse = [StudentFactory(department="CSE") for _ in range(3)]
    ece = StudentFactory(department="ECE")
    registrations = [
        RegistrationFactory(event=event, student=student, registered_at=late_evening_utc) for student in cse
    ]
    RegistrationFactory(event=event, student=ece, registered_at=datetime(2026, 1, 3, 5, 0, tzinfo=UTC))
    RegistrationFactory(event=event, student=StudentFactory(department="ME"), status="cancelled", checkin_code=None)
    for registration, rating in zip(registrations[:2], (5, 3), strict=True):
        AttendanceFactory(registration=registration)
        FeedbackFactory(registration=registration, rating=rating)
    certificate_issue(event=event, enrollment_no=cse[0].pk)
    Event.objects.filter(pk=event.pk).update(confirmed_count=4)

    response = client_for(organizer).get(f"/api/v2/analytics/{event.pk}")

    assert response.status_code == 200
    shown = response.json()
    added = {name: shown.pop(name) for name in ("attendance_by_session", "years", "questions")}
    assert [(row["session"], row["attended"], row["rate"]) for row in added["attendance_by_session"]] == [
        ("main", 2, 0.5)
    ]
    assert sum(added["years"].values()) == 4 and added["questions"] == []
    assert shown == {
        "event_id": event.pk,
        "counts": {"registered": 4, "waitlisted": 0, "teams": 0, "attended": 2, "feedbacks": 2, "certificates": 1},
        "attendance_rate": 0.5,
        "registrations_by_day": {"2026-01-02": 3, "2026-01-03": 1},
        "departments": {"CSE": 3, "ECE": 1},
        "feedback": {"count": 2, "average": 4.0, "histogram": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}},
        "certificates_issued": 1,
    }


def test_analytics_of_an_empty_event_has_no_rates(client_for, organizer, event):
    shown = client_for(organizer).get(f"/api/v2/analytics/{event.pk}").json()

    assert shown["attendance_rate"] is None
    assert shown["feedback"] == {"count": 0, "average": None, "histogram": dict.fromkeys("12345", 0)}
    assert shown["registrations_by_day"] == {} and shown["departments"] == {}


def test_the_attendance_rule_is_set_and_read_through_the_api(client_for, staff_user):
    event = EventFactory(sessions=["day-1", "day-2", "final"])
    client = client_for(staff_user)

    response = client.patch(
        f"/api/v2/events/{event.pk}/",
        {"attendance_rule": {"kind": "mandatory", "sessions": ["final"], "min_sessions": 2}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["attendance_rule"] == {"kind": "mandatory", "sessions": ["final"], "min_sessions": 2}
    assert response.json()["min_sessions_for_certificate"] == 2
    response = client.patch(
        f"/api/v2/events/{event.pk}/", {"attendance_rule": {"kind": "percentage", "percent": 100}}, format="json"
    )
    assert response.json()["attendance_rule"] == {"kind": "percentage", "percent": 100}
    assert response.json()["min_sessions_for_certificate"] == 3
    response = client.patch(f"/api/v2/events/{event.pk}/", {"min_sessions_for_certificate": 1}, format="json")
    assert response.json()["attendance_rule"] == {"kind": "min_sessions", "n": 1}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"kind": "percentage"}, "percent"),
        ({"kind": "percentage", "percent": 0}, "percent"),
        ({"kind": "sometimes"}, "kind"),
        ({"kind": "mandatory"}, "sessions"),
        ({"kind": "min_sessions", "n": -1}, "n"),
        ({"n": 0, "percent": 1, "sessions": [], "min_sessions": 0}, "kind"),
    ],
)
def test_a_malformed_attendance_rule_is_a_validation_error(client_for, staff_user, rule, field):
    event = EventFactory()
    response = client_for(staff_user).patch(f"/api/v2/events/{event.pk}/", {"attendance_rule": rule}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["details"]["attendance_rule"]


def test_an_unknown_mandatory_session_is_a_validation_error(client_for, staff_user):
    event = EventFactory(sessions=["day-1"])
    response = client_for(staff_user).patch(
        f"/api/v2/events/{event.pk}/", {"attendance_rule": {"kind": "mandatory", "sessions": ["day-7"]}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"attendance_rule": ["No such session in this event: day-7."]}


def test_a_patch_validates_nested_objects_whole(client_for, staff_user):
    """A PATCH is partial for the event's own fields, never for a question or a rule inside it."""
    event = EventFactory()
    client = client_for(staff_user)
    response = client.patch(f"/api/v2/events/{event.pk}/", {"questions": [{"code": "diet"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["questions"]["0"] == {"label": ["This field is required."]}

    response = client.patch(
        f"/api/v2/events/{event.pk}/", {"questions": [{"code": "diet", "label": "Diet?"}]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["questions"][0]["kind"] == "text"
    assert response.json()["questions"][0]["required"] is False
