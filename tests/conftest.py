import pytest
from rest_framework.test import APIClient

from tests.factories import EventFactory, StaffFactory, StudentUserFactory, TeamEventFactory, UserFactory


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def organizer(db):
    return UserFactory(username="organizer")


@pytest.fixture
def event(db, organizer):
    return EventFactory(organizers=[organizer])


@pytest.fixture
def team_event(db, organizer):
    return TeamEventFactory(organizers=[organizer])


@pytest.fixture
def student(db):
    return StudentUserFactory()


@pytest.fixture
def api_client():
    return APIClient()
