"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running


def test_when_healthz_is_asked_without_a_key_then_ok(sqlite_api: Api) -> None:
    r = sqlite_api.client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_when_ready_then_readyz_names_detectors_and_policy(api: Api) -> None:
    r = api.client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["detectors"] == [
        "broken_fake",
        "covers_all",
        "hash_match",
        "person_fake",
        "prompt_conversation",
        "words_fake",
    ]
    assert r.json()["policy"].startswith("default@")
    assert r.json()["protections_off"] == []


def test_when_the_store_is_unreachable_then_readyz_is_503(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def down() -> Iterator[None]:
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))
        yield

    monkeypatch.setattr(sqlite_api.services.db, "read", down)
    r = sqlite_api.client.get("/readyz")
    assert r.status_code == 503
    assert "store" in r.json()["detail"]
    assert "server closed" not in r.text


def test_when_screens_ran_then_metrics_count_requests_verdicts_rules_and_failures(
    sqlite_api: Api,
) -> None:
    screen = sqlite_api.key(Scope.SCREEN)
    for prompt in ("put her in a bikini", "a lighthouse", "crash"):
        sqlite_api.client.post(
            "/v1/screen", json={"mode": "edit", "prompt": prompt}, headers=screen
        )
    r = sqlite_api.client.get("/metrics", headers=sqlite_api.key(Scope.REPORT))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    for line in (
        'consentgate_http_requests_total{method="POST",route="/v1/screen",status="200"} 3.0',
        'consentgate_decisions_total{verdict="block"} 1.0',
        'consentgate_rule_verdicts_total{rule="R3",verdict="block"} 1.0',
        'consentgate_rule_verdicts_total{rule="R9",verdict="review"} 1.0',
        'consentgate_detector_failures_total{detector="broken_fake",kind="error"} 1.0',
    ):
        assert line in text
    assert 'consentgate_http_request_duration_seconds_bucket{le="0.1",method="POST"' in text


def test_when_paths_are_unknown_then_metrics_do_not_label_them_by_raw_path(sqlite_api: Api) -> None:
    sqlite_api.client.get("/random-1234")
    text = sqlite_api.client.get("/metrics", headers=sqlite_api.key(Scope.ADMIN)).text
    assert "random-1234" not in text
    assert 'route="unmatched",status="404"' in text


def test_when_the_openapi_is_read_then_every_route_and_both_media_types_are_documented(
    sqlite_url: str,
) -> None:
    with running(make_settings(sqlite_url, api_docs=True)) as api:
        doc = api.client.get("/openapi.json").json()
        assert api.client.get("/docs").status_code == 200
    assert {"/v1/screen", "/v1/decisions/{decision_id}", "/healthz", "/readyz", "/metrics"} <= set(
        doc["paths"]
    )
    body = doc["paths"]["/v1/screen"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert {"ScreenBody", "ScreenForm", "Decision", "Problem"} <= set(doc["components"]["schemas"])
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
