from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.services import certificate_issue
from events.models import Event, EventSession
from events.services import SessionSpec, event_cancel, event_create, event_update
from eventsite.errors import AlreadyExists, EventCancelled, PermissionDenied, ValidationFailed
from registrations.services import attendance_mark, registration_cancel, registration_create, team_register
from tests.factories import EventFactory, StudentFactory, TeamEventFactory, UserFactory

pytestmark = pytest.mark.django_db

MOMENT = timezone.now()


def _times():
    starts = timezone.now() + timedelta(days=10)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=6)}


def test_event_create_gives_an_event_without_sessions_one_implicit_session(staff_user):
    event = event_create(event_id="hackfest-2026", title="Hackfest", actor=staff_user, **_times())

    assert [s.code for s in event.sessions.all()] == [EventSession.DEFAULT_CODE]
    assert event.status == Event.Status.DRAFT
    assert event.confirmed_count == 0


def test_event_create_keeps_the_sessions_in_the_given_order():
    event = event_create(
        event_id="fest", title="Fest", sessions=[SessionSpec("day-2"), SessionSpec("day-1")], **_times()
    )
    assert list(event.sessions.order_by("position").values_list("code", flat=True)) == ["day-2", "day-1"]


def test_event_create_sets_organizers_by_username():
    organizer = UserFactory(username="asha")
    event = event_create(event_id="fest", title="Fest", organizers=["asha"], **_times())
    assert list(event.organizers.all()) == [organizer]


def test_event_create_refuses_unknown_organizers():
    with pytest.raises(ValidationFailed) as error:
        event_create(event_id="fest", title="Fest", organizers=["ghost"], **_times())
    assert "organizers" in error.value.details
    assert not Event.objects.exists()


def test_event_create_refuses_an_existing_event_id():
    EventFactory(event_id="fest")
    with pytest.raises(AlreadyExists):
        event_create(event_id="fest", title="Fest", **_times())


def test_only_staff_create_events():
    with pytest.raises(PermissionDenied):
        event_create(event_id="fest", title="Fest", actor=UserFactory(), **_times())


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"ends_at": MOMENT}, "ends_at"),
        ({"registration_opens_at": MOMENT, "registration_closes_at": MOMENT}, "registration_closes_at"),
        ({"registration_mode": "team", "team_size_min": 3, "team_size_max": 2}, "team_size_max"),
        ({"team_size_max": 3}, "registration_mode"),
    ],
)
def test_event_create_refuses_inconsistent_fields(fields, bad_field):
    with pytest.raises(ValidationFailed) as error:
        event_create(event_id="fest", title="Fest", **{**_times(), **fields})
    assert bad_field in error.value.details


def test_event_create_refuses_repeated_session_codes():
    with pytest.raises(ValidationFailed):
        event_create(event_id="fest", title="Fest", sessions=[SessionSpec("a"), SessionSpec("a")], **_times())


def test_raising_the_capacity_promotes_the_waitlist_in_order():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registrations = [registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(4)]

    updated = event_update(event=event, capacity=3)

    assert updated.confirmed_count == 3
    assert list(event.registrations) == [reg.student_id for reg in registrations[:3]]
    assert list(event.waitlist) == [registrations[3].student_id]


def test_removing_the_capacity_promotes_everyone_waiting():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    for _ in range(3):
        registration_create(event=event, enrollment_no=StudentFactory().pk)

    event_update(event=event, capacity=None)

    assert len(event.registrations) == 3
    assert len(event.waitlist) == 0


def test_raising_the_capacity_promotes_a_team_only_when_it_fits():
    event = TeamEventFactory(capacity=2, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(2), StudentFactory.create_batch(3)
    team_register(event=event, team_name="A", leader=first[0].pk, members=[first[1].pk])
    team_register(event=event, team_name="B", leader=second[0].pk, members=[s.pk for s in second[1:]])

    event_update(event=event, capacity=4)
    assert set(event.team_registrations["B"]) <= set(event.waitlist)

    event_update(event=event, capacity=5)
    assert set(event.registrations) == {s.pk for s in first + second}


def test_the_capacity_cannot_drop_below_the_students_already_confirmed():
    event = EventFactory(capacity=5)
    for _ in range(3):
        registration_create(event=event, enrollment_no=StudentFactory().pk)

    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, capacity=2)

    assert "capacity" in error.value.details
    event.refresh_from_db()
    assert event.capacity == 5
    assert event_update(event=event, capacity=3).capacity == 3


def test_event_update_refuses_unknown_fields():
    with pytest.raises(TypeError):
        event_update(event=EventFactory(), confirmed_count=0)


def test_only_staff_change_organizers(organizer):
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        event_update(event=event, organizers=["organizer"], actor=organizer)


def test_sessions_with_attendance_cannot_be_removed():
    event = EventFactory(sessions=["day-1", "day-2"])
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(
        event=event, enrollment_no=student.pk, session="day-2", at=event.sessions.get(code="day-2").starts_at
    )

    with pytest.raises(ValidationFailed):
        event_update(event=event, sessions=[SessionSpec("day-1")])

    event_update(event=event, sessions=[SessionSpec("day-2", title="Finals")])
    assert list(event.sessions.values_list("code", "title")) == [("day-2", "Finals")]


def test_a_cancelled_event_takes_no_registrations():
    event = EventFactory()
    event_cancel(event=event)
    with pytest.raises(EventCancelled):
        registration_create(event=event, enrollment_no=StudentFactory().pk)


def test_the_mode_cannot_change_while_students_are_registered_in_the_other_mode():
    event = EventFactory()
    registration_create(event=event, enrollment_no=StudentFactory().pk)

    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, registration_mode="team", team_size_min=2, team_size_max=3)

    assert "registration_mode" in error.value.details
    event.refresh_from_db()
    assert event.registration_mode == "individual"


def test_the_mode_may_change_once_nobody_is_registered():
    event = EventFactory()
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    registration_cancel(event=event, enrollment_no=student.pk)
    assert event_update(event=event, registration_mode="team", team_size_min=2, team_size_max=3).is_team_event


@pytest.mark.parametrize(("sizes", "bad_field"), [((4, 4), "team_size_min"), ((2, 2), "team_size_max")])
def test_team_sizes_cannot_exclude_a_registered_team(sizes, bad_field):
    event = TeamEventFactory(team_size_min=2, team_size_max=4)
    members = StudentFactory.create_batch(3)
    team_register(event=event, team_name="Trio", leader=members[0].pk, members=[m.pk for m in members])

    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, team_size_min=sizes[0], team_size_max=sizes[1])

    assert list(error.value.details) == [bad_field]
    assert event_update(event=event, team_size_min=3, team_size_max=3).team_size_max == 3


@pytest.mark.parametrize(
    ("change", "bad_field"),
    [
        ({"min_sessions_for_certificate": 2}, "min_sessions_for_certificate"),
        ({"certificate_requires_feedback": True}, "certificate_requires_feedback"),
    ],
)
def test_certificate_rules_cannot_tighten_once_certificates_are_issued(change, bad_field):
    event = EventFactory(sessions=["day-1", "day-2"])
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk, session="day-1")
    certificate_issue(event=event, enrollment_no=student.pk)

    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, **change)

    assert list(error.value.details) == [bad_field]


def test_certificate_rules_may_tighten_before_any_certificate_and_loosen_after():
    event = EventFactory(sessions=["day-1", "day-2"])
    assert event_update(event=event, min_sessions_for_certificate=2, certificate_requires_feedback=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk, session="day-1")
    event = event_update(event=event, min_sessions_for_certificate=1, certificate_requires_feedback=False)
    certificate_issue(event=event, enrollment_no=student.pk)

    assert event_update(event=event, min_sessions_for_certificate=0).min_sessions_for_certificate == 0
