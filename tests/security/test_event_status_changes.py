"""Issue 12, finding 7: a status sent with an event edit runs the service that owns the change."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.services import EVENT_STATUS_SERVICES, event_cancel
from registrations.integrity import integrity_problems
from registrations.models import Registration, Team
from registrations.services import registration_create, team_register
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    return response.json()["error"]


def test_patch_status_cancelled_cancels_every_registration_and_emails_each_registrant(
    client_for, organizer, django_capture_on_commit_callbacks
):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    seated, waiting = StudentFactory(), StudentFactory()
    registration_create(event=event, enrollment_no=seated.pk)
    registration_create(event=event, enrollment_no=waiting.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"status": "cancelled"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"cancelled"}
    assert not Registration.objects.filter(event=event, checkin_code__isnull=False).exists()
    assert sorted(address for message in mail.outbox for address in message.to) == sorted([seated.email, waiting.email])
    assert all(message.subject == f"Cancelled: {event.title}" for message in mail.outbox)
    event.refresh_from_db()
    assert (event.status, event.confirmed_count) == ("cancelled", 0)
    assert integrity_problems([event.pk]) == []


def test_patch_status_cancelled_cancels_teams_whole(client_for, organizer):
    event = EventFactory(organizers=[organizer], registration_mode="team", team_size_min=2, team_size_max=3)
    leader, member = StudentFactory(), StudentFactory()
    team = team_register(event=event, team_name="Null Pointers", leader=leader.pk, members=[member.pk])

    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"status": "cancelled"}, format="json")

    assert response.status_code == 200
    assert Team.objects.get(pk=team.pk).status == "cancelled"
    assert dict(event.registrations) == {}
    assert dict(event.team_registrations) == {}


def test_patch_status_published_never_reopens_a_cancelled_event(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    event_cancel(event=event)

    response = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"status": "published"}, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "VALIDATION_ERROR"
    assert set(_error(response)["details"]) == {"status"}
    assert Event.objects.get(pk=event.pk).status == "cancelled"


def test_patch_refuses_a_status_change_no_service_owns(client_for, organizer):
    event = EventFactory(organizers=[organizer], status=Event.Status.PUBLISHED)

    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"status": "draft", "title": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "VALIDATION_ERROR"
    assert set(_error(response)["details"]) == {"status"}
    event.refresh_from_db()
    assert event.status == "published"
    assert event.title != "Renamed"


def test_patch_with_the_current_status_changes_only_the_other_fields(client_for, organizer):
    event = EventFactory(organizers=[organizer], status=Event.Status.PUBLISHED)

    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"status": "published", "title": "Renamed"}, format="json"
    )

    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).title == "Renamed"


def test_status_services_are_one_map_with_cancel_in_it():
    assert EVENT_STATUS_SERVICES[Event.Status.CANCELLED] is event_cancel


def _admin_change_data(admin_client, event, **changes) -> dict:
    form = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in ("organizers",)}
    for name in ("starts_at", "ends_at"):
        data.pop(name, None)
        moment = timezone.localtime(getattr(event, name))
        data[f"{name}_0"], data[f"{name}_1"] = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    for name in ("registration_opens_at", "registration_closes_at"):
        data.pop(name, None)
    for prefix in ("sessions", "questions", "feedback_questions"):
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
    return {**data, **changes}


def test_admin_status_field_runs_the_cancel_service(admin_client, django_capture_on_commit_callbacks):
    event = EventFactory()
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:events_event_change", args=[event.pk]),
            _admin_change_data(admin_client, event, status="cancelled"),
        )

    assert response.status_code == 302
    assert Registration.objects.get(event=event).status == "cancelled"
    assert [message.to for message in mail.outbox] == [[student.email]]


def test_admin_status_field_cannot_reopen_a_cancelled_event(admin_client):
    event = EventFactory()
    event_cancel(event=event)
    event.refresh_from_db()

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        _admin_change_data(admin_client, event, status="published"),
    )

    assert response.status_code == 200
    assert "A cancelled event stays cancelled." in str(response.context["adminform"].form.errors)
    assert Event.objects.get(pk=event.pk).status == "cancelled"
