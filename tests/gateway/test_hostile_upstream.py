"""A hostile upstream cannot exhaust the gateway: every answer is bounded (docs/security.md).

Each case runs twice: through httpx in process and through aiohttp on a loopback port
(what production uses), since the limits must hold for both clients.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.test_proxy import AUTH, edit, generate

NETWORK = pytest.mark.parametrize("network", [False, True], ids=["asgi", "socket"])


@NETWORK
@pytest.mark.parametrize(
    ("behaviour", "settings", "status"),
    [
        ("huge", {"max_request_bytes": 1_000_000}, 502),  # body over the request limit
        ("garbage", {}, 502),  # a 200 that is no images answer
        ("not_an_image", {}, 502),  # an output that cannot be decoded
        ("compliant", {"max_image_pixels": 1000}, 502),  # an output over the pixel limit (a bomb)
        ("file_url", {}, 502),  # an output URL that is not http(s)
        ("redirect", {}, 502),  # a 3xx is not followed
        ("slow", {"gateway_timeout_s": 1.0}, 504),  # a drip of bytes past the deadline
        ("hanging", {"gateway_timeout_s": 0.5}, 504),
        ("failing", {}, 502),
        ("bomb", {}, 502),
        ("twice", {}, 502),
    ],
)
def test_when_the_upstream_answers_with_something_hostile_then_a_bounded_problem(
    gateway: Any, behaviour: str, settings: dict[str, object], status: int, network: bool
) -> None:
    with gateway(behaviour, network=network, **settings) as gw:
        r = generate(gw, "a lighthouse")
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "data" not in r.json()


@NETWORK
def test_when_an_output_is_fetched_by_url_then_the_clients_key_is_not_sent_there(
    gateway: Any, network: bool
) -> None:
    with gateway(network=network) as gw:
        assert edit(gw, "make the sky bluer", response_format="url").status_code == 200
        (fetch,) = gw.upstream.file_calls
        assert "authorization" not in fetch
        assert gw.upstream.calls[0]["authorization"] == AUTH["Authorization"]


def test_when_the_upstream_is_down_then_502(gateway: Any) -> None:
    with gateway(network=True) as gw:
        app = gw.client.app
        app.state.gateway.upstream.base_url = "http://127.0.0.1:9/v1"  # nothing listens
        r = generate(gw, "a lighthouse")
        assert r.status_code == 502
        assert r.json()["type"] == "urn:consentgate:problem:upstream-failed"


@NETWORK
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_when_a_compressed_answer_grows_past_the_limit_then_502(
    gateway: Any, encoding: str, network: bool
) -> None:
    with gateway("compressed_" + encoding, network=network, max_request_bytes=1_000_000) as gw:
        r = generate(gw, "a lighthouse")
        assert r.status_code == 502, r.text
        assert "limit" in r.json()["detail"]
