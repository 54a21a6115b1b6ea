"""Notices and appeals under an ``Idempotency-Key``: retries, twins, reuse and expiry, on both
stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from consentgate.cases.records import Action
from consentgate.cases.replays import ReplayStore
from consentgate.people import Role
from consentgate.store.cases_tables import cases, notices
from consentgate.store.replay_tables import request_replays
from tests.api.conftest import Api, make_settings, running
from tests.api.test_errors import assert_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
NOTICE = json.loads((EXAMPLES / "dsa_notice.json").read_text())
KEY = {"Idempotency-Key": "notice-2026-12-07-0001"}
REPLAYED = "idempotent-replayed"
NO_ID = {"content_id": None}


def _count(api: Api, table: Any) -> int:
    with api.services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _post(api: Api, body: Any = NOTICE, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.client.post("/v1/notices", json=body, headers=headers)


def _decided_notice(api: Api) -> dict[str, Any]:
    """A notice (without a key) whose first item is decided, so it may be appealed."""
    receipt = _post(api, headers={})
    assert receipt.status_code == 201, receipt.text
    found: dict[str, Any] = receipt.json()
    api.services.cases.decide(found["cases"][0], Action.NO_ACTION, reason="lawful", actor="al")
    return found


def test_when_a_notice_is_retried_with_its_key_then_the_first_receipt_and_nothing_new(
    api: Api,
) -> None:
    first = _post(api)
    again = _post(api)
    assert first.status_code == again.status_code == 201, again.text
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert again.json() == first.json()  # same id, tracking code, time and case ids
    assert _count(api, notices) == 1 and _count(api, cases) == len(NOTICE["items"])


def test_when_the_key_comes_with_another_notice_then_409_naming_the_header_and_nothing_new(
    api: Api,
) -> None:
    first = _post(api)
    other = _post(api, {**NOTICE, "explanation": "Another post shares my private photo."})
    body = assert_problem(other, 409, field="Idempotency-Key")
    assert "different request" in body["detail"]
    assert first.json()["tracking_code"] not in other.text
    assert _count(api, notices) == 1


@pytest.mark.parametrize(
    ("retry", "replayed"),
    [
        (json.dumps(NOTICE, indent=2, sort_keys=True), True),  # spacing and key order
        (json.dumps({**NOTICE, "items": [{**NOTICE["items"][0], "content_id": None}]}), False),
        (
            json.dumps({**NOTICE, "items": [{**i, "content_id": None} for i in NOTICE["items"]]}),
            True,
        ),
    ],
)
def test_when_the_retry_is_the_same_notice_spelt_otherwise_then_it_is_a_retry_else_409(
    sqlite_api: Api, retry: str, replayed: bool
) -> None:
    first = _post(sqlite_api)
    again = sqlite_api.client.post(
        "/v1/notices", content=retry, headers={**KEY, "Content-Type": "application/json"}
    )
    assert again.status_code == (201 if replayed else 409), again.text
    assert (again.headers.get(REPLAYED) == "true") is replayed
    if replayed:
        assert again.json()["tracking_code"] == first.json()["tracking_code"]


def test_when_notices_have_no_key_then_each_is_filed_as_before(api: Api) -> None:
    codes = {_post(api, headers={}).json()["tracking_code"] for _ in range(2)}
    assert len(codes) == 2 and _count(api, notices) == 2 and _count(api, request_replays) == 0


def test_when_two_keys_send_the_same_notice_then_each_is_filed(api: Api) -> None:
    one = _post(api, headers={"Idempotency-Key": "a"}).json()
    two = _post(api, headers={"Idempotency-Key": "b"}).json()
    assert one["tracking_code"] != two["tracking_code"] and _count(api, notices) == 2


@pytest.mark.parametrize(
    "value",
    [
        "",  # empty
        "k" * 256,  # over 255
        "é".encode(),  # not ASCII
        "tab\there",  # a control character
    ],
)
def test_when_the_key_is_malformed_then_422_naming_the_header_and_nothing_filed(
    sqlite_api: Api, value: str | bytes
) -> None:
    r = sqlite_api.client.post("/v1/notices", json=NOTICE, headers={"Idempotency-Key": value})
    assert_problem(r, 422, field="Idempotency-Key")
    assert _count(sqlite_api, notices) == 0


def test_when_the_key_is_the_longest_allowed_then_it_is_a_key(sqlite_api: Api) -> None:
    longest = {"Idempotency-Key": "k" + " " * 253 + "~"}
    assert _post(sqlite_api, headers=longest).status_code == 201
    assert _post(sqlite_api, headers=longest).headers[REPLAYED] == "true"


def _in_step(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> None:
    """Make two concurrent calls of ``cls.name`` meet before going on: both are then past the
    lookup of the key, and only the table's primary key can tell them apart."""
    original: Callable[..., Any] = getattr(cls, name)
    both = threading.Barrier(2, timeout=20)

    def meet(*args: Any, **kwargs: Any) -> Any:
        both.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(cls, name, meet)


def _twins(send: Callable[[], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda _: send(), range(2)))


def test_when_two_identical_notices_race_then_one_is_filed_and_both_get_its_receipt(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_step(monkeypatch, ReplayStore, "once")
    answers = _twins(lambda: _post(api))
    assert [r.status_code for r in answers] == [201, 201], [r.text for r in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(r.headers.get(REPLAYED, "") for r in answers) == ["", "true"]
    assert _count(api, notices) == 1 and _count(api, cases) == len(NOTICE["items"])


def test_when_a_replay_is_past_its_lifetime_then_the_key_files_a_new_notice(api: Api) -> None:
    first = _post(api).json()
    assert _post(api, headers={"Idempotency-Key": "another"}).status_code == 201
    later = api.services.cases.clock() + timedelta(hours=24, seconds=1)
    api.services.cases.clock = lambda: later
    again = _post(api)
    assert again.status_code == 201 and REPLAYED not in again.headers
    assert again.json()["tracking_code"] != first["tracking_code"]
    assert _count(api, notices) == 3
    assert _count(api, request_replays) == 1  # both expired keys swept, the new one kept


def test_when_a_retry_is_replayed_then_it_spends_no_case_from_the_address(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, cases_per_address_per_hour=len(NOTICE["items"]))
    with running(settings) as api:
        assert _post(api).status_code == 201
        again = _post(api)
        assert again.status_code == 201 and again.headers[REPLAYED] == "true"
        assert _post(api, headers={}).status_code == 429  # the bucket was spent once only


# -- appeals -----------------------------------------------------------------------------------
APPEAL = {"item": 0, "text": "it is my photo, shared without consent"}


def _appeal(api: Api, code: str, body: Any = APPEAL, key: str = "appeal-1") -> httpx.Response:
    return api.client.post(
        f"/v1/notices/{code}/appeal", json=body, headers={"Idempotency-Key": key}
    )


def _appeals(api: Api, case_id: str) -> int:
    return sum(e.kind.value == "appealed" for e in api.services.cases.history(case_id))


def test_when_a_notifier_retries_an_appeal_with_its_key_then_the_status_and_no_409(
    api: Api,
) -> None:
    receipt = _decided_notice(api)
    first = _appeal(api, receipt["tracking_code"])
    again = _appeal(api, receipt["tracking_code"])
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers[REPLAYED] == "true" and REPLAYED not in first.headers
    assert again.json() == first.json()
    assert _appeals(api, receipt["cases"][0]) == 1


def test_when_a_notifier_appeal_key_comes_with_another_text_then_409(api: Api) -> None:
    receipt = _decided_notice(api)
    assert _appeal(api, receipt["tracking_code"]).status_code == 200
    other = _appeal(api, receipt["tracking_code"], {**APPEAL, "text": "something else"})
    assert_problem(other, 409, field="Idempotency-Key")


def test_when_one_key_appeals_on_two_notices_then_each_counts_on_its_own(api: Api) -> None:
    one, two = _decided_notice(api), _decided_notice(api)
    for receipt in (one, two):
        r = _appeal(api, receipt["tracking_code"])
        assert r.status_code == 200 and REPLAYED not in r.headers
        assert _appeals(api, receipt["cases"][0]) == 1


def test_when_two_identical_notifier_appeals_race_then_one_appeal_and_no_409(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = _decided_notice(api)
    _in_step(monkeypatch, ReplayStore, "once")
    answers = _twins(lambda: _appeal(api, receipt["tracking_code"]))
    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    assert sorted(r.headers.get(REPLAYED, "") for r in answers) == ["", "true"]
    assert _appeals(api, receipt["cases"][0]) == 1


def test_when_a_moderator_retries_an_appeal_with_its_key_then_the_case_and_no_409(
    api: Api,
) -> None:
    headers = api.user_key("mo", Role.MODERATOR) | {"Idempotency-Key": "case-appeal-1"}
    case_id = _decided_notice(api)["cases"][0]
    body = {"by": "affected_user", "text": "it is my photo"}
    first = api.client.post(f"/v1/cases/{case_id}/appeal", json=body, headers=headers)
    again = api.client.post(f"/v1/cases/{case_id}/appeal", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers[REPLAYED] == "true" and again.json()["state"] == "appealed"
    assert again.json()["version"] == first.json()["version"]
    other = api.client.post(
        f"/v1/cases/{case_id}/appeal", json={**body, "text": "other"}, headers=headers
    )
    assert_problem(other, 409, field="Idempotency-Key")
    bad = api.client.post(
        f"/v1/cases/{case_id}/appeal", json=body, headers=headers | {"Idempotency-Key": ""}
    )
    assert_problem(bad, 422, field="Idempotency-Key")
    assert _appeals(api, case_id) == 1


def test_when_the_openapi_document_is_read_then_these_routes_declare_the_key(
    sqlite_url: str,
) -> None:
    with running(make_settings(sqlite_url, api_docs=True)) as api:
        paths = api.client.get("/openapi.json").json()["paths"]
    for path in ("/v1/notices", "/v1/notices/{tracking_code}/appeal", "/v1/cases/{case_id}/appeal"):
        (declared,) = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert declared["name"] == "Idempotency-Key" and declared["required"] is False
        assert '"maxLength": 255' in json.dumps(declared["schema"])
        assert "409" in paths[path]["post"]["responses"]
