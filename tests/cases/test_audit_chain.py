"""The audit chain: every event linked; any edit, insert, reorder or deletion is named."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, insert, update

from consentgate.audit import chain
from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.store.cases_tables import audit_events
from consentgate.store.database import Database
from tests.tamper import as_superuser


def _fill(service: CaseService, cases: int = 3) -> None:
    for n in range(cases):
        case = service.open(CaseKind.DSA_NOTICE, Item(url=f"https://example.com/{n}"))
        service.decide(case.id, Action.REMOVE, reason=f"reason {n}", actor="alice")


def test_UK_16_when_nothing_was_touched_then_the_chain_verifies(
    service: CaseService, db: Database
) -> None:
    _fill(service)
    with db.read() as conn:
        assert chain.verify(conn).events == 6


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 3)
                             .values(reason="edited")), "event 3 was altered"),
        (lambda c: c.execute(delete(audit_events).where(audit_events.c.seq == 2)),
         "event 2 is missing"),
        (lambda c: c.execute(delete(audit_events).where(audit_events.c.seq == 6)),
         "events at the end were removed"),
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 4)
                             .values(data={"action": "no_action"})), "event 4 was altered"),
    ],
)  # fmt: skip
def test_UK_16_when_a_row_is_tampered_with_then_verify_names_the_first_bad_event(
    service: CaseService, db: Database, tamper: object, message: str
) -> None:
    _fill(service)
    with db.write() as conn:
        tamper(as_superuser(conn))  # type: ignore[operator]
    with db.read() as conn, pytest.raises(chain.ChainBroken, match=message):
        chain.verify(conn)


def test_when_a_forged_row_is_inserted_with_a_valid_hash_then_the_next_link_breaks(
    service: CaseService, db: Database
) -> None:
    _fill(service, 1)
    with db.write() as conn:
        events = list(chain.events(conn))
        as_superuser(conn).execute(delete(audit_events).where(audit_events.c.seq == 2))
        forged = chain.hashed_fields(2, events[1].at, "mallory", "decided", None, "", {})
        conn.execute(
            insert(audit_events).values(
                seq=2, at=events[1].at, actor="mallory", kind="decided", case_id=None,
                reason="", data={}, prev_hash=events[0].hash,
                hash=chain.link(events[0].hash, forged),
            )
        )  # fmt: skip
    with db.read() as conn, pytest.raises(chain.ChainBroken, match="removed"):
        chain.verify(conn)


def test_when_events_are_reordered_then_verify_fails(service: CaseService) -> None:
    _fill(service, 2)
    with service.db.read() as conn:
        events = list(chain.events(conn))
    events[1], events[2] = events[2], events[1]
    with pytest.raises(chain.ChainBroken, match="out of order"):
        chain.verify_events(events)


def test_when_a_third_party_recomputes_the_documented_algorithm_then_hashes_agree(
    service: CaseService,
) -> None:
    _fill(service, 1)
    with service.db.read() as conn:
        events = list(chain.events(conn))
    prev = "0" * 64
    for event in events:
        body = {
            "seq": event.seq,
            "at": event.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": event.actor,
            "kind": event.kind.value,
            "case_id": event.case_id,
            "reason": event.reason,
            "data": event.data,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(prev.encode() + canonical.encode()).hexdigest()
        assert digest == event.hash
        prev = digest


def test_when_many_writers_append_at_once_then_the_chain_stays_one_line(
    service: CaseService, db: Database
) -> None:
    import threading

    def work() -> None:
        _fill(service, 5)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as conn:
        assert chain.verify(conn).events == 40
