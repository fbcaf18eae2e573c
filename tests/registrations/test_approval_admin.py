"""Staff approve, reject and look up access codes in the admin, through the same services."""

import pytest
from django.urls import reverse

from events.models import Event, EventAuditEntry
from registrations.models import AccessCode, Registration
from registrations.services import access_codes_generate, registration_create
from tests.factories import EventFactory, StaffFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "status"), [("approve_registrations", "confirmed"), ("reject_registrations", "rejected")]
)
def test_the_decision_actions_go_through_the_services(admin_client, action, status):
    event = EventFactory(approval_required=True, capacity=5)
    students = StudentUserFactory.create_batch(2)
    pending = [registration_create(event=event, enrollment_no=s.pk, actor=s.user) for s in students]

    response = admin_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": action, "_selected_action": [r.pk for r in pending]},
        follow=True,
    )

    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {status}
    assert f"2 registrations {status.replace('confirmed', 'approved')}" in response.content.decode()
    assert EventAuditEntry.objects.filter(event=event, action__startswith="registration_").count() == 2


def test_staff_set_who_may_register_in_the_event_admin(admin_client):
    event = EventFactory()
    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "Who may register" in page and 'name="approval_required"' in page


def test_access_codes_are_listed_read_only(client):
    event = EventFactory(access_code_required=True)
    staff = StaffFactory(is_superuser=True)
    (code,) = access_codes_generate(event=event, count=1, max_uses=3, actor=staff)
    client.force_login(staff)
    listing = client.get(reverse("admin:registrations_accesscode_changelist"))
    assert listing.status_code == 200 and code.code in listing.content.decode()
    assert client.get(reverse("admin:registrations_accesscode_add")).status_code == 403
    assert AccessCode.objects.count() == 1 and Event.objects.filter(pk=event.pk).exists()
