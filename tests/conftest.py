import pytest
from rest_framework.test import APIClient

from tests.factories import EventFactory, StaffFactory, StudentUserFactory, TeamEventFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The production hasher costs about a second per password on purpose; tests hash hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def other_organizer(db):
    return UserFactory(username="other-organizer")


@pytest.fixture
def login(client):
    """Log ``client`` in as a user; returns the client."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in
