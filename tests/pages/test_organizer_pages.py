import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from registrations.models import Attendance
from registrations.services import attendance_mark, registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

ORGANIZER_PAGES = ["event-checkin", "event-roster", "event-roster-csv", "event-certificates"]


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_pages_send_anonymous_visitors_to_login(client, event, name):
    response = client.get(reverse(name, args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_a_student_cannot_open_any_organizer_page(client, event, student, login, name):
    login(student.user)
    assert client.get(reverse(name, args=[event.pk])).status_code == 403


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_an_organizer_cannot_open_another_events_pages(client, event, other_organizer, login, name):
    EventFactory(organizers=[other_organizer])
    login(other_organizer)
    assert client.get(reverse(name, args=[event.pk])).status_code == 403


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_pages_of_an_unknown_event_are_404(client, organizer, login, name):
    login(organizer)
    assert client.get(reverse(name, args=["no-such-event"])).status_code == 404


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_and_staff_open_the_events_pages(client, event, organizer, staff_user, login, name):
    login(organizer)
    assert client.get(reverse(name, args=[event.pk])).status_code == 200
    login(staff_user)
    assert client.get(reverse(name, args=[event.pk])).status_code == 200


def test_a_student_cannot_post_a_checkin(client, event, student, login):
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(student.user)
    response = client.post(
        reverse("event-checkin", args=[event.pk]), {"code": registration.checkin_code, "session": "main"}
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_organize_lists_only_the_organizers_events(client, event, organizer, login):
    EventFactory(title="Someone Else's Event")
    login(organizer)
    page = client.get(reverse("organize")).content.decode()
    assert event.title in page
    assert "Someone Else's Event" not in page


def test_organize_is_forbidden_to_a_student(client, student, login):
    login(student.user)
    assert client.get(reverse("organize")).status_code == 403


def _checkin(client, event, code, session="main"):
    return client.post(reverse("event-checkin", args=[event.pk]), {"code": code, "session": session})


def test_checkin_by_code_is_green_with_the_name_and_session(client, event, organizer, student, login):
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    page = _checkin(client, event, registration.checkin_code.lower()).content.decode()
    assert "answer-ok" in page and "Checked in" in page
    assert student.full_name in page
    assert "session main" in page
    assert Attendance.objects.filter(event=event, student=student).count() == 1


def test_checkin_by_enrollment_number(client, event, organizer, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    page = _checkin(client, event, f" {student.pk.lower()} ").content.decode()
    assert "answer-ok" in page and student.full_name in page


def test_a_double_scan_says_already_checked_in(client, event, organizer, student, login):
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    _checkin(client, event, registration.checkin_code)
    page = _checkin(client, event, registration.checkin_code).content.decode()
    assert "Already checked in" in page
    assert Attendance.objects.filter(event=event, student=student).count() == 1


def test_checkin_picks_the_chosen_session(client, organizer, student, login):
    # Day 1 was yesterday; day 2 starts now.
    now = timezone.now()
    event = EventFactory(
        organizers=[organizer],
        sessions=["day-1", "day-2"],
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(hours=8),
    )
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    page = _checkin(client, event, registration.checkin_code, session="day-2").content.decode()
    assert "session day-2" in page
    assert Attendance.objects.get(student=student).session.code == "day-2"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZZZZZZZZZZ", "No registration has this check-in code."),
        ("22CSE99999", "no confirmed registration"),
        ("<script>", "No registration has this check-in code."),
        ("", "Type or scan a code first."),
    ],
)
def test_a_bad_code_is_red_with_a_plain_reason(client, event, organizer, login, code, message):
    login(organizer)
    response = _checkin(client, event, code)
    page = response.content.decode()
    assert response.status_code == 200
    assert "answer-bad" in page
    assert message in page
    assert "<script>" not in page


def test_a_waitlisted_students_code_is_refused(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    waiting = StudentFactory()
    registration_create(event=event, enrollment_no=waiting.pk)
    login(organizer)
    page = _checkin(client, event, waiting.pk).content.decode()
    assert "answer-bad" in page


def test_checkin_with_an_unknown_session_is_a_form_error_not_a_500(client, event, organizer, student, login):
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    response = _checkin(client, event, registration.checkin_code, session="nope")
    assert response.status_code == 200
    assert "Choose one of the sessions." in response.content.decode()
    assert not Attendance.objects.exists()


def test_roster_lists_registrations_and_searches(client, event, organizer, login):
    alice = StudentFactory(full_name="Alice Fernandes")
    bob = StudentFactory(full_name="Bob Mathew")
    for student in (alice, bob):
        registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    everything = client.get(reverse("event-roster", args=[event.pk])).content.decode()
    searched = client.get(reverse("event-roster", args=[event.pk]), {"q": "fern"}).content.decode()
    assert "Alice Fernandes" in everything and "Bob Mathew" in everything
    assert "Alice Fernandes" in searched and "Bob Mathew" not in searched


def test_roster_csv_streams_one_row_per_registration_with_attendance_columns(client, organizer, login):
    event = EventFactory(organizers=[organizer], sessions=["day-1", "day-2"])
    present, absent = StudentFactory(full_name="=HYPERLINK(1)"), StudentFactory()
    for student in (present, absent):
        registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(
        event=event, enrollment_no=present.pk, session="day-2", at=event.sessions.get(code="day-2").starts_at
    )
    login(organizer)

    response = client.get(reverse("event-roster-csv", args=[event.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    by_enrollment = {row["Enrollment no"]: row for row in rows}
    assert set(by_enrollment) == {present.pk, absent.pk}
    assert by_enrollment[present.pk]["Attended: day-1"] == "no"
    assert by_enrollment[present.pk]["Attended: day-2"] == "yes"
    assert by_enrollment[present.pk]["Name"] == "'=HYPERLINK(1)"
    assert by_enrollment[absent.pk]["Attended: day-2"] == "no"


def test_issue_one_certificate(client, event, organizer, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    login(organizer)
    page = client.post(
        reverse("event-certificates", args=[event.pk]), {"action": "one", "enrollment_no": student.pk}, follow=True
    ).content.decode()
    certificate = Certificate.objects.get(event=event, student=student)
    assert f"Certificate {certificate.pk} issued to {student.full_name}" in page


def test_issuing_to_an_ineligible_student_shows_the_reason_next_to_the_field(client, event, organizer, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    response = client.post(
        reverse("event-certificates", args=[event.pk]), {"action": "one", "enrollment_no": student.pk}
    )
    assert response.status_code == 400
    assert "not eligible" in response.content.decode()
    assert not Certificate.objects.exists()


def test_issuing_with_a_malformed_enrollment_number_is_a_400(client, event, organizer, login):
    login(organizer)
    response = client.post(reverse("event-certificates", args=[event.pk]), {"action": "one", "enrollment_no": "??"})
    assert response.status_code == 400
    assert "is not a valid enrollment number" in response.content.decode()


def test_issue_all_eligible(client, event, organizer, login):
    attended, missing = StudentFactory(), StudentFactory()
    for student in (attended, missing):
        registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=attended.pk)
    login(organizer)
    page = client.post(reverse("event-certificates", args=[event.pk]), {"action": "all"}, follow=True).content.decode()
    assert "1 new certificate issued; 1 students hold one; 1 not eligible." in page  # counted, not listed
    assert list(Certificate.objects.values_list("student_id", flat=True)) == [attended.pk]


def _queries_for_roster(client, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("event-roster", args=[event.pk]))
    assert response.status_code == 200
    return len(captured)


def test_the_roster_page_costs_the_same_queries_for_3_or_40_registrations(client, organizer, login):
    small, large = EventFactory(organizers=[organizer]), EventFactory(organizers=[organizer])
    for event, size in ((small, 3), (large, 40)):
        for student in StudentFactory.create_batch(size):
            registration_create(event=event, enrollment_no=student.pk)
            attendance_mark(event=event, enrollment_no=student.pk)
    login(organizer)
    assert _queries_for_roster(client, small) == _queries_for_roster(client, large)
