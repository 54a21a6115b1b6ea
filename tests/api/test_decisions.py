"""GET /v1/decisions/{id}: the recorded decision, visible to its key or to moderators."""

from __future__ import annotations

import pytest

from consentgate.service.keys import Scope
from tests.api.conftest import Api


def _screen(api: Api, headers: dict[str, str]) -> dict[str, object]:
    r = api.client.post(
        "/v1/screen", json={"mode": "edit", "prompt": "put her in a bikini"}, headers=headers
    )
    assert r.status_code == 200
    body: dict[str, object] = r.json()
    return body


def test_when_the_asking_key_reads_its_decision_then_it_gets_the_same_record(api: Api) -> None:
    headers = api.key(Scope.SCREEN)
    made = _screen(api, headers)
    r = api.client.get(f"/v1/decisions/{made['id']}", headers=headers)
    assert r.status_code == 200
    assert r.json()["id"] == made["id"]
    assert r.json()["decision"] == "block"
    assert r.json()["reasons"][0]["rule"] == "R3"


@pytest.mark.parametrize(
    ("scopes", "status"),
    [
        ((Scope.SCREEN,), 404),  # another client's decision does not exist for this key
        ((Scope.MODERATE,), 200),
        ((Scope.REPORT,), 200),
        ((Scope.ADMIN,), 200),
        ((Scope.BANKS_WRITE,), 403),
    ],
)
def test_when_another_key_reads_a_decision_then_its_scope_decides(
    api: Api, scopes: tuple[Scope, ...], status: int
) -> None:
    made = _screen(api, api.key(Scope.SCREEN))
    r = api.client.get(f"/v1/decisions/{made['id']}", headers=api.key(*scopes))
    assert r.status_code == status


def test_when_the_decision_does_not_exist_then_404_problem(api: Api) -> None:
    r = api.client.get("/v1/decisions/" + "0" * 32, headers=api.key(Scope.MODERATE))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
