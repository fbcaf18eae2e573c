import pytest

from events.models import Event
from registrations.models import Registration
from registrations.services import registration_create
from tests.api.helpers import error_of
from tests.factories import EventFactory, StaffFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organizer):
    return EventFactory(event_id="code-jam", status=Event.Status.DRAFT, organizers=[organizer])


def test_an_organizer_publishes_a_draft(client_for, organizer, draft):
    response = client_for(organizer).post("/api/v2/events/code-jam/publish", format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert client_for(None).get("/api/v2/events/code-jam/").status_code == 200


def test_with_approval_required_publishing_waits_for_staff(client_for, organizer, draft, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    submitted = client_for(organizer).post("/api/v2/events/code-jam/publish", format="json")
    hidden = client_for(None).get("/api/v2/events/code-jam/")
    approved = client_for(StaffFactory()).post("/api/v2/events/code-jam/approve", format="json")

    assert submitted.json()["status"] == "pending_approval"
    assert hidden.status_code == 404
    assert approved.json()["status"] == "published"


def test_approving_a_published_event_is_a_validation_error(client_for, event):
    response = client_for(StaffFactory()).post(f"/api/v2/events/{event.pk}/approve", format="json")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["status"]


def test_cancel_with_a_reason_cancels_the_registrations(client_for, organizer, event):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/cancel", {"reason": "The hall is flooded."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["counts"]["registered"] == 0
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


def test_a_too_long_reason_is_refused_and_nothing_is_cancelled(client_for, organizer, event):
    response = client_for(organizer).post(f"/api/v2/events/{event.pk}/cancel", {"reason": "x" * 2001}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["reason"]
    event.refresh_from_db()
    assert event.status == "published"


def test_a_cancelled_event_cannot_be_published_again(client_for, organizer, event):
    client_for(organizer).post(f"/api/v2/events/{event.pk}/cancel", {}, format="json")
    response = client_for(organizer).post(f"/api/v2/events/{event.pk}/publish", format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"


def test_a_draft_is_not_found_for_someone_who_does_not_organize_it(client_for, draft):
    response = client_for(UserFactory()).post("/api/v2/events/code-jam/publish", format="json")
    assert response.status_code == 404
    assert error_of(response)["details"]["what"] == "event"


def test_patch_status_published_runs_the_publish_service(client_for, organizer, draft, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    submitted = client_for(organizer).patch("/api/v2/events/code-jam/", {"status": "published"}, format="json")
    again = client_for(organizer).patch("/api/v2/events/code-jam/", {"status": "published"}, format="json")
    approved = client_for(StaffFactory()).patch("/api/v2/events/code-jam/", {"status": "published"}, format="json")

    assert submitted.json()["status"] == "pending_approval"
    assert again.json()["status"] == "pending_approval"
    assert approved.json()["status"] == "published"
    assert list(draft.audit_entries.order_by("at", "id").values_list("action", flat=True)) == [
        "submitted",
        "approved",
    ]


def test_patch_status_pending_approval_is_a_validation_error(client_for, organizer, draft):
    response = client_for(organizer).patch("/api/v2/events/code-jam/", {"status": "pending_approval"}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["status"]
