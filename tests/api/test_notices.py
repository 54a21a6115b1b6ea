"""``POST /v1/notices`` and ``GET /v1/notices/{code}``: no key, every bad field named,
a bucket per address, the body bounded, and a status page that tells how to appeal."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from consentgate.api.routes.notices import body_limit
from consentgate.cases.records import Action, CaseState
from consentgate.store.cases_tables import notices
from tests.api.conftest import Api, make_settings, png, running

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"


def example(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    for field, value in changes.items():
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    return data


@pytest.fixture
def limited(sqlite_url: str) -> Iterator[Api]:
    with running(make_settings(sqlite_url, notice_rate_per_s=0.001, notice_rate_burst=2)) as api:
        yield api


def test_EU_1_when_an_anonymous_notice_is_posted_then_201(api: Api) -> None:
    answer = api.client.post("/v1/notices", json=example("dsa_notice"))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert len(receipt["tracking_code"]) >= 20
    assert receipt["status_url"] == f"/v1/notices/{receipt['tracking_code']}"
    assert len(receipt["cases"]) == 2


def test_UK_10_when_reported_without_an_account_then_201(api: Api) -> None:
    answer = api.client.post("/v1/notices", json=example("uk_intimate_image"))
    assert answer.status_code == 201, answer.text


def test_US_1_when_a_take_it_down_request_is_posted_without_login_then_201(api: Api) -> None:
    answer = api.client.post("/v1/notices", json=example("take_it_down"))
    assert answer.status_code == 201, answer.text
    assert api.services.cases.get(answer.json()["cases"][0]).kind.value == "take_it_down"


@pytest.mark.parametrize(
    "name", ["dsa_notice", "take_it_down", "uk_intimate_image", "child_safety"]
)
def test_when_an_example_file_is_posted_then_it_is_accepted(sqlite_api: Api, name: str) -> None:
    assert sqlite_api.client.post("/v1/notices", json=example(name)).status_code == 201


def test_EU_2_when_the_explanation_is_missing_then_422_naming_it(sqlite_api: Api) -> None:
    answer = sqlite_api.client.post("/v1/notices", json=example("dsa_notice", explanation=None))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    doc = answer.json()
    assert doc["field"] == "explanation"
    assert {"field": "explanation", "message": "required"} in doc["errors"]


def test_EU_2_when_several_fields_are_missing_then_every_one_is_listed(sqlite_api: Api) -> None:
    data = example("dsa_notice", explanation=None, notifier_name=None, bona_fide_statement=None)
    doc = sqlite_api.client.post("/v1/notices", json=data).json()
    assert [e["field"] for e in doc["errors"]] == [
        "explanation",
        "notifier_name",
        "bona_fide_statement",
    ]


def test_EU_2_CS_7_when_a_child_safety_notice_has_no_name_then_accepted(api: Api) -> None:
    answer = api.client.post("/v1/notices", json=example("child_safety"))
    assert answer.status_code == 201, answer.text


def test_EU_2_when_a_notice_lists_3_urls_then_3_cases(api: Api) -> None:
    items = [{"url": f"https://social.example/p/{n}"} for n in (1, 2, 3)]
    answer = api.client.post("/v1/notices", json=example("dsa_notice", items=items))
    assert len(answer.json()["cases"]) == 3


def test_UK_11_when_the_subject_declaration_is_missing_then_422(sqlite_api: Api) -> None:
    data = example("uk_intimate_image", declares_subject_or_acting_for_subject=None)
    doc = sqlite_api.client.post("/v1/notices", json=data).json()
    assert doc["status"] == 422
    assert "declares_subject_or_acting_for_subject" in [e["field"] for e in doc["errors"]]


def test_US_2_when_the_signature_is_missing_then_422_and_no_clock_started(api: Api) -> None:
    answer = api.client.post("/v1/notices", json=example("take_it_down", signature=None))
    assert answer.status_code == 422
    assert {"field": "signature", "message": "required"} in answer.json()["errors"]
    assert api.services.cases.list_cases() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (json.dumps(example("dsa_notice", kind="complaint")).encode(), "kind"),
        (json.dumps(example("dsa_notice", explanation="x" * 10_001)).encode(), "explanation"),
        (json.dumps(example("child_safety", explanation="a\u0000b")).encode(), "explanation"),
        (b"[]", None),
    ],
)
def test_when_the_body_is_bad_then_422_problem(
    sqlite_api: Api, body: bytes, field: str | None
) -> None:
    answer = sqlite_api.client.post(
        "/v1/notices", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json().get("field") == field


def test_when_the_body_is_not_json_then_415(sqlite_api: Api) -> None:
    answer = sqlite_api.client.post("/v1/notices", data={"kind": "dsa_notice"})
    assert answer.status_code == 415


def test_when_the_body_is_over_the_limit_then_413_before_it_is_read(sqlite_api: Api) -> None:
    limit = body_limit(sqlite_api.services.settings)
    answer = sqlite_api.client.post(
        "/v1/notices",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(limit + 1)},
    )
    assert answer.status_code == 413


def test_when_one_address_sends_past_its_burst_then_429(limited: Api) -> None:
    codes = [
        limited.client.post("/v1/notices", json=example("child_safety")).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    answer = limited.client.post("/v1/notices", json=example("child_safety"))
    assert answer.headers["Retry-After"]


def test_when_an_image_is_reported_then_its_hashes_are_kept_not_its_bytes(api: Api) -> None:
    encoded = base64.b64encode(png()).decode()
    data = example("take_it_down", items=[{"image": encoded}])
    receipt = api.client.post("/v1/notices", json=data).json()
    with api.services.db.read() as conn:
        row = conn.execute(select(notices).where(notices.c.id == receipt["id"])).one()
    assert encoded[:40] not in json.dumps(row.data)
    assert api.services.cases.get(receipt["cases"][0]).item.md5 is not None


def test_EU_5_when_decided_then_the_status_page_shows_the_decision_and_how_to_appeal(
    api: Api,
) -> None:
    receipt = api.client.post("/v1/notices", json=example("take_it_down")).json()
    before = api.client.get(receipt["status_url"]).json()
    assert [i["state"] for i in before["items"]] == [CaseState.OPEN.value]
    api.services.cases.decide(receipt["cases"][0], Action.REMOVE, reason="ncii", actor="alice")
    item = api.client.get(receipt["status_url"]).json()["items"][0]
    assert item["state"] == "actioned"
    assert item["decision"]["action"] == "remove"
    assert item["decision"]["automation"]["automated_means_used"] is False
    assert item["decision"]["redress"]["appeal_until"]
    assert "sam@mail.example" not in json.dumps(item)


def test_when_the_tracking_code_is_unknown_then_404_problem(sqlite_api: Api) -> None:
    answer = sqlite_api.client.get("/v1/notices/" + "x" * 32)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_when_codes_are_guessed_then_the_address_is_limited(limited: Api) -> None:
    codes = [limited.client.get("/v1/notices/" + "x" * 32).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
