import pytest
from django.urls import reverse

from events.models import Event, EventAuditEntry
from events.services import event_cancel, event_update
from tests.factories import EventFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_admin_publishes_and_approves_through_the_services(admin_client, settings):
    draft = EventFactory(status=Event.Status.DRAFT)
    waiting = EventFactory(status=Event.Status.PENDING_APPROVAL)
    changelist = reverse("admin:events_event_changelist")

    admin_client.post(changelist, {"action": "publish_events", "_selected_action": [draft.pk]})
    admin_client.post(changelist, {"action": "approve_events", "_selected_action": [waiting.pk]})

    assert Event.objects.get(pk=draft.pk).status == "published"
    assert Event.objects.get(pk=waiting.pk).status == "published"
    assert set(EventAuditEntry.objects.values_list("event_id", "action")) == {
        (draft.pk, "published"),
        (waiting.pk, "approved"),
    }


def test_approving_an_event_that_does_not_wait_is_reported_not_raised(admin_client):
    event = EventFactory()
    response = admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "approve_events", "_selected_action": [event.pk]},
        follow=True,
    )
    assert "Only an event awaiting approval can be approved" in response.content.decode()


def test_the_event_change_page_shows_the_audit_trail(admin_client):
    event = EventFactory(capacity=10)
    event_update(event=event, capacity=12, actor=StaffFactory(username="dean"))
    event_cancel(event=event, reason="Exams moved.")
    body = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "changed the capacity" in body and "dean" in body
    assert "{&quot;capacity&quot;: 10}" in body and "Exams moved." in body


def test_the_audit_changelist_is_read_only(admin_client):
    event = EventFactory()
    event_cancel(event=event, reason="Rain.")
    changelist = admin_client.get(reverse("admin:events_eventauditentry_changelist"))
    assert changelist.status_code == 200
    assert "Rain." in changelist.content.decode()
    assert admin_client.get(reverse("admin:events_eventauditentry_add")).status_code == 403
