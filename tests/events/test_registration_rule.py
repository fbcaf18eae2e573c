"""The rule "registration is open and a seat is free" has a Python form and an SQL form: they agree everywhere."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import Event, registration_window_open_q, seat_free_q
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
# Every ordering of the opening, closing and start times around "now", equal times included.
OFFSETS = [-2, -1, 0, 1, 2]


def _window_grid():
    for opens, closes, starts in itertools.product([None, *OFFSETS], [None, *OFFSETS], OFFSETS):
        if opens is not None and closes is not None and closes <= opens:
            continue  # the database refuses such a window
        yield tuple(None if offset is None else NOW + offset * MINUTE for offset in (opens, closes, starts))


def _events(windows, **fields) -> list[Event]:
    return Event.objects.bulk_create(
        [
            EventFactory.build(
                event_id=f"rule-{number}",
                registration_opens_at=opens,
                registration_closes_at=closes,
                starts_at=starts,
                ends_at=starts + 10 * MINUTE,
                **fields,
            )
            for number, (opens, closes, starts) in enumerate(windows)
        ]
    )


def _agrees_at(events: list[Event], now: datetime) -> None:
    in_sql = set(Event.objects.filter(registration_window_open_q(now)).values_list("pk", flat=True))
    in_python = {event.pk for event in events if event.registration_window_open_at(now)}
    assert in_sql == in_python
    opening = {event.pk for event in events if event.phase_at(now) == Event.Phase.REGISTRATION_OPEN}
    assert opening == in_python


def test_the_registration_window_is_the_same_rule_in_python_and_sql_over_the_whole_grid():
    events = _events(_window_grid())
    assert len(events) > 100
    for offset in OFFSETS:
        _agrees_at(events, NOW + offset * MINUTE)


@settings(max_examples=60, deadline=None)
@given(
    opens=st.none() | st.integers(-(10**6), 10**6),
    closes=st.none() | st.integers(-(10**6), 10**6),
    starts=st.integers(-(10**6), 10**6),
    now=st.integers(-(10**6), 10**6),
)
def test_the_registration_window_agrees_at_any_moment(opens, closes, starts, now):
    if opens is not None and closes is not None and closes <= opens:
        closes = opens + 1
    Event.objects.filter(pk__startswith="rule-").delete()
    window = tuple(None if value is None else NOW + timedelta(microseconds=value) for value in (opens, closes, starts))
    _agrees_at(_events([window]), NOW + timedelta(microseconds=now))


def test_a_free_seat_is_the_same_rule_in_python_and_sql_over_the_whole_grid():
    cases = list(itertools.product([None, 0, 1, 2, 3], [0, 1, 2, 3]))
    events = Event.objects.bulk_create(
        [
            EventFactory.build(event_id=f"seat-{number}", capacity=capacity, confirmed_count=confirmed)
            for number, (capacity, confirmed) in enumerate(cases)
        ]
    )
    in_sql = set(Event.objects.filter(seat_free_q()).values_list("pk", flat=True))
    in_python = {event.pk for event in events if event.capacity_holds(event.confirmed_count + 1)}
    assert in_sql == in_python
    assert {event.pk for event in events if event.capacity is None} < in_python
