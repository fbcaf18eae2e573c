"""Simultaneous requests against the real database, on SQLite and PostgreSQL alike.

Every thread has its own connection, as a request in its own worker would; a barrier
releases them together so the requests really overlap.
"""

import random
import threading
from collections import Counter

import pytest
from django.db import connection

from certificates import services as certificate_services
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_issue_all_eligible
from eventsite.errors import DomainError
from registrations.integrity import integrity_problems
from registrations.models import Attendance, Registration, RegistrationStatus
from registrations.selectors import waitlist_position
from registrations.services import attendance_mark, registration_cancel, registration_create, team_register
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """Run each call in its own thread, all released at once; returns each call's result or exception.

    Domain errors are answers (EVENT_FULL, ALREADY_REGISTERED ...); any other exception fails the test.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    unexpected = [
        outcome for outcome in outcomes if isinstance(outcome, BaseException) and not isinstance(outcome, DomainError)
    ]
    assert not unexpected, unexpected
    return outcomes


def _codes(outcomes):
    return Counter(outcome.code if isinstance(outcome, DomainError) else "ok" for outcome in outcomes)


def test_sixty_simultaneous_registrations_for_twenty_seats_confirm_exactly_twenty():
    event = EventFactory(capacity=20)
    students = StudentFactory.create_batch(60)

    outcomes = run_together([lambda s=s: registration_create(event=event, enrollment_no=s.pk) for s in students])

    assert _codes(outcomes) == {"ok": 20, "EVENT_FULL": 40}
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 20
    assert set(event.registrations) == {o.student_id for o in outcomes if isinstance(o, Registration)}
    event.refresh_from_db()
    assert event.confirmed_count == 20
    assert integrity_problems([event.pk]) == []


def test_with_a_waitlist_twenty_are_confirmed_and_forty_wait_at_places_one_to_forty():
    event = EventFactory(capacity=20, waitlist_enabled=True)
    students = StudentFactory.create_batch(60)

    outcomes = run_together([lambda s=s: registration_create(event=event, enrollment_no=s.pk) for s in students])

    assert _codes(outcomes) == {"ok": 60}
    statuses = Counter(outcome.status for outcome in outcomes)
    assert statuses == {"confirmed": 20, "waitlisted": 40}
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    assert sorted(waitlist_position(registration) for registration in waiting) == list(range(1, 41))
    assert len(event.registrations) == 20
    assert len(event.waitlist) == 40
    assert integrity_problems([event.pk]) == []


def test_ten_simultaneous_teams_sharing_one_member_register_exactly_one_team():
    event = TeamEventFactory(team_size_min=2, team_size_max=3)
    shared = StudentFactory()
    teams = [StudentFactory.create_batch(2) for _ in range(10)]

    outcomes = run_together(
        [
            lambda i=i, own=own: team_register(
                event=event, team_name=f"Team {i}", leader=own[0].pk, members=[own[1].pk, shared.pk]
            )
            for i, own in enumerate(teams)
        ]
    )

    assert _codes(outcomes) == {"ok": 1, "ALREADY_REGISTERED": 9}
    assert all(
        outcome.details == {"enrollment_nos": [shared.pk]} for outcome in outcomes if isinstance(outcome, DomainError)
    )
    assert len(event.team_registrations) == 1
    assert Registration.objects.filter(event=event, status__in=["confirmed", "waitlisted"]).count() == 3
    assert integrity_problems([event.pk]) == []


def test_simultaneous_teams_with_the_same_name_register_once():
    event = TeamEventFactory()
    teams = [StudentFactory.create_batch(2) for _ in range(8)]

    outcomes = run_together(
        [
            lambda i=i, own=own: team_register(
                event=event, team_name="Alpha" if i % 2 else "ALPHA ", leader=own[0].pk, members=[own[1].pk]
            )
            for i, own in enumerate(teams)
        ]
    )

    assert _codes(outcomes) == {"ok": 1, "TEAM_NAME_TAKEN": 7}
    assert integrity_problems([event.pk]) == []


def test_one_student_registering_many_times_at_once_holds_one_registration():
    event = EventFactory(capacity=5, waitlist_enabled=True)
    student = StudentFactory()

    outcomes = run_together([lambda: registration_create(event=event, enrollment_no=student.pk)] * 12)

    assert _codes(outcomes) == {"ok": 1, "ALREADY_REGISTERED": 11}
    assert Registration.objects.filter(event=event).count() == 1
    assert integrity_problems([event.pk]) == []


def test_cancellations_racing_registrations_never_exceed_capacity():
    event = EventFactory(capacity=20, waitlist_enabled=True)
    holders = StudentFactory.create_batch(20)
    for holder in holders:
        registration_create(event=event, enrollment_no=holder.pk)
    newcomers = StudentFactory.create_batch(30)
    calls = [lambda s=s: registration_create(event=event, enrollment_no=s.pk) for s in newcomers]
    calls += [lambda s=s: registration_cancel(event=event, enrollment_no=s.pk) for s in holders[:15]]
    random.Random(7).shuffle(calls)

    outcomes = run_together(calls)

    assert _codes(outcomes) == {"ok": 45}
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
    waitlisted = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).count()
    assert confirmed == 20
    assert waitlisted == 15
    event.refresh_from_db()
    assert event.confirmed_count == 20
    assert integrity_problems([event.pk]) == []


def test_cancellations_racing_team_registrations_keep_teams_whole_and_within_capacity():
    event = TeamEventFactory(capacity=9, waitlist_enabled=True, team_size_min=2, team_size_max=3)
    holders = [StudentFactory.create_batch(3) for _ in range(3)]
    for i, members in enumerate(holders):
        team_register(event=event, team_name=f"Holder {i}", leader=members[0].pk, members=[m.pk for m in members])
    newcomers = [StudentFactory.create_batch(2 + i % 2) for i in range(8)]
    calls = [
        lambda i=i, m=m: team_register(event=event, team_name=f"New {i}", leader=m[0].pk, members=[x.pk for x in m])
        for i, m in enumerate(newcomers)
    ]
    calls += [lambda m=m: registration_cancel(event=event, enrollment_no=m[0].pk) for m in holders[:2]]
    random.Random(11).shuffle(calls)

    outcomes = run_together(calls)

    assert _codes(outcomes) == {"ok": 10}
    event.refresh_from_db()
    assert event.confirmed_count <= 9
    assert integrity_problems([event.pk]) == []


def test_door_scanners_double_scanning_at_once_record_one_attendance():
    event = EventFactory()
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    scans = [lambda: attendance_mark(event=event, checkin_code=registration.checkin_code)] * 5
    scans += [lambda: attendance_mark(event=event, enrollment_no=registration.student_id)] * 5

    outcomes = run_together(scans)

    assert _codes(outcomes) == {"ok": 10}
    assert len({attendance.pk for attendance, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert Attendance.objects.count() == 1


def test_issuing_one_certificate_many_times_at_once_issues_it_once():
    event = EventFactory()
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    attendance_mark(event=event, enrollment_no=registration.student_id)

    outcomes = run_together([lambda: certificate_issue(event=event, enrollment_no=registration.student_id)] * 8)

    assert len({certificate.pk for certificate, _ in outcomes}) == 1
    assert Certificate.objects.count() == 1


def test_check_ins_and_certificates_racing_cancellations_leave_consistent_rows(organizer):
    event = EventFactory(organizers=[organizer])
    students = StudentFactory.create_batch(12)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
        if student in students[6:]:
            attendance_mark(event=event, enrollment_no=student.pk)
    calls = [lambda s=s: attendance_mark(event=event, enrollment_no=s.pk) for s in students[:6]]
    calls += [lambda s=s: certificate_issue(event=event, enrollment_no=s.pk) for s in students[6:]]
    calls += [lambda s=s: registration_cancel(event=event, enrollment_no=s.pk, actor=organizer) for s in students]
    random.Random(3).shuffle(calls)

    outcomes = run_together(calls)

    assert set(_codes(outcomes)) <= {"ok", "NOT_REGISTERED", "NOT_ELIGIBLE"}
    assert len(event.registrations) == 0
    assert len(event.certificates) == 0
    assert integrity_problems([event.pk]) == []


@pytest.mark.parametrize("chunk", [500, 2])  # one chunk, or six racing the others between chunks
def test_bulk_issue_racing_single_issues_and_cancellations_leaves_consistent_rows(organizer, chunk, monkeypatch):
    monkeypatch.setattr(certificate_services, "ISSUE_CHUNK", chunk)
    event = EventFactory(organizers=[organizer])
    students = StudentFactory.create_batch(12)
    for student in students:
        registration_create(event=event, enrollment_no=student.pk)
        attendance_mark(event=event, enrollment_no=student.pk)
    calls = [lambda: certificate_issue_all_eligible(event=event)] * 3
    calls += [lambda s=s: certificate_issue(event=event, enrollment_no=s.pk) for s in students[:6]]
    calls += [lambda s=s: registration_cancel(event=event, enrollment_no=s.pk, actor=organizer) for s in students[3:9]]
    random.Random(5).shuffle(calls)

    outcomes = run_together(calls)

    assert set(_codes(outcomes)) <= {"ok", "NOT_ELIGIBLE"}
    assert set(event.certificates) == {s.pk for s in students[:3] + students[9:]}
    assert integrity_problems([event.pk]) == []
