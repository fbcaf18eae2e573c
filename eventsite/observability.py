"""Request ids in every log line, quiet 4xx logs, and error reports to Sentry when SENTRY_DSN is set.

Every request carries an id: the caller's ``X-Request-ID`` when it is a sane token (letters,
digits and ``._:-``, at most 128 characters), a new one otherwise. It is answered in the
``X-Request-ID`` header, stamped on every log line written while the request runs, and tagged
on its Sentry events, so one id finds a request in the load balancer, the logs and Sentry.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

import sentry_sdk
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
NO_REQUEST = "-"

_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The caller's id when it is safe to log and echo, else a fresh one."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE: everything after it, and every log line of the request, knows the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` (``-`` outside a request) for the log format.

    Django logs a 4xx or 5xx response after the middleware has returned, with the request
    attached to the record: its id is taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class ClientErrorTracebackFilter(logging.Filter):
    """A 4xx is the client's doing: its log line stays, the traceback Django attaches does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def init_sentry(dsn: str | None, *, environment: str | None, release: str | None) -> bool:
    """Start reporting unhandled errors (and ERROR log lines) to Sentry; nothing happens without a DSN."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
    return True
