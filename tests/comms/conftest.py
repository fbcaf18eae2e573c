from datetime import datetime, timedelta

import pytest
from django.utils import timezone


class Clock:
    """The time every ``timezone.now()`` call sees, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def worker_mode(settings):
    settings.NOTIFICATIONS_SENDER = "worker"
