"""What organizers write in the new fields (contact address, club name and department, poster
description) cannot inject a header or break a page, a feed or an email."""

import pytest
from django.core import mail

from clubs.models import Club
from comms.services import announcement_send
from events.models import Event, EventPoster
from events.services import event_poster_set, event_update
from eventsite.errors import ValidationFailed
from registrations import notifications
from tests.factories import ClubFactory, EventFactory, RegistrationFactory, StaffFactory
from tests.images import photo_with_gps

pytestmark = pytest.mark.django_db

HEADER_INJECTIONS = [
    "desk@college.example\r\nBcc: everyone@elsewhere.example",
    "desk@college.example\nX-Evil: 1",
    'desk@college.example>, "x" <other@elsewhere.example',
    "<script>alert(1)</script>@college.example",
]


@pytest.mark.parametrize("address", HEADER_INJECTIONS)
def test_the_service_refuses_a_contact_that_is_not_one_plain_address(event, organizer, address):
    with pytest.raises(ValidationFailed) as refused:
        event_update(event=event, contact_email=address, actor=organizer)

    assert "contact_email" in refused.value.details
    event.refresh_from_db()
    assert event.contact_email == ""


@pytest.mark.parametrize("address", HEADER_INJECTIONS)
def test_the_api_and_the_edit_page_refuse_it_with_a_message(client_for, login, event, organizer, address):
    api = client_for(organizer).patch(f"/api/v2/events/{event.pk}/", {"contact_email": address}, format="json")
    assert api.status_code == 400 and "contact_email" in api.json()["error"]["details"]

    page = login(organizer).post(
        f"/organize/events/{event.pk}/edit/",
        {
            "title": event.title,
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T12:00",
            "registration_mode": "individual",
            "contact_email": address,
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 400
    assert "Enter a valid email address." in page.content.decode()


def test_a_club_contact_or_department_with_a_line_break_is_refused(client_for):
    club = ClubFactory()
    staff = client_for(StaffFactory())

    contact = staff.patch(f"/api/v2/clubs/{club.pk}/", {"contact_email": HEADER_INJECTIONS[0]}, format="json")
    department = staff.patch(f"/api/v2/clubs/{club.pk}/", {"department": "CSE\r\nX: 1"}, format="json")

    assert contact.status_code == department.status_code == 400
    club.refresh_from_db()
    assert (club.contact_email, club.department) == ("", "")


def test_a_hostile_contact_stored_before_the_rule_breaks_no_page_and_no_email(client, settings, organizer):
    settings.NOTIFICATIONS_SENDER = "worker"
    event = EventFactory(organizers=[organizer])
    RegistrationFactory(event=event)
    Event.objects.filter(pk=event.pk).update(contact_email=HEADER_INJECTIONS[0])
    event.refresh_from_db()

    page = client.get(f"/events/{event.pk}/")
    announcement_send(event=event, subject="Room change", body="Lab 3.", audience="confirmed", actor=organizer)
    notifications.deliver()

    assert page.status_code == 200
    assert "Bcc:" not in page.content.decode() and "mailto:" not in page.content.decode()
    [email] = mail.outbox
    assert "Reply-To" not in email.extra_headers and email.bcc == []
    headers = email.message().as_bytes().split(b"\n\n", 1)[0]
    assert b"Bcc:" not in headers


def test_an_announcement_is_answered_to_the_events_contact_else_the_clubs(settings, organizer):
    settings.NOTIFICATIONS_SENDER = "worker"
    club = ClubFactory(contact_email="robotics@college.example")
    event = EventFactory(organizers=[organizer], club=club)
    RegistrationFactory(event=event)

    announcement_send(event=event, subject="Hi", body="Lab 3.", audience="confirmed", actor=organizer)
    notifications.deliver()

    assert mail.outbox[0].extra_headers["Reply-To"] == "robotics@college.example"


def test_markup_in_a_club_name_and_poster_description_stays_text(client, organizer):
    club = ClubFactory(name='<img src=x onerror="alert(1)">Club', department="CSE")
    event = EventFactory(organizers=[organizer], club=club)
    event_poster_set(event=event, upload=photo_with_gps(), alt_text='"><script>alert(2)</script>', actor=organizer)

    for url in (f"/events/{event.pk}/", "/events/", f"/clubs/{club.pk}/", f"/organize/events/{event.pk}/edit/"):
        client.force_login(organizer)
        html = client.get(url).content.decode()
        assert "<script>alert(2)" not in html and '<img src=x onerror="alert(1)">' not in html, url


def test_a_stored_alt_text_with_control_characters_keeps_the_og_tags_whole(client, organizer):
    event = EventFactory(organizers=[organizer])
    event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)
    EventPoster.objects.filter(event=event).update(alt_text='A "poster"\n<meta http-equiv="refresh" content="0">')

    html = client.get(f"/events/{event.pk}/").content.decode()

    assert '<meta http-equiv="refresh"' not in html
    assert 'content="A &quot;poster&quot;' in html


@pytest.mark.parametrize("value", ["\x00", "CSE\r\n", "x" * 5000, "<script>", "' OR 1=1 --"])
def test_hostile_list_filters_answer_without_an_error(client, client_for, value):
    Club.objects.create(club_id="acm", name="ACM", department="CSE")

    assert client.get("/events/", {"club": value, "department": value}).status_code == 200
    assert client_for(None).get("/api/v2/events/", {"club": value, "department": value}).status_code in (200, 400)
