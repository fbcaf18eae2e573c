"""Throttles count across server processes with a shared cache (Redis or the database), not with
local memory; the login lock-out lives in the database and is shared whatever the cache."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings

from bench.harness import request
from tests.factories import StudentUserFactory

RATE = 3  # guesses per minute allowed by AUTH_THROTTLE_RATE below
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}


def _post_token(port: int, username: str, password: str) -> int:
    body = json.dumps({"username": username, "password": password}).encode()
    return request(
        "127.0.0.1", port, "POST", "/api/v2/auth/token/", body=body, headers={"Content-Type": "application/json"}
    )[0]


def _guesses(gunicorn_server, env: dict[str, str], first: int, count: int) -> list[int]:
    with gunicorn_server(workers=1, env={"AUTH_THROTTLE_RATE": f"{RATE}/min", **env}) as server:
        # A different username each time: this is the per-address throttle, not the lock-out.
        return [_post_token(server.port, f"nobody-{first + n}", "a-wrong-guess") for n in range(count)]


@pytest.mark.parametrize(
    ("backend", "second_process"),
    [("database", [400, 429, 429]), ("redis", [400, 429, 429]), ("locmem", [400, 400, 400])],
)
def test_password_guesses_are_counted_across_processes_only_with_a_shared_cache(
    gunicorn_server, backend, second_process
):
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
    # Redis is shared with other test runs: this run's keys have a prefix of their own (never flushed).
    env = {"CACHE_BACKEND": backend, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}

    first = _guesses(gunicorn_server, env, 0, 2)
    second = _guesses(gunicorn_server, env, 2, 3)

    # Two server processes in turn: a shared counter stops the guessing at RATE in all,
    # per-process counters start again from zero in each.
    assert first == [400, 400]
    assert second == second_process


def test_the_login_lock_out_is_shared_by_processes_even_with_local_memory(gunicorn_server, settings):
    student = StudentUserFactory()
    env = {"CACHE_BACKEND": "locmem", "AUTH_THROTTLE_RATE": "1000/min"}
    limit = settings.LOGIN_FAILURE_LIMIT

    with gunicorn_server(workers=1, env=env) as server:
        first = [_post_token(server.port, student.enrollment_no, f"wrong-{n}") for n in range(limit - 1)]
    with gunicorn_server(workers=1, env=env) as server:
        last_wrong = _post_token(server.port, student.enrollment_no, "wrong-last")
        right = _post_token(server.port, student.enrollment_no, "correct-horse-battery")

    assert first == [400] * (limit - 1)
    assert last_wrong == 429
    assert right == 429
