"""GET /healthz against the real database and the real local Redis, healthy and broken."""

import socket
import uuid
from datetime import timedelta

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from eventsite import health
from registrations.models import Notification
from tests.factories import StudentFactory

HEALTHZ = "/healthz"


@pytest.fixture(autouse=True)
def _forget_migrations_check(monkeypatch):
    """Each test checks the migrations afresh (a server remembers them once all are applied)."""
    monkeypatch.setattr(health, "_migrations_applied", False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis(settings, location: str, prefix: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
def test_healthy_with_the_real_database_and_redis(settings):
    prefix = f"test-{uuid.uuid4().hex}"
    _redis(settings, settings.REDIS_URL, prefix)

    response = Client().get(HEALTHZ)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["problems"] == {}
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["cache"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["outbox"] == {"ok": True, "pending": 0, "oldest_age_seconds": 0}
    # The probe's key is gone: nothing is left behind in the shared Redis.
    client = RedisCache(settings.REDIS_URL, {})._cache.get_client()
    assert list(client.scan_iter(match=f"{prefix}:*")) == []


@pytest.mark.django_db
def test_answers_a_balancer_probing_by_address_over_plain_http(settings):
    settings.ALLOWED_HOSTS = ["events.college.example"]
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get(HEALTHZ, HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert Client().get("/events/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # the rest still refuses


@pytest.mark.django_db
def test_an_unreachable_redis_is_503_with_the_cache_named(settings):
    _redis(settings, f"redis://127.0.0.1:{_closed_port()}/0", f"test-{uuid.uuid4().hex}")

    response = Client().get(HEALTHZ, HTTP_X_REQUEST_ID="health-1")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert set(body["problems"]) == {"cache"}
    assert body["problems"]["cache"].startswith("ConnectionError")
    assert body["checks"]["database"] == {"ok": True}
    assert response["X-Request-ID"] == "health-1"


@pytest.mark.django_db
def test_an_unapplied_migration_is_503():
    MigrationRecorder.Migration.objects.filter(app="registrations").order_by("-id").first().delete()

    response = Client().get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["migrations"]["unapplied"] == 1
    assert body["problems"] == {"migrations": "1 migrations are not applied"}


@pytest.mark.django_db
def test_an_old_outbox_backlog_is_degraded_but_still_200(settings):
    student = StudentFactory()
    owed = timezone.now() - timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE + 60)
    Notification.objects.create(kind=Notification.Kind.REGISTRATION_CONFIRMED, student=student, object_id="1")
    Notification.objects.create(
        kind=Notification.Kind.REGISTRATION_CONFIRMED, student=student, object_id="2", created_at=owed
    )
    Notification.objects.create(
        kind=Notification.Kind.REGISTRATION_CONFIRMED,
        student=student,
        object_id="3",
        created_at=owed - timedelta(days=1),
        state=Notification.State.SENT,
    )

    response = Client().get(HEALTHZ)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["outbox"]["pending"] == 2
    assert body["checks"]["outbox"]["oldest_age_seconds"] >= settings.HEALTH_OUTBOX_MAX_AGE + 60
    assert list(body["problems"]) == ["outbox"]


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_503_with_the_database_named(tmp_path):
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = _closed_port()
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    try:
        response = Client().get(HEALTHZ)
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["problems"]["database"].startswith("OperationalError")
    assert body["checks"]["cache"] == {"ok": True}
    assert body["checks"]["migrations"]["ok"] is False
    assert "database is unavailable" in body["problems"]["migrations"]


def test_only_get_and_head_are_answered(db):
    assert Client().head(HEALTHZ).status_code == 200
    assert Client().post(HEALTHZ).status_code != 200
