"""``GET /healthz`` for the load balancer: is this server fit to take requests?

Answered by a middleware placed right after the request id, before the host check and the
HTTPS redirect, so a balancer probing a server by its address over plain HTTP gets the
real answer. It checks, each on its own:

- database: a ``SELECT 1`` on the default connection;
- cache: a value written, read back and deleted (the throttles depend on it);
- migrations: every migration of this code is applied (remembered once true);
- outbox: emails owed and not yet sent, and the age of the oldest (read by the function the app
  that keeps the outbox registers with ``register_outbox_backlog`` from its ``AppConfig.ready()``).

200 with ``"status": "ok"`` when all hold; 503 with ``"status": "fail"`` and the failed checks
under ``"problems"`` when the database, the cache or the migrations do not. An outbox older
than ``HEALTH_OUTBOX_MAX_AGE`` seconds is ``"status": "degraded"`` and still 200: a mail
server or worker that is behind is worth an alert, not taking every web server out of service.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
_migrations_applied = False


class OutboxBacklog(Protocol):
    pending: int
    oldest_created_at: datetime | None


_outbox_backlog: Callable[[], OutboxBacklog] | None = None


def register_outbox_backlog(reader: Callable[[], OutboxBacklog]) -> None:
    """The function ``check_outbox`` asks for the backlog (``eventsite`` does not know where the outbox is)."""
    global _outbox_backlog
    _outbox_backlog = reader


def _failure(error: Exception) -> dict[str, Any]:
    # The class and the first line only: enough for an operator, nothing a stranger can use.
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return {"ok": False, "error": f"{type(error).__name__}: {first_line}"[:200]}


def check_database() -> dict[str, Any]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is the answer
        return _failure(error)
    return {"ok": True}


def check_cache() -> dict[str, Any]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        read = cache.get(key)
        cache.delete(key)
    except Exception as error:
        return _failure(error)
    if read != "ok":
        return {"ok": False, "error": "a value written to the cache was not read back"}
    return {"ok": True}


def check_migrations() -> dict[str, Any]:
    global _migrations_applied
    if _migrations_applied:
        return {"ok": True, "unapplied": 0}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return _failure(error)
    if plan:
        return {"ok": False, "unapplied": len(plan), "error": f"{len(plan)} migrations are not applied"}
    _migrations_applied = True
    return {"ok": True, "unapplied": 0}


def check_outbox() -> dict[str, Any]:
    if _outbox_backlog is None:
        return {"ok": False, "error": "no email outbox is registered"}
    try:
        backlog = _outbox_backlog()
    except Exception as error:
        return _failure(error)
    age = int((timezone.now() - backlog.oldest_created_at).total_seconds()) if backlog.oldest_created_at else 0
    result: dict[str, Any] = {"ok": age <= settings.HEALTH_OUTBOX_MAX_AGE, "pending": backlog.pending}
    result["oldest_age_seconds"] = age
    if not result["ok"]:
        result["error"] = f"the oldest unsent email has waited {age} s (limit {settings.HEALTH_OUTBOX_MAX_AGE} s)"
    return result


CRITICAL = ("database", "cache", "migrations")


def health_report() -> tuple[int, dict[str, Any]]:
    checks = {"database": check_database(), "cache": check_cache()}
    database_up = checks["database"]["ok"]
    skipped = {"ok": False, "error": "not checked: the database is unavailable"}
    checks["migrations"] = check_migrations() if database_up else skipped
    checks["outbox"] = check_outbox() if database_up else skipped
    problems = {name: check["error"] for name, check in checks.items() if not check["ok"]}
    if any(name in problems for name in CRITICAL):
        status, http_status = "fail", 503
    elif problems:
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    if problems:
        logger.warning("Health check %s: %s", status, problems)
    return http_status, {"status": status, "checks": checks, "problems": problems}


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before anything that needs a known host, HTTPS or a session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        http_status, body = health_report()
        response = JsonResponse(body, status=http_status)
        response["Cache-Control"] = "no-store"
        return response
