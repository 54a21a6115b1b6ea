"""A screen with an id is decided once per key: retries, twins and reuse, on both stores."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from consentgate.service.keys import Scope
from consentgate.store.service_tables import decisions
from tests.api.conftest import Api, png
from tests.api.test_errors import assert_problem

BODY = {"id": "order-17", "mode": "edit", "prompt": "put her in a bikini"}


def _stored(api: Api) -> list[Any]:
    with api.services.db.read() as conn:
        return list(conn.execute(select(decisions.c.id, decisions.c.request_id)).all())


def test_when_the_same_id_is_screened_twice_then_one_decision_is_replayed(api: Api) -> None:
    headers = api.key(Scope.SCREEN)
    first = api.client.post("/v1/screen", json=BODY, headers=headers)
    again = api.client.post("/v1/screen", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    # The replay is the recorded decision, as GET /v1/decisions/{id} returns it.
    recorded = api.client.get(f"/v1/decisions/{first.json()['id']}", headers=headers)
    assert again.json() == recorded.json()
    assert again.json()["decision"] == first.json()["decision"] == "block"
    assert [row.id for row in _stored(api)] == [first.json()["id"]]


def test_when_the_same_id_comes_with_another_request_then_409_and_nothing_new(api: Api) -> None:
    headers = api.key(Scope.SCREEN)
    first = api.client.post("/v1/screen", json=BODY, headers=headers)
    other = api.client.post("/v1/screen", json={**BODY, "prompt": "a lighthouse"}, headers=headers)
    body = assert_problem(other, 409, field="id")
    assert "different request" in body["detail"]
    assert [row.id for row in _stored(api)] == [first.json()["id"]]


@pytest.mark.parametrize(
    "change", [{"mode": "generate"}, {"subject": "real_person"}, {"prompt": "put her in a hat"}]
)
def test_when_any_deciding_field_differs_then_the_id_is_a_conflict(
    sqlite_api: Api, change: dict[str, str]
) -> None:
    headers = sqlite_api.key(Scope.SCREEN)
    assert sqlite_api.client.post("/v1/screen", json=BODY, headers=headers).status_code == 200
    r = sqlite_api.client.post("/v1/screen", json={**BODY, **change}, headers=headers)
    assert_problem(r, 409)


def test_when_the_same_images_come_as_json_then_multipart_then_it_is_a_retry(
    sqlite_api: Api,
) -> None:
    headers = sqlite_api.key(Scope.SCREEN)
    image = png()
    as_json = {"id": "img-1", "mode": "upload", "output_image": base64.b64encode(image).decode()}
    first = sqlite_api.client.post("/v1/screen", json=as_json, headers=headers)
    again = sqlite_api.client.post(
        "/v1/screen",
        data={"id": "img-1", "mode": "upload"},
        files={"output_image": ("out.png", image, "image/png")},
        headers=headers,
    )
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_when_requests_have_no_id_then_each_is_decided(api: Api) -> None:
    headers = api.key(Scope.SCREEN)
    body = {k: v for k, v in BODY.items() if k != "id"}
    ids = {api.client.post("/v1/screen", json=body, headers=headers).json()["id"] for _ in range(2)}
    assert len(ids) == 2 and len(_stored(api)) == 2


def test_when_two_keys_use_the_same_id_then_each_gets_its_own_decision(api: Api) -> None:
    one, two = api.key(Scope.SCREEN), api.key(Scope.SCREEN)
    a = api.client.post("/v1/screen", json=BODY, headers=one).json()["id"]
    b = api.client.post("/v1/screen", json=BODY, headers=two).json()["id"]
    assert a != b and len(_stored(api)) == 2


def test_when_two_identical_requests_race_then_one_decision_and_both_get_it(api: Api) -> None:
    headers = api.key(Scope.SCREEN)
    engine = api.services.engine
    screen_prepared = engine.screen_prepared
    both_screening = threading.Barrier(2, timeout=20)

    def in_step(*args: Any, **kwargs: Any) -> Any:
        both_screening.wait()  # both are past the lookup: only the unique index can tell
        return screen_prepared(*args, **kwargs)

    engine.screen_prepared = in_step  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda _: api.client.post("/v1/screen", json=BODY, headers=headers), range(2))
        )
    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted(r.headers.get("idempotent-replayed", "") for r in answers) == ["", "true"]
    stored = _stored(api)
    assert [row.id for row in stored] == [answers[0].json()["id"]]
