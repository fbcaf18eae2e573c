"""With CACHE_BACKEND=database the throttle counts across server processes, not per process."""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from bench.harness import request
from tests.factories import StudentUserFactory

RATE = 3  # guesses per minute allowed by AUTH_THROTTLE_RATE below
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}


def _guesses(gunicorn_server, backend: str, body: bytes, count: int) -> list[int]:
    env = {"CACHE_BACKEND": backend, "AUTH_THROTTLE_RATE": f"{RATE}/min"}
    with gunicorn_server(workers=1, env=env) as server:
        return [
            request(
                "127.0.0.1",
                server.port,
                "POST",
                "/api/v2/auth/token/",
                body=body,
                headers={"Content-Type": "application/json"},
            )[0]
            for _ in range(count)
        ]


@pytest.mark.parametrize(("backend", "second_process"), [("database", [400, 429, 429]), ("locmem", [400, 400, 400])])
def test_password_guesses_are_counted_across_processes_only_with_a_shared_cache(
    gunicorn_server, backend, second_process
):
    student = StudentUserFactory()
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
    body = json.dumps({"username": student.enrollment_no, "password": "a-wrong-guess"}).encode()

    first = _guesses(gunicorn_server, backend, body, 2)
    second = _guesses(gunicorn_server, backend, body, 3)

    # Two worker processes in turn: a shared counter stops the guessing at RATE in all,
    # per-process counters start again from zero in each (what CACHE_BACKEND=database is for).
    assert first == [400, 400]
    assert second == second_process
