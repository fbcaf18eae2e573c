import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import Student
from tests.factories import EventFactory, StaffFactory, StudentUserFactory, TeamEventFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are made by the hundred in tests; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache: every test starts with none.

    Never a shared Redis: clearing it would flush other runs' keys (Redis tests use their own prefix).
    """
    shared = isinstance(caches["default"], RedisCache)
    if not shared:
        cache.clear()
    yield
    if not shared:
        cache.clear()


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
def client_for(db):
    """``client_for(user)``: an API client sending that user's (or student's) token; anonymous for None."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if isinstance(user, Student):
            user = user.user
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return make


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
