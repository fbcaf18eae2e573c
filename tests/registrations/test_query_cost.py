"""What a request costs does not grow with the event: the same queries for an empty event and a full one."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate
from events.models import Event
from registrations.models import Attendance, Feedback, Registration, RegistrationStatus, Student, Team
from registrations.services import registration_cancel, registration_create, team_register
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

BIG = 5_000

_serials = itertools.count()


def _bulk_id(prefix):
    """Unique ids for rows written in bulk; their randomness is tested elsewhere and would only slow this down."""
    return f"{prefix}{next(_serials):014d}"


def _students(count):
    students = [Student(enrollment_no=f"25BULK{next(_serials):06d}", full_name="Bulk Student") for _ in range(count)]
    return Student.objects.bulk_create(students, batch_size=1000)


def _fill(event, count, *, status=RegistrationStatus.CONFIRMED, team_size=0, records=""):
    """Write ``count`` registrations straight into the tables, keeping the event's counters right.

    ``records`` names the map (attendances, feedbacks or certificates) whose rows each student also gets.
    """
    now = timezone.now()
    students = _students(count)
    teams = []
    if team_size:
        teams = [
            Team(team_id=_bulk_id("T"), event=event, name=f"Bulk {i}", leader=students[i], status=status)
            for i in range(0, count, team_size)
        ]
        Team.objects.bulk_create(teams, batch_size=1000)
    registrations = [
        Registration(
            registration_id=_bulk_id("R"),
            event=event,
            student=student,
            team=teams[i // team_size] if team_size else None,
            status=status,
            checkin_code=_bulk_id("K") if status == RegistrationStatus.CONFIRMED else None,
            waitlist_seq=(i // team_size if team_size else i) + 1 if status == RegistrationStatus.WAITLISTED else None,
            registered_at=now,
        )
        for i, student in enumerate(students)
    ]
    Registration.objects.bulk_create(registrations, batch_size=1000)
    if status == RegistrationStatus.CONFIRMED:
        Event.objects.filter(pk=event.pk).update(confirmed_count=count)
    else:
        Event.objects.filter(pk=event.pk).update(waitlist_counter=registrations[-1].waitlist_seq)
    if records == "attendances":
        session = event.sessions.get()
        Attendance.objects.bulk_create(
            [
                Attendance(
                    attendance_id=_bulk_id("A"),
                    event=event,
                    student=r.student,
                    registration=r,
                    session=session,
                )
                for r in registrations
            ],
            batch_size=1000,
        )
    if records == "feedbacks":
        Feedback.objects.bulk_create(
            [
                Feedback(feedback_id=_bulk_id("F"), event=event, student=r.student, registration=r, rating=5)
                for r in registrations
            ],
            batch_size=1000,
        )
    if records == "certificates":
        Certificate.objects.bulk_create(
            [
                Certificate(certificate_id=_bulk_id("C"), event=event, student=r.student, issued_at=now)
                for r in registrations
            ],
            batch_size=1000,
        )
    event.refresh_from_db()
    return registrations


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_registering_into_a_full_event_costs_what_it_costs_into_an_empty_one(django_assert_num_queries):
    empty = EventFactory()
    crowded = EventFactory()
    _fill(crowded, BIG)
    newcomer, latecomer = StudentFactory.create_batch(2)

    cost = _queries(lambda: registration_create(event=empty, enrollment_no=newcomer.pk))
    with django_assert_num_queries(cost):
        registration = registration_create(event=crowded, enrollment_no=latecomer.pk)

    assert registration.status == "confirmed"
    crowded.refresh_from_db()
    assert crowded.confirmed_count == BIG + 1


def test_joining_a_long_waitlist_costs_what_joining_a_short_one_does(django_assert_num_queries):
    short = EventFactory(capacity=0, waitlist_enabled=True)
    long = EventFactory(capacity=0, waitlist_enabled=True)
    _fill(long, BIG, status=RegistrationStatus.WAITLISTED)
    newcomer, latecomer = StudentFactory.create_batch(2)

    cost = _queries(lambda: registration_create(event=short, enrollment_no=newcomer.pk))
    with django_assert_num_queries(cost):
        registration = registration_create(event=long, enrollment_no=latecomer.pk)

    assert registration.waitlist_seq == BIG + 1


def test_registering_a_team_into_a_full_event_costs_what_it_costs_into_an_empty_one(django_assert_num_queries):
    empty = TeamEventFactory(team_size_min=2, team_size_max=2)
    crowded = TeamEventFactory(team_size_min=2, team_size_max=2)
    _fill(crowded, BIG, team_size=2)
    first, second = StudentFactory.create_batch(2), StudentFactory.create_batch(2)

    cost = _queries(lambda: team_register(event=empty, team_name="Alpha", leader=first[0].pk, members=[first[1].pk]))
    with django_assert_num_queries(cost):
        team = team_register(event=crowded, team_name="Alpha", leader=second[0].pk, members=[second[1].pk])

    assert team.status == "confirmed"


def test_cancelling_in_a_full_event_costs_what_it_costs_in_an_empty_one(django_assert_num_queries):
    small = EventFactory()
    crowded = EventFactory()
    [mine] = _fill(small, 1)
    theirs = _fill(crowded, BIG)[BIG // 2]

    cost = _queries(lambda: registration_cancel(event=small, enrollment_no=mine.student_id))
    with django_assert_num_queries(cost):
        result = registration_cancel(event=crowded, enrollment_no=theirs.student_id)

    assert result.cancelled == [theirs.pk]


def test_cancelling_a_team_in_a_full_event_costs_what_it_costs_in_an_empty_one(django_assert_num_queries):
    small = TeamEventFactory(team_size_min=2, team_size_max=2)
    crowded = TeamEventFactory(team_size_min=2, team_size_max=2)
    mine = _fill(small, 2, team_size=2)[0]
    theirs = _fill(crowded, BIG, team_size=2)[BIG // 2]

    cost = _queries(lambda: registration_cancel(event=small, enrollment_no=mine.student_id))
    with django_assert_num_queries(cost):
        result = registration_cancel(event=crowded, enrollment_no=theirs.student_id)

    assert len(result.cancelled) == 2


def test_a_cancellation_promotes_from_a_long_waitlist_at_the_cost_of_a_short_one(django_assert_num_queries):
    short = EventFactory(capacity=1, waitlist_enabled=True)
    long = EventFactory(capacity=1, waitlist_enabled=True)
    holders = []
    for event, waiting in ((short, 10), (long, BIG)):
        holder = StudentFactory()
        registration_create(event=event, enrollment_no=holder.pk)
        _fill(event, waiting, status=RegistrationStatus.WAITLISTED)
        Event.objects.filter(pk=event.pk).update(confirmed_count=1)
        holders.append(holder)

    cost = _queries(lambda: registration_cancel(event=short, enrollment_no=holders[0].pk))
    with django_assert_num_queries(cost):
        result = registration_cancel(event=long, enrollment_no=holders[1].pk)

    assert len(result.promoted) == 1
    assert len(long.waitlist) == BIG - 1


@pytest.mark.parametrize(
    "name", ["registrations", "waitlist", "team_registrations", "attendances", "feedbacks", "certificates"]
)
def test_each_map_is_one_query_whatever_its_size(name, django_assert_num_queries):
    status = RegistrationStatus.WAITLISTED if name == "waitlist" else RegistrationStatus.CONFIRMED
    factory = TeamEventFactory if name == "team_registrations" else EventFactory
    team_size = 2 if name == "team_registrations" else 0
    sizes = {}
    for size in (10, BIG):
        event = factory(capacity=0 if name == "waitlist" else None, waitlist_enabled=name == "waitlist")
        _fill(event, size, status=status, team_size=team_size, records=name)
        with django_assert_num_queries(1):
            sizes[size] = len(dict(getattr(event, name)))

    expected_big = BIG // 2 if team_size else BIG
    assert sizes == {10: 10 // (team_size or 1), BIG: expected_big}
