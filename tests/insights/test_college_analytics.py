from datetime import date

import pytest

from analytics.college import Period, college_analytics
from events.models import Event
from tests.factories import RegistrationFactory, StudentFactory

pytestmark = pytest.mark.django_db

QUARTER = Period(start=date(2026, 1, 1), end=date(2026, 3, 31))


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
