"""CACHE_BACKEND=redis: Django's Redis cache at REDIS_URL, shared by every process that uses it.

These tests talk to the local Redis at 127.0.0.1:6379. Other test runs share it, so every key
here carries a prefix unique to the run, and only those keys are deleted (nothing is flushed).
"""

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its keys are removed afterwards, by name."""
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = RedisCache(settings.REDIS_URL, {})._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _redis_cache(prefix: str) -> RedisCache:
    """What one server process builds from CACHE_BACKEND=redis."""
    return RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})


def test_the_setting_builds_django_redis_cache_from_redis_url():
    show = "import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.CACHES))"
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "eventsite.settings",
            "CACHE_BACKEND": "redis",
            "REDIS_URL": "redis://cache.example:6380/2",
            "CACHE_KEY_PREFIX": "events",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    default = json.loads(result.stdout)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == "redis://cache.example:6380/2"
    assert default["KEY_PREFIX"] == "events"


def test_two_cache_clients_share_one_counter(redis_prefix):
    one, two = _redis_cache(redis_prefix), _redis_cache(redis_prefix)
    per_thread = 50

    def count(cache: RedisCache) -> None:
        for _ in range(per_thread):
            cache.add("counter", 0, timeout=60)
            cache.incr("counter")

    threads = [threading.Thread(target=count, args=(cache,)) for cache in (one, two, one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert one.get("counter") == two.get("counter") == 4 * per_thread
    assert _redis_cache(f"{redis_prefix}-other").get("counter") is None  # prefixes keep sites apart


def test_the_api_throttle_counts_in_redis_where_another_server_sees_it(redis_prefix, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": redis_prefix,
        }
    }
    limit = 10  # AUTH_THROTTLE_RATE's default: 10/min

    def guess(n: int) -> int:
        body = {"username": f"nobody-{n}", "password": "guess"}
        return APIClient().post("/api/v2/auth/token/", body, format="json").status_code

    answers = [guess(n) for n in range(limit + 1)]

    assert answers == [400] * limit + [429]
    # What another server process reads from the same Redis: this peer's ten counted requests.
    assert len(_redis_cache(redis_prefix).get("throttle_auth_127.0.0.1")) == limit
