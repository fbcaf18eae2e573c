"""The token endpoint's per-address throttle counts the peer, not what X-Forwarded-For claims."""

import pytest
from rest_framework.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v2/auth/token/"


def _limit() -> int:
    return ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["auth"])[0]


def _guess(api_client, n: int, **extra):
    # A different username each time, so the per-username lock-out stays out of the way.
    return api_client.post(TOKEN_URL, {"username": f"nobody-{n}", "password": "guess"}, format="json", **extra)


def test_token_endpoint_throttles_repeated_guesses(api_client):
    answers = [_guess(api_client, n) for n in range(_limit() + 3)]

    statuses = [answer.status_code for answer in answers]
    assert statuses[: _limit()] == [400] * _limit()
    assert set(statuses[_limit() :]) == {429}
    throttled = answers[-1]
    assert throttled.json()["error"]["code"] == "THROTTLED"
    assert int(throttled["Retry-After"]) > 0


def test_a_forged_x_forwarded_for_does_not_reset_the_count(api_client):
    statuses = [
        _guess(api_client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", REMOTE_ADDR="203.0.113.7").status_code
        for n in range(_limit() + 3)
    ]

    assert statuses[: _limit()] == [400] * _limit()
    assert set(statuses[_limit() :]) == {429}


def test_each_peer_address_has_its_own_count(api_client):
    for n in range(_limit()):
        _guess(api_client, n, REMOTE_ADDR="203.0.113.7")

    assert _guess(api_client, 99, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert _guess(api_client, 100, REMOTE_ADDR="203.0.113.8").status_code == 400


def test_behind_a_trusted_proxy_the_forwarded_client_counts(api_client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.1.2.3"}

    for n in range(_limit()):
        _guess(api_client, n, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    assert _guess(api_client, 99, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    assert _guess(api_client, 100, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 400
    # A client's own header in front of the proxy's entry changes nothing: the proxy's entry counts.
    forged = _guess(api_client, 101, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy)
    assert forged.status_code == 429
