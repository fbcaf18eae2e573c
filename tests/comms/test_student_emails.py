"""The emails students expect: each in plain text and HTML, readable on a phone, signed with the college's name."""

import pytest
from django.core import mail

from certificates.services import certificate_issue
from events.services import event_cancel
from registrations import notifications
from registrations.models import Registration
from registrations.services import registration_cancel, registration_create, team_register
from tests.factories import AttendanceFactory, EventFactory, StudentFactory, TeamEventFactory, TeamFactory

pytestmark = pytest.mark.django_db

COLLEGE = "Government College of Engineering, Salem"


@pytest.fixture(autouse=True)
def college(settings, worker_mode):
    settings.COLLEGE_NAME = COLLEGE


def _sent() -> dict[str, list]:
    notifications.deliver(limit=1000)
    by_subject: dict[str, list] = {}
    for message in mail.outbox:
        by_subject.setdefault(message.subject.split(":")[0], []).append(message)
    return by_subject


def _assert_readable(message) -> None:
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width:560px" in html
    assert COLLEGE in message.body and COLLEGE in html
    for part in (message.body, html):
        assert "{{" not in part and "{%" not in part


def test_joining_the_waitlist_says_so_with_the_place():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first, second, third = StudentFactory.create_batch(3)
    for student in (first, second, third):
        registration_create(event=event, enrollment_no=student.pk)

    sent = _sent()

    assert [m.to for m in sent["You are on the waitlist"]] == [[second.email], [third.email]]
    second_email, third_email = sent["You are on the waitlist"]
    assert "place 1" in second_email.body and "place 2" in third_email.body
    _assert_readable(third_email)


def test_a_waitlisted_team_shares_one_place_and_each_member_is_told():
    event = TeamEventFactory(capacity=2, waitlist_enabled=True)
    team_register(event=event, team_name="First", leader=StudentFactory().pk, members=[StudentFactory().pk])
    members = StudentFactory.create_batch(3)
    team_register(event=event, team_name="Null Pointers", leader=members[0].pk, members=[m.pk for m in members[1:]])

    waitlisted = _sent()["You are on the waitlist"]

    assert sorted(m.to[0] for m in waitlisted) == sorted(m.email for m in members)
    assert all('with team "Null Pointers": place 1' in m.body for m in waitlisted)


def test_cancelling_tells_the_student_and_a_cancelled_team_tells_each_member():
    event = EventFactory()
    alone = StudentFactory()
    registration_create(event=event, enrollment_no=alone.pk)
    team_event = TeamEventFactory()
    members = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="Bits", leader=members[0].pk, members=[members[1].pk])
    registration_cancel(event=event, enrollment_no=alone.pk)
    registration_cancel(event=team_event, enrollment_no=members[0].pk)

    cancelled = _sent()["Registration cancelled"]

    assert sorted(m.to[0] for m in cancelled) == sorted([alone.email, *(m.email for m in members)])
    _assert_readable(cancelled[0])


def test_a_promoted_student_gets_their_seat_and_check_in_code():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first, waiting = StudentFactory.create_batch(2)
    registration_create(event=event, enrollment_no=first.pk)
    registration_create(event=event, enrollment_no=waiting.pk)
    result = registration_cancel(event=event, enrollment_no=first.pk)

    [promoted] = _sent()["You have a seat"]

    assert promoted.to == [waiting.email]
    assert Registration.objects.get(pk=result.promoted[waiting.pk]).checkin_code in promoted.body
    _assert_readable(promoted)


def test_an_event_cancelled_tells_everyone_who_held_a_place():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    students = StudentFactory.create_batch(2)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
    event_cancel(event=event)

    cancelled = _sent()["Cancelled"]

    assert sorted(m.to[0] for m in cancelled) == sorted(s.email for s in students)
    _assert_readable(cancelled[0])


def test_a_certificate_issued_carries_its_verification_link():
    event = EventFactory()
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    AttendanceFactory(registration=registration)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    [email] = _sent()["Your certificate"]

    assert certificate.verify_url in email.body
    _assert_readable(email)


def test_a_team_invitation_names_the_leader_and_the_team():
    leader = StudentFactory(full_name="Asha Rao")
    team = TeamFactory(name="Null Pointers", leader=leader)
    invited = StudentFactory()
    notifications.team_invited(team.pk, [invited.pk])

    [invitation] = _sent()["Join team Null Pointers"]

    assert invitation.to == [invited.email]
    assert 'Asha Rao invites you to join the team "Null Pointers"' in invitation.body
    assert f"/events/{team.event_id}/" in invitation.body
    _assert_readable(invitation)


def test_an_invitation_to_a_team_cancelled_before_sending_is_not_sent():
    team = TeamFactory(status="cancelled")
    notifications.team_invited(team.pk, [StudentFactory().pk])

    assert _sent() == {}


def test_what_an_organizer_typed_is_plain_text_in_the_text_part_and_escaped_in_the_html():
    event = EventFactory(title='Rock & Roll <script>alert("x")</script>', venue="Hall <b>A</b>")
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    [email] = _sent()["Registration confirmed"]

    html = email.alternatives[0].content
    assert 'Rock & Roll <script>alert("x")</script>' in email.body
    assert "&amp;" not in email.body
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Hall &lt;b&gt;A&lt;/b&gt;" in html
