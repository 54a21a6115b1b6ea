"""One decision per API key and request id; old duplicates survive the migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from consentgate.records import Decision, Mode, Verdict
from consentgate.service.decisions import DecisionStore, DuplicateRequest
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.service_tables import decisions


def decision(request_id: str | None) -> Decision:
    return Decision(
        request_id=request_id,
        mode=Mode.GENERATE,
        decision=Verdict.ALLOW,
        reasons=(),
        policy_id="default",
        policy_version="test",
    )


@pytest.fixture
def store(database_url: str) -> Iterator[DecisionStore]:
    db = Database(database_url)
    upgrade(db)
    yield DecisionStore(db)
    db.dispose()


def count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())


def test_when_a_key_records_an_id_twice_then_the_second_is_refused(store: DecisionStore) -> None:
    store.for_request("f" * 64).record(decision("r-1"), key_id="k1")
    with pytest.raises(DuplicateRequest):
        store.record(decision("r-1"), key_id="k1")
    found = store.find_request("k1", "r-1")
    assert found is not None and found.request_sha256 == "f" * 64
    assert count(store.db) == 1


@pytest.mark.parametrize(
    ("key_id", "request_id"),
    [
        (None, "r-1"),  # the CLI's decisions: never deduplicated
        ("k1", None),  # no id: never deduplicated
    ],
)
def test_when_the_key_or_the_id_is_missing_then_every_decision_is_kept(
    store: DecisionStore, key_id: str | None, request_id: str | None
) -> None:
    for _ in range(3):
        store.record(decision(request_id), key_id=key_id)
    assert count(store.db) == 3


def test_when_another_key_uses_the_id_then_both_are_kept(store: DecisionStore) -> None:
    store.record(decision("r-1"), key_id="k1")
    store.record(decision("r-1"), key_id="k2")
    assert count(store.db) == 2


def test_when_old_decisions_repeat_an_id_then_the_migration_keeps_them_all(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db, "0003_service")
    old = DecisionStore(db)
    row = {c.name for c in decisions.columns} - {"idempotency_key", "request_sha256"}
    for _ in range(2):  # the retries recorded before this revision: same key, same id
        record = decision("r-1")
        with db.write() as conn:
            values = {
                "id": record.id,
                "created": record.created,
                "key_id": "k1",
                "request_id": "r-1",
                "mode": "generate",
                "verdict": "allow",
                "rules": [],
                "escalate": False,
                "policy_id": "default",
                "policy_version": "test",
                "image_hashes": [],
                "prompt": None,
                "record": record.model_dump(mode="json"),
            }
            assert set(values) == row
            conn.execute(decisions.insert().values(values))  # names only the columns of 0003
    upgrade(db)
    assert count(db) == 2
    old.record(decision("r-1"), key_id="k1")  # new rows are checked from now on
    with pytest.raises(DuplicateRequest):
        old.record(decision("r-1"), key_id="k1")
    db.dispose()
