"""Under gunicorn (DEBUG=0) a 500 is logged with its traceback and request id, and reported to
Sentry when SENTRY_DSN is set: here the DSN points at an HTTP server the test runs on loopback."""

import gzip
import http.server
import threading
import time
import zlib

import pytest
from django.db import connection

from bench.harness import Gunicorn, request
from tests.reliability.conftest import database_url_of

pytestmark = pytest.mark.django_db(transaction=True)

CRASH_SETTINGS = "tests.ops.crash_settings"


class SentryStandIn(http.server.ThreadingHTTPServer):
    """Accepts whatever sentry-sdk posts and keeps the decoded bodies."""

    def __init__(self):
        self.bodies: list[str] = []
        super().__init__(("127.0.0.1", 0), _Receive)

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Receive(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.server.bodies.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_stand_in():
    server = SentryStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _crash(env: dict[str, str], request_id: str) -> tuple[int, dict, str]:
    with Gunicorn(database_url_of(connection), workers=1, settings=CRASH_SETTINGS, env=env) as server:
        status, headers, _ = request("127.0.0.1", server.port, "GET", "/crash/", headers={"X-Request-ID": request_id})
        log_path = server.log.name
    with open(log_path) as log:
        return status, headers, log.read()


def test_a_500_under_gunicorn_is_logged_with_traceback_and_request_id():
    status, headers, log = _crash({"LOG_LEVEL": "WARNING"}, "gunicorn-500")

    assert status == 500
    assert "ERROR django.request request_id=gunicorn-500 Internal Server Error: /crash/" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: a bug on purpose" in log


def test_with_sentry_dsn_the_error_reaches_sentry(sentry_stand_in):
    dsn = f"http://public0key@127.0.0.1:{sentry_stand_in.port}/1"
    env = {"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "test"}

    with Gunicorn(database_url_of(connection), workers=1, settings=CRASH_SETTINGS, env=env) as server:
        status, _, _ = request("127.0.0.1", server.port, "GET", "/crash/", headers={"X-Request-ID": "to-sentry"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("a bug on purpose" in b for b in sentry_stand_in.bodies):
            time.sleep(0.1)

    assert status == 500
    event = next(body for body in sentry_stand_in.bodies if "a bug on purpose" in body)
    assert "RuntimeError" in event
    assert '"request_id":"to-sentry"' in event.replace(" ", "")
    assert '"environment":"test"' in event.replace(" ", "")


def test_without_sentry_dsn_nothing_is_sent(sentry_stand_in, monkeypatch):
    # The same crash with the stand-in listening, but no DSN: the server stops (flushing any
    # queued report on its way out) and nothing has arrived.
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    env = {"SENTRY_ENVIRONMENT": "test"}

    status, _, log = _crash(env, "no-sentry")

    assert status == 500
    assert "RuntimeError: a bug on purpose" in log  # the error happened and was logged
    assert sentry_stand_in.bodies == []
