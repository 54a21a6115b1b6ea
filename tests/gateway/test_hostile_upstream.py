"""A hostile upstream cannot exhaust the gateway: every answer is bounded (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.test_proxy import AUTH, edit, generate


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
    ],
)
def test_when_the_upstream_answers_with_something_hostile_then_a_bounded_problem(
    gateway: Any, behaviour: str, settings: dict[str, object], status: int
) -> None:
    with gateway(behaviour, **settings) as gw:
        r = generate(gw, "a lighthouse")
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "data" not in r.json()


def test_when_an_output_is_fetched_by_url_then_the_clients_key_is_not_sent_there(
    gateway: Any,
) -> None:
    with gateway() as gw:
        assert edit(gw, "make the sky bluer", response_format="url").status_code == 200
        (fetch,) = gw.upstream.file_calls
        assert "authorization" not in fetch
        assert gw.upstream.calls[0]["authorization"] == AUTH["Authorization"]
