"""The client's address, found in one place: the peer, or what a trusted proxy says.

Why not uvicorn's ``proxy_headers``: it trusts ``X-Forwarded-For`` from
loopback by default, so any client behind a local proxy (or on the same host)
names its own address and starts fresh notice and failed-authentication
buckets with every request. ``serve`` turns that off; here a forwarding header
counts only when the peer is one of ``CONSENTGATE_TRUSTED_PROXIES``, and then
the client is the right-most address in it that is not itself a trusted proxy
(each proxy appends the peer it saw; what is left of that, a client could
have written).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddress:
    """Finds a request's client address, trusting ``X-Forwarded-For`` only from ``proxies``."""

    def __init__(self, proxies: Iterable[str] = ()) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(p, strict=False) for p in proxies
        )

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = str(client[0]) if client else "unknown"
        if not self.networks or not self.trusted(peer):
            return peer
        hops = [
            hop.strip()
            for name, value in scope.get("headers", ())
            if name.lower() == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        nearest = peer
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop if _is_ip(hop) else nearest
            nearest = hop
        return nearest


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
