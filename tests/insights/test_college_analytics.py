from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from events.college_analytics import Period, college_analytics
from events.models import Event
from tests.factories import AttendanceFactory, EventFactory, RegistrationFactory, StudentFactory

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
QUARTER = Period(start=date(2026, 1, 1), end=date(2026, 3, 31))


def _at(*parts) -> datetime:
    return datetime(*parts, tzinfo=IST)


@pytest.fixture
def college(settings):
    """A small college whose figures are worked out by hand in the tests below."""
    settings.TIME_ZONE = "Asia/Kolkata"
    s = {
        "A": StudentFactory(enrollment_no="22CSE00001", department="CSE", year=1),
        "B": StudentFactory(enrollment_no="22CSE00002", department="CSE", year=2),
        "C": StudentFactory(enrollment_no="22ECE00003", department="ECE", year=1),
        "D": StudentFactory(enrollment_no="22ECE00004", department="ECE", year=3),
        "E": StudentFactory(enrollment_no="22ME00005", department="ME", year=1),
        "F": StudentFactory(enrollment_no="22XX00006", department="", year=None),
    }
    alpha = EventFactory(event_id="alpha", starts_at=_at(2026, 1, 10, 10), sessions=["s1", "s2"])
    beta = EventFactory(event_id="beta", starts_at=_at(2026, 2, 10, 10))
    gamma = EventFactory(event_id="gamma", starts_at=_at(2026, 3, 31, 23, 30))
    after = EventFactory(event_id="after", starts_at=_at(2026, 4, 1, 0, 0))
    before = EventFactory(event_id="before", starts_at=_at(2025, 12, 31, 23, 59))
    draft = EventFactory(event_id="draft", starts_at=_at(2026, 2, 1, 10), status=Event.Status.DRAFT)
    cancelled = EventFactory(event_id="cancelled", starts_at=_at(2026, 2, 2, 10), status=Event.Status.CANCELLED)

    def attend(registration, *codes):
        for code in codes:
            AttendanceFactory(registration=registration, session=registration.event.sessions.get(code=code))

    attend(RegistrationFactory(event=alpha, student=s["A"]), "s1", "s2")
    attend(RegistrationFactory(event=alpha, student=s["B"]), "s1")
    RegistrationFactory(event=alpha, student=s["C"])
    RegistrationFactory(event=alpha, student=s["D"], status="waitlisted")
    attend(RegistrationFactory(event=beta, student=s["A"]), "main")
    attend(RegistrationFactory(event=beta, student=s["C"]), "main")
    RegistrationFactory(event=beta, student=s["F"])
    RegistrationFactory(event=beta, student=s["E"], status="cancelled")
    RegistrationFactory(event=gamma, student=s["B"])
    for excluded in (after, before, draft):
        attend(RegistrationFactory(event=excluded, student=s["A"]), "main")
    RegistrationFactory(event=cancelled, student=s["C"])
    return s


def _figures(rows):
    return {row.key: (row.students, row.participants, row.registrations, row.attended) for row in rows}


def test_participation_by_department_counts_students_participants_registrations_and_attendance(college):
    result = college_analytics(QUARTER)

    assert [row.key for row in result.departments] == ["(none)", "CSE", "ECE", "ME"]
    assert _figures(result.departments) == {
        "(none)": (1, 1, 1, 0),
        "CSE": (2, 2, 4, 3),
        "ECE": (2, 1, 2, 1),
        "ME": (1, 0, 0, 0),
    }
    ece = next(row for row in result.departments if row.key == "ECE")
    assert (ece.participation_rate, ece.attendance_rate) == (0.5, 0.5)
    me = next(row for row in result.departments if row.key == "ME")
    assert (me.participation_rate, me.attendance_rate) == (0.0, None)


def test_participation_by_year_puts_unknown_years_last(college):
    result = college_analytics(QUARTER)

    assert [row.key for row in result.years] == ["1", "2", "3", "(unknown)"]
    assert _figures(result.years) == {
        "1": (3, 2, 4, 3),
        "2": (1, 1, 2, 1),
        "3": (1, 0, 0, 0),
        "(unknown)": (1, 1, 1, 0),
    }


def test_events_are_ranked_by_attendance_rate_inside_the_period_only(college):
    result = college_analytics(QUARTER)

    assert [(row.event_id, row.registered, row.attended) for row in result.events] == [
        ("alpha", 3, 2),
        ("beta", 3, 2),
        ("gamma", 1, 0),
    ]
    assert result.events[0].attendance_rate == pytest.approx(2 / 3)
    assert result.events[2].attendance_rate == 0


def test_students_with_the_most_participation_come_first(college):
    result = college_analytics(QUARTER, top_students=3)

    assert [
        (row.enrollment_no, row.events_registered, row.events_attended, row.sessions_attended)
        for row in result.top_students
    ] == [("22CSE00001", 2, 2, 3), ("22CSE00002", 2, 1, 1), ("22ECE00003", 2, 1, 1)]


def test_college_totals(college):
    result = college_analytics(QUARTER)

    assert (result.total_registrations, result.total_attended, result.total_participants) == (7, 4, 4)
    assert result.attendance_rate == pytest.approx(4 / 7)


def test_a_period_of_one_day_takes_the_events_starting_that_local_day(college):
    result = college_analytics(Period(start=date(2026, 3, 31), end=date(2026, 3, 31)))

    assert [row.event_id for row in result.events] == ["gamma"]


def test_an_empty_period_gives_zeroes_not_errors(college):
    result = college_analytics(Period(start=date(2030, 1, 1), end=date(2030, 1, 31)))

    assert result.events == [] and result.top_students == []
    assert all(row.participants == 0 for row in result.departments)
    assert result.attendance_rate is None


def test_college_analytics_takes_four_queries_whatever_the_size(college, django_assert_num_queries):
    with django_assert_num_queries(4):
        college_analytics(QUARTER)
    for student in StudentFactory.create_batch(10):
        RegistrationFactory(event=Event.objects.get(pk="beta"), student=student)
    with django_assert_num_queries(4):
        assert college_analytics(QUARTER).total_registrations == 17
