"""POST /v1/screen with the decision cache: repeated prompts answered from it, all recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentgate.api.app import create_app
from consentgate.detectors.base import DetectorContext
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from consentgate.settings import Settings
from tests.api.conftest import Api, b64, make_settings, png
from tests.api.fakes import WordsFake
from tests.fakes import CoversAllFake


class SteadyWords(WordsFake):
    prompt_only = True


class SteadyCoversAll(CoversAllFake):
    prompt_only = True


def steady_engine(settings: Settings, context: DetectorContext) -> ScreeningEngine:
    registry = DetectorRegistry([SteadyWords(), SteadyCoversAll()])
    return ScreeningEngine(registry, load_policy(settings.policy_path), settings=settings)


def serve(settings: Settings) -> Iterator[Api]:
    app = create_app(
        lambda: Services.build(settings, engine_factory=steady_engine),
        background=False,
        max_body_size=settings.max_request_bytes,
    )
    with TestClient(app) as client:
        yield Api(client, app.state.runtime.ready_services())


@pytest.fixture
def cached_api(sqlite_url: str) -> Iterator[Api]:
    yield from serve(make_settings(sqlite_url))


def screen(api: Api, body: dict[str, object]) -> dict[str, object]:
    r = api.client.post("/v1/screen", json=body, headers=api.key(Scope.SCREEN))
    assert r.status_code == 200, r.text
    answer: dict[str, object] = r.json()
    return answer


def cache_lines(api: Api) -> list[str]:
    text = api.client.get("/metrics", headers=api.key(Scope.REPORT)).text
    return [line for line in text.splitlines() if line.startswith("consentgate_decision_cache")]


def test_when_a_prompt_is_repeated_then_the_cached_answer_is_a_new_recorded_decision(
    cached_api: Api,
) -> None:
    body = {"mode": "edit", "prompt": "put her in a bikini"}
    first, again = screen(cached_api, {**body, "id": "one"}), screen(cached_api, body)
    assert (first["cached"], again["cached"]) == (False, True)
    assert first["id"] != again["id"]
    assert (first["decision"], again["decision"]) == ("block", "block")
    assert again["request_id"] is None
    for answer in (first, again):  # every answered decision is recorded, under its own id
        kept = cached_api.services.decisions.get_recorded(str(answer["id"])).decision
        assert (kept.id, kept.cached, kept.decision) == (answer["id"], answer["cached"], "block")
        assert kept.created.isoformat().replace("+00:00", "Z") == answer["created"]


def test_when_screens_ran_then_metrics_count_cache_hits_and_misses(cached_api: Api) -> None:
    for prompt in ("a lighthouse", "put her in a bikini", "a lighthouse", "a lighthouse"):
        screen(cached_api, {"mode": "edit", "prompt": prompt})
    # with an image: never looked up
    screen(cached_api, {"mode": "edit", "prompt": "a lighthouse", "source_image": b64(png())})
    lines = cache_lines(cached_api)
    assert 'consentgate_decision_cache_lookups_total{result="hit"} 2.0' in lines
    assert 'consentgate_decision_cache_lookups_total{result="miss"} 2.0' in lines


def test_when_the_cache_is_off_then_nothing_is_cached_or_counted(sqlite_url: str) -> None:
    for api in serve(make_settings(sqlite_url, decision_cache=0)):
        answers = [screen(api, {"prompt": "a lighthouse"}) for _ in range(2)]
        assert [a["cached"] for a in answers] == [False, False]
        assert not [line for line in cache_lines(api) if "_total{" in line]
