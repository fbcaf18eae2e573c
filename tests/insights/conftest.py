"""Fixtures of the analytics, calendar, notification and export tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events.models import Event
from tests.factories import AttendanceFactory, EventFactory, RegistrationFactory, StudentFactory

IST = ZoneInfo("Asia/Kolkata")


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
