"""A Redis outage is neither a 500 nor an unlimited flood: routes anyone may call answer
503 with Retry-After, while a known key keeps working (its limit fails open)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running

DOWN = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture
def outage(sqlite_url: str) -> Iterator[Api]:
    with running(make_settings(sqlite_url, redis_url=DOWN)) as api:
        yield api


def test_when_redis_is_down_then_a_notice_is_503_with_retry_after(outage: Api) -> None:
    notice = {
        "kind": "child_safety",
        "explanation": "This post appears to show the abuse of a child.",
        "items": [{"url": "https://social.example/p/1"}],
        "bona_fide_statement": True,
    }
    answer = outage.client.post("/v1/notices", json=notice)
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert outage.services.cases.list_cases() == []


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        ("good", 200),  # a known key: its rate limit fails open
        ("Bearer cg_wrong", 503),  # a failed authentication must be counted: fails closed
    ],
)
def test_when_redis_is_down_then_keyed_routes_fail_as_documented(
    outage: Api, authorization: str, status: int
) -> None:
    headers = (
        outage.key(Scope.MODERATE) if authorization == "good" else {"Authorization": authorization}
    )
    assert outage.client.get("/v1/cases", headers=headers).status_code == status


def test_when_redis_is_down_then_metrics_count_each_check_by_outcome(outage: Api) -> None:
    moderate, report = outage.key(Scope.MODERATE), outage.key(Scope.REPORT)
    outage.client.get("/v1/cases", headers=moderate)
    outage.client.get("/v1/cases", headers={"Authorization": "Bearer cg_wrong"})
    text = outage.client.get("/metrics", headers=report).text
    assert 'consentgate_counters_unavailable_total{limit="key",outcome="passed"}' in text
    assert 'consentgate_counters_unavailable_total{limit="auth",outcome="refused"} 1.0' in text
