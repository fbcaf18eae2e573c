"""Announcements: organizers write to an audience of their event's registrants through the outbox."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comms.models import Announcement
from comms.services import announcement_send, email_preferences_set
from events.models import EventAuditEntry
from registrations import notifications
from registrations.models import Notification
from tests.api.helpers import error_of
from tests.factories import AttendanceFactory, EventFactory, RegistrationFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "The talk moves to Lab 3.\nBring your laptop."


@pytest.fixture
def crowd(event):
    """Two confirmed who attended, one confirmed who did not, two waitlisted, one cancelled."""
    attended = RegistrationFactory.create_batch(2, event=event)
    for registration in attended:
        AttendanceFactory(registration=registration)
    absent = RegistrationFactory(event=event)
    waitlisted = RegistrationFactory.create_batch(2, event=event, status="waitlisted", waitlist_seq=1)
    cancelled = RegistrationFactory(event=event, status="cancelled")
    return {"attended": attended, "absent": [absent], "waitlisted": waitlisted, "cancelled": [cancelled]}


def _owed_to(announcement) -> set[str]:
    return set(
        Notification.objects.filter(kind="announcement", object_id=announcement.pk).values_list("student_id", flat=True)
    )


def _students(*groups) -> set[str]:
    return {registration.student_id for group in groups for registration in group}


@pytest.mark.parametrize(
    ("audience", "groups"),
    [
        ("confirmed", ("attended", "absent")),
        ("waitlisted", ("waitlisted",)),
        ("attended", ("attended",)),
        ("not_attended", ("absent",)),
        ("all", ("attended", "absent", "waitlisted")),
    ],
)
def test_an_announcement_reaches_exactly_its_audience(event, organizer, crowd, audience, groups):
    announcement = announcement_send(event=event, subject="Room change", body=BODY, audience=audience, actor=organizer)

    expected = _students(*(crowd[group] for group in groups))
    assert _owed_to(announcement) == expected
    assert announcement.recipients == len(expected)
    assert (announcement.created_by, announcement.audience) == (organizer, audience)


def test_an_announcement_is_recorded_in_the_events_audit_trail(event, organizer, crowd):
    announcement = announcement_send(event=event, subject="Room change", body=BODY, audience="all", actor=organizer)

    entry = EventAuditEntry.objects.get(event=event, action="announced")
    assert (entry.actor, entry.actor_name) == (organizer, organizer.username)
    assert entry.after == {
        "announcement_id": announcement.pk,
        "audience": "all",
        "recipients": 5,
        "subject": "Room change",
    }


def test_students_who_turned_announcements_off_or_have_no_address_are_left_out(event, organizer, crowd):
    quiet = crowd["attended"][0].student
    email_preferences_set(student=quiet, announcements=False)
    no_address = crowd["absent"][0].student
    type(no_address).objects.filter(pk=no_address.pk).update(email="")

    announcement = announcement_send(event=event, subject="Hi", body=BODY, audience="confirmed", actor=organizer)

    assert _owed_to(announcement) == {crowd["attended"][1].student_id}
    assert announcement.recipients == 1


def test_the_worker_sends_it_with_a_one_click_unsubscribe(event, organizer, crowd, settings):
    settings.NOTIFICATIONS_SENDER = "worker"
    announcement_send(event=event, subject="Room change", body=BODY, audience="waitlisted", actor=organizer)

    notifications.deliver()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.student.email for r in crowd["waitlisted"])
    message = mail.outbox[0]
    assert message.subject == f"{event.title}: Room change"
    assert BODY in message.body
    assert "The talk moves to Lab 3.<br>Bring your laptop." in message.alternatives[0].content
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/email/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_student_who_turns_announcements_off_before_it_goes_does_not_get_it(event, organizer, crowd):
    announcement_send(event=event, subject="Hi", body=BODY, audience="waitlisted", actor=organizer)
    email_preferences_set(student=crowd["waitlisted"][0].student, announcements=False)

    notifications.deliver()

    assert [m.to for m in mail.outbox] == [[crowd["waitlisted"][1].student.email]]


def test_queueing_costs_the_same_queries_for_ten_or_three_hundred_recipients(organizer):
    counts = []
    for size in (10, 300):
        event = EventFactory(organizers=[organizer])
        RegistrationFactory.create_batch(size, event=event)
        with CaptureQueriesContext(connection) as queries:
            announcement = announcement_send(event=event, subject="Hi", body=BODY, audience="all", actor=organizer)
        assert announcement.recipients == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The limit per day


def test_the_sixth_announcement_of_a_day_is_throttled(client_for, event, organizer, settings):
    settings.ANNOUNCEMENTS_PER_DAY = 5
    api = client_for(organizer)
    payload = {"subject": "Update", "body": BODY, "audience": "all"}
    for _ in range(5):
        assert api.post(f"/api/v2/events/{event.pk}/announcements", payload, format="json").status_code == 202

    response = api.post(f"/api/v2/events/{event.pk}/announcements", payload, format="json")

    assert response.status_code == 429
    assert error_of(response)["code"] == "THROTTLED"
    assert error_of(response)["details"] == {"limit": 5}
    assert Announcement.objects.filter(event=event).count() == 5
    other = EventFactory(organizers=[organizer])
    assert api.post(f"/api/v2/events/{other.pk}/announcements", payload, format="json").status_code == 202


def test_the_limit_starts_again_the_next_day(event, organizer, settings, clock):
    settings.ANNOUNCEMENTS_PER_DAY = 1
    announcement_send(event=event, subject="One", body=BODY, audience="all", actor=organizer)
    clock.advance(days=1)

    assert announcement_send(event=event, subject="Two", body=BODY, audience="all", actor=organizer).subject == "Two"


@pytest.mark.django_db(transaction=True)
def test_organizers_sending_at_once_never_pass_the_limit(settings):
    settings.ANNOUNCEMENTS_PER_DAY = 3
    organizer = UserFactory()
    event = EventFactory(organizers=[organizer])
    RegistrationFactory.create_batch(5, event=event)
    outcomes: list[str] = []

    def send(index: int) -> None:
        try:
            announcement_send(event=event, subject=f"No. {index}", body=BODY, audience="all", actor=organizer)
            outcomes.append("sent")
        except Exception as error:  # noqa: BLE001 - each outcome is asserted below
            outcomes.append(getattr(error, "code", repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["THROTTLED"] * 5 + ["sent"] * 3
    assert Announcement.objects.filter(event=event).count() == 3
    assert Notification.objects.filter(kind="announcement").count() == 15


# The API


def test_the_api_queues_and_answers_202_with_the_count(client_for, event, organizer, crowd):
    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/announcements",
        {"subject": "Room change", "body": BODY, "audience": "confirmed"},
        format="json",
    )

    assert response.status_code == 202
    announcement = Announcement.objects.get()
    assert response.json() == {"announcement_id": announcement.pk, "recipients": 3}


def test_the_api_lists_them_newest_first(client_for, event, organizer, clock):
    first = announcement_send(event=event, subject="First", body=BODY, audience="all", actor=organizer)
    clock.advance(minutes=1)
    second = announcement_send(event=event, subject="Second", body=BODY, audience="waitlisted", actor=organizer)

    body = client_for(organizer).get(f"/api/v2/events/{event.pk}/announcements").json()

    assert body["count"] == 2
    assert [row["announcement_id"] for row in body["results"]] == [second.pk, first.pk]
    assert body["results"][0] == {
        "announcement_id": second.pk,
        "subject": "Second",
        "body": BODY,
        "audience": "waitlisted",
        "recipients": 0,
        "created_at": body["results"][0]["created_at"],
        "created_by": organizer.username,
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_events_organizers_use_the_api(client_for, event, student, other_organizer, method):
    payload = {"subject": "Hi", "body": BODY, "audience": "all"}
    url = f"/api/v2/events/{event.pk}/announcements"

    assert getattr(client_for(None), method)(url, payload, format="json").status_code == 401
    for outsider in (student, other_organizer):
        response = getattr(client_for(outsider), method)(url, payload, format="json")
        assert (response.status_code, error_of(response)["code"]) == (403, "PERMISSION_DENIED")
    assert not Announcement.objects.exists()


def test_an_unknown_event_is_not_found(client_for, staff_user):
    response = client_for(staff_user).post(
        "/api/v2/events/no-such-event/announcements", {"subject": "Hi", "body": BODY, "audience": "all"}, format="json"
    )

    assert (response.status_code, error_of(response)["details"]["what"]) == (404, "event")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": "Room\r\nBcc: everyone@college.example", "body": BODY, "audience": "all"}, "subject"),
        ({"subject": "Room\nchange", "body": BODY, "audience": "all"}, "subject"),
        ({"subject": "Room\u2028change", "body": BODY, "audience": "all"}, "subject"),
        ({"subject": "Room change", "body": "Bell \x07 rings", "audience": "all"}, "body"),
        ({"subject": "Room change", "body": "Escape \x1b[31m", "audience": "all"}, "body"),
        ({"subject": "   ", "body": BODY, "audience": "all"}, "subject"),
        ({"subject": "Room change", "body": BODY, "audience": "everyone"}, "audience"),
        ({"subject": "x" * 151, "body": BODY, "audience": "all"}, "subject"),
        ({"subject": "Room change", "body": "x" * 5001, "audience": "all"}, "body"),
        ({"body": BODY, "audience": "all"}, "subject"),
    ],
)
def test_what_could_break_a_header_or_a_page_is_refused(client_for, event, organizer, payload, field):
    response = client_for(organizer).post(f"/api/v2/events/{event.pk}/announcements", payload, format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"
    assert field in error_of(response)["details"]
    assert not Announcement.objects.exists()


def test_a_body_with_crlf_line_breaks_keeps_them_as_plain_line_breaks(event, organizer):
    announcement = announcement_send(
        event=event, subject="Hi", body="Line one\r\nLine two\tindented", audience="all", actor=organizer
    )

    assert announcement.body == "Line one\nLine two\tindented"


def test_html_in_an_announcement_is_text_in_the_email_and_on_the_page(event, organizer, crowd, login):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    announcement_send(event=event, subject="<b>Bold</b> & more", body=hostile, audience="all", actor=organizer)

    notifications.deliver()
    html = mail.outbox[0].alternatives[0].content
    page = login(organizer).get(f"/events/{event.pk}/").text

    for rendered in (html, page):
        assert "<script>" not in rendered and "<img src=x" not in rendered
        assert "&lt;script&gt;" in rendered
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; more" in rendered
    assert hostile in mail.outbox[0].body


# The pages


def test_an_organizer_previews_then_sends(login, event, organizer, crowd):
    client = login(organizer)
    form = {"audience": "confirmed", "subject": "Room change", "body": BODY}

    preview = client.post(f"/events/{event.pk}/manage/announcements/", {**form, "action": "preview"})

    assert preview.status_code == 200
    assert "Send to 3 students" in preview.text
    assert "The talk moves to Lab 3.<br>Bring your laptop." in preview.text
    assert not Announcement.objects.exists()

    sent = client.post(f"/events/{event.pk}/manage/announcements/", {**form, "action": "send"}, follow=True)

    assert "Announcement queued for 3 students" in sent.text
    assert Announcement.objects.get().recipients == 3
    assert "1 of 5 sent today" in sent.text


def test_the_page_shows_why_a_draft_cannot_go(login, event, organizer, settings):
    settings.ANNOUNCEMENTS_PER_DAY = 0
    response = login(organizer).post(
        f"/events/{event.pk}/manage/announcements/",
        {"audience": "all", "subject": "Room change", "body": BODY, "action": "send"},
    )

    assert response.status_code == 400
    assert "sent its 0 announcements for today" in response.text


def test_the_announcements_page_is_for_the_events_organizers(login, event, other_organizer, student):
    assert login(other_organizer).get(f"/events/{event.pk}/manage/announcements/").status_code == 403
    assert login(student.user).get(f"/events/{event.pk}/manage/announcements/").status_code == 403


def test_registrants_read_the_announcements_on_the_event_page_and_others_do_not(client, event, organizer, student):
    announcement_send(event=event, subject="Room change", body=BODY, audience="all", actor=organizer)
    outsider = StudentFactory(user=UserFactory(username="24ECE30999"))

    RegistrationFactory(event=event, student=student)
    client.force_login(student.user)
    assert "Room change" in client.get(f"/events/{event.pk}/").text
    client.force_login(outsider.user)
    assert "Room change" not in client.get(f"/events/{event.pk}/").text
    client.logout()
    assert "Room change" not in client.get(f"/events/{event.pk}/").text
