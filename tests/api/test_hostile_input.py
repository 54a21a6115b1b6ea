"""Hostile input on every route that writes or reads the store: a 422 naming the field.

PostgreSQL refuses NUL in text and integers past a column's range, Python's csv
module raises on malformed rows; each of those once surfaced as a 500 (and an
unrecorded decision). One table, sent to the real routes on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from consentgate.service.keys import Scope
from consentgate.settings import PromptStorage
from tests.api.conftest import Api, make_settings, running
from tests.conftest import scratch_database

MD5 = "0123456789abcdef0123456789abcdef"
PAST_BIGINT = str(2**63)
PAST_INTEGER = 2**31
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class Hostile:
    """One request and the field its 422 must name."""

    method: str
    path: str
    field: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    files: dict[str, Any] | None = None


IMPORT = "/v1/banks/victims/import"


def csv_body(text: str) -> dict[str, Any]:
    return {"content": text.encode(), "params": {"format": "csv"}}


def md5(n: int) -> str:
    """A distinct MD5 per case, so a case the store wrongly accepted cannot mask the next."""
    return f"{n:032x}"


CASES = [
    pytest.param(
        Hostile("POST", "/v1/screen", "id", json={"id": "req\x001", "prompt": "a lighthouse"}),
        id="screen-id-nul",
    ),
    # A prompt's control characters are a disguise, screened, not refused:
    # tests/api/test_prompt_hidden_characters.py.
    pytest.param(
        Hostile(
            "POST",
            "/v1/screen",
            "id",
            files={"id": (None, "req\x003"), "prompt": (None, "a lighthouse")},
        ),
        id="screen-multipart-id-nul",
    ),
    pytest.param(
        Hostile(
            "POST",
            "/v1/banks",
            "description",
            json={"name": "b1", "kind": "ncii", "description": "\x00"},
        ),
        id="bank-description-nul",
    ),
    pytest.param(
        Hostile(
            "POST",
            "/v1/banks",
            "flood_max_matches",
            json={"name": "b2", "kind": "ncii", "flood_max_matches": PAST_INTEGER},
        ),
        id="bank-flood-past-integer",
    ),
    pytest.param(
        Hostile(
            "POST",
            "/v1/banks",
            "flood_max_matches",
            json={"name": "b3", "kind": "ncii", "flood_max_matches": 2**63},
        ),
        id="bank-flood-past-bigint",
    ),
    pytest.param(
        Hostile("PATCH", "/v1/banks/victims", "description", json={"description": "x\x00y"}),
        id="bank-change-description-nul",
    ),
    pytest.param(
        Hostile("POST", "/v1/banks/victims/entries", "note", json={"md5": md5(1), "note": "\0"}),
        id="entry-note-nul",
    ),
    pytest.param(
        Hostile(
            "POST", "/v1/banks/victims/entries", "source", json={"md5": md5(2), "source": "\0"}
        ),
        id="entry-source-nul",
    ),
    pytest.param(
        Hostile(
            "POST",
            "/v1/banks/victims/entries",
            "external_id",
            json={"md5": md5(3), "external_id": "case\x00"},
        ),
        id="entry-external-id-nul",
    ),
    pytest.param(
        Hostile("POST", "/v1/entries/1/withdraw", "reason", json={"reason": "gone\x00"}),
        id="withdraw-reason-nul",
    ),
    pytest.param(
        Hostile("POST", "/v1/entries/1/reinstate", "reason", json={"reason": "\x00"}),
        id="reinstate-reason-nul",
    ),
    pytest.param(
        Hostile("GET", "/v1/banks/victims/entries", "after_id", params={"after_id": PAST_BIGINT}),
        id="entries-after-id-past-bigint",
    ),
    pytest.param(
        Hostile("GET", "/v1/findings", "after_id", params={"after_id": PAST_BIGINT}),
        id="findings-after-id-past-bigint",
    ),
    pytest.param(Hostile("GET", "/v1/entries/" + PAST_BIGINT, "entry_id"), id="entry-past-bigint"),
    pytest.param(
        Hostile("POST", IMPORT, "line 2", **csv_body(f"md5,note\n{md5(4)},a\0b\n")),
        id="import-note-nul",
    ),
    pytest.param(
        Hostile("POST", IMPORT, "line 2", **csv_body(f"md5,source\n{md5(5)},\0\n")),
        id="import-source-nul",
    ),
    pytest.param(
        Hostile("POST", IMPORT, "line 2", **csv_body(f"md5,external_id\n{md5(6)},x\0\n")),
        id="import-external-id-nul",
    ),
    pytest.param(
        Hostile("POST", IMPORT, "line 2", **csv_body(f'md5,note\n{md5(7)},\r"x\n')),
        id="import-malformed-row",
    ),
    pytest.param(
        Hostile(
            "POST",
            IMPORT,
            "line 2",
            **csv_body(f"md5,note\n{md5(8)},{'n' * (CSV_FIELD_LIMIT + 1)}\n"),
        ),
        id="import-field-past-csv-limit",
    ),
    pytest.param(
        Hostile(
            "POST",
            f"/v1/escalations/{'a' * 32}/reference",
            "reference",
            json={"agency": "nca", "reference": "NCA\x00/1"},
        ),
        id="escalation-reference-nul",
    ),
    pytest.param(
        Hostile(
            "POST",
            f"/v1/escalations/{'a' * 32}/export",
            "priority",
            json={"format": "nca-json", "priority": PAST_INTEGER},
        ),
        id="escalation-priority-past-integer",
    ),
    pytest.param(
        Hostile(
            "GET",
            "/v1/reports/transparency",
            "from",
            params={"from": "2026-12-01\x00", "to": "2026-12-31"},
        ),
        id="report-from-nul",
    ),
    pytest.param(
        Hostile(
            "GET",
            "/v1/reports/transparency/csv/part4_notices",
            "to",
            params={"from": "9999-12-30", "to": "9999-12-31"},
        ),
        id="report-to-the-last-day-there-is",
    ),
    pytest.param(
        Hostile(
            "GET",
            "/v1/reports/transparency",
            "from",
            params={"from": "0001-01-01", "to": "0001-01-02"},
        ),
        id="report-from-year-1",
    ),
]


@dataclass
class Store:
    api: Api
    headers: dict[str, str]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One app per store for the whole table: a bank ``victims`` with entry 1, prompts kept."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'cg.db'}"
        yield from _store(url)
        return
    with scratch_database(request.getfixturevalue("postgres_url"), "cg_h") as url:
        yield from _store(url)


def _store(url: str) -> Iterator[Store]:
    config = make_settings(url, store_prompts=PromptStorage.ALL, rate_limit_per_s=0)
    with running(config, raise_server_exceptions=False) as api:
        headers = api.key(Scope.ADMIN)
        created = api.client.post(
            "/v1/banks", json={"name": "victims", "kind": "ncii"}, headers=headers
        )
        assert created.status_code == 201, created.text
        added = api.client.post("/v1/banks/victims/entries", json={"md5": MD5}, headers=headers)
        assert added.status_code == 201 and added.json()["entry"]["id"] == 1, added.text
        yield Store(api, headers)


def _named(body: dict[str, Any], name: str) -> bool:
    return body.get("field") == name or any(e["field"] == name for e in body.get("errors", []))


@pytest.mark.parametrize("case", CASES)
def test_when_input_cannot_be_stored_then_422_names_the_field(store: Store, case: Hostile) -> None:
    r = store.api.client.request(
        case.method,
        case.path,
        json=case.json,
        params=case.params,
        content=case.content,
        files=case.files,
        headers={**store.headers, **({"Content-Type": "text/plain"} if case.content else {})},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert _named(r.json(), case.field), r.json()


def test_when_an_import_fails_then_nothing_from_it_is_added(store: Store) -> None:
    r = store.api.client.get("/v1/banks/victims/entries", headers=store.headers)
    assert [e["md5"] for e in r.json()] == [MD5]


@pytest.mark.parametrize(
    "request_id", ["order-42", "заказ/42 ✓", "a" * 200], ids=["ascii", "unicode", "longest"]
)
def test_when_the_id_has_no_control_characters_then_the_decision_is_recorded(
    store: Store, request_id: str
) -> None:
    prompt = "a lighthouse\n\tat dusk\r\n"
    r = store.api.client.post(
        "/v1/screen", json={"id": request_id, "prompt": prompt}, headers=store.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["request_id"] == request_id
    recorded = store.api.services.decisions.get_recorded(r.json()["id"])
    assert (recorded.decision.request_id, recorded.prompt) == (request_id, prompt)


def test_when_after_id_is_the_largest_bigint_then_the_page_is_empty(store: Store) -> None:
    for path in ("/v1/banks/victims/entries", "/v1/findings"):
        r = store.api.client.get(path, params={"after_id": 2**63 - 1}, headers=store.headers)
        assert (r.status_code, r.json()) == (200, []), r.text
