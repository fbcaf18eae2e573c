"""Self check-in: a projector's QR code, good for a minute and for its own event."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from eventsite.errors import NotAuthenticated, ValidationFailed
from registrations.models import Attendance
from registrations.services import attendance_self_mark, registration_create, self_checkin_token
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(organizer, student):
    event = EventFactory(organizers=[organizer])
    registration_create(event=event, enrollment_no=student.pk)
    return event


def test_a_student_with_the_current_code_is_marked_self(lecture, student):
    attendance, created = attendance_self_mark(
        event=lecture, token=self_checkin_token(event=lecture), actor=student.user
    )

    assert created
    assert (attendance.method, attendance.marked_by, attendance.student_id) == ("self", student.user, student.pk)


def test_a_code_shown_a_minute_ago_is_useless(lecture, student):
    stale = self_checkin_token(event=lecture, at=timezone.now() - timedelta(seconds=61))

    with pytest.raises(ValidationFailed, match="expired"):
        attendance_self_mark(event=lecture, token=stale, actor=student.user)
    assert not Attendance.objects.exists()


def test_a_code_shown_40_seconds_ago_still_works(lecture, student):
    recent = self_checkin_token(event=lecture, at=timezone.now() - timedelta(seconds=40))

    _, created = attendance_self_mark(event=lecture, token=recent, actor=student.user)

    assert created


@pytest.mark.parametrize("forged", ["", "abc", "123-deadbeef", "99999999999-0"])
def test_another_events_or_a_made_up_code_is_refused(lecture, student, forged):
    other = EventFactory()
    for token in (self_checkin_token(event=other), forged):
        with pytest.raises(ValidationFailed):
            attendance_self_mark(event=lecture, token=token, actor=student.user)
    assert not Attendance.objects.exists()


def test_only_a_logged_in_student_checks_themself_in(lecture, organizer):
    with pytest.raises(NotAuthenticated):
        attendance_self_mark(event=lecture, token=self_checkin_token(event=lecture), actor=organizer)


def test_the_projector_shows_a_qr_code_of_the_link_and_reloads_with_the_next_code(client, lecture, organizer, login):
    login(organizer)

    response = client.get(reverse("door-self-checkin", args=[lecture.pk]))

    page = response.content.decode()
    assert "<svg" in page and 'http-equiv="refresh"' in page
    assert f"/events/{lecture.pk}/self-checkin/" in response.context["url"]
    assert 1 <= response.context["refresh"] <= 20


def test_the_projector_is_for_organizers(client, lecture, student, login):
    login(student.user)
    assert client.get(reverse("door-self-checkin", args=[lecture.pk])).status_code == 403


def test_the_students_phone_checks_them_in_with_one_button(client, lecture, student, login):
    login(student.user)
    url = reverse("door-self-checkin-mark", args=[lecture.pk, self_checkin_token(event=lecture)])

    assert "Check me in" in client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert "You are checked in" in response.content.decode()
    assert Attendance.objects.get().method == "self"


def test_a_stale_code_on_the_phone_says_so(client, lecture, student, login):
    login(student.user)
    stale = self_checkin_token(event=lecture, at=timezone.now() - timedelta(minutes=2))

    response = client.post(reverse("door-self-checkin-mark", args=[lecture.pk, stale]))

    assert "expired" in response.content.decode()
    assert not Attendance.objects.exists()
