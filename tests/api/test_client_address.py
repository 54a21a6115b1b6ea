"""Which address a request counts as: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import pytest

from consentgate.api.clientaddr import ClientAddress
from consentgate.errors import ConfigError
from consentgate.settings import load_settings


def scope(peer: str, *forwarded: str) -> dict[str, object]:
    return {
        "client": (peer, 51000),
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "expected"),
    [
        ((), "127.0.0.1", ("203.0.113.9",), "127.0.0.1"),  # nothing trusted: the peer
        (("10.0.0.5",), "198.51.100.7", ("203.0.113.9",), "198.51.100.7"),  # peer not a proxy
        (("127.0.0.1",), "127.0.0.1", ("203.0.113.9",), "203.0.113.9"),
        (("127.0.0.1",), "127.0.0.1", (), "127.0.0.1"),  # a proxy that sent no header
        # a client's own header is on the left; the proxy appends the peer it saw
        (("127.0.0.1",), "127.0.0.1", ("6.6.6.6, 203.0.113.9",), "203.0.113.9"),
        # two trusted hops (a CIDR): the right-most untrusted address is the client
        (("10.0.0.0/8",), "10.0.0.2", ("6.6.6.6, 203.0.113.9, 10.0.0.1",), "203.0.113.9"),
        (("10.0.0.0/8",), "10.0.0.2", ("6.6.6.6", "203.0.113.9"), "203.0.113.9"),  # 2 headers
        (("::1",), "::1", ("2001:db8::7",), "2001:db8::7"),
        # garbage where the client's address should be: the nearest trusted hop
        (("127.0.0.1",), "127.0.0.1", ("not-an-address",), "127.0.0.1"),
        # only trusted hops: the left-most of them
        (("10.0.0.0/8",), "10.0.0.2", ("10.0.0.3",), "10.0.0.3"),
    ],
)
def test_when_a_request_arrives_then_its_address_is_the_right_most_untrusted_hop(
    proxies: tuple[str, ...], peer: str, forwarded: tuple[str, ...], expected: str
) -> None:
    assert ClientAddress(proxies).of(scope(peer, *forwarded)) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", ()),
        ("127.0.0.1", ("127.0.0.1",)),
        (" 10.0.0.0/8 , ::1 ", ("10.0.0.0/8", "::1")),
    ],
)
def test_when_trusted_proxies_are_set_then_they_are_parsed(
    given: str, expected: tuple[str, ...]
) -> None:
    assert load_settings(trusted_proxies=given).trusted_proxies == expected


def test_when_a_trusted_proxy_is_not_an_address_then_settings_fail() -> None:
    with pytest.raises(ConfigError, match="CONSENTGATE_TRUSTED_PROXIES"):
        load_settings(trusted_proxies="proxy.internal")
