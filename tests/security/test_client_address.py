"""client_ip: X-Forwarded-For is read only from the operator's trusted proxies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from eventsite.clients import client_ip

ROOT = Path(__file__).resolve().parents[2]


def _request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # nobody trusted: the header is ignored
        (["10.0.0.1"], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # the peer is not the proxy
        (["10.0.0.1"], "10.0.0.1", "198.51.100.1", "198.51.100.1"),
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1"),  # two proxies
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # forged left part ignored
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.3", "10.0.0.3"),  # only proxies: the farthest one
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:1::5, 198.51.100.1", "198.51.100.1"),
    ],
)
def test_client_ip(settings, trusted, peer, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted

    assert client_ip(_request(peer, forwarded)) == expected


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "eventsite.settings", "TRUSTED_PROXIES": "10.0.0.1,proxy.example"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.example' is not an address or a network." in result.stderr
