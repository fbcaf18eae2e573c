import pytest

from tests.api.helpers import Cast
from tests.factories import EventFactory, StaffFactory, StudentUserFactory, UserFactory


@pytest.fixture
def cast(db) -> Cast:
    organizer = UserFactory(username="event-organizer")
    other_organizer = UserFactory(username="other-organizer")
    EventFactory(event_id="other-event", organizers=[other_organizer])
    return Cast(
        event=EventFactory(event_id="hackfest-2026", organizers=[organizer]),
        student=StudentUserFactory(),
        other_student=StudentUserFactory(),
        organizer=organizer,
        other_organizer=other_organizer,
        staff=StaffFactory(),
    )
