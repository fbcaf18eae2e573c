"""The scanner pages: who opens them, and what they hand the script."""

import pytest
from django.urls import reverse

from registrations.services import scanner_link_create, scanner_link_revoke
from registrations.templatetags.checkin import checkin_qr_svg
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_organizer_opens_the_scanner_of_their_event(client, event, organizer, login):
    login(organizer)

    page = client.get(reverse("door-scan", args=[event.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-event="{event.pk}"' in html and 'data-token=""' in html
    assert "vendor/jsqr/jsQR.js" in html and "door/scan.js" in html and "manifest.webmanifest" in html
    assert "csrftoken" in page.cookies


def test_someone_else_gets_403_and_a_visitor_goes_to_login(client, event, login):
    assert client.get(reverse("door-scan", args=[event.pk])).status_code == 302
    login(UserFactory(username="stranger"))
    assert client.get(reverse("door-scan", args=[event.pk])).status_code == 403


def test_a_scanner_link_opens_the_page_of_its_event_without_a_login(client, event, organizer):
    _, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)

    page = client.get(reverse("door-scan-link", args=[token]))

    assert page.status_code == 200
    assert f'data-event="{event.pk}"' in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer" and page["Cache-Control"] == "no-store"


def test_a_revoked_or_unknown_link_says_it_no_longer_works(client, event, organizer):
    link, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)
    scanner_link_revoke(event=event, link_id=link.pk, actor=organizer)

    revoked = client.get(reverse("door-scan-link", args=[token]))
    unknown = client.get(reverse("door-scan-link", args=["nothing"]))

    assert revoked.status_code == 401 and "no longer works" in revoked.content.decode()
    assert unknown.status_code == 404


def test_the_service_worker_keeps_the_pages_files(client):
    response = client.get(reverse("door-service-worker"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "/static/door/scan.js" in response.content.decode()


def test_the_organizer_pages_lead_to_the_phone_scanner(client, organizer, login):
    event = EventFactory(organizers=[organizer])
    login(organizer)

    page = client.get(reverse("event-roster", args=[event.pk])).content.decode()

    assert reverse("door-scan", args=[event.pk]) in page


def test_the_students_check_in_qr_is_a_full_qr_code_that_phone_cameras_read():
    svg = checkin_qr_svg("ABCDEFGHJKMNP")

    # 21 modules (version 1) and a border of 2, at scale 6; a Micro QR would be 15 or 17 modules wide.
    assert 'viewBox="0 0 150 150"' in svg
