"""Event validity is stated by the model's check constraints; their Python form agrees with each of them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import CONSTRAINT_RULES, Event

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 3, 1, 12, tzinfo=UTC)
moments = st.integers(-3, 3).map(lambda minutes: BASE + timedelta(minutes=minutes))


def test_every_check_constraint_has_its_python_form():
    assert set(CONSTRAINT_RULES) == {constraint.name for constraint in Event._meta.constraints}


@settings(max_examples=150, deadline=None)
@given(
    starts=moments,
    ends=moments,
    opens=st.none() | moments,
    closes=st.none() | moments,
    team_size_min=st.integers(0, 3),
    team_size_max=st.integers(0, 3),
)
def test_the_python_form_refuses_exactly_what_each_constraint_refuses(
    starts, ends, opens, closes, team_size_min, team_size_max
):
    event = Event(
        event_id="checked",
        title="Checked",
        starts_at=starts,
        ends_at=ends,
        registration_opens_at=opens,
        registration_closes_at=closes,
        team_size_min=team_size_min,
        team_size_max=team_size_max,
    )
    for constraint in Event._meta.constraints:
        try:
            constraint.validate(Event, event)
            database_accepts = True
        except ValidationError:
            database_accepts = False
        assert CONSTRAINT_RULES[constraint.name][2](event) == database_accepts, constraint.name
