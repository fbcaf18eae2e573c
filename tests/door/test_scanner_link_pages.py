"""The organizer's page of volunteer links: create (label, expiry), list with QR codes, revoke after asking."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from registrations.models import Attendance, ScannerLink
from registrations.services import registration_create, scanner_link_create, scanner_link_revoke, scanner_link_token
from tests.factories import EventFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_url(event) -> str:
    return reverse("door-scanner-links", args=[event.pk])


def test_an_organizer_creates_a_link_and_sees_its_qr_code_and_address(client, login, event, organizer):
    login(organizer)

    response = client.post(page_url(event), {"label": "Gate 2"})

    link = ScannerLink.objects.get(event=event)
    assert response.status_code == 302 and response["Location"].endswith(f"#link-{link.pk}")
    page = client.get(page_url(event))
    html = page.content.decode()
    token = scanner_link_token(link)
    assert f"/scan/{token}/" in html and 'class="link-qr"' in html
    assert page["Cache-Control"] == "private, no-store"
    assert client.get(f"/scan/{token}/").status_code == 200


def test_the_token_is_stored_only_as_its_hash_and_derived_again_for_the_qr_code(event, organizer):
    link, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)

    assert token not in {link.token_hash, link.pk, link.label}
    assert scanner_link_token(link) == token
    assert (
        scanner_link_token(
            EventFactory().scanner_links.create(label="x", token_hash="0" * 64, expires_at=timezone.now())
        )
        is None
    )


def test_the_expiry_is_taken_from_the_form(client, login, event, organizer):
    login(organizer)
    until = timezone.localtime() + timedelta(hours=3)

    client.post(page_url(event), {"label": "Gate 3", "expires_at": until.strftime("%Y-%m-%dT%H:%M")})

    link = ScannerLink.objects.get(event=event)
    assert abs(link.expires_at - until.replace(second=0, microsecond=0)) < timedelta(seconds=1)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"label": ""}, "This field is required."),
        ({"label": "Gate\x072"}, "Give the link a name"),
        ({"label": "Gate", "expires_at": "2001-01-01T10:00"}, "The link must expire in the future."),
    ],
    ids=["no-label", "control-character", "past-expiry"],
)
def test_a_refused_link_says_what_to_fix(client, login, event, organizer, data, message):
    login(organizer)

    response = client.post(page_url(event), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScannerLink.objects.exists()


def test_revoked_and_expired_links_are_listed_without_a_qr_code(client, login, event, organizer):
    revoked, revoked_token = scanner_link_create(event=event, label="Old gate", actor=organizer)
    scanner_link_revoke(event=event, link_id=revoked.pk, actor=organizer)
    expired, expired_token = scanner_link_create(event=event, label="Yesterday", actor=organizer)
    ScannerLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    html = login(organizer).get(page_url(event)).content.decode()

    assert "Old gate" in html and "Revoked" in html and "Yesterday" in html and "Expired" in html
    assert revoked_token not in html and expired_token not in html
    assert 'class="link-qr"' not in html


def test_revoking_asks_first_then_stops_the_link(client, login, event, organizer):
    link, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)
    login(organizer)
    revoke_url = reverse("door-scanner-link-revoke", args=[event.pk, link.pk])

    question = client.get(revoke_url)
    assert "Revoke “Gate 2”?" in question.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None

    assert client.post(revoke_url).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(f"/scan/{token}/").status_code == 401


def test_the_page_is_for_the_events_organizers_only(client, login, event, organizer):
    link, _ = scanner_link_create(event=event, label="Gate 2", actor=organizer)
    assert client.get(page_url(event)).status_code == 302
    login(UserFactory(username="stranger"))

    assert client.get(page_url(event)).status_code == 403
    assert client.post(page_url(event), {"label": "x"}).status_code == 403
    assert client.post(reverse("door-scanner-link-revoke", args=[event.pk, link.pk])).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_of_another_event_cannot_be_revoked_from_this_one(client, login, event, organizer):
    other = EventFactory(organizers=[organizer])
    link, _ = scanner_link_create(event=other, label="Gate 2", actor=organizer)

    response = login(organizer).post(reverse("door-scanner-link-revoke", args=[event.pk, link.pk]))

    assert response.status_code == 404


def test_the_manage_navigation_leads_to_the_links(client, login, event, organizer):
    html = login(organizer).get(reverse("event-roster", args=[event.pk])).content.decode()

    assert f'href="{page_url(event)}"' in html


def test_a_link_that_stops_at_midnight_says_the_end_of_the_day_before(client, login, event, organizer):
    midnight = timezone.localtime(event.ends_at).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    scanner_link_create(event=event, label="Gate 2", expires_at=midnight, actor=organizer)

    html = login(organizer).get(page_url(event)).content.decode()

    day_before = (midnight - timedelta(days=1)).strftime("%a %-d %b %Y")
    assert f"Works until the end of {day_before}" in html


def test_scans_a_revoked_phone_still_holds_are_refused_when_it_sends_them(client, login, event, organizer):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    link, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)
    login(organizer).post(reverse("door-scanner-link-revoke", args=[event.pk, link.pk]))
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Scanner {token}")

    response = phone.post(
        f"/api/v2/attendance/batch/{event.pk}",
        {"scans": [{"scan_id": "s1", "checkin_code": registration.checkin_code, "scanned_at": timezone.now()}]},
        format="json",
    )

    assert response.status_code == 401 and response.json()["error"]["code"] == "LINK_REVOKED"
    assert not Attendance.objects.exists()
