from datetime import UTC, datetime

import pytest

from events.models import Event
from legacy.codec.values import checkin_code_for
from registrations.models import Attendance, Registration, Student, Team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def test_sample_individual_event_maps_field_by_field(migrate, sample_path):
    report, _ = migrate(sample_path)

    event = Event.objects.get(pk="TECHFEST24")
    assert (event.title, event.venue, event.registration_mode, event.capacity) == (
        "Tech Fest 2024",
        "Main Auditorium",
        "individual",
        100,
    )
    assert (event.starts_at, event.ends_at) == (at(2), at(3))
    assert (event.registration_opens_at, event.registration_closes_at) == (at(1, month=2), at(29, month=2))
    assert event.status == "published"  # "completed" is published, in the past
    assert not event.waitlist_enabled and not event.certificate_requires_feedback
    assert list(event.sessions.values_list("code", flat=True)) == ["day1", "day2"]
    assert dict(event.registrations) == {
        "22CSE30000": "REG000IND",
        "23ECE30001": "REG001IND",
        "24ME30002": "REG002IND",
        "22CE30003": "REG003IND",
    }
    assert dict(event.attendances) == {
        "22CSE30000": ["ATT_REG000IND_0"],
        "23ECE30001": ["ATT_REG001IND_0", "ATT_REG001IND_1"],
        "24ME30002": ["ATT_REG002IND_0"],
        "22CE30003": ["ATT_REG003IND_0", "ATT_REG003IND_1"],
    }
    assert dict(event.feedbacks) == {
        "22CSE30000": "FEED_REG000IND",
        "23ECE30001": "FEED_REG001IND",
        "24ME30002": "FEED_REG002IND",
        "22CE30003": "FEED_REG003IND",
    }
    assert dict(event.certificates) == {"22CSE30000": "CERT_REG000IND", "24ME30002": "CERT_REG002IND"}
    assert dict(event.waitlist) == {}
    assert event.confirmed_count == 4
    assert report["counts"]["registrations"]["created"] == 10
    assert report["dropped"] == []


def test_sample_students_are_stored_once_with_year_from_semester(migrate, sample_path):
    migrate(sample_path)

    asha = Student.objects.get(pk="22CSE30000")
    assert (asha.full_name, asha.email, asha.department, asha.year, asha.phone) == (
        "Asha Verma",
        "s0@college.edu",
        "CSE",
        1,
        "9800000000",
    )
    years = dict(Student.objects.values_list("enrollment_no", "year"))
    assert years["24CSE30014"] == 4  # semester 7
    assert years["22ECE30015"] == 4  # semester 8
    assert years["23CE30010"] == 2  # semester 3
    assert Student.objects.count() == 10


def test_sample_team_event_gives_each_member_their_own_registration(migrate, sample_path):
    migrate(sample_path)

    event = Event.objects.get(pk="HACK24")
    teams = dict(event.team_registrations)
    assert set(teams) == {"Byte Busters", "Null Pointers"}
    assert teams["Byte Busters"]["23CE30010"] == "REG000TEAM"
    assert set(teams["Byte Busters"]) == {"23CE30010", "24EEE30011", "22IT30012"}
    member_id = teams["Byte Busters"]["24EEE30011"]
    assert member_id.startswith("LR") and len(member_id) == 18
    team = Team.objects.get(pk="REG000TEAM")
    assert (team.name, team.leader_id, team.status, team.created_at) == (
        "Byte Busters",
        "23CE30010",
        "confirmed",
        at(3, month=2),
    )
    assert (event.team_size_min, event.team_size_max) == (2, 4)
    assert list(event.sessions.values_list("code", flat=True)) == ["main"]  # no sessions: one session
    assert event.attendances["24EEE30011"] == ["ATT_REG000TEAM_M1_0"]
    assert event.feedbacks["24EEE30011"] == "FEED_REG000TEAM_M1"
    assert event.certificates["23CE30010"] == "CERT_REG000TEAM"
    assert "22IT30012" not in event.feedbacks
    assert event.confirmed_count == 6


def test_confirmed_registrations_get_a_derived_checkin_code(migrate, sample_path):
    migrate(sample_path)

    codes = dict(Registration.objects.values_list("registration_id", "checkin_code"))
    assert codes["REG000IND"] == checkin_code_for("REG000IND")
    assert all(code and len(code) == 13 for code in codes.values())
    assert len(set(codes.values())) == len(codes)


def test_organizers_are_matched_to_existing_logins_and_missing_ones_reported(migrate, sample_path):
    rao = UserFactory(username="prof.rao")

    report, _ = migrate(sample_path)

    assert list(Event.objects.get(pk="HACK24").organizers.all()) == [rao]
    assert report["conflicts_by_kind"] == {}


def test_missing_organizer_is_reported_not_invented(migrate, sample_path):
    report, output = migrate(sample_path)

    assert report["conflicts_by_kind"] == {"organizer": 2}
    assert {conflict["username"] for conflict in report["conflicts"]} == {"prof.rao"}
    assert not Event.objects.get(pk="HACK24").organizers.exists()
    assert "organizer 2" in output


def test_attendance_without_a_session_takes_the_sessions_in_order(migrate, sample_path):
    migrate(sample_path)

    sessions = dict(
        Attendance.objects.filter(event_id="TECHFEST24", student_id="23ECE30001").values_list(
            "attendance_id", "session__code"
        )
    )
    assert sessions == {"ATT_REG001IND_0": "day1", "ATT_REG001IND_1": "day2"}
