"""Every error status is an RFC 9457 problem document; a 500 names nothing internal."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consentgate.api.app import create_app
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from tests.api.conftest import Api, b64, make_settings, png, running
from tests.api.fakes import fake_engine

PROBLEM = "application/problem+json"


def assert_problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == r.request.url.path
    if field is not None:
        assert body["field"] == field
    return body


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "required"),
        ({"Authorization": "Bearer cg_not-a-real-key"}, "not valid"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "required"),
        ({"Authorization": "Bearer"}, "required"),
    ],
)
def test_when_the_key_is_missing_or_invalid_then_401_with_a_bearer_challenge(
    api: Api, headers: dict[str, str], detail: str
) -> None:
    r = api.client.post("/v1/screen", json={"prompt": "a cat"}, headers=headers)
    body = assert_problem(r, 401)
    assert detail in body["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_when_a_key_is_revoked_then_401(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url, key_cache_s=0)) as api:
        new = api.services.keys.create([Scope.SCREEN])
        headers = {"Authorization": f"Bearer {new.key}"}
        assert (
            api.client.post("/v1/screen", json={"prompt": "a"}, headers=headers).status_code == 200
        )
        api.services.keys.revoke(new.id)
        assert_problem(api.client.post("/v1/screen", json={"prompt": "a"}, headers=headers), 401)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", "/v1/screen", Scope.REPORT),
        ("POST", "/v1/screen", Scope.MODERATE),
        ("GET", "/metrics", Scope.SCREEN),
        ("GET", "/v1/decisions/abc", Scope.BANKS_WRITE),
    ],
)
def test_when_the_key_lacks_the_scope_then_403(
    sqlite_api: Api, method: str, path: str, scope: Scope
) -> None:
    r = sqlite_api.client.request(method, path, json={"prompt": "a"}, headers=sqlite_api.key(scope))
    assert "scope" in assert_problem(r, 403)["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "paint", "prompt": "a"}, "mode"),
        ({"subject": "robot", "prompt": "a"}, "subject"),
        ({"prompt": "a", "colour": "red"}, "colour"),
        ({"prompt": 12}, "prompt"),
        ({"prompt": "a" * 20_001}, "prompt"),
        ({"source_image": "not base64 !!"}, "source_image"),
        ({"output_image": ""}, "prompt"),
        ({}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"id": "x" * 201, "prompt": "a"}, "id"),
    ],
)
def test_when_a_field_is_invalid_then_422_names_it(
    sqlite_api: Api, body: dict[str, Any], field: str
) -> None:
    r = sqlite_api.client.post("/v1/screen", json=body, headers=sqlite_api.key(Scope.SCREEN))
    assert_problem(r, 422, field)


def test_when_the_body_is_not_json_then_422(sqlite_api: Api) -> None:
    r = sqlite_api.client.post(
        "/v1/screen",
        content=b"{not json",
        headers={**sqlite_api.key(Scope.SCREEN), "content-type": "application/json"},
    )
    assert "JSON" in assert_problem(r, 422)["detail"]


def test_when_a_path_parameter_is_invalid_then_422_names_it(sqlite_api: Api) -> None:
    r = sqlite_api.client.get("/v1/decisions/" + "x" * 65, headers=sqlite_api.key(Scope.MODERATE))
    assert_problem(r, 422, "decision_id")


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", b"a cat"),
        ("application/x-www-form-urlencoded", b"prompt=a+cat"),
        ("", b"{}"),
    ],
)
def test_when_the_media_type_is_not_accepted_then_415(
    sqlite_api: Api, content_type: str, content: bytes
) -> None:
    headers = {**sqlite_api.key(Scope.SCREEN), "content-type": content_type}
    r = sqlite_api.client.post("/v1/screen", content=content, headers=headers)
    assert_problem(r, 415)


def test_when_the_image_is_not_an_image_then_415(sqlite_api: Api) -> None:
    junk = base64.b64encode(b"this is plain text, not a picture").decode()
    r = sqlite_api.client.post(
        "/v1/screen",
        json={"mode": "upload", "output_image": junk},
        headers=sqlite_api.key(Scope.SCREEN),
    )
    assert_problem(r, 415)


@pytest.mark.parametrize(
    ("overrides", "use_image"),
    [
        ({"max_request_bytes": 1_000}, False),  # the whole body
        ({"max_image_bytes": 100}, True),  # one image
    ],
)
def test_when_the_payload_is_too_large_then_413(
    sqlite_url: str, overrides: dict[str, int], use_image: bool
) -> None:
    with running(make_settings(sqlite_url, **overrides)) as api:
        body = (
            {"mode": "upload", "output_image": b64(png())} if use_image else {"prompt": "a" * 5_000}
        )
        r = api.client.post("/v1/screen", json=body, headers=api.key(Scope.SCREEN))
        assert_problem(r, 413)
        assert api.services.decisions.count() == 0


@pytest.mark.parametrize(
    ("path", "chunked"), [("/v1/banks", False), ("/v1/match", True), ("/v1/screen", True)]
)
def test_when_any_route_gets_an_oversized_body_then_413(
    sqlite_url: str, path: str, chunked: bool
) -> None:
    with running(make_settings(sqlite_url, max_request_bytes=2_000)) as api:
        body = b'{"name": "' + b"x" * 5_000 + b'", "kind": "ncii"}'
        headers = {**api.key(Scope.ADMIN), "content-type": "application/json"}
        content: Any = iter([body[:1000], body[1000:]]) if chunked else body
        assert_problem(api.client.post(path, content=content, headers=headers), 413)


def test_when_a_key_exceeds_its_rate_then_429_with_retry_after(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url, rate_limit_per_s=0.5, rate_limit_burst=2)) as api:
        headers = api.key(Scope.SCREEN)
        statuses = [
            api.client.post("/v1/screen", json={"prompt": "a"}, headers=headers).status_code
            for _ in range(3)
        ]
        assert statuses[:2] == [200, 200]
        r = api.client.post("/v1/screen", json={"prompt": "a"}, headers=headers)
        assert_problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1
        # Another key has its own bucket.
        other = api.client.post("/v1/screen", json={"prompt": "a"}, headers=api.key(Scope.SCREEN))
        assert other.status_code == 200


def test_when_a_key_has_no_limit_then_it_is_never_rate_limited(sqlite_url: str) -> None:
    with running(make_settings(sqlite_url, rate_limit_per_s=0.5, rate_limit_burst=1)) as api:
        headers = api.key(Scope.SCREEN, rate=0)
        for _ in range(5):
            assert (
                api.client.post("/v1/screen", json={"prompt": "a"}, headers=headers).status_code
                == 200
            )


@pytest.fixture
def loading(sqlite_url: str) -> Iterator[tuple[TestClient, threading.Event]]:
    release = threading.Event()
    settings = make_settings(sqlite_url)

    def slow_load() -> Services:
        release.wait(30)
        return Services.build(settings, engine_factory=fake_engine)

    app = create_app(slow_load, background=True)
    with TestClient(app) as client:
        yield client, release
        release.set()


def test_when_the_service_is_still_loading_then_503_but_healthz_answers(
    loading: tuple[TestClient, threading.Event],
) -> None:
    client, release = loading
    assert client.get("/healthz").status_code == 200
    for answer in (client.get("/readyz"), client.post("/v1/screen", json={"prompt": "a"})):
        assert_problem(answer, 503)
        assert int(answer.headers["Retry-After"]) > 0
    release.set()
    assert client.app.state.runtime.loaded.wait(30)  # type: ignore[attr-defined]
    assert client.get("/readyz").status_code == 200


def test_when_loading_fails_then_readyz_stays_503_without_internals(sqlite_url: str) -> None:
    def broken() -> Services:
        raise RuntimeError("cannot open /etc/secret/model.onnx")

    with TestClient(create_app(broken, background=False)) as client:
        body = assert_problem(client.get("/readyz"), 503)
        assert "secret" not in client.get("/readyz").text
        assert "failed" in body["detail"]


def test_when_recording_fails_midway_then_500_without_internals_and_no_decision(
    sqlite_url: str,
) -> None:
    with running(make_settings(sqlite_url), raise_server_exceptions=False) as api:
        store = api.services.decisions
        original = store.record

        def half_write(decision: Any, **kwargs: Any) -> None:
            original(decision, **kwargs)  # inside the screen's one transaction
            raise RuntimeError("disk failure at /var/secret/consentgate.db")

        store.record = half_write  # type: ignore[method-assign]
        r = api.client.post("/v1/screen", json={"prompt": "a"}, headers=api.key(Scope.SCREEN))
        body = assert_problem(r, 500)
        assert "secret" not in r.text and "RuntimeError" not in r.text
        assert body["title"] == "Internal error"
        assert store.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nowhere", 404), ("DELETE", "/v1/screen", 405)]
)
def test_when_the_route_does_not_exist_then_a_problem_too(
    sqlite_api: Api, method: str, path: str, status: int
) -> None:
    assert_problem(sqlite_api.client.request(method, path), status)
