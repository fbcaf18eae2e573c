"""The acting roster page: what an organizer sees of each registration, and what they do from it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import EventAuditEntry
from events.services import QuestionSpec, event_update
from registrations.models import Attendance, Notification, Registration, RegistrationStatus
from registrations.services import attendance_mark, registration_create, team_register
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="langs", label="Languages you use", kind="multi_choice", choices=("Python", "C", "Rust")),
    QuestionSpec(code="laptop", label="Bringing a laptop?", kind="yes_no"),
]


def _roster(client, event, **params):
    return client.get(reverse("event-roster", args=[event.pk]), params)


def _card(page: str, registration: Registration) -> str:
    """The row (a card on phones) of one registration."""
    match = re.search(rf'<tr id="reg-{registration.pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {registration.pk}"
    return match.group(1)


def _act(client, event, registration, action, **fields):
    data = {"registration": registration.pk, "action": action, **fields}
    return client.post(reverse("event-roster-act", args=[event.pk]), data, follow=True)


@pytest.fixture
def asking(event, organizer):
    return event_update(event=event, questions=QUESTIONS, actor=organizer)


def test_each_row_shows_the_student_status_check_ins_and_answers(client, asking, organizer, login):
    student = StudentFactory(full_name="Asha Rao", department="CSE")
    registration = registration_create(
        event=asking, enrollment_no=student.pk, answers={"tshirt": "M", "langs": ["Rust", "C"], "laptop": True}
    )
    attendance_mark(event=asking, enrollment_no=student.pk, actor=organizer)
    login(organizer)

    card = _card(_roster(client, asking).content.decode(), registration)

    assert "Asha Rao" in card and student.pk in card and "CSE" in card
    assert "Confirmed" in card
    assert "✔" in card and "typed by an organizer · organizer" in card
    assert "T-shirt size</dt><dd>M</dd>" in card
    assert "Languages you use</dt><dd>C, Rust</dd>" in card
    assert "Bringing a laptop?</dt><dd>yes</dd>" in card


def test_an_answer_to_a_removed_question_stays_on_the_roster(client, asking, organizer, login):
    registration = registration_create(event=asking, enrollment_no=StudentFactory().pk, answers={"tshirt": "L"})
    event_update(event=asking, questions=QUESTIONS[1:], actor=organizer)
    login(organizer)

    card = _card(_roster(client, asking).content.decode(), registration)

    assert "T-shirt size <small>(no longer asked)</small></dt><dd>L</dd>" in card


def test_the_roster_names_the_team_of_each_member(client, organizer, login):
    event = TeamEventFactory(organizers=[organizer])
    leader, member = StudentFactory(), StudentFactory()
    team_register(event=event, team_name="Byte Club", leader=leader.pk, members=[member.pk])
    login(organizer)

    page = _roster(client, event).content.decode()

    for registration in Registration.objects.filter(event=event):
        assert "Byte Club" in _card(page, registration)


def test_the_roster_searches_by_name_enrollment_number_or_team(client, event, organizer, login):
    alice, bob = StudentFactory(full_name="Alice Fernandes"), StudentFactory(full_name="Bob Mathew")
    for student in (alice, bob):
        registration_create(event=event, enrollment_no=student.pk)
    login(organizer)

    by_name = _roster(client, event, q="fern").content.decode()
    by_number = _roster(client, event, q=bob.pk.lower()).content.decode()

    assert "Alice Fernandes" in by_name and "Bob Mathew" not in by_name
    assert "Bob Mathew" in by_number and "Alice Fernandes" not in by_number


def test_the_roster_filters_by_status_and_hides_cancelled_ones_by_default(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    seated, waiting, gone = StudentFactory(), StudentFactory(), StudentFactory(full_name="Gone Student")
    for student in (seated, waiting, gone):
        registration_create(event=event, enrollment_no=student.pk)
    Registration.objects.filter(student=gone).update(status=RegistrationStatus.CANCELLED, checkin_code=None)
    login(organizer)

    current = _roster(client, event).content.decode()
    waitlist = _roster(client, event, status="waitlisted").content.decode()
    cancelled = _roster(client, event, status="cancelled").content.decode()

    assert seated.full_name in current and waiting.full_name in current and "Gone Student" not in current
    assert waiting.full_name in waitlist and seated.full_name not in waitlist
    assert "Gone Student" in cancelled and seated.full_name not in cancelled


def test_the_roster_filters_by_the_session_checked_in_to(client, organizer, login):
    event = EventFactory(organizers=[organizer], sessions=["day-1", "day-2"])
    first_day, second_day = StudentFactory(), StudentFactory()
    for student in (first_day, second_day):
        registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=first_day.pk, session="day-1", actor=organizer)
    day_2 = event.sessions.get(code="day-2")
    attendance_mark(event=event, enrollment_no=second_day.pk, session="day-2", at=day_2.starts_at, method="import")
    login(organizer)

    page = _roster(client, event, session="day-2").content.decode()

    assert second_day.full_name in page and first_day.full_name not in page


def test_the_roster_is_paginated_and_keeps_its_filters_between_pages(client, event, organizer, login):
    for student in StudentFactory.create_batch(52, full_name="Same Name"):
        registration_create(event=event, enrollment_no=student.pk)
    login(organizer)

    first = _roster(client, event, q="same").content.decode()
    second = _roster(client, event, q="same", page=2).content.decode()

    assert first.count('<tr id="reg-') == 50 and second.count('<tr id="reg-') == 2
    assert "?q=same&amp;page=2" in first


def test_unknown_filters_are_ignored_not_a_500(client, event, organizer, login):
    registration_create(event=event, enrollment_no=StudentFactory(full_name="Still Here").pk)
    registration_create(event=event, enrollment_no=StudentFactory(full_name="Someone Else").pk)
    login(organizer)

    response = _roster(client, event, status="nonsense", session="nope", page="x")
    searched = _roster(client, event, q="still", status="nonsense").content.decode()

    assert response.status_code == 200 and "Still Here" in response.content.decode()
    assert "Still Here" in searched and "Someone Else" not in searched  # the valid filter still applies


# Actions


def test_check_in_from_the_roster_marks_the_session_through_the_service(client, event, organizer, login):
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)

    page = _act(client, event, registration, "checkin", session="main", back="q=" + student.pk).content.decode()

    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.session.code, attendance.method, attendance.marked_by) == ("main", "manual", organizer)
    assert f"{student.full_name} is checked in" in page
    assert f'value="{student.pk}"' in page  # back on the roster with the search kept


def test_a_refused_check_in_says_why_on_the_roster(client, organizer, login):
    event = EventFactory(organizers=[organizer], sessions=["day-1", "day-2"])
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)

    page = _act(client, event, registration, "checkin", session="day-2").content.decode()

    assert not Attendance.objects.exists()
    assert "message-error" in page and student.full_name in page


def test_add_a_seat_and_promote_raises_the_capacity_and_seats_the_student(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    first, second = (registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(2))
    login(organizer)

    page = _act(client, event, second, "promote", add_seats="1").content.decode()

    first.refresh_from_db()
    second.refresh_from_db()
    event.refresh_from_db()
    assert (second.status, first.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    assert second.checkin_code
    assert (event.capacity, event.confirmed_count) == (2, 2)
    audit = EventAuditEntry.objects.get(event=event, action="capacity_changed")
    assert (audit.before, audit.after, audit.actor) == ({"capacity": 1}, {"capacity": 2}, organizer)
    assert "now holds a seat" in page
    assert Notification.objects.filter(kind="waitlist_promoted", object_id=second.pk).exists()


def test_give_a_seat_without_a_free_seat_is_refused_in_words(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    waitlisted = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)

    page = _act(client, event, waitlisted, "promote").content.decode()

    waitlisted.refresh_from_db()
    assert waitlisted.status == RegistrationStatus.WAITLISTED
    event.refresh_from_db()
    assert event.capacity == 1
    assert "No seat is free for this student: add 1 seat or cancel a registration first." in page


def test_give_a_seat_takes_a_seat_freed_while_a_team_waits(client, organizer, login):
    """A waitlisted team too big for the one free seat keeps waiting; the organizer may seat a pair behind it."""
    event = TeamEventFactory(organizers=[organizer], capacity=4, waitlist_enabled=True, team_size_min=2)
    students = StudentFactory.create_batch(9)
    team_register(event=event, team_name="Seated", leader=students[0].pk, members=[s.pk for s in students[1:4]])
    team_register(event=event, team_name="Big", leader=students[4].pk, members=[s.pk for s in students[5:8]])
    Registration.objects.filter(team__name="Seated", student__in=students[2:4]).update(
        status=RegistrationStatus.CANCELLED, checkin_code=None
    )
    event.confirmed_count = 2
    event.save(update_fields=["confirmed_count"])
    big = Registration.objects.filter(team__name="Big").first()
    login(organizer)

    page = _act(client, event, big, "promote").content.decode()

    assert "No seat is free for this team" in page
    assert set(Registration.objects.filter(team__name="Big").values_list("status", flat=True)) == {"waitlisted"}


def test_cancel_asks_for_a_confirmation_first(client, event, organizer, login):
    student = StudentFactory(full_name="Careful Case")
    registration = registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    url = reverse("event-roster-cancel", args=[event.pk, registration.pk])

    question = client.get(url)

    assert question.status_code == 200 and "Careful Case" in question.content.decode()
    assert "Keep it" in question.content.decode() and "Cancel the registration</button>" in question.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_confirmed_cancel_frees_the_seat_for_the_waitlist(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    seated = registration_create(event=event, enrollment_no=StudentFactory().pk)
    waiting = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)

    response = client.post(reverse("event-roster-cancel", args=[event.pk, seated.pk]), {"back": "status=confirmed"})

    assert response.status_code == 302
    assert response.url == reverse("event-roster", args=[event.pk]) + "?status=confirmed"
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)


def test_cancelling_twice_says_there_is_nothing_left_to_cancel(client, event, organizer, login):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)
    url = reverse("event-roster-cancel", args=[event.pk, registration.pk])
    client.post(url)

    again = client.post(url)

    assert again.status_code == 409
    assert "This student has no active registration for this event." in again.content.decode()
    assert "there is nothing to cancel" in again.content.decode()


def test_cancelling_a_team_member_names_the_whole_team_first(client, organizer, login):
    event = TeamEventFactory(organizers=[organizer])
    leader, member = StudentFactory(full_name="Lead Person"), StudentFactory(full_name="Member Person")
    team_register(event=event, team_name="Pair", leader=leader.pk, members=[member.pk])
    registration = Registration.objects.get(student=member)
    login(organizer)

    page = client.get(reverse("event-roster-cancel", args=[event.pk, registration.pk])).content.decode()

    assert "A team is cancelled whole" in page and "Lead Person" in page and "Member Person" in page


def test_the_back_link_keeps_only_the_roster_filters(client, event, organizer, login):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)

    response = client.post(
        reverse("event-roster-act", args=[event.pk]),
        {"registration": registration.pk, "action": "nothing", "back": "q=x&next=https://evil.example/&page=2"},
    )

    assert response.url == reverse("event-roster", args=[event.pk]) + "?q=x&page=2"


def test_an_action_on_a_registration_of_another_event_changes_nothing(client, event, organizer, login):
    elsewhere = registration_create(event=EventFactory(), enrollment_no=StudentFactory().pk)
    login(organizer)

    page = _act(client, event, elsewhere, "checkin", session="main").content.decode()

    assert not Attendance.objects.exists()
    assert "not in this event&#x27;s roster" in page


# Cost


def _roster_queries(client, event) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = _roster(client, event)
    assert response.status_code == 200
    return len(captured)


def test_the_roster_page_costs_the_same_queries_for_5_or_50_registrations(client, organizer, login):
    sizes = {}
    for size in (5, 50):
        event = EventFactory(organizers=[organizer], capacity=size - 2, waitlist_enabled=True)
        event_update(event=event, questions=QUESTIONS, actor=organizer)
        for student in StudentFactory.create_batch(size):
            registration_create(
                event=event, enrollment_no=student.pk, answers={"tshirt": "S", "langs": ["C"], "laptop": False}
            )
        for registration in Registration.objects.filter(event=event, status="confirmed"):
            attendance_mark(event=event, enrollment_no=registration.student_id, actor=organizer)
        event.approval_required = True
        event.save(update_fields=["approval_required"])
        for student in StudentFactory.create_batch(size // 5):
            registration_create(event=event, enrollment_no=student.pk, answers={"tshirt": "M"})
        assert Registration.objects.filter(event=event, status="pending").count() == size // 5
        sizes[size] = event
    login(organizer)

    small, large = _roster_queries(client, sizes[5]), _roster_queries(client, sizes[50])

    assert small == large
    assert large <= 16


# Approval


@pytest.fixture
def approving(organizer):
    return EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True, approval_required=True)


def _pending(event, name="Pending Person"):
    student = StudentUserFactory(full_name=name)
    registration = registration_create(event=event, enrollment_no=student.pk, actor=student.user)
    assert registration.status == RegistrationStatus.PENDING
    return registration


def test_a_registration_awaiting_approval_offers_approve_and_reject(client, approving, organizer, login):
    registration = _pending(approving)
    login(organizer)

    page = _roster(client, approving).content.decode()
    card = _card(page, registration)

    assert "Awaiting approval" in card and ">Approve<" in card and "Reject…" in card
    assert "Check in" not in card and "Cancel…" not in card
    assert "1 awaiting approval" in page
    assert _card(_roster(client, approving, status="pending").content.decode(), registration)


def test_approving_from_the_roster_takes_the_free_seat_then_the_waitlist(client, approving, organizer, login):
    first, second = _pending(approving, "First Asker"), _pending(approving, "Second Asker")
    login(organizer)

    seated = _act(client, approving, first, "approve").content.decode()
    waiting = _act(client, approving, second, "approve").content.decode()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    assert "First Asker is approved and holds a seat" in seated
    assert "Second Asker is approved; no seat is free, so they wait at place 1 of the waitlist." in waiting
    assert EventAuditEntry.objects.filter(event=approving, action="registration_approved").count() == 2


def test_approving_when_full_without_a_waitlist_says_why_and_keeps_it_waiting(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, approval_required=True)
    first, second = _pending(event, "First Asker"), _pending(event, "Second Asker")
    login(organizer)
    _act(client, event, first, "approve")

    page = _act(client, event, second, "approve").content.decode()

    second.refresh_from_db()
    assert second.status == RegistrationStatus.PENDING
    assert "message-error" in page and "Second Asker:" in page


def test_reject_asks_first_then_rejects_with_the_reason(client, approving, organizer, login):
    registration = _pending(approving, "Turned Down")
    login(organizer)
    url = reverse("event-roster-reject", args=[approving.pk, registration.pk])

    question = client.get(url)
    registration.refresh_from_db()
    assert question.status_code == 200 and registration.status == RegistrationStatus.PENDING
    assert "Turned Down" in question.content.decode() and "Keep it waiting" in question.content.decode()

    response = client.post(url, {"reason": "The lab holds second-years only.", "back": "status=pending"})

    assert response.status_code == 302
    assert response.url == reverse("event-roster", args=[approving.pk]) + "?status=pending"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    entry = EventAuditEntry.objects.get(event=approving, action="registration_rejected")
    assert "second-years" in entry.note
    assert f'id="reg-{registration.pk}"' not in _roster(client, approving).content.decode()
    assert f'id="reg-{registration.pk}"' in _roster(client, approving, status="rejected").content.decode()


def test_a_too_long_reason_is_refused_next_to_its_field(client, approving, organizer, login):
    registration = _pending(approving)
    login(organizer)

    response = client.post(reverse("event-roster-reject", args=[approving.pk, registration.pk]), {"reason": "x" * 2001})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_rejecting_a_confirmed_registration_points_to_cancel(client, event, organizer, login):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)

    page = client.get(reverse("event-roster-reject", args=[event.pk, registration.pk])).content.decode()
    refused = client.post(reverse("event-roster-reject", args=[event.pk, registration.pk]), {})

    assert "only a registration awaiting approval can be rejected; cancel it from the roster instead" in page
    assert refused.status_code == 400
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_roster_offers_exactly_the_seats_a_waitlisted_row_lacks(client, organizer, login):
    event = EventFactory(organizers=[organizer], capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    waiting = registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(organizer)

    card = _card(_roster(client, event).content.decode(), waiting)

    assert "Add 1 seat and promote" in card and 'name="add_seats" value="1"' in card


def test_a_waitlisted_team_short_of_seats_is_offered_the_missing_ones_and_seated_whole(client, organizer, login):
    event = TeamEventFactory(organizers=[organizer], capacity=3, waitlist_enabled=True, team_size_min=2)
    students = StudentFactory.create_batch(4)
    team_register(event=event, team_name="Seated", leader=students[0].pk, members=[students[1].pk])
    team_register(event=event, team_name="Waiting", leader=students[2].pk, members=[students[3].pk])
    member = Registration.objects.get(student=students[3])
    login(organizer)

    card = _card(_roster(client, event).content.decode(), member)
    page = _act(client, event, member, "promote", add_seats="1").content.decode()

    assert "Add 1 seat and promote the team" in card
    assert "Team Waiting (2 students) now holds its seats; they are emailed." in page
    event.refresh_from_db()
    assert (event.capacity, event.confirmed_count) == (4, 4)
    assert set(Registration.objects.filter(team__name="Waiting").values_list("status", flat=True)) == {"confirmed"}
