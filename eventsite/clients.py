"""Who is on the other end of a request: the peer address, unless the operator trusts a proxy.

``X-Forwarded-For`` is written by whoever sends the request, so it is read only when the
peer is one of ``TRUSTED_PROXIES`` (addresses or networks, none by default). Then the
header is walked from the right, past the trusted proxies, and the first address that is
not one of them is the client. Throttles and the login lock-out both count by this address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.1", "192.168.0.0/16")`` as networks (settings.py has refused anything else)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, as far as the operator's trusted proxies vouch for it."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    peer_address = _address(peer)
    if not trusted or peer_address is None or not any(peer_address in network for network in trusted):
        return peer
    client = peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # a proxy would not write this: stop at the last address vouched for
            break
        client = str(address)
        if not any(address in network for network in trusted):
            break
    return client


def axes_client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the lock-out records the same address the throttles count."""
    return client_ip(getattr(request, "_request", request))


class PeerScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting by :func:`client_ip` instead of trusting X-Forwarded-For."""

    def get_ident(self, request) -> str:
        # A DRF request, or a page's own HttpRequest (the sign-up pages share the API's count).
        return client_ip(getattr(request, "_request", request))
