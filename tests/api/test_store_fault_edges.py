"""The HTTP edges of store faults, in-process: a store that cannot serve is a 503 from
the problem handler and from the key gate alike; a bug or a conflict stays what it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from consentgate.service.keys import Scope
from tests.api.conftest import Api, make_settings, running

NOTICE = {
    "kind": "child_safety",
    "explanation": "This post appears to show the abuse of a child.",
    "items": [{"url": "https://social.example/p/1"}],
    "bona_fide_statement": True,
}


def _locked() -> OperationalError:
    err = sqlite3.OperationalError("database is locked")
    err.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return OperationalError("BEGIN IMMEDIATE", {}, err)


def _duplicate() -> IntegrityError:
    return IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))


@pytest.fixture
def lenient(tmp_path: Path) -> Iterator[Api]:
    """The API whose client gets the 500 document instead of the server's exception.

    One worker, so its counters are in memory: the fault under test is the route's
    own write, not the rate counters' (which several workers keep in the store file)."""
    settings = make_settings(f"sqlite:///{tmp_path / 'store.db'}", workers=1)
    with running(settings, raise_server_exceptions=False) as api:
        yield api


def _failing_writes(api: Api, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    @contextmanager
    def write() -> Iterator[None]:
        raise error
        yield

    monkeypatch.setattr(api.services.db, "write", write)


@pytest.mark.parametrize(
    ("error", "status", "problem"),
    [
        (_locked(), 503, "urn:consentgate:problem:store-unavailable"),
        (_duplicate(), 500, "urn:consentgate:problem:internal"),
    ],
)
def test_when_a_route_meets_a_store_error_then_only_an_outage_is_a_503(
    lenient: Api,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
    problem: str,
) -> None:
    _failing_writes(lenient, monkeypatch, error)
    answer = lenient.client.post("/v1/notices", json=NOTICE)
    assert answer.status_code == status
    assert answer.json()["type"] == problem
    assert ("Retry-After" in answer.headers) is (status == 503)
    assert "database is locked" not in answer.text  # the driver's words stay in the log


def test_when_a_key_is_looked_up_in_a_locked_store_then_the_gate_answers_503(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    moderate = sqlite_api.key(Scope.MODERATE)  # never looked up yet: no cached copy

    def locked(_raw: str) -> None:
        raise _locked()

    monkeypatch.setattr(sqlite_api.services.keys, "authenticate", locked)
    answer = sqlite_api.client.get("/v1/cases", headers=moderate)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["detail"] == "the store is locked by another writer"


def test_when_the_openapi_document_is_built_then_every_store_route_documents_503_retry_after(
    sqlite_api: Api,
) -> None:
    paths = sqlite_api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    missing = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if path != "/healthz"
        and "Retry-After" not in operation["responses"].get("503", {}).get("headers", {})
    ]
    assert missing == []
    assert "503" not in paths["/healthz"]["get"]["responses"]  # liveness never asks the store
