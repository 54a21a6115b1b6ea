"""The key is checked before the body is read; bodies are bounded per route; guessing is slowed.

The ASGI tests hand the app a ``receive`` that counts its calls: a refused
request must be answered without a single call, so an unauthenticated caller
cannot make a worker read (let alone parse) its body.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from consentgate.api.app import create_app
from consentgate.api.limits import IMAGE_ROUTES, IMPORT_ROUTES, SCREEN_ROUTES, route_limit
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.conftest import Api, b64, make_settings, running
from tests.api.test_errors import assert_problem

BIG = 38_000_000


class Asgi:
    """One request straight into the app; ``reads`` counts the calls to ``receive``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.reads = 0

    def __call__(
        self, method: str, path: str, headers: dict[str, str], *, client: str = "203.0.113.7"
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        started: dict[str, Any] = {}
        body = bytearray()

        async def receive() -> dict[str, Any]:
            self.reads += 1
            return {"type": "http.request", "body": b"{" * 65_536, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": (client, 40000),
            "server": ("127.0.0.1", 8080),
            "state": {},
        }
        asyncio.run(self.app(scope, receive, send))
        found = {k.decode().lower(): v.decode() for k, v in started["headers"]}
        return started["status"], found, json.loads(body)


@pytest.fixture
def gated(sqlite_url: str) -> Iterator[tuple[Api, Asgi]]:
    with running(make_settings(sqlite_url)) as api:
        yield api, Asgi(api.client.app)


@pytest.mark.parametrize("path", ["/v1/match", "/v1/hash", "/v1/screen", "/v1/banks/x/import"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer cg_not-a-real-key", "Basic dXNlcjpwdw=="], ids=str
)
def test_when_a_big_body_comes_without_a_valid_key_then_401_before_any_body_byte_is_read(
    gated: tuple[Api, Asgi], path: str, authorization: str | None
) -> None:
    _api, call = gated
    headers = {"content-type": "application/json", "content-length": str(BIG)}
    if authorization:
        headers["authorization"] = authorization
    status, answer_headers, body = call("POST", path, headers)
    assert status == 401 and body["status"] == 401
    assert answer_headers["content-type"] == "application/problem+json"
    assert answer_headers["www-authenticate"].startswith("Bearer")
    assert call.reads == 0


def test_when_a_key_lacks_the_scope_then_403_before_any_body_byte_is_read(
    gated: tuple[Api, Asgi],
) -> None:
    api, call = gated
    headers = {
        "content-type": "application/json",
        "content-length": str(BIG),
        "authorization": api.key(Scope.REPORT)["Authorization"],
    }
    status, _headers, _body = call("POST", "/v1/match", headers)
    assert status == 403
    assert call.reads == 0


def test_when_a_valid_key_sends_more_than_its_route_takes_then_413_without_reading(
    gated: tuple[Api, Asgi],
) -> None:
    api, call = gated
    headers = {
        "content-type": "application/json",
        "content-length": str(BIG),
        "authorization": api.key(Scope.SCREEN)["Authorization"],
    }
    status, _headers, body = call("POST", "/v1/match", headers)
    assert status == 413 and "byte limit" in body["detail"]
    assert call.reads == 0


@pytest.mark.parametrize("path", ["/v1/match", "/v1/banks", "/v1/screen"])
def test_when_json_is_malformed_and_there_is_no_key_then_401_not_422(
    sqlite_api: Api, path: str
) -> None:
    r = sqlite_api.client.post(
        path, content=b'{"pdq": [', headers={"content-type": "application/json"}
    )
    assert_problem(r, 401)


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 × side² bytes."""
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def test_when_a_json_route_gets_a_body_the_screen_route_takes_then_413(sqlite_api: Api) -> None:
    image = b64(noise_png(700))  # about 2 MB of base64: over the 1 MB JSON limit
    assert len(image) > 1_500_000
    headers = sqlite_api.key(Scope.ADMIN)
    screened = sqlite_api.client.post(
        "/v1/screen", json={"mode": "upload", "output_image": image}, headers=headers
    )
    assert screened.status_code == 200, screened.text
    matched = sqlite_api.client.post("/v1/match", json={"image": image}, headers=headers)
    assert matched.status_code == 200, matched.text  # an image route takes one image
    bank = {"name": "big", "kind": "ncii", "description": image}
    assert_problem(sqlite_api.client.post("/v1/banks", json=bank, headers=headers), 413)
    data = json.dumps(bank).encode()
    chunks = iter([data[i : i + 65_536] for i in range(0, len(data), 65_536)])  # no length
    chunked = sqlite_api.client.post(
        "/v1/banks", content=chunks, headers={**headers, "content-type": "application/json"}
    )
    assert_problem(chunked, 413)


def test_when_a_bank_list_is_imported_then_it_has_its_own_limit(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, max_json_bytes=1_000, max_import_bytes=4_000)
    with running(settings) as api:
        headers = api.key(Scope.BANKS_WRITE)
        made = api.client.post("/v1/banks", json={"name": "list", "kind": "ncii"}, headers=headers)
        assert made.status_code == 201
        md5s = [f"{i:032x}\n" for i in range(220)]
        small = "".join(md5s[:60])  # about 2 KB: over the JSON limit, within the import's
        r = api.client.post("/v1/banks/list/import", content=small, headers=headers)
        assert r.status_code == 200, r.text
        big = "".join(md5s[60:])  # about 5 KB
        assert_problem(api.client.post("/v1/banks/list/import", content=big, headers=headers), 413)


def test_when_limits_are_set_then_each_route_kind_gets_its_own() -> None:
    s = Settings(max_request_bytes=40_000_000, max_json_bytes=1_000_000, max_image_bytes=3_000_000)
    assert route_limit("POST", "/v1/screen", s) == 40_000_000
    assert route_limit("POST", "/v1/match", s) == 5_000_000  # one image as base64, plus JSON
    assert route_limit("POST", "/v1/banks/{name}/import", s) == 20_000_000
    assert route_limit("POST", "/v1/banks", s) == 1_000_000
    assert route_limit("POST", "/v1/entries/{entry_id}/withdraw", s) == 1_000_000
    small = Settings(max_request_bytes=500_000)
    assert route_limit("POST", "/v1/banks/{name}/import", small) == 500_000  # the ceiling


def test_when_a_route_is_named_in_a_limit_table_then_it_exists() -> None:
    app = create_app(lambda: Services.__new__(Services))
    routes = {
        (method, path)
        for path, item in app.openapi()["paths"].items()
        for method in (m.upper() for m in item)
    }
    assert routes >= SCREEN_ROUTES | IMAGE_ROUTES | IMPORT_ROUTES


def test_when_an_address_keeps_failing_authentication_then_429_for_it_alone(
    sqlite_url: str,
) -> None:
    settings = make_settings(sqlite_url, auth_failure_rate_per_s=0.001, auth_failure_burst=3)
    with running(settings) as api:
        lookups = 0
        authenticate = api.services.keys.authenticate

        def counted(raw: str) -> Any:
            nonlocal lookups
            lookups += 1
            return authenticate(raw)

        api.services.keys.authenticate = counted  # type: ignore[method-assign]
        good = api.key(Scope.SCREEN)
        bad = {"Authorization": "Bearer cg_guess"}
        body = {"prompt": "a cat"}
        for _ in range(3):
            assert_problem(api.client.post("/v1/screen", json=body, headers=bad), 401)
        assert lookups == 1  # an unknown key is cached as unknown too
        for headers in (bad, {}, good):  # the address is refused, whatever it sends
            r = api.client.post("/v1/screen", json=body, headers=headers)
            assert_problem(r, 429)
            assert int(r.headers["retry-after"]) >= 1
        assert lookups == 1  # and no key is looked up for it
        other = TestClient(api.client.app, client=("198.51.100.4", 50000))
        assert_problem(other.post("/v1/screen", json=body, headers=bad), 401)
        assert other.post("/v1/screen", json=body, headers=good).status_code == 200


def test_when_failed_authentication_limiting_is_off_then_401_forever(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, auth_failure_rate_per_s=0, auth_failure_burst=1)
    with running(settings) as api:
        for _ in range(5):
            assert_problem(api.client.get("/v1/banks"), 401)


DOCS = ["/docs", "/redoc", "/openapi.json"]


@pytest.mark.parametrize("path", DOCS)
def test_when_api_docs_are_off_by_default_then_their_paths_are_404(
    sqlite_api: Api, path: str
) -> None:
    assert not Settings().api_docs
    assert_problem(sqlite_api.client.get(path), 404)
    assert_problem(sqlite_api.client.get(path, headers=sqlite_api.key(Scope.ADMIN)), 404)


@pytest.mark.parametrize("path", DOCS)
def test_when_api_docs_are_on_then_they_answer_without_a_key(sqlite_url: str, path: str) -> None:
    with running(make_settings(sqlite_url, api_docs=True)) as api:
        assert api.client.get(path).status_code == 200


def test_when_api_docs_are_off_then_the_schema_is_still_built_in_process() -> None:
    app: FastAPI = create_app(lambda: Services.__new__(Services))
    assert "/v1/screen" in app.openapi()["paths"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/screen/"), ("GET", "/v1/banks/"), ("GET", "/healthz/"), ("GET", "/metrics/")],
)
def test_when_the_host_header_is_forged_then_no_redirect_points_at_it(
    sqlite_api: Api, method: str, path: str
) -> None:
    for headers in ({}, sqlite_api.key(Scope.ADMIN)):
        r = sqlite_api.client.request(
            method, path, headers={**headers, "Host": "evil.example"}, follow_redirects=False
        )
        assert "evil.example" not in r.headers.get("location", "")
        assert r.status_code == 404
