"""The six enrollment-keyed maps of DESIGN.md: their shapes, the Mapping protocol and their cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.services import certificate_issue, certificate_revoke
from registrations.services import (
    attendance_mark,
    feedback_submit,
    registration_cancel,
    registration_create,
    team_register,
)
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

SCALAR_MAPS = ["registrations", "waitlist", "feedbacks", "certificates"]


def _starts(event, code):
    return event.sessions.get(code=code).starts_at


@pytest.fixture
def busy_event():
    """Two confirmed students who attended both days, gave feedback and got certificates; one on the waitlist."""
    event = EventFactory(capacity=2, waitlist_enabled=True, sessions=["day-1", "day-2"])
    confirmed = StudentFactory.create_batch(2)
    for student in confirmed:
        registration_create(event=event, enrollment_no=student.pk)
        # Day 2 is tomorrow: marked as it will be, at its start.
        attendance_mark(event=event, enrollment_no=student.pk, session="day-2", at=_starts(event, "day-2"))
        attendance_mark(event=event, enrollment_no=student.pk, session="day-1")
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)
        certificate_issue(event=event, enrollment_no=student.pk)
    waiting = StudentFactory()
    registration_create(event=event, enrollment_no=waiting.pk)
    event.confirmed_students = confirmed
    event.waiting_student = waiting
    return event


def test_registrations_map_is_enrollment_to_registration_id_of_confirmed_only(busy_event):
    from registrations.models import Registration

    expected = dict(
        Registration.objects.filter(event=busy_event, status="confirmed").values_list("student_id", "registration_id")
    )
    assert dict(busy_event.registrations) == expected
    assert busy_event.waiting_student.pk not in busy_event.registrations


def test_waitlist_map_is_in_waitlist_order():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    registrations = [registration_create(event=event, enrollment_no=StudentFactory().pk) for _ in range(4)]
    registration_cancel(event=event, enrollment_no=registrations[1].student_id)

    assert list(event.waitlist.items()) == [(r.student_id, r.pk) for r in (registrations[0], *registrations[2:])]


def test_team_registrations_map_is_team_name_to_members():
    event = TeamEventFactory()
    alpha, beta = StudentFactory.create_batch(3), StudentFactory.create_batch(2)
    team_register(event=event, team_name="Alpha", leader=alpha[0].pk, members=[s.pk for s in alpha])
    team_register(event=event, team_name="Beta", leader=beta[0].pk, members=[beta[1].pk])

    teams = dict(event.team_registrations)

    assert list(teams) == ["Alpha", "Beta"]
    assert set(teams["Alpha"]) == {s.pk for s in alpha}
    assert teams["Beta"] == {s.pk: event.registrations[s.pk] for s in beta}


def test_attendances_map_lists_attendance_ids_in_session_order(busy_event):
    from registrations.models import Attendance

    student = busy_event.confirmed_students[0]
    by_session = dict(Attendance.objects.filter(student=student).values_list("session__code", "attendance_id"))

    assert busy_event.attendances[student.pk] == [by_session["day-1"], by_session["day-2"]]
    assert set(busy_event.attendances) == {s.pk for s in busy_event.confirmed_students}


def test_feedbacks_and_certificates_maps(busy_event):
    from certificates.models import Certificate
    from registrations.models import Feedback

    assert dict(busy_event.feedbacks) == dict(Feedback.objects.values_list("student_id", "feedback_id"))
    assert dict(busy_event.certificates) == dict(Certificate.objects.values_list("student_id", "certificate_id"))


def test_revoked_certificates_are_not_in_the_map(busy_event):
    revoked = busy_event.confirmed_students[0]
    certificate_revoke(event=busy_event, enrollment_no=revoked.pk, reason="Plagiarism")

    assert revoked.pk not in busy_event.certificates
    assert list(busy_event.certificates) == [busy_event.confirmed_students[1].pk]


@pytest.mark.parametrize("name", [*SCALAR_MAPS, "attendances"])
def test_every_map_speaks_the_mapping_protocol(busy_event, name):
    mapping = getattr(busy_event, name)
    loaded = dict(mapping)
    key = next(iter(loaded))

    assert mapping[key] == loaded[key]
    assert key in mapping
    assert key.lower() in mapping
    assert "22XYZ99999" not in mapping
    assert len(mapping) == len(loaded)
    assert list(mapping) == list(loaded)
    assert mapping.get("22XYZ99999") is None
    assert dict(mapping.items()) == loaded
    with pytest.raises(KeyError):
        mapping["22XYZ99999"]
    with pytest.raises(KeyError):
        mapping[42]


@pytest.mark.parametrize("name", [*SCALAR_MAPS, "attendances"])
def test_a_loaded_map_still_finds_keys_typed_in_any_case(busy_event, name):
    mapping = getattr(busy_event, name)
    key = next(iter(mapping))
    assert mapping[f" {key.lower()} "] == mapping[key]


def test_a_loaded_team_map_finds_names_in_any_case():
    event = TeamEventFactory()
    members = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Code Crafters", leader=members[0].pk, members=[members[1].pk])
    teams = event.team_registrations

    assert dict(teams) and teams[" code crafters"] == teams["CODE CRAFTERS"]


@pytest.mark.parametrize("name", SCALAR_MAPS)
def test_a_single_key_lookup_is_one_query_for_that_key_only(busy_event, name):
    mapping = getattr(busy_event, name)
    key = busy_event.waiting_student.pk if name == "waitlist" else busy_event.confirmed_students[1].pk

    with CaptureQueriesContext(connection) as queries:
        mapping[key.lower()]
        assert key in mapping

    assert len(queries) == 2
    for query in queries:
        assert key in query["sql"]
        assert "LIMIT 1" in query["sql"].upper()


def test_an_attendance_lookup_reads_only_that_students_rows(busy_event):
    student = busy_event.confirmed_students[1]
    with CaptureQueriesContext(connection) as queries:
        assert len(busy_event.attendances[student.pk]) == 2
    assert len(queries) == 1
    assert student.pk in queries[0]["sql"]


def test_a_team_lookup_reads_only_that_team():
    event = TeamEventFactory()
    for name in ("Alpha", "Beta"):
        members = StudentFactory.create_batch(2)
        team_register(event=event, team_name=name, leader=members[0].pk, members=[members[1].pk])
    with CaptureQueriesContext(connection) as queries:
        assert len(event.team_registrations["beta"]) == 2
        assert "Gamma" not in event.team_registrations
    assert len(queries) == 2
    assert "beta" in queries[0]["sql"]


@pytest.mark.parametrize("name", [*SCALAR_MAPS, "attendances", "team_registrations"])
def test_a_map_loads_once_for_len_iteration_and_lookups(busy_event, name, django_assert_num_queries):
    mapping = getattr(busy_event, name)
    with django_assert_num_queries(1):
        size = len(mapping)
        keys = list(mapping)
        for key in keys:
            mapping[key]
    assert size == len(keys)


def test_an_empty_event_has_six_empty_maps():
    event = EventFactory()
    for name in (*SCALAR_MAPS, "attendances", "team_registrations"):
        mapping = getattr(event, name)
        assert dict(mapping) == {}
        assert len(mapping) == 0


def test_a_team_lookup_ignores_repeated_spaces_as_registration_does():
    event = TeamEventFactory()
    members = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Code Crafters", leader=members[0].pk, members=[members[1].pk])

    assert set(event.team_registrations["code   CRAFTERS"]) == {m.pk for m in members}
