"""Every log line of a request carries its X-Request-ID; a 403 is one line, a 500 has its traceback."""

import io
import logging
import re
from contextlib import contextmanager

import pytest
from django.test import Client

from eventsite.observability import REQUEST_ID_HEADER

pytestmark = pytest.mark.django_db


@contextmanager
def console_output():
    """What the site's console handler (settings.LOGGING) writes, while the block runs."""
    handler = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_valid_request_id_is_kept_and_answered(client):
    response = client.get("/events/", HTTP_X_REQUEST_ID="lb-7f3a.42:abc_DEF-9")

    assert response[REQUEST_ID_HEADER] == "lb-7f3a.42:abc_DEF-9"


@pytest.mark.parametrize("sent", [None, "", "has space", "a" * 129, "new\nline", "<script>", "ключ"], ids=repr)
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, sent):
    extra = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}

    first = client.get("/events/", **extra)[REQUEST_ID_HEADER]
    second = client.get("/events/", **extra)[REQUEST_ID_HEADER]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_every_log_line_of_a_request_carries_its_id(client, student):
    with console_output() as output:
        client.get("/api/v2/students/", HTTP_X_REQUEST_ID="req-401")  # a 401: one warning line
        client.get("/api/v2/events/", HTTP_X_REQUEST_ID="req-200")

    lines = [line for line in output.getvalue().splitlines() if line]
    assert lines, output.getvalue()
    assert all("request_id=req-401" in line for line in lines), lines
    assert "request_id=req-200" not in output.getvalue()


def test_a_403_is_one_line_without_a_traceback(login, student):
    client = login(student.user)
    with console_output() as output:
        response = client.get("/organize/", HTTP_X_REQUEST_ID="req-403")

    assert response.status_code == 403
    assert "Forbidden (Permission denied): /organize/" in output.getvalue()
    assert "request_id=req-403" in output.getvalue()
    assert "Traceback" not in output.getvalue()


@pytest.mark.parametrize("path", ["/crash/", "/api/v2/crash/"])
def test_a_500_is_logged_with_its_traceback_and_request_id(settings, path):
    settings.ROOT_URLCONF = "tests.ops.crash_urls"
    client = Client(raise_request_exception=False)
    with console_output() as output:
        response = client.get(path, HTTP_X_REQUEST_ID="req-500")

    assert response.status_code == 500
    assert response[REQUEST_ID_HEADER] == "req-500"
    logged = output.getvalue()
    assert f"ERROR django.request request_id=req-500 Internal Server Error: {path}" in logged
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: a bug on purpose" in logged
